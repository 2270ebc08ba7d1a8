rule simulate:
    """One topology on one hardware config: SCALE-Sim v2 reports and run_info.json (+ traces if asked)."""
    input:
        topology=topology_input,
        hardware=hardware_input,
        code=package_sources("topology", "hwconfig", "simulator"),
        adapter=adapter_script("simulate"),
    output:
        reports=multiext(RUN_DIR + "/", *REPORT_FILES),
        run_info=RUN_DIR + "/run_info.json",
        **({"traces": directory(RUN_DIR + "/traces")} if config["save_traces"] else {}),
    params:
        input_type=input_type_param,
        run_dir=run_dir_param,
        traces_flag="--save-traces" if config["save_traces"] else "",
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/simulate.log",
    group:
        "sweep"
    shell:
        "python {input.adapter} --topology {input.topology} --input-type {params.input_type}"
        " --hardware {input.hardware} --name {wildcards.hw} --outdir {params.run_dir} {params.traces_flag}"
        " 2> {log}"
