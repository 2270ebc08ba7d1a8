rule report:
    """The frontend's JSON report of one (topology, hardware) run: refresh, area and energy per technology."""
    input:
        run_info="results/{topo}/{hw}/run_info.json",
        layers=layer_outputs_of_run,
        gc_list=config["devices"]["gc_list"],
        area_power=config["devices"]["area_power"],
    output:
        report(
            "results/{topo}/{hw}/report.json",
            category="Reports",
            subcategory="{topo}",
            labels={"topology": "{topo}", "hardware": "{hw}"},
        ),
    params:
        code=code_version("errors", "cli", "commands", "inputs", "events", "frontend", "files"),
        clock_hz=config["clock_hz"],
        word_bits=config["word_bits"],
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/report.log",
    shell:
        "gainflow frontend results/{wildcards.topo}/{wildcards.hw} --output {output} --gc-list {input.gc_list}"
        " --area-power {input.area_power} --clock-hz {params.clock_hz} --word-bits {params.word_bits}"
        " > {log} 2>&1"
