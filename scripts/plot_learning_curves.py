"""Plot the per-epoch history of the best cases of one pair."""

import logging

from dlgrid.plots import plot_learning_curves
from dlgrid.tables import pair_cases, read_all_cases

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

cases = read_all_cases(snakemake.input.cases)
pair = pair_cases(cases, snakemake.wildcards.dataset, snakemake.wildcards.network)
plot_learning_curves(pair, snakemake.output.plot, top=snakemake.params.top)
logging.info("plotted learning curves to %s", snakemake.output.plot)
