"""The config is validated before any job runs, with messages naming the key."""

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def dry_run(*args):
    """Run a dry run; Snakemake's messages go to stdout and stderr together."""
    return subprocess.run(
        ["snakemake", "--dry-run", "--cores", "1", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("override", "key", "allowed"),
    [
        ("networks: {mlp: {grid: {dropout: [0.0, 1.5]}}}", "['dropout'][1]", "1.5"),
        (
            "networks: {cnn: {grid: {optimizer: [adam, rmsprop]}}}",
            "['optimizer'][1]",
            "['adam', 'sgd']",
        ),
        (
            "networks: {mlp: {grid: {init: [glorot]}}}",
            "['init'][0]",
            "['uniform', 'random_normal']",
        ),
        ("networks: {mlp: {grid: {l1: [-0.01]}}}", "['l1'][0]", "minimum of 0"),
        ("networks: {cnn: {grid: {l2: []}}}", "['l2']", "should be non-empty"),
        (
            "datasets: {cifar10: {source: auto}}",
            "['datasets']",
            "['mnist', 'fashion_mnist']",
        ),
    ],
)
def test_bad_values_stop_the_run_naming_key_and_allowed_values(
    tmp_path, override, key, allowed
):
    config = tmp_path / "bad.yaml"
    config.write_text(override + "\n")

    result = dry_run("--configfile", str(config))

    assert result.returncode != 0
    assert "Error validating config file" in result.stdout
    assert key in result.stdout
    assert allowed in result.stdout
    assert "Job stats" not in result.stdout


def test_unknown_case_id_is_named(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("networks: {cnn: {case_ids: [20000, 29999]}}\n")

    result = dry_run("--configfile", str(config))

    assert result.returncode != 0
    assert "networks.cnn.case_ids: [29999] are not in the cnn grid" in result.stdout


def planned_jobs(result, rule):
    for line in result.stdout.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == rule:
            return int(words[1])
    return 0


def test_dry_run_of_the_default_config_plans_the_whole_grid():
    bundled = dry_run()
    one_per_case = dry_run("--config", "cases_per_job=1")

    assert bundled.returncode == 0, bundled.stdout
    assert one_per_case.returncode == 0, one_per_case.stdout
    # 16 cases per job: 576 MLP -> 36 and 384 CNN -> 24 bundles, per dataset
    assert planned_jobs(bundled, "train_bundle") == 120
    assert planned_jobs(one_per_case, "train_bundle") == 1920
