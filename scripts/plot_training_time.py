"""Plot the training time of every case."""

import logging

from dlgrid.plots import plot_training_time
from dlgrid.tables import read_all_cases

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

cases = read_all_cases(snakemake.input.cases)
plot_training_time(cases, snakemake.output.plot)
logging.info("plotted %d cases to %s", len(cases), snakemake.output.plot)
