"""Rule permutation_table: original vs permuted accuracy beside table 5."""

import logging

import pandas as pd

from dlgrid.permutation import (
    markdown_table,
    read_published,
    run_row,
    summarise,
    summary_rst,
)
from dlgrid.records import read_json

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

runs = pd.DataFrame([run_row(read_json(path)) for path in snakemake.input.records])
runs = runs.sort_values(["dataset", "network", "variant", "repeat"])
runs.to_csv(snakemake.output.runs, index=False)

table = summarise(runs, read_published(snakemake.input.published))
table.to_csv(snakemake.output.table, index=False)
with open(snakemake.output.markdown, "w") as stream:
    stream.write(markdown_table(table))
with open(snakemake.output.summary, "w") as stream:
    stream.write(summary_rst(table))
logging.info("summarised %d runs into %d rows", len(runs), len(table))
