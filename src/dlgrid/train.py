"""Train sweep cases and write one record per case.

`train_case` trains one case on arrays already in memory. `run_bundle` trains
a list of cases in one process (one TensorFlow start-up, the data loaded once),
writes each record as soon as its case finishes, and skips cases whose record
already exists for the same parameters, settings and data. That is what lets
an interrupted job resume without retraining finished cases.
"""

import concurrent.futures
import hashlib
import logging
import math
import multiprocessing
import os
import platform
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from dlgrid.grid import ALL_HYPERPARAMETERS
from dlgrid.records import read_json, write_json_atomic

log = logging.getLogger(__name__)


def case_params(case):
    return {key: case[key] for key in ALL_HYPERPARAMETERS if key in case}


def data_fingerprint(data):
    """A short hash of the arrays a case trains and is scored on."""
    digest = hashlib.sha256()
    for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(data[name]).tobytes())
    return digest.hexdigest()[:16]


def record_identity(case, dataset, settings, fingerprint):
    """What a record must match to stand for this case (see `is_current`)."""
    return {
        "case_id": case["case_id"],
        "dataset": dataset,
        "network": case["network"],
        "params": case_params(case),
        "training": {**settings, "seed": settings["seed"] + case["case_id"]},
        "data_fingerprint": fingerprint,
    }


def is_current(record_path, identity):
    """True when a finished record for exactly this case and setting exists."""
    if not Path(record_path).exists():
        return False
    record = read_json(record_path)
    return all(record.get(key) == value for key, value in identity.items())


def environment():
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    gpu_names = [
        tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
        for gpu in gpus
    ]
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "host": socket.gethostname(),
        "gpu": ", ".join(gpu_names) or None,
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
    }


def network_inputs(images, network):
    """uint8 images -> float32 in [0, 1], with a channel axis for the CNN."""
    scaled = images.astype("float32") / 255.0
    return scaled[..., np.newaxis] if network == "cnn" else scaled


def train_case(case, data, settings, identity):
    """Train one case; return its record. A NaN loss gives status 'diverged'."""
    import keras

    from dlgrid.models import build_model

    seed = identity["training"]["seed"]
    keras.utils.set_random_seed(seed)
    model = build_model(case, settings["learning_rate"])
    network = case["network"]
    splits = {
        split: (
            network_inputs(data[f"x_{split}"], network),
            keras.utils.to_categorical(data[f"y_{split}"], 10),
        )
        for split in ("train", "val", "test")
    }

    def log_epoch(epoch, logs):
        log.info(
            "case %s epoch %d/%d: loss %.4f accuracy %.4f val_accuracy %.4f",
            case["case_id"],
            epoch + 1,
            settings["epochs"],
            logs.get("loss", math.nan),
            logs.get("accuracy", math.nan),
            logs.get("val_accuracy", math.nan),
        )

    started = time.perf_counter()
    history = model.fit(
        *splits["train"],
        validation_data=splits["val"],
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        shuffle=True,
        verbose=0,
        callbacks=[
            keras.callbacks.TerminateOnNaN(),
            keras.callbacks.LambdaCallback(on_epoch_end=log_epoch),
        ],
    ).history
    training_seconds = time.perf_counter() - started

    epochs_run = len(history["loss"])
    diverged = not all(math.isfinite(loss) for loss in history["loss"])
    if not diverged:
        diverged = epochs_run < settings["epochs"]
    record = {
        **identity,
        "status": "diverged" if diverged else "ok",
        "history": {key: [float(v) for v in values] for key, values in history.items()},
        "epochs_run": epochs_run,
        "train_loss": float(history["loss"][-1]),
        "train_accuracy": float(history["accuracy"][-1]),
    }
    for split in ("val", "test"):
        if diverged:
            loss, accuracy = math.nan, math.nan
        else:
            loss, accuracy = model.evaluate(*splits[split], batch_size=1024, verbose=0)
        record[f"{split}_loss"] = float(loss)
        record[f"{split}_accuracy"] = float(accuracy)
    record.update(
        {
            "param_count": model.count_params(),
            "wall_time_s": time.perf_counter() - started,
            "time_per_epoch_s": training_seconds / max(epochs_run, 1),
            "environment": environment(),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    return record


def configure_tensorflow(threads):
    """Limit TensorFlow's CPU threads and let GPU memory grow on demand.

    Both settings only take effect before TensorFlow's first operation; in a
    process where it already ran, the settings it started with stay.
    """
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(min(threads, 2))
        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
    except RuntimeError:
        log.info("TensorFlow already started: keeping its thread and GPU settings")


_worker = {}


def _start_worker(data_path, threads):
    """Runs once in each worker process: configure TensorFlow, load the data."""
    from dlgrid.data import load_prepared

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    configure_tensorflow(threads)
    _worker["data"] = load_prepared(data_path)


def _train_and_write(case, settings, identity, record_path):
    record = train_case(case, _worker["data"], settings, identity)
    write_json_atomic(record_path, record)
    return record["status"]


def run_bundle(
    cases, dataset, data_path, settings, records_dir, threads=1, parallel_cases=1
):
    """Train the cases that lack a current record; return the bundle manifest."""
    from dlgrid.data import load_prepared

    data = load_prepared(data_path)
    fingerprint = data_fingerprint(data)
    records_dir = Path(records_dir)
    todo, entries = [], []
    for case in cases:
        identity = record_identity(case, dataset, settings, fingerprint)
        record_path = records_dir / f"{case['case_id']}.json"
        entry = {"case_id": case["case_id"], "record": str(record_path)}
        if is_current(record_path, identity):
            entry["trained_now"] = False
        else:
            entry["trained_now"] = True
            todo.append((case, identity, record_path))
        entries.append(entry)
    log.info(
        "%s: %d cases, %d already recorded, %d to train (%d at a time)",
        dataset,
        len(cases),
        len(cases) - len(todo),
        len(todo),
        parallel_cases,
    )

    failures = {}
    if parallel_cases <= 1:
        configure_tensorflow(threads)
        _worker["data"] = data
        for number, (case, identity, path) in enumerate(todo, start=1):
            log.info("training case %s (%d/%d)", case["case_id"], number, len(todo))
            try:
                status = _train_and_write(case, settings, identity, path)
                log.info("case %s finished: %s", case["case_id"], status)
            except Exception as error:  # one failed case must not stop the others
                log.exception("case %s failed", case["case_id"])
                failures[case["case_id"]] = repr(error)
    else:
        threads_each = max(1, threads // parallel_cases)
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=parallel_cases,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(data_path), threads_each),
        ) as pool:
            futures = {}
            for case, identity, path in todo:
                future = pool.submit(_train_and_write, case, settings, identity, path)
                futures[future] = case["case_id"]
            for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
                case_id = futures[future]
                try:
                    status = future.result()
                    log.info(
                        "case %s finished: %s (%d/%d)", case_id, status, done, len(todo)
                    )
                except Exception as error:
                    log.exception("case %s failed", case_id)
                    failures[case_id] = repr(error)

    if failures:
        raise RuntimeError(
            f"{len(failures)} of {len(todo)} cases failed (their records were not "
            f"written; finished cases keep theirs): {failures}"
        )
    for entry in entries:
        entry["status"] = read_json(entry["record"])["status"]
    return {"dataset": dataset, "cases": entries}
