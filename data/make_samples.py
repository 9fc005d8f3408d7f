"""Make the small real samples shipped in data/samples/ (a developer's tool).

Usage: python data/make_samples.py FOLDER

FOLDER holds mnist/train-5k-subset.npz (5,000 real MNIST training digits,
500 per class), mnist/t10k-{images-idx3,labels-idx1}-ubyte.gz (the MNIST test
set) and fashion-mnist/ with the four Fashion-MNIST IDX .gz files. The workflow
never runs this script; it only reads the .npz files it wrote.

Samples are stratified: each class keeps its share of the full set. Seeded, so
running it again on the same files writes the same arrays.
"""

import argparse
from pathlib import Path

import numpy as np

from dlgrid.data import check_arrays, read_idx, read_idx_folder, stratified_split

SEED = 20240501
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def stratified_sample(images, labels, size, seed):
    """`size` images drawn per class in proportion to the class counts."""
    _, chosen = stratified_split(labels, size / len(labels), seed)
    if len(chosen) != size:
        raise SystemExit(f"Per-class rounding gave {len(chosen)} images, not {size}.")
    return images[chosen], labels[chosen]


def make_mnist(folder):
    with np.load(folder / "mnist" / "train-5k-subset.npz") as subset:
        x_train, y_train = subset["x_train"], subset["y_train"]
    x_test, y_test = stratified_sample(
        read_idx(folder / "mnist" / "t10k-images-idx3-ubyte.gz"),
        read_idx(folder / "mnist" / "t10k-labels-idx1-ubyte.gz"),
        size=1000,
        seed=SEED,
    )
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def make_fashion_mnist(folder):
    full = read_idx_folder(folder / "fashion-mnist")
    x_train, y_train = stratified_sample(
        full["x_train"], full["y_train"], size=5000, seed=SEED
    )
    x_test, y_test = stratified_sample(
        full["x_test"], full["y_test"], size=1000, seed=SEED + 1
    )
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder of the real data")
    folder = parser.parse_args().folder

    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    for dataset, make in [("mnist", make_mnist), ("fashion_mnist", make_fashion_mnist)]:
        arrays = check_arrays(make(folder), dataset)
        out_path = SAMPLES_DIR / f"{dataset}.npz"
        np.savez_compressed(out_path, **arrays)

        train_counts = np.bincount(arrays["y_train"], minlength=10)
        test_counts = np.bincount(arrays["y_test"], minlength=10)
        print(f"{out_path}: train per class {train_counts.tolist()}")
        print(f"{' ' * len(str(out_path))}  test per class {test_counts.tolist()}")


if __name__ == "__main__":
    main()
