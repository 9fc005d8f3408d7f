"""Train one clock model: its record and its test readings (rule clocks_train)."""

import logging
import os

# TensorFlow reads its thread counts when it starts: set them first.
for variable in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
    os.environ.setdefault(variable, str(snakemake.threads))

from dlgrid.joblog import log_to_file

log_to_file(snakemake.log[0])

import pandas as pd

from dlgrid.clocks.loader import load_clocks, split_rows
from dlgrid.clocks.metric import common_sense_error, minutes_of_day
from dlgrid.clocks.train import train_clock_model
from dlgrid.records import write_json_atomic

model = snakemake.wildcards.model
settings = snakemake.params.settings

images, labels = load_clocks(snakemake.params.folder)
rows = split_rows(len(images), settings["seed"])
splits = {name: (images[part], labels[part]) for name, part in rows.items()}

record, predicted = train_clock_model(model, splits, settings, log=logging.info)
record["data"]["source"] = snakemake.params.source
write_json_atomic(snakemake.output.record, record)

test_labels = labels[rows["test"]]
pd.DataFrame(
    {
        "row": rows["test"],
        "true_hour": test_labels[:, 0],
        "true_minute": test_labels[:, 1],
        "predicted_hour": predicted // 60,
        "predicted_minute": predicted % 60,
        "error_min": common_sense_error(predicted, minutes_of_day(test_labels)),
    }
).to_csv(snakemake.output.predictions, index=False)
