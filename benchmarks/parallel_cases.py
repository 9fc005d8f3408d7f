"""Speed-up from training several cases at once inside one job.

Trains the same cases twice with `run_bundle`: one after another, then
`--parallel` at a time (separate processes sharing the job's CPU threads, or
its GPU). On a CPU this is the analogue of several cases per GPU: it shows
whether one case leaves the hardware idle.

    python benchmarks/parallel_cases.py --data resources/data/mnist.npz \
        --cases 4 --parallel 2 --threads 2 --epochs 2
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

from dlgrid.grid import expand_grid
from dlgrid.train import run_bundle

MLP_GRID = {
    "init": ["uniform", "random_normal"],
    "layers": [[512, 256], [256, 128]],
    "activation": ["relu", "sigmoid"],
    "l1": [0.0],
    "l2": [0.0],
    "dropout": [0.0, 0.2],
    "loss": ["categorical_crossentropy"],
    "optimizer": ["adam"],
}


def timed_bundle(cases, data, settings, threads, parallel):
    with tempfile.TemporaryDirectory() as records:
        started = time.perf_counter()
        run_bundle(cases, "mnist", data, settings, records, threads, parallel)
        return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a prepared .npz")
    parser.add_argument("--cases", type=int, default=4)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", default="benchmarks/out/parallel_cases.json")
    args = parser.parse_args()

    cases = expand_grid("mlp", MLP_GRID)[: args.cases]
    settings = {
        "epochs": args.epochs,
        "learning_rate": 0.01,
        "batch_size": 32,
        "seed": 42,
    }
    one_at_a_time = timed_bundle(cases, args.data, settings, args.threads, 1)
    several = timed_bundle(cases, args.data, settings, args.threads, args.parallel)
    result = {
        "cases": args.cases,
        "threads": args.threads,
        "parallel_cases": args.parallel,
        "one_at_a_time_s": round(one_at_a_time, 1),
        "parallel_s": round(several, 1),
        "speed_up": round(one_at_a_time / several, 2),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
