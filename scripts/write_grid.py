"""Write the case table: one row per case with its hyperparameters."""

import logging

import pandas as pd

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

cases = pd.DataFrame(snakemake.params.cases)
cases.to_csv(snakemake.output.table, sep="\t", index=False)
logging.info("wrote %d cases to %s", len(cases), snakemake.output.table)
