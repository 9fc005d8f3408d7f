"""Plot validation accuracy per hyperparameter value for one pair."""

import logging

from dlgrid.plots import plot_hyperparameter_effects
from dlgrid.tables import pair_cases, read_all_cases

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

cases = read_all_cases(snakemake.input.cases)
pair = pair_cases(cases, snakemake.wildcards.dataset, snakemake.wildcards.network)
plot_hyperparameter_effects(pair, snakemake.output.plot)
logging.info("plotted %d cases to %s", len(pair), snakemake.output.plot)
