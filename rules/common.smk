# Config validation, shared names and the input functions of every stage.
import functools
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from dlgrid import grid
from dlgrid.tables import published_table_path

validate(config, "../config/schema/config.schema.yaml")
validate(config, "../config/schema/permutation.schema.yaml")
validate(config, "../config/schema/clocks.schema.yaml")

DATASETS = config["datasets"]
NETWORKS = list(config["networks"])
PERMUTATION = config["permutation"]
CLOCKS = config["clocks"]


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


# Data


SAMPLES_DIR = Path(workflow.basedir) / "data" / "samples"


def data_source(wildcards):
    """The configured source; "sample" means this workflow's own shipped copy."""
    source = str(config["data_sources"][wildcards.dataset])
    if source == "sample":
        return str(SAMPLES_DIR / f"{wildcards.dataset}.npz")
    return source


def data_source_files(wildcards):
    """The local file or folder a source names, so a change reruns the rule.

    "auto" names none: it looks in the Keras cache, then Debian's folder, then
    downloads (see src/dlgrid/data.py).
    """
    source = data_source(wildcards)
    if source == "auto":
        return []
    path = Path(source).expanduser()
    if not path.exists():
        raise WorkflowError(
            f"data_sources.{wildcards.dataset}: {path} does not exist. Give a "
            "folder of the four IDX .gz files or an .npz, 'auto' or 'sample'."
        )
    return str(path)


# Tables and plots


PAIR_WILDCARDS = {"dataset": "|".join(DATASETS), "network": "|".join(NETWORKS)}


def for_every_pair(pattern):
    """One path per (dataset, network) pair of the config."""
    return expand(pattern, dataset=DATASETS, network=NETWORKS)


def published_top10(wildcards):
    """The published top 10 of the pair (data/reference/), when it has one."""
    path = published_table_path(wildcards.dataset, wildcards.network)
    return [str(path)] if path else []


# Pixel permutation


PERMUTATION_PAIRS = [[dataset, network] for dataset in DATASETS for network in NETWORKS]


def permutation_records():
    """One record per pair, variant and repeat."""
    return expand(
        "results/permutation/records/{pair}/{variant}_r{repeat}.json",
        pair=[f"{dataset}/{network}" for dataset, network in PERMUTATION_PAIRS],
        variant=["original", "permuted"],
        repeat=range(PERMUTATION["repeats"]),
    )


def permutation_targets():
    """What rule `permutation` builds; nothing when `permutation.enabled` is off."""
    if not PERMUTATION["enabled"]:
        return []
    return rules.permutation.input


# Tell the time


def clock_data_files():
    """The generated files, or the real ones in the folder `clocks.source`."""
    if CLOCKS["source"] == "generate":
        return {
            "images": "results/clocks/data/images.npy",
            "labels": "results/clocks/data/labels.npy",
        }
    folder = Path(CLOCKS["source"])
    single = {"images": folder / "images.npy", "labels": folder / "labels.npy"}
    if single["images"].exists() or single["labels"].exists():
        return {key: str(path) for key, path in single.items()}
    chunks = {f"images_{i}": folder / f"data_{i}.npy" for i in range(1, 6)}
    chunks |= {f"labels_{i}": folder / f"labels_{i}.npy" for i in range(1, 6)}
    if not any(path.exists() for path in chunks.values()):
        raise WorkflowError(
            f"config clocks.source: {folder} holds neither images.npy + labels.npy "
            "nor data_1..5.npy + labels_1..5.npy; give the folder of the real "
            "clock files, or 'generate'"
        )
    return {key: str(path) for key, path in chunks.items()}
