"""Rule permutation_train: train a pair's selected case on one image variant.

Same case, seed and settings as the sweep; the "permuted" variant reorders the
pixels of the training, validation and test images by the saved permutation.
"""

import hashlib
import logging

from dlgrid.joblog import log_to_file

log_to_file(snakemake.log[0])

import numpy as np
import pandas as pd

from dlgrid import grid
from dlgrid.data import load_prepared
from dlgrid.permutation import (
    case_of_pair,
    check_permutation,
    permute_splits,
    repeat_seed,
)
from dlgrid.records import write_json_atomic
from dlgrid.train import (
    configure_tensorflow,
    data_fingerprint,
    record_identity,
    train_case,
)

dataset = snakemake.wildcards.dataset
network = snakemake.wildcards.network
variant = snakemake.wildcards.variant
repeat = int(snakemake.wildcards.repeat)

selected = pd.read_csv(snakemake.input.selected, sep="\t")
case_id = case_of_pair(selected, dataset, network)
case = grid.decode_case_id(network, snakemake.params.grid, case_id)

permutation = check_permutation(
    np.load(snakemake.input.permutation), where=snakemake.input.permutation
)
data = load_prepared(snakemake.input.data)
if variant == "permuted":
    data = permute_splits(data, permutation)

settings = {
    **snakemake.params.training,
    "seed": repeat_seed(snakemake.params.training["seed"], repeat),
}
identity = record_identity(case, dataset, settings, data_fingerprint(data))
logging.info(
    "training case %s (%s on %s), %s images, repeat %d, seed %d",
    case_id,
    network,
    dataset,
    variant,
    repeat,
    identity["training"]["seed"],
)

configure_tensorflow(snakemake.threads)
record = train_case(case, data, settings, identity)
record.update(
    {
        "variant": variant,
        "repeat": repeat,
        "permutation": {
            "path": str(snakemake.input.permutation),
            "sha256": hashlib.sha256(permutation.tobytes()).hexdigest()[:16],
            "applied": variant == "permuted",
        },
    }
)
write_json_atomic(snakemake.output.record, record)
logging.info(
    "case %s %s: status %s, test accuracy %.4f",
    case_id,
    variant,
    record["status"],
    record["test_accuracy"],
)
