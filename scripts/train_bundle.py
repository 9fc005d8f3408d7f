"""Train one bundle of cases in this process; one record per case."""

import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dlgrid.records import write_json_atomic
from dlgrid.train import run_bundle

logging.basicConfig(
    filename=snakemake.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(message)s",
)

manifest = run_bundle(
    cases=snakemake.params.cases,
    dataset=snakemake.wildcards.dataset,
    data_path=snakemake.input.data,
    settings=snakemake.params.training,
    records_dir=snakemake.params.records_dir,
    threads=snakemake.threads,
    parallel_cases=snakemake.params.parallel_cases,
)
write_json_atomic(snakemake.output.manifest, manifest)
