rule summary:
    """One table and comparison plots across the whole sweep."""
    input:
        reports=sweep_reports(),
        code=package_sources("summary", "events"),
        adapter=adapter_script("summary"),
    output:
        table=report(
            SUMMARY_DIR + "/summary.csv",
            category="Summary",
            caption="../report/summary_table.rst",
        ),
        plots=[
            report(f"{SUMMARY_DIR}/{name}.png", category="Summary", caption=f"../report/{name}.rst")
            for name in SUMMARY_PLOTS
        ],
    params:
        dpi=config["plots"]["dpi"],
    conda:
        "../../environment.yml"
    log:
        "logs/summary.log",
    localrule: True
    shell:
        "python {input.adapter} --reports {input.reports} --dpi {params.dpi}"
        " --table {output.table} --plots {output.plots} 2> {log}"
