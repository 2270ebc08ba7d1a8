# Each lifetime job reads its run's run_info.json (the simulate job's output) and checks its layer's
# Total Cycles against it; with `save_traces` it parses the traces the simulate job wrote, else it
# re-simulates just its layer (faster than writing and parsing CSV traces).
if SAVE_TRACES:
    LIFETIME_SOURCE = {"traces": TRACES_OUTPUT}
    LIFETIME_SOURCE_PARAMS = {}
    LIFETIME_SOURCE_ARGUMENTS = "--traces {input.traces}"
else:
    LIFETIME_SOURCE = {"topology": TOPOLOGY_INPUT, "hardware": HARDWARE_INPUT}
    LIFETIME_SOURCE_PARAMS = {"input_type": input_type_param}
    LIFETIME_SOURCE_ARGUMENTS = (
        "--topology {input.topology} --input-type {params.input_type} --hardware {input.hardware}"
    )


rule lifetimes:
    """Lifetimes of one buffer (subdivision) in one layer of a simulated run: from the traces the
    simulate job saved, or by re-simulating that layer; its Total Cycles checked against the run's."""
    input:
        run_info=RUN_INFO_OUTPUT,
        **LIFETIME_SOURCE,
        adapter=adapter_script("lifetimes_part"),
    output:
        temp(PART_OUTPUT),
    params:
        code=code_version(adapter_script("lifetimes_part")),
        **LIFETIME_SOURCE_PARAMS,
        # The intervals themselves only for a per-interval table; else histograms and counts.
        intervals_flag="--intervals" if LIFETIME_TABLES else "",
    resources:
        **wildcard_resources(lifetimes_estimate, "topo", "hw", "layer", "sub"),
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/layer{layer}/lifetimes_{sub}.log",
    shell:
        f"{RUN_JOB} {{input.adapter}} --run-info {{input.run_info}} {LIFETIME_SOURCE_ARGUMENTS}"
        " --layer {wildcards.layer} --subdivision {wildcards.sub} {params.intervals_flag} --output {output} 2> {log}"


rule scalesim_lifetimes:
    """Lifetimes of one buffer (subdivision) in one layer of an existing SCALE-Sim run (config
    `scalesim_runs`), parsed from its traces; its Total Cycles checked against the run's."""
    input:
        run_info=RUN_INFO_OUTPUT,
        traces=existing_run_traces,
        adapter=adapter_script("lifetimes_part"),
    output:
        temp(PART_OUTPUT),
    wildcard_constraints:
        hw=one_of(SCALESIM_RUNS),
    params:
        code=code_version(adapter_script("lifetimes_part")),
        run_dir=existing_run_dir,
        intervals_flag="--intervals" if LIFETIME_TABLES else "",
    # The estimate of parsing the same buffer's traces that the simulate job saves (`save_traces`).
    resources:
        **wildcard_resources(lifetimes_estimate, "topo", "hw", "layer", "sub"),
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/layer{layer}/lifetimes_{sub}.log",
    shell:
        f"{RUN_JOB} {{input.adapter}} --run-info {{input.run_info}} --traces {{params.run_dir:q}} --layer {{wildcards.layer}}"
        " --subdivision {wildcards.sub} {params.intervals_flag} --output {output} 2> {log}"


# As for the runs themselves (simulate.smk): an existing run's lifetimes come from its traces.
ruleorder: scalesim_lifetimes > lifetimes


rule layer:
    """GainSight's per-layer files: lifetime histogram, aggregate statistics (and with `lifetime_tables`
    the per-interval lifetime table), and the graph's data."""
    input:
        parts=LAYER_PARTS,
        adapter=adapter_script("layer"),
    output:
        [layer_file_pattern(kind) for kind in (*LAYER_TABLES, layout.GRAPH_DATA)],
    params:
        code=code_version(adapter_script("layer")),
        tables_flag="--tables" if LIFETIME_TABLES else "",
    resources:
        **wildcard_resources(layer_estimate, "topo", "hw", "layer"),
    conda:
        "../../environment.yml"
    # As soon as a layer's parts exist: they are still in the page cache, and graphs can start.
    priority: 1
    log:
        "logs/{topo}/{hw}/layer{layer}/layer.log",
    shell:
        f"{RUN_JOB} {{input.adapter}} --layer {{wildcards.layer}} --parts {{input.parts}} {{params.tables_flag}}"
        " --layer-dir results/{wildcards.topo}/{wildcards.hw}/layer{wildcards.layer} 2> {log}"


# The layer graphs of a run, drawn GRAPH_BATCH layers per process: importing matplotlib costs about
# as much as drawing three graphs, so not once per layer; and a batch starts as soon as its layers are
# done, so the drawing overlaps the rest of the run instead of trailing it. Outputs cannot be
# functions of the wildcards and batches differ per topology, so there is one rule per (topology,
# batch), its `topo` wildcard constrained to that topology. Their names vary, so the SLURM profile
# cannot list them under `groups:`: they name the profile's group `sweep` here (Snakemake ignores
# groups in local runs).
for graphs_topology in SWEEP_TOPOLOGIES:
    for graphs_layers in graph_batches(graphs_topology):

        rule:
            name:
                graphs_rule_name(graphs_topology, graphs_layers)
            input:
                data=[layer_file_pattern(layout.GRAPH_DATA, i) for i in graphs_layers],
                adapter=adapter_script("graphs"),
            output:
                [layer_file_pattern(layout.GRAPH, i) for i in graphs_layers],
            wildcard_constraints:
                topo=re.escape(graphs_topology),
            params:
                code=code_version(adapter_script("graphs")),
                layers=" ".join(str(i) for i in graphs_layers),
            group:
                "sweep"
            resources:
                **fixed_resources(job_resources.estimate(job_resources.graphs_work(len(graphs_layers)))),
            priority: 1
            conda:
                "../../environment.yml"
            log:
                f"logs/{{topo}}/{{hw}}/graphs_layers{graphs_layers[0]}_{graphs_layers[-1]}.log",
            shell:
                f"{RUN_JOB} {{input.adapter}} --run-dir results/{{wildcards.topo}}/{{wildcards.hw}} --layers {{params.layers}}"
                " 2> {log}"
