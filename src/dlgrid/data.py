"""Find MNIST / Fashion-MNIST, check them, carve a validation split, store them.

A dataset's `source` (config key `data_sources.<name>`) is one of:

- "auto": the first of these that works: the Keras cache
  ($KERAS_HOME or ~/.keras, then datasets/mnist.npz or datasets/fashion-mnist/),
  the system folder /usr/share/datasets/fashion-mnist (Debian's package
  dataset-fashion-mnist; /usr/share/datasets/mnist for MNIST), then a download
  by keras.datasets.<name>.load_data(), which needs internet and fills the
  Keras cache.
- "sample": the small real sample shipped in data/samples/<dataset>.npz
  (5,000 training and 1,000 test images; see data/README.md). It is found
  relative to this file (src/dlgrid/ -> repository root), so it works from a
  checkout with the package installed editable (`pip install -e .`); a
  non-editable install has no data/ folder and must give the .npz as a path.
- a path: a folder holding the four IDX files under their standard names
  (train-images-idx3-ubyte.gz, ...; un-gzipped copies work too), or an .npz
  with x_train, y_train, x_test, y_test. A relative path is relative to the
  working directory (for the workflow: Snakemake's working directory).

Every array stays uint8 and unscaled: normalising is the trainer's job.
"""

import gzip
import hashlib
import logging
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DATASETS = ("mnist", "fashion_mnist")

IDX_FILE_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

RAW_KEYS = ("x_train", "y_train", "x_test", "y_test")
PREPARED_KEYS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")

IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801
IDX_DIMENSIONS = {IDX_IMAGES_MAGIC: 3, IDX_LABELS_MAGIC: 1}

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

# The package lives in <repository>/src/dlgrid/, so this needs a checkout
# (editable install); see the module docstring.
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "data" / "samples"

# Where Debian's dataset packages put their files (dataset-fashion-mnist).
SYSTEM_DATASETS_DIR = Path("/usr/share/datasets")

STAGING_HELP = """\
To use the full data on a machine without internet (e.g. an offline cluster):
  - copy the four IDX files into one folder:
      {files}
    and set `data_sources: {{{dataset}: /path/to/that/folder}}` in the config; or
  - run `python -c "import keras; keras.datasets.{dataset}.load_data()"`
    on a machine with internet (a cluster's login node often has it). That
    fills the Keras cache
      {cache}
    which every machine sharing that folder then finds (KERAS_HOME, when
    set, moves the cache).
To try the workflow on the small real sample shipped in data/samples/, set
`data_sources: {{{dataset}: sample}}`."""


class DataError(Exception):
    """A data file is missing, unreadable or not what it should be."""


def read_idx(path):
    """Read one IDX file of uint8 images (N, rows, cols) or labels (N,).

    Gzipped when the name ends in .gz. Raises DataError naming the file when it
    is missing, not gzip, truncated, or its header is not an IDX uint8 header.
    """
    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as stream:
                content = stream.read()
        else:
            content = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found.") from None
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(
            f"{path}: cannot be read ({error}); the file is truncated or not "
            "gzip. Copy it again from its source."
        ) from error

    if len(content) < 4:
        raise DataError(f"{path}: too short to be an IDX file; copy it again.")
    magic = int.from_bytes(content[:4], "big")
    if magic not in IDX_DIMENSIONS:
        raise DataError(
            f"{path}: not an IDX file of uint8 images or labels (magic number "
            f"{magic:#010x}, expected {IDX_IMAGES_MAGIC:#010x} for images or "
            f"{IDX_LABELS_MAGIC:#010x} for labels); copy it again."
        )

    num_dimensions = IDX_DIMENSIONS[magic]
    header_size = 4 + 4 * num_dimensions
    if len(content) < header_size:
        raise DataError(f"{path}: IDX header is cut short; copy the file again.")
    shape = tuple(
        int.from_bytes(content[start : start + 4], "big")
        for start in range(4, header_size, 4)
    )

    expected_size = int(np.prod(shape))
    actual_size = len(content) - header_size
    if actual_size != expected_size:
        raise DataError(
            f"{path}: the header says {shape} = {expected_size} values but the "
            f"file holds {actual_size}; it is truncated or corrupt. Copy it again."
        )
    values = np.frombuffer(content, dtype=np.uint8, offset=header_size)
    return values.reshape(shape).copy()  # a writable array, like np.load gives


def idx_file_list():
    return ", ".join(f"{name}.gz" for name in IDX_FILE_NAMES.values())


