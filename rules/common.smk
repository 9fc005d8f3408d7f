import functools

from snakemake.utils import validate

from dlgrid import grid

validate(config, "../config/schema/config.schema.yaml")

DATASETS = config["datasets"]
NETWORKS = list(config["networks"])


@functools.cache
def cases_of(network):
    try:
        return grid.selected_cases(network, config["networks"][network])
    except ValueError as error:
        raise WorkflowError(f"config: {error}") from None


@functools.cache
def bundles_of(network):
    """Cases of one network in bundles of `cases_per_job`, named b000, b001..."""
    chunks = grid.bundles(cases_of(network), config["cases_per_job"])
    return {f"b{index:03d}": chunk for index, chunk in enumerate(chunks)}


def bundle_cases(wildcards):
    return bundles_of(wildcards.network)[wildcards.bundle]


def training_settings(wildcards):
    return {
        "epochs": config["networks"][wildcards.network]["epochs"],
        "learning_rate": config["learning_rate"],
        "batch_size": config["batch_size"],
        "seed": config["seed"],
    }


def bundle_manifests(datasets=None, networks=None):
    """The manifests of every training bundle, one per job."""
    return [
        f"results/bundles/{dataset}/{network}/{bundle}.json"
        for dataset in datasets or DATASETS
        for network in networks or NETWORKS
        for bundle in bundles_of(network)
    ]


def bundle_runtime(wildcards, attempt):
    """Minutes for a bundle: a generous per-case budget, doubled per retry."""
    minutes_per_case = {"mlp": 5, "cnn": 4}[wildcards.network]
    return minutes_per_case * len(bundle_cases(wildcards)) * 2 ** (attempt - 1) + 10
