rule lifetimes:
    """Lifetimes of one buffer (subdivision) in one layer, from the simulator's events of that layer."""
    input:
        topology=topology_input,
        hardware=hardware_input,
        adapter=adapter_script("lifetimes_part"),
    output:
        temp("results/{topo}/{hw}/layer{layer}/parts/{sub}.npz"),
    params:
        code=code_version("topology", "hwconfig", "inputfile", "events", "simulator", "lifetimes", "atomic"),
        input_type=input_type_param,
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/layer{layer}/lifetimes_{sub}.log",
    shell:
        "python {input.adapter} --topology {input.topology} --input-type {params.input_type}"
        " --hardware {input.hardware} --layer {wildcards.layer} --subdivision {wildcards.sub}"
        " --output {output} 2> {log}"


rule layer:
    """GainSight's per-layer files: lifetime table, aggregate statistics and distribution plot."""
    input:
        parts=layer_lifetime_parts,
        adapter=adapter_script("layer"),
    output:
        multiext("results/{topo}/{hw}/layer{layer}/layer{layer}_", "lifetime_data.csv", "lifetime_histogram.csv",
                 "aggregate_data.csv", "graph.png"),
    params:
        code=code_version("events", "lifetimes", "layer_files", "aggregate", "plots", "atomic", "csv_text"),
        layer_dir=layer_dir_param,
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/layer{layer}/layer.log",
    shell:
        "python {input.adapter} --layer {wildcards.layer} --parts {input.parts}"
        " --layer-dir {params.layer_dir} 2> {log}"
