"""How long drawing the 18,000 synthetic clocks takes, with 1 and 2 processes.

Run: python benchmarks/clocks_generate.py [--per-minute 25] [--workers 1 2]
The model comparison itself is the workflow target `clocks` with the full
configuration: snakemake clocks --cores 1 (see rules/clocks.smk).
"""

import argparse
import time

from dlgrid.clocks.generate import Difficulty, generate_clocks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-minute", type=int, default=25)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    arguments = parser.parse_args()

    for workers in arguments.workers:
        started = time.perf_counter()
        images, _ = generate_clocks(
            per_minute=arguments.per_minute,
            seed=42,
            difficulty=Difficulty(),
            workers=workers,
        )
        seconds = time.perf_counter() - started
        print(
            f"{len(images):,} clocks of 150x150 with {workers} process(es): "
            f"{seconds:.1f} s ({1000 * seconds / len(images):.2f} ms per image)"
        )


if __name__ == "__main__":
    main()
