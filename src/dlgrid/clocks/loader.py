"""The real clock data: load, check and split it.

Two layouts are accepted in one folder:

- `images.npy` (N, 150, 150) uint8 and `labels.npy` (N, 2) integers;
- five chunks `data_1.npy` ... `data_5.npy` with `labels_1.npy` ...
  `labels_5.npy`, joined in order.

Images may also be 75x75. Labels are [hour 0-11, minute 0-59]. The real rows
are sorted by time, so `split_clocks` shuffles with a seed before it cuts the
70 / 10 / 20 train / validation / test split.
"""

from pathlib import Path

import numpy as np

IMAGE_SIDES = (150, 75)
CHUNKS = 5
SPLIT_FRACTIONS = {"train": 0.7, "validation": 0.1, "test": 0.2}


class ClockDataError(ValueError):
    """The clock files are missing or do not hold what the format says."""


def _load_array(path):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise ClockDataError(
            f"{path}: cannot read it as a .npy array ({error})"
        ) from None


def check_images(images, path):
    if images.dtype != np.uint8:
        raise ClockDataError(
            f"{path}: images must be uint8 grayscale, found {images.dtype}; "
            "convert with np.clip(images, 0, 255).astype(np.uint8)"
        )
    if (
        images.ndim != 3
        or images.shape[1] != images.shape[2]
        or (images.shape[1] not in IMAGE_SIDES)
    ):
        raise ClockDataError(
            f"{path}: images must have shape (N, 150, 150) or (N, 75, 75), "
            f"found {images.shape}"
        )


def check_labels(labels, path, rows):
    if not np.issubdtype(labels.dtype, np.integer):
        raise ClockDataError(f"{path}: labels must be integers, found {labels.dtype}")
    if labels.ndim != 2 or labels.shape[1] != 2:
        raise ClockDataError(
            f"{path}: labels must have shape (N, 2) as [hour, minute], "
            f"found {labels.shape}"
        )
    if len(labels) != rows:
        raise ClockDataError(
            f"{path}: {len(labels)} labels for {rows} images; they must match"
        )
    for column, name, top in ((0, "hour", 11), (1, "minute", 59)):
        values = labels[:, column]
        bad = (values < 0) | (values > top)
        if bad.any():
            row = int(np.argmax(bad))
            hint = " (12 o'clock is hour 0)" if name == "hour" else ""
            raise ClockDataError(
                f"{path}: {name}s must be 0-{top}{hint}; row {row} has "
                f"{int(values[row])}, and {int(bad.sum())} rows are out of range"
            )


def _load_pair(images_path, labels_path):
    images = _load_array(images_path)
    check_images(images, images_path)
    labels = _load_array(labels_path)
    check_labels(labels, labels_path, len(images))
    return images, labels.astype(np.int64)


def load_clocks(folder):
    """(images, labels) from a folder in either layout, checked."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ClockDataError(f"{folder}: no such folder of clock data")

    if (folder / "images.npy").exists() or (folder / "labels.npy").exists():
        return _load_pair(folder / "images.npy", folder / "labels.npy")

    chunk_files = [
        (folder / f"data_{i}.npy", folder / f"labels_{i}.npy")
        for i in range(1, CHUNKS + 1)
    ]
    present = [path for pair in chunk_files for path in pair if path.exists()]
    if not present:
        raise ClockDataError(
            f"{folder}: found neither images.npy + labels.npy nor the chunks "
            "data_1..5.npy + labels_1..5.npy"
        )
    missing = [path.name for pair in chunk_files for path in pair if not path.exists()]
    if missing:
        raise ClockDataError(
            f"{folder}: chunked layout is missing {', '.join(missing)}"
        )

    parts = [_load_pair(images, labels) for images, labels in chunk_files]
    sides = {images.shape[1] for images, _ in parts}
    if len(sides) > 1:
        raise ClockDataError(f"{folder}: the chunks mix image sizes {sorted(sides)}")
    return (
        np.concatenate([images for images, _ in parts]),
        np.concatenate([labels for _, labels in parts]),
    )


def split_rows(count, seed):
    """Row numbers of each split: shuffled with `seed`, cut 70 / 10 / 20."""
    order = np.random.default_rng(seed).permutation(count)
    rows, start = {}, 0
    for index, (name, fraction) in enumerate(SPLIT_FRACTIONS.items()):
        last = index == len(SPLIT_FRACTIONS) - 1
        stop = count if last else start + round(fraction * count)
        rows[name] = order[start:stop]
        start = stop
    return rows


def split_clocks(images, labels, seed):
    """{"train"|"validation"|"test": (images, labels)}, see `split_rows`."""
    return {
        name: (images[rows], labels[rows])
        for name, rows in split_rows(len(images), seed).items()
    }
