rule simulate:
    """One topology on one hardware config: SCALE-Sim v2 reports and run_info.json (+ traces if asked)."""
    input:
        topology=TOPOLOGY_INPUT,
        hardware=HARDWARE_INPUT,
        adapter=adapter_script("simulate"),
    output:
        reports=multiext("results/{topo}/{hw}/", *REPORT_FILES),
        run_info=RUN_INFO_OUTPUT,
        **({"traces": directory(TRACES_OUTPUT)} if SAVE_TRACES else {}),
    params:
        code=code_version(adapter_script("simulate")),
        input_type=input_type_param,
        traces_flag="--save-traces" if SAVE_TRACES else "",
    resources:
        **wildcard_resources(simulate_estimate, "topo", "hw"),
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/simulate.log",
    shell:
        "python {input.adapter} --topology {input.topology} --input-type {params.input_type}"
        " --hardware {input.hardware} --name {wildcards.hw} --outdir results/{wildcards.topo}/{wildcards.hw} {params.traces_flag}"
        " 2> {log}"
