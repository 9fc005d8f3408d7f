"""Ranked table and figures of the clock models (rule clocks_summary)."""

import logging

import pandas as pd

from dlgrid.clocks import figures
from dlgrid.clocks.loader import load_clocks
from dlgrid.records import read_json

logging.basicConfig(
    filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s"
)

records = [read_json(path) for path in snakemake.input.records]
table = figures.ranked_table(records)
table.to_csv(snakemake.output.table, index=False)
with open(snakemake.output.markdown, "w") as stream:
    stream.write(table.to_markdown(index=False) + "\n")
logging.info("ranked table:\n%s", table.to_string(index=False))

predictions = pd.concat(
    [
        pd.read_csv(path).assign(model=record["model"])
        for record, path in zip(records, snakemake.input.predictions, strict=True)
    ],
    ignore_index=True,
)
figures.error_histograms(predictions, snakemake.output.error_histograms)
figures.error_by_hour(predictions, snakemake.output.error_by_hour)

best_model = table["model"].iloc[0]
best = predictions[predictions["model"] == best_model]
images, _ = load_clocks(snakemake.params.folder)
figures.readings_grid(
    images[best["row"].to_numpy()],
    true_minutes=(60 * best["true_hour"] + best["true_minute"]).to_numpy(),
    predicted_minutes=(
        60 * best["predicted_hour"] + best["predicted_minute"]
    ).to_numpy(),
    errors=best["error_min"].to_numpy(),
    model=best_model,
    path=snakemake.output.readings,
)
logging.info("readings of the best model, %s, drawn", best_model)
