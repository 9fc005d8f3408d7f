"""Build the MNIST file the permutation benchmark uses on this machine.

The full MNIST training images are not available here (see the shared data
README), so this joins the 5,000 real training digits of
/work/shared/data/mnist/train-5k-subset.npz (500 per digit) with the full
10,000-image MNIST test set. MNIST figures measured on it come from 5,000
training images (4,500 after the validation split), not 60,000.

    python benchmarks/permutation_mnist_data.py OUT.npz
"""

import sys
from pathlib import Path

import numpy as np

from dlgrid.data import read_idx, read_npz

SHARED_MNIST = Path("/work/shared/data/mnist")

out_path = Path(sys.argv[1])
training = np.load(SHARED_MNIST / "train-5k-subset.npz")
arrays = {
    "x_train": training["x_train"],
    "y_train": training["y_train"],
    "x_test": read_idx(SHARED_MNIST / "t10k-images-idx3-ubyte.gz"),
    "y_test": read_idx(SHARED_MNIST / "t10k-labels-idx1-ubyte.gz"),
}
out_path.parent.mkdir(parents=True, exist_ok=True)
np.savez_compressed(out_path, **arrays)
check = read_npz(out_path)
print(
    f"wrote {out_path}: {len(check['y_train'])} training and "
    f"{len(check['y_test'])} test images"
)