def read_idx_folder(folder):
    """Read the four standard IDX files (gzipped or not) from `folder`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: folder not found.")

    arrays = {}
    missing = []
    for key, name in IDX_FILE_NAMES.items():
        candidates = [folder / f"{name}.gz", folder / name]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            missing.append(f"{name}.gz")
        else:
            arrays[key] = found
    if missing:
        raise DataError(
            f"{folder}: missing {', '.join(missing)} (a data folder needs all "
            f"four IDX files: {idx_file_list()})."
        )
    return {key: read_idx(path) for key, path in arrays.items()}


def read_npz(path):
    """Read x_train, y_train, x_test, y_test from an .npz file."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in RAW_KEYS if key not in archive.files]
            if missing:
                raise DataError(
                    f"{path}: lacks the arrays {', '.join(missing)}; an .npz "
                    f"source needs {', '.join(RAW_KEYS)}."
                )
            return {key: archive[key] for key in RAW_KEYS}
    except FileNotFoundError:
        raise DataError(f"{path}: file not found.") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(
            f"{path}: cannot be read as .npz ({error}); it is truncated or not "
            "an .npz file."
        ) from error


def read_source_path(path):
    """Read a user-given source: a folder of IDX files or an .npz file."""
    path = Path(path).expanduser()
    if path.is_dir():
        return read_idx_folder(path)
    if path.suffix == ".npz":
        return read_npz(path)
    if not path.exists():
        raise DataError(
            f"{path}: no such file or folder. Give a folder of the four IDX "
            "files, an .npz with x_train, y_train, x_test, y_test, 'sample' or "
            "'auto'."
        )
    raise DataError(
        f"{path}: not a folder or an .npz file. Give a folder of the four IDX "
        "files or an .npz with x_train, y_train, x_test, y_test."
    )


def check_arrays(arrays, where):
    """Check shapes, dtypes, label range and lengths; return labels as uint8."""
    checked = {}
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]

        if images.dtype != np.uint8:
            raise DataError(
                f"{where}: x_{split} has dtype {images.dtype}; expected uint8 "
                "pixels 0-255 (not normalised)."
            )
        if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE or len(images) == 0:
            raise DataError(
                f"{where}: x_{split} has shape {images.shape}; expected "
                f"(N, {IMAGE_SHAPE[0]}, {IMAGE_SHAPE[1]}) with N > 0."
            )
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise DataError(
                f"{where}: y_{split} has shape {labels.shape} and dtype "
                f"{labels.dtype}; expected one integer class index (0-9) per "
                "image, not one-hot rows."
            )
        if len(labels) != len(images):
            raise DataError(
                f"{where}: {len(images)} images in x_{split} but {len(labels)} "
                f"labels in y_{split}; they must match."
            )
        if labels.min() < 0 or labels.max() >= NUM_CLASSES:
            raise DataError(
                f"{where}: y_{split} holds labels {labels.min()}..{labels.max()}; "
                f"expected 0..{NUM_CLASSES - 1}."
            )

        checked[f"x_{split}"] = images
        checked[f"y_{split}"] = labels.astype(np.uint8, copy=False)
    return checked


