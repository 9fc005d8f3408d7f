"""Test error by the clock's rotation, for a run on generated clocks.

Replays each test row's pose (dlgrid.clocks.generate.clock_pose) and groups
the errors of results/clocks/predictions/*.csv by how far the clock was
turned. Run from the folder holding results/, after `snakemake clocks`:

    python benchmarks/clocks_rotation.py [--config config/config.yaml]
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from dlgrid.clocks.generate import Difficulty, clock_pose


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--results", default="results/clocks")
    arguments = parser.parse_args()

    clocks = yaml.safe_load(Path(arguments.config).read_text())["clocks"]
    difficulty = Difficulty(**clocks["difficulty"])
    limit = difficulty.rotation_deg
    edges = np.linspace(0, limit, 6) if limit else [0, 1]

    rows = []
    for path in sorted(Path(arguments.results, "predictions").glob("*.csv")):
        readings = pd.read_csv(path)
        turned = [
            abs(clock_pose(clocks["seed"], row, difficulty).rotation_deg)
            for row in readings["row"]
        ]
        readings["rotation"] = pd.cut(turned, edges, include_lowest=True)
        grouped = readings.groupby("rotation", observed=True)["error_min"]
        summary = grouped.agg(["size", "mean", "median"])
        summary["hour_wrong_%"] = grouped.apply(lambda e: 100 * (e > 30).mean())
        rows.append(summary.assign(model=path.stem).reset_index())

    table = pd.concat(rows).round(2)
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
