"""Merge the records listed by every bundle manifest into the all-cases table."""

import logging

from dlgrid.tables import load_records

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

cases = load_records(snakemake.input.manifests)
cases.to_csv(snakemake.output.table, index=False)
logging.info(
    "wrote %d cases (%d diverged) from %d manifests to %s",
    len(cases),
    (cases["status"] != "ok").sum(),
    len(snakemake.input.manifests),
    snakemake.output.table,
)
