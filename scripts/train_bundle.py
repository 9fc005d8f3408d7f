"""Train one bundle of cases in this process; one record per case."""

from dlgrid.joblog import log_to_file
from dlgrid.records import write_json_atomic
from dlgrid.train import run_bundle


def main():
    log_to_file(snakemake.log[0])
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


# The guard keeps worker processes (parallel_cases > 1), which import this
# file again, from training the bundle themselves.
if __name__ == "__main__":
    main()
