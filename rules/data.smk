from pathlib import Path

from dlgrid.data import SAMPLES_DIR


def data_source_files(wildcards):
    """The local file or folder a source names, so a change reruns the rule.

    "auto" names none: it looks in the Keras cache, then Debian's folder, then
    downloads (see src/dlgrid/data.py).
    """
    source = str(config["data_sources"][wildcards.dataset])
    if source == "auto":
        return []
    if source == "sample":
        return str(SAMPLES_DIR / f"{wildcards.dataset}.npz")
    return str(Path(source).expanduser())


# Seconds of work, and run where Snakemake runs: on a cluster that is the login
# node, which often reaches the internet when compute nodes do not ("auto").
localrules:
    prepare_data,


rule prepare_data:
    input:
        source=data_source_files,
    output:
        data="resources/data/{dataset}.npz",
    log:
        "logs/data/{dataset}.log",
    wildcard_constraints:
        dataset="mnist|fashion_mnist",
    conda:
        "../envs/dlgrid.yaml"
    params:
        source=lambda wc: config["data_sources"][wc.dataset],
        validation_fraction=config["validation_fraction"],
        seed=config["seed"],
    script:
        "../scripts/prepare_data.py"
