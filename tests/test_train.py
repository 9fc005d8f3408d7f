"""Real Keras training on a small slice of the shipped MNIST sample."""

import json

import numpy as np
import pytest

from dlgrid.data import load_raw, stratified_split
from dlgrid.records import read_json, write_json_atomic
from dlgrid.train import data_fingerprint, record_identity, run_bundle, train_case

CASE = {
    "case_id": 10220,
    "network": "mlp",
    "init": "uniform",
    "layers": "256-128",
    "activation": "sigmoid",
    "l1": 0.0,
    "l2": 0.0,
    "dropout": 0.2,
    "loss": "categorical_crossentropy",
    "optimizer": "adam",
}
SETTINGS = {"epochs": 2, "learning_rate": 0.01, "batch_size": 32, "seed": 42}


@pytest.fixture(scope="module")
def small_data():
    raw = load_raw("mnist", "sample")
    train_index, val_index = stratified_split(raw["y_train"][:1200], 0.25, seed=0)
    return {
        "x_train": raw["x_train"][train_index],
        "y_train": raw["y_train"][train_index],
        "x_val": raw["x_train"][val_index],
        "y_val": raw["y_train"][val_index],
        "x_test": raw["x_test"][:300],
        "y_test": raw["y_test"][:300],
    }


@pytest.fixture
def data_file(small_data, tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, **small_data, source="test slice", dataset="mnist")
    return path


def identity_for(case, data, settings=SETTINGS):
    return record_identity(case, "mnist", settings, data_fingerprint(data))


def test_training_learns_and_records_everything(small_data):
    record = train_case(CASE, small_data, SETTINGS, identity_for(CASE, small_data))

    assert record["status"] == "ok"
    assert record["training"]["seed"] == 42 + 10220
    assert record["params"]["layers"] == "256-128"
    assert len(record["history"]["val_accuracy"]) == 2
    assert record["val_accuracy"] > 0.5  # chance is 0.1
    assert 0 < record["test_accuracy"] <= 1
    assert record["param_count"] == 784 * 256 + 256 + 256 * 128 + 128 + 1290
    assert record["environment"]["tensorflow"]
    assert record["time_per_epoch_s"] > 0


def test_same_seed_gives_the_same_result(small_data):
    identity = identity_for(CASE, small_data)
    first = train_case(CASE, small_data, SETTINGS, identity)
    second = train_case(CASE, small_data, SETTINGS, identity)

    assert first["history"]["loss"] == pytest.approx(second["history"]["loss"])


def test_nan_loss_is_recorded_as_diverged(small_data, tmp_path):
    exploding = {**CASE, "activation": "relu", "optimizer": "sgd", "layers": "512-256"}
    settings = {**SETTINGS, "learning_rate": 1e12}
    record = train_case(
        exploding, small_data, settings, identity_for(exploding, small_data, settings)
    )

    assert record["status"] == "diverged"
    assert record["test_accuracy"] != record["test_accuracy"]  # NaN

    path = tmp_path / "record.json"
    write_json_atomic(path, record)
    assert json.loads(path.read_text())["test_accuracy"] is None


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "record.json"
    write_json_atomic(path, {"case_id": 1})

    with pytest.raises(TypeError):
        write_json_atomic(path, {"case_id": 2, "bad": object()})

    assert read_json(path) == {"case_id": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_bundle_trains_only_cases_without_a_current_record(data_file, tmp_path):
    other = {**CASE, "case_id": 10221, "optimizer": "sgd"}
    settings = {**SETTINGS, "epochs": 1}
    records = tmp_path / "records"

    first = run_bundle([CASE, other], "mnist", data_file, settings, records)
    assert [entry["trained_now"] for entry in first["cases"]] == [True, True]
    kept = read_json(records / "10220.json")["finished_at"]

    (records / "10221.json").unlink()
    second = run_bundle([CASE, other], "mnist", data_file, settings, records)
    assert [entry["trained_now"] for entry in second["cases"]] == [False, True]
    assert read_json(records / "10220.json")["finished_at"] == kept

    changed = {**CASE, "dropout": 0.0}
    third = run_bundle([changed, other], "mnist", data_file, settings, records)
    assert [entry["trained_now"] for entry in third["cases"]] == [True, False]
    assert read_json(records / "10220.json")["params"]["dropout"] == 0.0


def test_bundle_can_train_several_cases_at_once(data_file, tmp_path):
    cases = [CASE, {**CASE, "case_id": 10221, "optimizer": "sgd"}]
    settings = {**SETTINGS, "epochs": 1}
    records = tmp_path / "records"

    manifest = run_bundle(cases, "mnist", data_file, settings, records, 2, 2)

    assert [entry["status"] for entry in manifest["cases"]] == ["ok", "ok"]
    written = [read_json(records / f"{case['case_id']}.json") for case in cases]
    assert [record["params"]["optimizer"] for record in written] == ["adam", "sgd"]
    assert all(record["val_accuracy"] > 0.3 for record in written)
