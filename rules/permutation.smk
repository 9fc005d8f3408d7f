# Pixel-permutation experiment (spec section 2): the best case of every
# (dataset, network) pair, retrained with the sweep's seed and settings on the
# original images and on images whose pixels one fixed, seeded permutation
# reorders (the same one for training, validation and test images).
#
#   snakemake --cores all permutation
#
# Outputs in results/permutation/: selected.tsv (the case of each pair: highest
# validation accuracy among the ok cases; ties to the lower validation loss,
# then the lower case ID), permutation.npy (pixel j of a permuted image is
# pixel permutation[j] of the original), records/ (one per dataset, network,
# variant and repeat), runs.csv, table.csv / table.md / summary.rst, and the
# figures accuracy.png and examples.png, all in the HTML report.
#
# Known shortcoming: selected.tsv is rebuilt whenever the sweep's table of
# cases changes (e.g. more cases trained), and then every permutation record
# is retrained, even when the selection stayed the same.


localrules:
    permutation,
    permutation_select,
    permutation_make,
    permutation_table,
    permutation_plot,
    permutation_examples,


rule permutation:
    input:
        selected="results/permutation/selected.tsv",
        permutation="results/permutation/permutation.npy",
        table="results/permutation/table.csv",
        markdown="results/permutation/table.md",
        plot="results/permutation/accuracy.png",
        examples="results/permutation/examples.png",


rule permutation_select:
    input:
        cases="results/tables/all_cases.csv",
    output:
        selected="results/permutation/selected.tsv",
    log:
        "logs/permutation/select.log",
    conda:
        "../envs/dlgrid.yaml"
    params:
        pairs=PERMUTATION_PAIRS,
    script:
        "../scripts/permutation_select.py"


rule permutation_make:
    output:
        permutation="results/permutation/permutation.npy",
    log:
        "logs/permutation/make.log",
    conda:
        "../envs/dlgrid.yaml"
    params:
        seed=PERMUTATION["seed"],
    script:
        "../scripts/permutation_make.py"


rule permutation_train:
    input:
        data="resources/data/{dataset}.npz",
        selected="results/permutation/selected.tsv",
        permutation="results/permutation/permutation.npy",
    output:
        record="results/permutation/records/{dataset}/{network}/{variant}_r{repeat}.json",
    log:
        "logs/permutation/train/{dataset}/{network}/{variant}_r{repeat}.log",
    wildcard_constraints:
        network="mlp|cnn",
        variant="original|permuted",
        repeat=r"\d+",
    conda:
        "../envs/dlgrid.yaml"
    threads: 4
    resources:
        gpu=1,
        mem_mb=lambda wildcards, attempt: 8000 * attempt,
        runtime=lambda wildcards, attempt: (
            {"mlp": 5, "cnn": 4}[wildcards.network] * 2 ** (attempt - 1) + 10
        ),
    params:
        grid=lambda wildcards: config["networks"][wildcards.network]["grid"],
        training=training_settings,
    script:
        "../scripts/permutation_train.py"


rule permutation_table:
    input:
        records=permutation_records(),
        published="data/reference/table5_permuted.tsv",
    output:
        table=report(
            "results/permutation/table.csv",
            caption="../report/permutation_table.rst",
            category="Pixel permutation",
        ),
        markdown="results/permutation/table.md",
        summary="results/permutation/summary.rst",
        runs="results/permutation/runs.csv",
    log:
        "logs/permutation/table.log",
    conda:
        "../envs/dlgrid.yaml"
    script:
        "../scripts/permutation_table.py"


rule permutation_plot:
    input:
        runs="results/permutation/runs.csv",
        summary="results/permutation/summary.rst",
        published="data/reference/table5_permuted.tsv",
    output:
        plot=report(
            "results/permutation/accuracy.png",
            caption="../report/permutation_accuracy.rst",
            category="Pixel permutation",
        ),
    log:
        "logs/permutation/plot.log",
    conda:
        "../envs/dlgrid.yaml"
    script:
        "../scripts/permutation_plot.py"


rule permutation_examples:
    input:
        data=expand("resources/data/{dataset}.npz", dataset=DATASETS),
        permutation="results/permutation/permutation.npy",
    output:
        figure=report(
            "results/permutation/examples.png",
            caption="../report/permutation_examples.rst",
            category="Pixel permutation",
        ),
    log:
        "logs/permutation/examples.log",
    conda:
        "../envs/dlgrid.yaml"
    params:
        datasets=DATASETS,
    script:
        "../scripts/permutation_examples.py"
