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
        f"{RUN_JOB} {{input.adapter}} --topology {{input.topology}} --input-type {{params.input_type}}"
        " --hardware {input.hardware} --name {wildcards.hw} --outdir results/{wildcards.topo}/{wildcards.hw} {params.traces_flag}"
        " 2> {log}"


rule scalesim_run:
    """An existing SCALE-Sim run (config `scalesim_runs`) in place of a simulation: its three reports,
    and run_info.json from them, the topology and the hardware config it was made with."""
    input:
        unpack(existing_run_inputs),
        adapter=adapter_script("scalesim_run"),
    output:
        reports=multiext("results/{topo}/{hw}/", *REPORT_FILES),
        run_info=RUN_INFO_OUTPUT,
    wildcard_constraints:
        hw=one_of(SCALESIM_RUNS),
    params:
        code=code_version(adapter_script("scalesim_run")),
        input_type=input_type_param,
        run_dir=existing_run_dir,
    resources:
        **fixed_resources(job_resources.estimate(job_resources.hardware_work())),
    localrule: True
    conda:
        "../../environment.yml"
    log:
        "logs/{topo}/{hw}/scalesim_run.log",
    shell:
        f"{RUN_JOB} {{input.adapter}} --scalesim-run {{params.run_dir:q}} --topology {{input.topology}}"
        " --input-type {params.input_type} --hardware {input.hardware} --name {wildcards.hw}"
        " --outdir results/{wildcards.topo}/{wildcards.hw} 2> {log}"


# An existing run's name is no hardware config's (checked at parse time), and rule scalesim_run
# takes only those names: for them it, not rule simulate, writes the run's folder.
ruleorder: scalesim_run > simulate
