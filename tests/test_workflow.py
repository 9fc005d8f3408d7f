"""The workflow end to end, run by Snakemake in a copy of the repository."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
TINY = "tests/configs/tiny.yaml"

pytestmark = pytest.mark.slow


def copy_repository(destination):
    """The files a user's clone has (tracked, or new and not ignored)."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        if (REPO / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, destination / name)
    return destination


def snakemake(workdir, *args, timeout=1200):
    result = subprocess.run(
        ["snakemake", "--cores", "2", *args],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    return result.stdout


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    workdir = copy_repository(tmp_path_factory.mktemp("tiny"))
    snakemake(workdir, "--configfile", TINY)
    snakemake(workdir, "--configfile", TINY, "--report", "results/report.html")
    return workdir


def records_of(workdir, dataset):
    folder = workdir / "results/records" / dataset
    return {int(p.stem): json.loads(p.read_text()) for p in folder.glob("*.json")}


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
@pytest.mark.parametrize(
    ("network", "case_ids"), [("mlp", {10000, 10001, 10220}), ("cnn", {20004, 20288})]
)
def test_ranked_tables_hold_the_cases_in_validation_order(
    tiny_run, dataset, network, case_ids
):
    ranked = pd.read_csv(tiny_run / f"results/tables/{dataset}_{network}_ranked.csv")
    records = records_of(tiny_run, dataset)

    assert set(ranked["case_id"]) == case_ids
    assert ranked["val_accuracy"].is_monotonic_decreasing
    assert list(ranked["rank"]) == list(range(1, len(case_ids) + 1))
    for row in ranked.itertuples():
        record = records[row.case_id]
        assert record["status"] == "ok"
        assert row.val_accuracy == pytest.approx(record["val_accuracy"])
        assert row.test_accuracy == pytest.approx(record["test_accuracy"])
        assert record["training"]["epochs"] == 1


def test_every_stage_produced_its_outputs(tiny_run):
    all_cases = pd.read_csv(tiny_run / "results/tables/all_cases.csv")
    assert len(all_cases) == 2 * 5

    plots = sorted(p.name for p in (tiny_run / "results/plots").glob("*.png"))
    assert len(plots) >= 4 * 3 + 2
    for plot in plots:
        assert (tiny_run / "results/plots" / plot).read_bytes()[:4] == b"\x89PNG"

    permutation = pd.read_csv(tiny_run / "results/permutation/table.csv")
    assert len(permutation) == 4 * 3  # pairs x splits

    clocks = pd.read_csv(tiny_run / "results/clocks/table.csv")
    assert len(clocks) == 5


def test_permutation_retrains_each_pairs_best_case(tiny_run):
    results = tiny_run / "results"
    cases = pd.read_csv(results / "tables/all_cases.csv")
    selected = pd.read_csv(results / "permutation/selected.tsv", sep="\t")
    assert len(selected) == 4

    for row in selected.itertuples():
        pair = cases[
            (cases["dataset"] == row.dataset) & (cases["network"] == row.network)
        ]
        assert row.val_accuracy == pytest.approx(pair["val_accuracy"].max())

        records = results / "permutation/records" / row.dataset / row.network
        original = json.loads((records / "original_r0.json").read_text())
        permuted = json.loads((records / "permuted_r0.json").read_text())
        sweep = records_of(tiny_run, row.dataset)[row.case_id]
        # The original variant is the sweep's case again (same data, seed and
        # settings); the permuted one differs only in its data.
        assert original["training"] == sweep["training"] == permuted["training"]
        assert original["data_fingerprint"] == sweep["data_fingerprint"]
        assert permuted["data_fingerprint"] != original["data_fingerprint"]
        assert permuted["permutation"]["applied"]


def test_clock_models_are_ranked_by_mean_error(tiny_run):
    table = pd.read_csv(tiny_run / "results/clocks/table.csv")
    readings = pd.read_csv(tiny_run / "results/clocks/predictions/sincos.csv")

    assert sorted(table["model"]) == sorted(
        ["baseline", "circular", "classification", "multihead", "sincos"]
    )
    assert list(table["rank"]) == [1, 2, 3, 4, 5]
    assert table["mean error (min)"].is_monotonic_increasing
    assert table["mean error (min)"].between(0, 360).all()
    assert len(readings) == 144  # the 20% test split of 720 clocks


def test_report_holds_the_plots_and_tables(tiny_run):
    report = (tiny_run / "results/report.html").read_text()

    assert len(report) > 100_000
    for name in ("mnist_mlp_ranked.csv", "hyperparameter", "permutation", "clocks"):
        assert name in report


def test_an_interrupted_run_keeps_finished_records_and_no_partial_ones(tmp_path):
    workdir = copy_repository(tmp_path)
    config = tmp_path / "interrupt.yaml"
    config.write_text(
        "datasets: [mnist]\ndata_sources: {mnist: sample}\ncases_per_job: 4\n"
        "networks: {mlp: {epochs: 3, case_ids: [10000, 10001, 10002, 10003]}}\n"
    )
    target = "results/bundles/mnist/mlp/b000.json"
    records = workdir / "results/records/mnist"

    run = subprocess.Popen(
        ["snakemake", "--cores", "1", target, "--configfile", str(config)],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    while not list(records.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.5)
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's group
    run.wait(timeout=120)

    finished = {p.name: json.loads(p.read_text()) for p in records.glob("*.json")}
    assert 1 <= len(finished) < 4
    assert sorted(p.name for p in records.iterdir()) == sorted(finished)  # no temp
    assert not (workdir / target).exists()

    snakemake(workdir, target, "--configfile", str(config))

    manifest = json.loads((workdir / target).read_text())
    trained_now = {e["case_id"] for e in manifest["cases"] if e["trained_now"]}
    assert {f"{case_id}.json" for case_id in trained_now}.isdisjoint(finished)
    assert len(trained_now) == 4 - len(finished)
    for name, record in finished.items():
        assert json.loads((records / name).read_text()) == record
