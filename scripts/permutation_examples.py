"""Rule permutation_examples: a few test images before and after permuting."""

import logging

import numpy as np

from dlgrid.data import load_prepared
from dlgrid.permutation import check_permutation, plot_examples

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

permutation = check_permutation(
    np.load(snakemake.input.permutation), where=snakemake.input.permutation
)
test_images = {}
for dataset, path in zip(snakemake.params.datasets, snakemake.input.data, strict=True):
    prepared = load_prepared(path)
    test_images[dataset] = (prepared["x_test"], prepared["y_test"])

plot_examples(test_images, permutation, snakemake.output.figure)
logging.info(
    "drew examples of %s to %s", ", ".join(test_images), snakemake.output.figure
)
