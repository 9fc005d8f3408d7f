"""The workflow on a real SLURM cluster through profiles/slurm.

The end-to-end tests need the one-node cluster that
cluster/start-local-slurm.sh starts (CI's .ci/run starts it before the tests
and stops it after); they are skipped, saying why, when `sinfo` does not
answer. One tiny run serves them all: it submits the bundles, cancels one
while it trains, then reruns. The profile-resolution tests are dry runs and
need no cluster.
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TEST_PROFILE = REPO / "tests" / "slurm-profile"
WORKFLOW_PARTS = ("Snakefile", "rules", "scripts", "config", "report", "envs", "data")
LOCAL_PARTITION = "local"
LOCAL_GPU_MODEL = "fake"

CASES_PER_JOB = 3
CASE_IDS = {"mlp": [10000, 10072, 10220, 10508], "cnn": [20000]}
# Bundle mlp/b000 (cases 10000, 10072, 10220) is the one the test cancels.
CANCELLED_BUNDLE = ("mlp", "b000")
TARGETS = [f"results/tables/mnist_{network}_ranked.csv" for network in CASE_IDS]

SUBMITTED = re.compile(
    r"submitted with SLURM jobid (\d+) \(log: .*/rule_(\w+?)/(\w+)/\d+\.log\)"
)


def local_cluster_problem():
    """Why the local test cluster cannot run jobs, or None when it can."""
    try:
        answer = subprocess.run(
            ["sinfo", "--noheader", f"--partition={LOCAL_PARTITION}", "--format=%T"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired) as error:
        return f"sinfo does not answer ({error})"
    states = answer.stdout.split()
    if answer.returncode != 0 or not states:
        return (
            f"no partition '{LOCAL_PARTITION}' answers sinfo "
            f"({answer.stderr.strip() or 'no nodes'})"
        )
    if not any(state.startswith(("idle", "mixed", "alloc")) for state in states):
        return f"partition '{LOCAL_PARTITION}' has no usable node ({states})"
    return None


CLUSTER_PROBLEM = local_cluster_problem()
needs_cluster = pytest.mark.skipif(
    CLUSTER_PROBLEM is not None,
    reason=f"no local SLURM cluster: {CLUSTER_PROBLEM}; "
    "start one with cluster/start-local-slurm.sh (as root)",
)


def tiny_config():
    """On top of the smoke config: MNIST only, a few cases in uneven bundles."""
    return {
        "datasets": ["mnist"],
        "cases_per_job": CASES_PER_JOB,
        "parallel_cases": 1,
        "networks": {
            network: {"epochs": 1, "case_ids": case_ids}
            for network, case_ids in CASE_IDS.items()
        },
    }


def copy_workflow(folder):
    for part in WORKFLOW_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, folder / part)
        else:
            shutil.copy(source, folder / part)
    shutil.copytree(REPO / "profiles", folder / "profiles")
    (folder / "tiny.yaml").write_text(yaml.safe_dump(tiny_config()))


def cluster_environment(**extra):
    environment = dict(os.environ)
    environment.update(
        DLGRID_SLURM_PARTITION=LOCAL_PARTITION,
        DLGRID_SLURM_GPU_MODEL=LOCAL_GPU_MODEL,
        TF_NUM_INTEROP_THREADS="1",
        TF_NUM_INTRAOP_THREADS="1",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    environment.update(extra)
    return environment


def snakemake_command(*arguments):
    return [
        sys.executable,
        "-m",
        "snakemake",
        "--configfile",
        "config/smoke.yaml",
        "tiny.yaml",
        *arguments,
    ]


def submissions(log_text):
    """(SLURM job ID, rule, wildcards) of every job a Snakemake run submitted."""
    return [match.groups() for match in SUBMITTED.finditer(log_text)]


def read_records(folder):
    records = {}
    for path in (folder / "results" / "records" / "mnist").glob("*.json"):
        record = json.loads(path.read_text())
        records[record["case_id"]] = record
    return records


def job_state(job_id):
    answer = subprocess.run(
        ["squeue", "--noheader", "--states=all", f"--jobs={job_id}", "--format=%T"],
        capture_output=True,
        text=True,
    )
    return answer.stdout.strip()


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def tail(path, lines=40):
    return "\n".join(Path(path).read_text().splitlines()[-lines:])


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory):
    """Run the tiny config on SLURM, cancel one bundle mid-way, then rerun."""
    folder = tmp_path_factory.mktemp("slurm-run")
    copy_workflow(folder)
    command = snakemake_command(
        "--profile", "profiles/slurm", "--profile", str(TEST_PROFILE), *TARGETS
    )
    environment = cluster_environment()
    first_case = CASE_IDS["mlp"][0]
    first_record = folder / "results" / "records" / "mnist" / f"{first_case}.json"
    job_ids = set()

    started = time.monotonic()
    first_log = folder / "first-run.log"
    with open(first_log, "w") as log:
        first = subprocess.Popen(
            command, cwd=folder, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_for(
            lambda: first_record.exists() or first.poll() is not None,
            timeout=420,
            what=f"the record of case {first_case}",
        )
        assert first_record.exists(), (
            "the first run ended before bundle mlp/b000 wrote a record:\n"
            + tail(first_log)
        )
        cancelled_job = json.loads(first_record.read_text())["environment"][
            "slurm_job_id"
        ]
        job_ids.add(cancelled_job)
        subprocess.run(["scancel", cancelled_job], check=True)
        wait_for(
            lambda: job_state(cancelled_job) not in ("RUNNING", "COMPLETING"),
            timeout=60,
            what=f"SLURM job {cancelled_job} to end",
        )
        records_after_cancel = read_records(folder)
        first.wait(timeout=420)
        first_seconds = time.monotonic() - started

        second_log = folder / "second-run.log"
        started = time.monotonic()
        with open(second_log, "w") as log:
            second = subprocess.run(
                command,
                cwd=folder,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=420,
            )
        second_seconds = time.monotonic() - started
    finally:
        if first.poll() is None:
            first.kill()
        for log_path in folder.glob("*-run.log"):
            job_ids.update(job for job, _, _ in submissions(log_path.read_text()))
        subprocess.run(["scancel", *job_ids], capture_output=True)

    print(f"SLURM runs: first {first_seconds:.0f} s, rerun {second_seconds:.0f} s")
    return {
        "folder": folder,
        "cancelled_job": cancelled_job,
        "records_after_cancel": records_after_cancel,
        "first_returncode": first.returncode,
        "first_log": first_log.read_text(),
        "second_returncode": second.returncode,
        "second_log": second_log.read_text(),
        "records": read_records(folder),
    }


def bundle_cases():
    """{"mnist_mlp_b000": [case IDs], ...}: the bundles the config makes."""
    bundles = {}
    for network, case_ids in CASE_IDS.items():
        for index, start in enumerate(range(0, len(case_ids), CASES_PER_JOB)):
            bundles[f"mnist_{network}_b{index:03d}"] = case_ids[
                start : start + CASES_PER_JOB
            ]
    return bundles


@pytest.mark.slow
@pytest.mark.slurm
@needs_cluster
def test_bundles_run_as_one_slurm_job_each(cluster_run):
    assert cluster_run["second_returncode"] == 0, cluster_run["second_log"][-3000:]
    bundles = bundle_cases()
    assert len(bundles) == sum(
        math.ceil(len(case_ids) / CASES_PER_JOB) for case_ids in CASE_IDS.values()
    )
    submitted = submissions(cluster_run["first_log"])
    resubmitted = submissions(cluster_run["second_log"])

    # Only training goes to SLURM; data, tables and plots stay on the login node.
    rules = {rule for _, rule, _ in submitted + resubmitted}
    assert rules == {"train_bundle"}, "these rules should be localrules: " + ", ".join(
        sorted(rules - {"train_bundle"})
    )
    assert sorted(bundle for _, _, bundle in submitted) == sorted(bundles)

    job_of_bundle = {bundle: job for job, _, bundle in submitted}
    records = cluster_run["records"]
    assert sorted(records) == sorted(sum(CASE_IDS.values(), []))
    cancelled = "mnist_{}_{}".format(*CANCELLED_BUNDLE)
    for bundle, case_ids in bundles.items():
        manifest_path = "results/bundles/{}/{}/{}.json".format(*bundle.split("_", 2))
        manifest = json.loads((cluster_run["folder"] / manifest_path).read_text())
        assert [entry["case_id"] for entry in manifest["cases"]] == case_ids
        jobs = {records[case]["environment"]["slurm_job_id"] for case in case_ids}
        if bundle != cancelled:
            assert jobs == {job_of_bundle[bundle]}, (bundle, jobs)


@pytest.mark.slow
@pytest.mark.slurm
@needs_cluster
def test_cancelled_bundle_reruns_only_its_unfinished_cases(cluster_run):
    network, bundle = CANCELLED_BUNDLE
    bundle_cases = CASE_IDS[network][:CASES_PER_JOB]
    kept = {
        case: record
        for case, record in cluster_run["records_after_cancel"].items()
        if case in bundle_cases
    }
    unfinished = [case for case in bundle_cases if case not in kept]
    assert kept, "the cancelled bundle had finished no case"
    assert unfinished, (
        "the bundle finished all its cases before scancel took effect; the test "
        "could not interrupt it"
    )
    assert cluster_run["first_returncode"] != 0, "the cancelled job went unnoticed"

    resubmitted = [
        (job, wildcards)
        for job, rule, wildcards in submissions(cluster_run["second_log"])
        if rule == "train_bundle"
    ]
    assert [wildcards for _, wildcards in resubmitted] == [f"mnist_{network}_{bundle}"]
    rerun_job = resubmitted[0][0]
    records = cluster_run["records"]
    for case, record in kept.items():
        assert records[case]["finished_at"] == record["finished_at"], case
        job = records[case]["environment"]["slurm_job_id"]
        assert job == cluster_run["cancelled_job"], case
    for case in unfinished:
        assert records[case]["environment"]["slurm_job_id"] == rerun_job, case

    manifest_path = (
        cluster_run["folder"] / f"results/bundles/mnist/{network}/{bundle}.json"
    )
    manifest = json.loads(manifest_path.read_text())
    trained_now = {
        entry["case_id"] for entry in manifest["cases"] if entry["trained_now"]
    }
    assert trained_now == set(unfinished)


@pytest.mark.slow
@pytest.mark.slurm
@needs_cluster
def test_tables_come_out_of_the_cluster_run(cluster_run):
    assert cluster_run["second_returncode"] == 0, cluster_run["second_log"][-3000:]
    tables = cluster_run["folder"] / "results" / "tables"
    for network, case_ids in CASE_IDS.items():
        ranked = pd.read_csv(tables / f"mnist_{network}_ranked.csv")
        assert sorted(ranked["case_id"]) == case_ids
        assert list(ranked["rank"]) == list(range(1, len(case_ids) + 1))
        trained = ranked[ranked["status"] == "ok"]
        assert trained["val_accuracy"].between(0, 1).all()
        assert trained["val_accuracy"].is_monotonic_decreasing


def dry_run(folder, *arguments, **environment):
    """A Snakemake dry run of the tiny config; returns (exit status, output)."""
    answer = subprocess.run(
        snakemake_command("-n", *arguments, *TARGETS),
        cwd=folder,
        env=cluster_environment(**environment),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return answer.returncode, answer.stdout + answer.stderr


def planned_bundles(output):
    match = re.search(r"^train_bundle\s+(\d+)$", output, re.MULTILINE)
    return int(match.group(1)) if match else None


def test_profile_by_bare_name_works_after_install_and_by_path(tmp_path):
    copy_workflow(tmp_path)
    config_home = tmp_path / "config-home"
    install = [str(REPO / "cluster" / "install-profile.sh")]
    user_config = {"XDG_CONFIG_HOME": str(config_home)}
    expected_bundles = sum(
        math.ceil(len(case_ids) / CASES_PER_JOB) for case_ids in CASE_IDS.values()
    )

    if not Path("/etc/xdg/snakemake/slurm").exists():
        status, output = dry_run(tmp_path, "--profile", "slurm", **user_config)
        assert status != 0 and "profile" in output.lower(), output[-2000:]

    installed = subprocess.run(
        install, env={**os.environ, **user_config}, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr
    link = config_home / "snakemake" / "slurm"
    assert link.resolve() == REPO / "profiles" / "slurm"

    for profile in ("slurm", "profiles/slurm"):
        status, output = dry_run(tmp_path, "--profile", profile, **user_config)
        assert status == 0, output[-2000:]
        assert planned_bundles(output) == expected_bundles, output[-2000:]
        # Resources that only profiles/slurm sets, from the environment.
        assert "slurm_partition=local" in output
        assert f"gpu_model={LOCAL_GPU_MODEL}" in output

    again = subprocess.run(
        install, env={**os.environ, **user_config}, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr


def test_install_never_replaces_a_users_profile(tmp_path):
    own_profile = tmp_path / "snakemake" / "slurm" / "config.yaml"
    own_profile.parent.mkdir(parents=True)
    own_profile.write_text("executor: slurm\njobs: 7\n")

    answer = subprocess.run(
        [str(REPO / "cluster" / "install-profile.sh")],
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )

    assert answer.returncode == 1
    assert "leaving it alone" in answer.stderr
    assert own_profile.read_text() == "executor: slurm\njobs: 7\n"
    assert not own_profile.parent.is_symlink()


def test_profile_takes_partition_account_and_gpu_model_from_environment(tmp_path):
    copy_workflow(tmp_path)

    status, output = dry_run(
        tmp_path,
        "--profile",
        "profiles/slurm",
        DLGRID_SLURM_PARTITION="gpu-short",
        DLGRID_SLURM_ACCOUNT="project42",
        DLGRID_SLURM_GPU_MODEL="a100",
    )

    assert status == 0, output[-2000:]
    bundle_resources = [
        line
        for line in output.splitlines()
        if line.strip().startswith("resources:") and "gpu=1" in line
    ]
    assert len(bundle_resources) == planned_bundles(output) > 0
    for line in bundle_resources:
        assert "slurm_partition=gpu-short" in line
        assert "slurm_account=project42" in line
        assert "gpu_model=a100" in line
