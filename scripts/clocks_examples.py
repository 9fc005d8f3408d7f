"""A grid of example clock images with their labels (rule clocks_examples)."""

import logging

from dlgrid.clocks.figures import example_grid
from dlgrid.clocks.loader import load_clocks

logging.basicConfig(
    filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s"
)

images, labels = load_clocks(snakemake.params.folder)
example_grid(
    images,
    labels,
    snakemake.output.grid,
    count=snakemake.params.examples,
    seed=snakemake.params.seed,
)
logging.info("%d examples of %d images drawn", snakemake.params.examples, len(images))
