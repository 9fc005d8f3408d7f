rule grid_table:
    output:
        table="results/grid.tsv",
    log:
        "logs/grid_table.log",
    conda:
        "../envs/dlgrid.yaml"
    params:
        networks=config["networks"],
    script:
        "../scripts/write_grid.py"


rule train_bundle:
    input:
        data="resources/data/{dataset}.npz",
    output:
        manifest="results/bundles/{dataset}/{network}/{bundle}.json",
    log:
        "logs/train/{dataset}/{network}/{bundle}.log",
    conda:
        "../envs/dlgrid.yaml"
    threads: 4
    resources:
        gpu=1,
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=bundle_runtime,
    params:
        cases=bundle_cases,
        training=training_settings,
        records_dir=lambda wildcards: f"results/records/{wildcards.dataset}",
        parallel_cases=config["parallel_cases"],
    script:
        "../scripts/train_bundle.py"