def keras_home():
    """Keras' cache root as Keras itself picks it: $KERAS_HOME or ~/.keras."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()


def local_places(dataset):
    """(kind, path, reader) of each local place "auto" looks in, in order."""
    cache = keras_home() / "datasets"
    if dataset == "mnist":
        keras_cache = ("Keras cache", cache / "mnist.npz", read_npz)
    else:
        keras_cache = ("Keras cache", cache / "fashion-mnist", read_idx_folder)
    debian_folder = SYSTEM_DATASETS_DIR / dataset.replace("_", "-")
    return [keras_cache, ("system folder", debian_folder, read_idx_folder)]


def download_with_keras(dataset):
    """Fetch the full dataset with keras.datasets (needs internet)."""
    import keras

    loader = getattr(keras.datasets, dataset)
    (x_train, y_train), (x_test, y_test) = loader.load_data()
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def load_auto(dataset):
    """Try the local places, then the Keras download; one error if all fail."""
    failures = []
    for kind, path, read in local_places(dataset):
        description = f"{kind} {path}"
        log.info("Looking for %s in the %s", dataset, description)
        try:
            return check_arrays(read(path), description), description
        except DataError as error:
            failures.append(f"{kind}: {error}")  # the error names the path

    description = f"download by keras.datasets.{dataset}.load_data()"
    log.info("Trying the %s", description)
    try:
        arrays = download_with_keras(dataset)
    except Exception as error:  # the download raises bare Exception offline
        failures.append(f"{description}: {type(error).__name__}: {error}")
    else:
        return check_arrays(arrays, description), description

    _, cache, _ = local_places(dataset)[0]
    tried = "\n".join(f"  {number}. {text}" for number, text in enumerate(failures, 1))
    raise DataError(
        f"No {dataset} data found (source: auto). Places tried:\n{tried}\n"
        + STAGING_HELP.format(
            dataset=dataset,
            files="\n      ".join(f"{name}.gz" for name in IDX_FILE_NAMES.values()),
            cache=cache,
        )
    )


def load_raw(dataset, source):
    """Load a dataset's train and test arrays from `source` (see module doc).

    Returns x_train, y_train, x_test, y_test (uint8; images N x 28 x 28) and
    `source`, a sentence saying where the arrays came from.
    """
    if dataset not in DATASETS:
        raise DataError(f"Unknown dataset {dataset!r}; expected one of {DATASETS}.")
    source = str(source)

    if source == "auto":
        arrays, description = load_auto(dataset)
    elif source == "sample":
        sample = SAMPLES_DIR / f"{dataset}.npz"
        if not sample.is_file():
            raise DataError(
                f"{sample}: shipped sample not found. 'sample' needs the "
                "repository checkout with dlgrid installed editable "
                "(pip install -e .); otherwise give the .npz path as source."
            )
        description = f"shipped sample {sample}"
        arrays = check_arrays(read_npz(sample), description)
    else:
        path = Path(source).expanduser().resolve()
        kind = "IDX folder" if path.is_dir() else "file"
        description = f"{kind} {path}"
        arrays = check_arrays(read_source_path(path), description)

    log.info(
        "Loaded %s from %s: %d train, %d test images",
        dataset,
        description,
        len(arrays["y_train"]),
        len(arrays["y_test"]),
    )
    return {**arrays, "source": description}


def stratified_split(labels, fraction, seed):
    """Split indices of `labels` into (train_index, val_index), per class.

    Each class gives round(fraction * class count) images to validation, drawn
    with a generator seeded by `seed`. Both index arrays are sorted, disjoint
    and together cover every index once.
    """
    labels = np.asarray(labels)
    if not 0 < fraction < 1:
        raise ValueError(
            f"validation_fraction must be between 0 and 1 (exclusive); got {fraction}."
        )

    generator = np.random.default_rng(seed)
    train_parts, val_parts = [], []
    for label in np.unique(labels):
        members = generator.permutation(np.flatnonzero(labels == label))
        num_val = int(np.floor(fraction * len(members) + 0.5))
        val_parts.append(members[:num_val])
        train_parts.append(members[num_val:])

    train_index = np.sort(np.concatenate(train_parts))
    val_index = np.sort(np.concatenate(val_parts))
    if len(train_index) == 0 or len(val_index) == 0:
        raise ValueError(
            f"validation_fraction {fraction} of {len(labels)} images leaves an "
            "empty split; use more images or another fraction."
        )
    return train_index, val_index


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare_dataset(dataset, source, validation_fraction, seed, out_path):
    """Load a dataset, carve a stratified validation split, write one .npz.

    The .npz holds x_train, y_train, x_val, y_val, x_test, y_test (uint8) and
    the strings `source` and `dataset`. It is written atomically. Returns a
    summary: dataset, source, path, counts per split and the file's sha256.
    """
    raw = load_raw(dataset, source)
    train_index, val_index = stratified_split(raw["y_train"], validation_fraction, seed)
    prepared = {
        "x_train": raw["x_train"][train_index],
        "y_train": raw["y_train"][train_index],
        "x_val": raw["x_train"][val_index],
        "y_val": raw["y_train"][val_index],
        "x_test": raw["x_test"],
        "y_test": raw["y_test"],
    }

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=out_path.parent, prefix=f".{out_path.name}."
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez_compressed(
                stream,
                **prepared,
                source=np.array(raw["source"]),
                dataset=np.array(dataset),
            )
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it private; others may read it
        os.replace(temporary, out_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

    return {
        "dataset": dataset,
        "source": raw["source"],
        "path": str(out_path),
        "counts": {
            "train": len(train_index),
            "validation": len(val_index),
            "test": len(raw["y_test"]),
        },
        "sha256": sha256_of(out_path),
    }


def load_prepared(path):
    """Read a file written by prepare_dataset.

    Returns the six uint8 arrays (x_train, y_train, x_val, y_val, x_test,
    y_test; unscaled) plus `source` and `dataset` as plain strings.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [
                key
                for key in (*PREPARED_KEYS, "source", "dataset")
                if key not in archive.files
            ]
            if missing:
                raise DataError(
                    f"{path}: lacks {', '.join(missing)}; it was not written by "
                    "prepare_dataset. Delete it and run the prepare_data rule again."
                )
            prepared = {key: archive[key] for key in PREPARED_KEYS}
            prepared["source"] = str(archive["source"])
            prepared["dataset"] = str(archive["dataset"])
    except FileNotFoundError:
        raise DataError(
            f"{path}: prepared data not found; run the prepare_data rule first."
        ) from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(
            f"{path}: cannot be read ({error}); delete it and run the "
            "prepare_data rule again."
        ) from error
    return prepared
