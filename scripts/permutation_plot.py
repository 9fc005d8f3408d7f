"""Rule permutation_plot: original vs permuted accuracy per pair (seaborn)."""

import logging

import pandas as pd

from dlgrid.permutation import plot_accuracy, read_published

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

runs = pd.read_csv(snakemake.input.runs)
plot_accuracy(runs, read_published(snakemake.input.published), snakemake.output.plot)
logging.info("plotted %d runs to %s", len(runs), snakemake.output.plot)
