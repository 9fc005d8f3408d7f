"""Train one bundle of cases in this process; one record per case."""

from dlgrid.joblog import log_to_file

log_to_file(snakemake.log[0])

from dlgrid.records import write_json_atomic
from dlgrid.train import run_bundle

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
