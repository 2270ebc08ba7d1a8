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
    """GainSight's per-layer files: lifetime table and aggregate statistics, and the graph's data."""
    input:
        parts=layer_lifetime_parts,
        adapter=adapter_script("layer"),
    output:
        multiext(
            "results/{topo}/{hw}/layer{layer}/layer{layer}_", "lifetime_data.csv", "lifetime_histogram.csv", "aggregate_data.csv",
            "graph_data.json",
        ),
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


# The layer graphs of one (topology, hardware) run, drawn in one process: importing matplotlib.pyplot
# costs 1-2 s, once per run here instead of once per layer. Outputs cannot be functions of the
# wildcards and the layer count differs per topology, so there is one such rule per topology (its
# `topo` wildcard constrained to that one). Their names vary, so the SLURM profile cannot list them
# under `groups:`: they name the profile's group `sweep` here (Snakemake ignores groups in local runs).
for graphs_topology in TOPOLOGIES:

    rule:
        name:
            graphs_rule_name(graphs_topology)
        input:
            data=[f"results/{{topo}}/{{hw}}/layer{i}/layer{i}_graph_data.json" for i in range(LAYER_COUNT[graphs_topology])],
            adapter=adapter_script("graphs"),
        output:
            [f"results/{{topo}}/{{hw}}/layer{i}/layer{i}_graph.png" for i in range(LAYER_COUNT[graphs_topology])],
        wildcard_constraints:
            topo=re.escape(graphs_topology),
        params:
            code=code_version("plots", "atomic"),
            run_dir=run_dir_param,
            layers=LAYER_COUNT[graphs_topology],
        group:
            "sweep"
        conda:
            "../../environment.yml"
        log:
            "logs/{topo}/{hw}/graphs.log",
        shell:
            "python {input.adapter} --run-dir {params.run_dir} --layers {params.layers} 2> {log}"
