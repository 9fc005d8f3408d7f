"""Plot MLP against CNN accuracy, a panel per dataset."""

import logging

from dlgrid.plots import plot_network_comparison
from dlgrid.tables import read_all_cases

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

cases = read_all_cases(snakemake.input.cases)
plot_network_comparison(cases, snakemake.output.plot)
logging.info("plotted %d cases to %s", len(cases), snakemake.output.plot)
