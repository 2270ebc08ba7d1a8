rule report:
    """The frontend's JSON report of one run at one clock with one device corner and one lifetime
    start: refresh, area and energy per technology."""
    input:
        unpack(device_files_of_corner),
        run_info=RUN_INFO_OUTPUT,
        layers=layer_outputs_of_run,
    output:
        report(
            REPORT_OUTPUT,
            category="Reports",
            subcategory="{topo}",
            labels={
                "topology": "{topo}",
                "hardware": "{hw}",
                "clock": "{clock}",
                "device corner": "{corner}",
                "lifetime start": "{start}",
            },
        ),
    params:
        code=code_version("gainflow.cli", "gainflow.commands.frontend"),
        clock_hz=clock_hz_param,
        word_bits=config["word_bits"],
    resources:
        **wildcard_resources(report_estimate, "topo", "hw"),
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/report-{clock}-{corner}-{start}.log",
    shell:
        f"{RUN_JOB} gainflow frontend results/{{wildcards.topo}}/{{wildcards.hw}} --output {{output}} --gc-list {{input.gc_list}}"
        " --area-power {input.area_power} --device-corner {wildcards.corner} --clock-hz {params.clock_hz}"
        " --lifetime-start {wildcards.start} --word-bits {params.word_bits} > {log} 2>&1"
