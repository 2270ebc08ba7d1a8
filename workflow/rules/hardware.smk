# Every run reads its hardware config from results/hardware/<name>.cfg (HARDWARE_INPUT), a named
# config and a grid point alike, so the per-layer rules take it as a pattern, not a function.


rule named_hardware:
    """A named hardware config (hardware/<name>.cfg), copied unchanged."""
    input:
        NAMED_HARDWARE_INPUT,
    output:
        HARDWARE_INPUT,
    wildcard_constraints:
        hw=one_of(NAMED_HARDWARE),
    localrule: True
    resources:
        **fixed_resources(job_resources.estimate(job_resources.hardware_work())),
    conda:
        "../../environment.yml"
    log:
        "logs/hardware/{hw}.log",
    shell:
        "cp {input} {output} 2> {log}"


rule grid_point:
    """A grid point's SCALE-Sim .cfg: its base config with the point's array, dataflow and SRAM sizes."""
    input:
        base=grid_point_base,
        adapter=adapter_script("grid_point"),
    output:
        HARDWARE_INPUT,
    wildcard_constraints:
        hw=one_of(GRID_POINTS),
    params:
        code=code_version(adapter_script("grid_point")),
        point=grid_point_arguments,
    localrule: True
    resources:
        **fixed_resources(job_resources.estimate(job_resources.hardware_work())),
    conda:
        "../../environment.yml"
    log:
        "logs/hardware/{hw}.log",
    shell:
        f"{RUN_JOB} {{input.adapter}} --base {{input.base}} --name {{wildcards.hw}} {{params.point}} --output {{output}} 2> {{log}}"
