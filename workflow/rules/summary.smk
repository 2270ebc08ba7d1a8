rule summary:
    """One table and comparison plots across the whole sweep."""
    input:
        reports=sweep_reports(),
        adapter=adapter_script("summary"),
    output:
        table=report(
            "results/summary/summary.csv",
            category="Summary",
            caption="../report/summary_table.rst",
        ),
        plots=[
            report(f"results/summary/{name}.png", category="Summary", caption=f"../report/{name}.rst")
            for name in SUMMARY_PLOTS
        ],
    params:
        code=code_version("sweep", "events"),
        dpi=config["plots"]["dpi"],
    conda:
        "../../environment.yml"
    log:
        "logs/summary.log",
    localrule: True
    shell:
        "python {input.adapter} --reports {input.reports} --dpi {params.dpi}"
        " --table {output.table} --plots {output.plots} 2> {log}"
