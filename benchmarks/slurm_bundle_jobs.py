"""One case per SLURM job vs one bundle: job time spent besides training.

Runs the same few MLP cases (1 epoch on the shipped MNIST sample) through
profiles/slurm on the local test cluster twice: as one bundle, and with
`cases_per_job: 1` (one job per case). For each, it reads the jobs' start and
end times from squeue and the cases' training seconds from their records:

    overhead per case = (sum of job seconds - sum of case seconds) / cases

Job seconds count everything a job does: Snakemake's job step starting,
Python and TensorFlow imports, loading the data, training and writing records.
Needs the cluster of cluster/start-local-slurm.sh; takes a few minutes.

    python benchmarks/slurm_bundle_jobs.py [--cases 4]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_PARTS = ("Snakefile", "rules", "scripts", "config", "report", "envs", "data")
MLP_CASES = [10000, 10072, 10220, 10288, 10366, 10508, 10001, 10073]


def copy_workflow(folder, cases, cases_per_job):
    for part in WORKFLOW_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, folder / part)
        else:
            shutil.copy(source, folder / part)
    shutil.copytree(REPO / "profiles", folder / "profiles")
    config = {
        "datasets": ["mnist"],
        "cases_per_job": cases_per_job,
        "parallel_cases": 1,
        "networks": {"mlp": {"epochs": 1, "case_ids": MLP_CASES[:cases]}},
    }
    (folder / "bench.yaml").write_text(yaml.safe_dump(config))


def job_seconds(job_ids):
    """Run time of each finished job, from squeue (within MinJobAge)."""
    answer = subprocess.run(
        ["squeue", "--noheader", "--states=all", "--format=%i %S %e"]
        + [f"--jobs={','.join(job_ids)}"],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = {}
    for line in answer.stdout.splitlines():
        job, start, end = line.split()
        seconds[job] = (
            datetime.fromisoformat(end) - datetime.fromisoformat(start)
        ).total_seconds()
    return seconds


def run(cases, cases_per_job):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        copy_workflow(folder, cases, cases_per_job)
        bundles = [
            f"results/bundles/mnist/mlp/b{index:03d}.json"
            for index in range(-(-cases // cases_per_job))
        ]
        environment = dict(
            os.environ,
            DLGRID_SLURM_PARTITION="local",
            DLGRID_SLURM_GPU_MODEL="fake",
            TF_NUM_INTEROP_THREADS="1",
            TF_NUM_INTRAOP_THREADS="1",
        )
        # Data first, on the login node, so it is not part of the timing.
        subprocess.run(
            [sys.executable, "-m", "snakemake", "--configfile", "config/smoke.yaml"]
            + ["bench.yaml", "--cores", "1", "resources/data/mnist.npz"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "snakemake", "--configfile", "config/smoke.yaml"]
            + ["bench.yaml", "--profile", "profiles/slurm", "--jobs", "1"]
            + ["--profile", str(REPO / "tests" / "slurm-profile"), *bundles],
            cwd=folder,
            env=environment,
            check=True,
            capture_output=True,
        )
        wall = time.monotonic() - started
        records = [
            json.loads(path.read_text())
            for path in (folder / "results/records/mnist").glob("*.json")
        ]
    job_ids = sorted({record["environment"]["slurm_job_id"] for record in records})
    jobs = job_seconds(job_ids)
    training = sum(record["wall_time_s"] for record in records)
    return {
        "jobs": len(jobs),
        "job_seconds": sum(jobs.values()),
        "training_seconds": training,
        "overhead_per_case": (sum(jobs.values()) - training) / len(records),
        "wall_seconds": wall,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=4, choices=range(2, 9))
    cases = parser.parse_args().cases
    print(
        "layout              jobs  job s  training s  overhead s/case  wall s",
        flush=True,
    )
    for label, cases_per_job in (("one bundle", cases), ("one case per job", 1)):
        result = run(cases, cases_per_job)
        print(
            f"{label:<18} {result['jobs']:>5} {result['job_seconds']:>6.0f}"
            f" {result['training_seconds']:>11.1f}"
            f" {result['overhead_per_case']:>16.1f} {result['wall_seconds']:>7.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
