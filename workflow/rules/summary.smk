rule summary:
    """One table, a Pareto plot per topology and the retention sensitivity plot, across the whole sweep."""
    input:
        reports=sweep_reports(),
        adapter=adapter_script("summary"),
    output:
        table=report(SUMMARY_TABLE, category="Summary", caption="../report/summary_table.rst"),
        pareto=[
            report(
                pareto_plot(topo),
                category="Summary",
                subcategory="Pareto fronts",
                labels={"topology": topo},
                caption="../report/pareto.rst",
            )
            for topo in SWEEP_TOPOLOGIES
        ],
        sensitivity=report(SENSITIVITY_PLOT, category="Summary", caption="../report/sensitivity.rst"),
    params:
        code=code_version(adapter_script("summary")),
        dpi=config["plots"]["dpi"],
    resources:
        **fixed_resources(job_resources.estimate(job_resources.summary_work(len(sweep_reports())))),
    conda:
        "../../environment.yml"
    log:
        "logs/summary.log",
    localrule: True
    shell:
        f"{RUN_JOB} {{input.adapter}} --reports {{input.reports}} --dpi {{params.dpi}} --table {{output.table}}"
        " --pareto {output.pareto} --sensitivity {output.sensitivity} 2> {log}"
