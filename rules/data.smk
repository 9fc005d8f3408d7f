# Each dataset prepared once: validation split carved, stored as .npz.


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
        source=data_source,
        validation_fraction=config["validation_fraction"],
        seed=config["seed"],
    script:
        "../scripts/prepare_data.py"
