# Tell the time: read analog clocks. Generated (or real) clock images, one
# training job per model, then a ranked table and figures for the report.


# Drawing and summing up take seconds to a minute: on a cluster they run
# where Snakemake runs; only the training goes to the GPU nodes.
localrules:
    clocks_generate,
    clocks_examples,
    clocks_summary,
    clocks,


rule clocks_generate:
    output:
        images="results/clocks/data/images.npy",
        labels="results/clocks/data/labels.npy",
    log:
        "logs/clocks/generate.log",
    conda:
        "../envs/dlgrid.yaml"
    threads: 2
    params:
        per_minute=CLOCKS["per_minute"],
        image_side=CLOCKS["image_side"],
        difficulty=CLOCKS["difficulty"],
        seed=CLOCKS["seed"],
    script:
        "../scripts/clocks_generate.py"


rule clocks_examples:
    input:
        **clock_data_files(),
    output:
        grid=report(
            "results/clocks/examples.png",
            caption="../report/clocks_examples.rst",
            category="Tell the time",
        ),
    log:
        "logs/clocks/examples.log",
    conda:
        "../envs/dlgrid.yaml"
    params:
        folder=lambda wildcards, input: str(Path(input[0]).parent),
        examples=CLOCKS["examples"],
        seed=CLOCKS["seed"],
    script:
        "../scripts/clocks_examples.py"


rule clocks_train:
    input:
        **clock_data_files(),
    output:
        record="results/clocks/records/{model}.json",
        predictions="results/clocks/predictions/{model}.csv",
    log:
        "logs/clocks/train_{model}.log",
    wildcard_constraints:
        model="|".join(CLOCKS["models"]),
    conda:
        "../envs/dlgrid.yaml"
    threads: 4
    resources:
        gpu=1,
        mem_mb=lambda wildcards, attempt: 16000 * attempt,
        runtime=lambda wildcards, attempt: 120 * 2 ** (attempt - 1),
    params:
        folder=lambda wildcards, input: str(Path(input[0]).parent),
        source=CLOCKS["source"],
        settings={
            key: CLOCKS[key]
            for key in (
                "classes",
                "epochs",
                "batch_size",
                "input_side",
                "learning_rate",
                "seed",
            )
        },
    script:
        "../scripts/clocks_train.py"


rule clocks_summary:
    input:
        **clock_data_files(),
        records=expand("results/clocks/records/{model}.json", model=CLOCKS["models"]),
        predictions=expand(
            "results/clocks/predictions/{model}.csv", model=CLOCKS["models"]
        ),
    output:
        table=report(
            "results/clocks/table.csv",
            caption="../report/clocks_table.rst",
            category="Tell the time",
        ),
        markdown="results/clocks/table.md",
        error_histograms=report(
            "results/clocks/error_histograms.png",
            caption="../report/clocks_error_histograms.rst",
            category="Tell the time",
        ),
        error_by_hour=report(
            "results/clocks/error_by_hour.png",
            caption="../report/clocks_error_by_hour.rst",
            category="Tell the time",
        ),
        readings=report(
            "results/clocks/readings.png",
            caption="../report/clocks_readings.rst",
            category="Tell the time",
        ),
    log:
        "logs/clocks/summary.log",
    conda:
        "../envs/dlgrid.yaml"
    params:
        folder=lambda wildcards, input: str(Path(input[0]).parent),
    script:
        "../scripts/clocks_summary.py"


rule clocks:
    input:
        rules.clocks_summary.output,
        rules.clocks_examples.output,
