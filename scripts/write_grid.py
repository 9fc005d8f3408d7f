"""Write the case table: one row per case with its hyperparameters."""

import logging

import pandas as pd

from dlgrid.grid import selected_cases
from dlgrid.joblog import log_to_file

log_to_file(snakemake.log[0])

cases = pd.DataFrame(
    [
        case
        for network, settings in snakemake.params.networks.items()
        for case in selected_cases(network, settings)
    ]
)
cases.to_csv(snakemake.output.table, sep="\t", index=False)
logging.info("wrote %d cases to %s", len(cases), snakemake.output.table)
