"""Build sweep records and bundle manifests, as the trainer writes them, for tests
of the tables and plots (no training: the figures are chosen by each test)."""

from pathlib import Path

import yaml

from dlgrid import grid
from dlgrid.records import write_json_atomic
from dlgrid.train import case_params

CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"


def original_grid(network):
    """The value lists of the default config (the original study's grid)."""
    with open(CONFIG) as stream:
        return yaml.safe_load(stream)["networks"][network]["grid"]


def make_record(
    case_id,
    val_accuracy,
    test_accuracy,
    val_loss=0.3,
    dataset="mnist",
    status="ok",
    epochs=3,
):
    """A record with the layout of `dlgrid.train.train_case`."""
    network = "mlp" if case_id < 20000 else "cnn"
    case = grid.decode_case_id(network, original_grid(network), case_id)
    diverged = status != "ok"
    history = {
        "loss": [1.0 / (epoch + 1) for epoch in range(epochs)],
        "accuracy": [0.5 + 0.1 * epoch for epoch in range(epochs)],
        "val_loss": [val_loss + 0.1 * (epochs - epoch) for epoch in range(epochs)],
        "val_accuracy": [val_accuracy - 0.02 * (epochs - 1 - e) for e in range(epochs)],
    }
    if diverged:
        history["loss"][-1] = None
    return {
        "case_id": case_id,
        "dataset": dataset,
        "network": network,
        "params": case_params(case),
        "training": {
            "epochs": epochs,
            "learning_rate": 0.01,
            "batch_size": 32,
            "seed": 42 + case_id,
        },
        "data_fingerprint": "0123456789abcdef",
        "status": status,
        "history": history,
        "epochs_run": epochs,
        "train_loss": None if diverged else 0.2,
        "train_accuracy": 0.5 if diverged else val_accuracy + 0.01,
        "val_loss": None if diverged else val_loss,
        "val_accuracy": None if diverged else val_accuracy,
        "test_loss": None if diverged else val_loss + 0.01,
        "test_accuracy": None if diverged else test_accuracy,
        "param_count": 535818 if network == "mlp" else 1199882,
        "wall_time_s": 12.5 + case_id % 7,
        "time_per_epoch_s": (12.0 + case_id % 7) / epochs,
        "environment": {
            "python": "3.11.9",
            "tensorflow": "2.21.0",
            "keras": "3.15.0",
            "numpy": "2.3.0",
            "host": "node01",
            "gpu": None,
            "slurm_job_id": "4711",
        },
        "finished_at": "2025-01-01T00:00:00+00:00",
    }


def write_bundle(root, records, bundle="b000"):
    """Write the records and the manifest that lists them; return its path."""
    dataset, network = records[0]["dataset"], records[0]["network"]
    entries = []
    for record in records:
        record_path = root / "records" / dataset / f"{record['case_id']}.json"
        write_json_atomic(record_path, record)
        entries.append(
            {
                "case_id": record["case_id"],
                "record": str(record_path),
                "trained_now": True,
                "status": record["status"],
            }
        )
    manifest_path = root / "bundles" / dataset / network / f"{bundle}.json"
    write_json_atomic(manifest_path, {"dataset": dataset, "cases": entries})
    return manifest_path
