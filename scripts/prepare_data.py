"""Rule prepare_data: load one dataset, carve the validation split, store it."""

import logging

from dlgrid.data import DataError, prepare_dataset

logging.basicConfig(
    filename=snakemake.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
log = logging.getLogger("prepare_data")

dataset = snakemake.wildcards.dataset
log.info("Preparing %s from source %r", dataset, snakemake.params.source)

try:
    summary = prepare_dataset(
        dataset=dataset,
        source=snakemake.params.source,
        validation_fraction=snakemake.params.validation_fraction,
        seed=snakemake.params.seed,
        out_path=snakemake.output.data,
    )
except DataError as error:
    log.error("%s", error)
    raise

counts = summary["counts"]
log.info("Source used: %s", summary["source"])
log.info(
    "Split sizes: %d train, %d validation (fraction %s, seed %s), %d test",
    counts["train"],
    counts["validation"],
    snakemake.params.validation_fraction,
    snakemake.params.seed,
    counts["test"],
)
log.info("Wrote %s (sha256 %s)", summary["path"], summary["sha256"])
