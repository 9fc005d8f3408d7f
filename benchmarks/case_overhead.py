"""Per-case overhead of a training job, as a share of one full MLP case.

Overhead is everything a job does besides training: starting Python, importing
TensorFlow/Keras, loading the prepared data, hashing it, building the model and
writing the record. One case per job pays all of it for every case; a bundle
pays the start-up once and only the per-case part (check, build, record) for
each further case.

    python benchmarks/case_overhead.py --data resources/data/fashion_mnist.npz \
        --record results/records/fashion_mnist/10288.json

--record is a finished full MLP case (20 epochs on the full data); without it
the script trains case 10288 itself (1-2 minutes on a 2-core CPU).
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTUP = """
import os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
from dlgrid.data import load_prepared
from dlgrid.models import build_model
from dlgrid.records import write_json_atomic
from dlgrid.train import configure_tensorflow, data_fingerprint, environment
configure_tensorflow(2)
data = load_prepared(sys.argv[1])
fingerprint = data_fingerprint(data)
model = build_model(json.loads(sys.argv[2]), 0.01)
write_json_atomic(sys.argv[3], {"environment": environment(), "data": fingerprint})
"""

CASE = {
    "case_id": 10288,
    "network": "mlp",
    "init": "random_normal",
    "layers": "512-256",
    "activation": "relu",
    "l1": 0.0,
    "l2": 0.0,
    "dropout": 0.0,
    "loss": "categorical_crossentropy",
    "optimizer": "adam",
}
SETTINGS = {"epochs": 20, "learning_rate": 0.01, "batch_size": 32, "seed": 42}


def time_fresh_process(data_path, repeats):
    """Seconds for a new process to start, import, load data and write a record."""
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import json\n" + STARTUP,
                    str(data_path),
                    json.dumps(CASE),
                    f"{folder}/record.json",
                ],
                check=True,
            )
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def time_in_bundle(data_path, repeats):
    """Seconds a bundle spends per further case outside model.fit."""
    from dlgrid.data import load_prepared
    from dlgrid.models import build_model
    from dlgrid.records import write_json_atomic
    from dlgrid.train import data_fingerprint, environment, is_current, record_identity

    data = load_prepared(data_path)
    fingerprint = data_fingerprint(data)
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        record_path = Path(folder) / "record.json"
        for _ in range(repeats + 1):
            started = time.perf_counter()
            identity = record_identity(CASE, "fashion_mnist", SETTINGS, fingerprint)
            is_current(record_path, identity)
            build_model(CASE, SETTINGS["learning_rate"])
            write_json_atomic(record_path, {**identity, "environment": environment()})
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds[1:])


def full_case_seconds(data_path, record_path):
    if record_path:
        record = json.loads(Path(record_path).read_text())
        return record["wall_time_s"], f"record {record_path}"
    from dlgrid.data import load_prepared
    from dlgrid.train import data_fingerprint, record_identity, train_case

    data = load_prepared(data_path)
    identity = record_identity(CASE, "fashion_mnist", SETTINGS, data_fingerprint(data))
    record = train_case(CASE, data, SETTINGS, identity)
    return record["wall_time_s"], "trained now"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a prepared .npz")
    parser.add_argument("--record", help="record of a finished full MLP case")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/out/case_overhead.json")
    args = parser.parse_args()

    training, where = full_case_seconds(args.data, args.record)
    fresh = time_fresh_process(args.data, args.repeats)
    bundled = time_in_bundle(args.data, args.repeats)
    result = {
        "full_mlp_case_s": round(training, 2),
        "full_mlp_case_from": where,
        "one_case_per_job_overhead_s": round(fresh, 2),
        "one_case_per_job_overhead_share": round(fresh / training, 4),
        "in_bundle_overhead_s": round(bundled, 3),
        "in_bundle_overhead_share": round(bundled / training, 5),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:36} {value}")


if __name__ == "__main__":
    main()
