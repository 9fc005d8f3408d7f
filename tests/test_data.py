"""The data stage: IDX reading, sources, the stratified split, the prepared file."""

import gzip
import hashlib
import subprocess
import sys

import numpy as np
import pytest

from dlgrid import data
from dlgrid.data import (
    IDX_FILE_NAMES,
    DataError,
    load_prepared,
    load_raw,
    prepare_dataset,
    read_idx,
    stratified_split,
)


def idx_bytes(array):
    """An IDX file's content: magic, one big-endian size per dimension, pixels."""
    magic = 0x00000803 if array.ndim == 3 else 0x00000801
    header = magic.to_bytes(4, "big")
    header += b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path, array):
    content = idx_bytes(array)
    if path.suffix == ".gz":
        with gzip.open(path, "wb", compresslevel=1) as stream:
            stream.write(content)
    else:
        path.write_bytes(content)
    return path


def write_idx_folder(folder, arrays, gzipped=("x_train", "y_train", "x_test")):
    """The four standard IDX files; those not in `gzipped` stay un-gzipped."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, name in IDX_FILE_NAMES.items():
        suffix = ".gz" if key in gzipped else ""
        write_idx(folder / f"{name}{suffix}", arrays[key])
    return folder


@pytest.fixture(scope="module")
def mnist_sample():
    with np.load(data.SAMPLES_DIR / "mnist.npz") as archive:
        return {key: archive[key] for key in archive.files}


@pytest.fixture(scope="module")
def fashion_sample():
    with np.load(data.SAMPLES_DIR / "fashion_mnist.npz") as archive:
        return {key: archive[key] for key in archive.files}


# --- IDX files ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_read_idx_round_trip(tmp_path, suffix):
    generator = np.random.default_rng(0)
    images = generator.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    labels = generator.integers(0, 10, size=7, dtype=np.uint8)

    read_images = read_idx(write_idx(tmp_path / f"images{suffix}", images))
    read_labels = read_idx(write_idx(tmp_path / f"labels{suffix}", labels))

    assert read_images.dtype == np.uint8 and read_images.shape == (7, 28, 28)
    np.testing.assert_array_equal(read_images, images)
    np.testing.assert_array_equal(read_labels, labels)


def test_truncated_idx_file_names_the_file(tmp_path):
    images = np.zeros((5, 28, 28), dtype=np.uint8)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(idx_bytes(images)[:-100])  # header says 5 images, fewer follow

    with pytest.raises(DataError, match="truncated") as caught:
        read_idx(path)
    assert str(path) in str(caught.value)


def test_cut_gzip_stream_names_the_file(tmp_path):
    generator = np.random.default_rng(1)
    images = generator.integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    path = write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    with pytest.raises(DataError) as caught:
        read_idx(path)
    assert str(path) in str(caught.value)


def test_bad_magic_names_the_file(tmp_path):
    content = bytearray(idx_bytes(np.zeros(4, dtype=np.uint8)))
    content[3] = 0x02  # 0x00000802: not an IDX uint8 label or image header
    path = tmp_path / "labels"
    path.write_bytes(bytes(content))

    with pytest.raises(DataError, match="magic number 0x00000802") as caught:
        read_idx(path)
    assert str(path) in str(caught.value)


# --- sources -----------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_sample_source_is_the_shipped_real_data(dataset):
    raw = load_raw(dataset, "sample")

    assert raw["x_train"].shape == (5000, 28, 28)
    assert raw["x_test"].shape == (1000, 28, 28)
    assert raw["x_train"].dtype == raw["y_train"].dtype == np.uint8
    assert set(np.unique(raw["y_train"])) == set(range(10))
    assert set(np.unique(raw["y_test"])) == set(range(10))
    # Real images: mostly black background with bright strokes, not noise.
    assert 0.1 < (raw["x_train"] > 127).mean() < 0.5
    assert "shipped sample" in raw["source"]


def test_npz_source(tmp_path, mnist_sample):
    subset = {
        "x_train": mnist_sample["x_train"][::10],
        "y_train": mnist_sample["y_train"][::10].astype(np.int64),  # any int type
        "x_test": mnist_sample["x_test"][:100],
        "y_test": mnist_sample["y_test"][:100],
    }
    path = tmp_path / "my-mnist.npz"
    np.savez(path, **subset)

    raw = load_raw("mnist", str(path))

    np.testing.assert_array_equal(raw["x_train"], subset["x_train"])
    np.testing.assert_array_equal(raw["y_train"], subset["y_train"])
    np.testing.assert_array_equal(raw["x_test"], subset["x_test"])
    assert raw["y_train"].dtype == np.uint8
    assert str(path) in raw["source"]


def test_folder_source_reads_gzipped_and_plain_idx_files(tmp_path, fashion_sample):
    folder = write_idx_folder(tmp_path / "fashion", fashion_sample)
    assert (folder / "t10k-labels-idx1-ubyte").is_file()  # one plain file

    raw = load_raw("fashion_mnist", folder)

    for key in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(raw[key], fashion_sample[key])
    assert str(folder) in raw["source"]


def test_folder_source_lists_missing_files(tmp_path, fashion_sample):
    folder = write_idx_folder(tmp_path / "fashion", fashion_sample)
    (folder / "train-labels-idx1-ubyte.gz").unlink()

    with pytest.raises(DataError, match="missing train-labels-idx1-ubyte.gz"):
        load_raw("fashion_mnist", folder)


def test_missing_source_path_says_what_to_give(tmp_path):
    with pytest.raises(DataError, match="no such file or folder") as caught:
        load_raw("mnist", tmp_path / "nowhere")
    assert "'sample' or 'auto'" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x_train": lambda x: x.astype(np.float32) / 255}, "dtype float32"),
        ({"x_test": lambda x: x[:, :27, :]}, r"shape \(1000, 27, 28\)"),
        ({"y_train": lambda y: np.eye(10, dtype=np.uint8)[y]}, "not one-hot"),
        ({"y_test": lambda y: y[:-1]}, "1000 images in x_test but 999 labels"),
        ({"y_train": lambda y: y + 1}, r"labels 1\.\.10; expected 0\.\.9"),
    ],
)
def test_bad_arrays_give_clear_errors(tmp_path, mnist_sample, change, message):
    arrays = {key: mnist_sample[key] for key in data.RAW_KEYS}
    for key, edit in change.items():
        arrays[key] = edit(arrays[key])
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)

    with pytest.raises(DataError, match=message) as caught:
        load_raw("mnist", path)
    assert str(path) in str(caught.value)


def test_npz_without_needed_arrays(tmp_path, mnist_sample):
    path = tmp_path / "partial.npz"
    np.savez(path, x_train=mnist_sample["x_train"], y_train=mnist_sample["y_train"])

    with pytest.raises(DataError, match="lacks the arrays x_test, y_test"):
        load_raw("mnist", path)


def test_unknown_dataset():
    with pytest.raises(DataError, match="Unknown dataset 'cifar10'"):
        load_raw("cifar10", "sample")


# --- "auto" ------------------------------------------------------------------


@pytest.fixture
def empty_places(tmp_path, monkeypatch):
    """An empty Keras cache and an empty system datasets folder."""
    keras_home = tmp_path / "keras-home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setattr(data, "SYSTEM_DATASETS_DIR", tmp_path / "system-datasets")
    return keras_home, tmp_path / "system-datasets"


def test_auto_finds_the_keras_cache(empty_places, mnist_sample):
    keras_home, _ = empty_places
    (keras_home / "datasets").mkdir()
    np.savez(keras_home / "datasets" / "mnist.npz", **mnist_sample)

    raw = load_raw("mnist", "auto")

    assert raw["source"] == f"Keras cache {keras_home / 'datasets' / 'mnist.npz'}"
    np.testing.assert_array_equal(raw["y_test"], mnist_sample["y_test"])


def test_auto_finds_the_fashion_keras_cache_folder(empty_places, fashion_sample):
    keras_home, _ = empty_places
    write_idx_folder(keras_home / "datasets" / "fashion-mnist", fashion_sample)

    raw = load_raw("fashion_mnist", "auto")

    assert raw["source"].startswith("Keras cache")
    np.testing.assert_array_equal(raw["x_train"], fashion_sample["x_train"])


def test_auto_skips_a_corrupt_cache_for_the_system_folder(empty_places, mnist_sample):
    keras_home, system_dir = empty_places
    (keras_home / "datasets").mkdir()
    (keras_home / "datasets" / "mnist.npz").write_bytes(b"not a zip file")
    write_idx_folder(system_dir / "mnist", mnist_sample)

    raw = load_raw("mnist", "auto")

    assert raw["source"] == f"system folder {system_dir / 'mnist'}"
    np.testing.assert_array_equal(raw["x_train"], mnist_sample["x_train"])


def test_auto_with_nothing_available_lists_every_place_tried(empty_places):
    """The Keras download runs for real; this machine has no network."""
    keras_home, system_dir = empty_places

    try:
        raw = load_raw("mnist", "auto")
    except DataError as error:
        message = str(error)
    else:  # only on a machine with internet: the download is what worked
        assert raw["source"].startswith("download by keras.datasets")
        assert len(raw["y_train"]) == 60000
        return

    assert message.count("No mnist data found") == 1
    assert f"1. Keras cache: {keras_home / 'datasets' / 'mnist.npz'}" in message
    assert f"2. system folder: {system_dir / 'mnist'}: folder not found" in message
    assert "3. download by keras.datasets.mnist.load_data(): " in message
    assert "train-images-idx3-ubyte.gz" in message
    assert "`data_sources: {mnist: /path/to/that/folder}`" in message
    assert 'python -c "import keras; keras.datasets.mnist.load_data()"' in message


# --- the stratified split ----------------------------------------------------


@pytest.mark.parametrize("fraction", [0.1, 0.25])
def test_stratified_split_keeps_class_shares(mnist_sample, fraction):
    labels = mnist_sample["y_test"]  # real, unequal class counts (89..114)

    train_index, val_index = stratified_split(labels, fraction, seed=3)

    for label in range(10):
        count = np.sum(labels == label)
        assert abs(np.sum(labels[val_index] == label) - fraction * count) <= 1
    assert len(np.intersect1d(train_index, val_index)) == 0
    np.testing.assert_array_equal(
        np.sort(np.concatenate([train_index, val_index])), np.arange(len(labels))
    )


def test_stratified_split_is_deterministic_per_seed(mnist_sample):
    labels = mnist_sample["y_train"]

    first = stratified_split(labels, 0.1, seed=42)
    again = stratified_split(labels, 0.1, seed=42)
    other = stratified_split(labels, 0.1, seed=43)

    np.testing.assert_array_equal(first[1], again[1])
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[1], other[1])


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.1])
def test_stratified_split_rejects_bad_fractions(fraction):
    with pytest.raises(ValueError, match="validation_fraction"):
        stratified_split(np.arange(10) % 2, fraction, seed=0)


# --- the prepared file -------------------------------------------------------


def test_prepare_dataset_writes_disjoint_splits(tmp_path, mnist_sample):
    out_path = tmp_path / "resources" / "mnist.npz"

    summary = prepare_dataset("mnist", "sample", 0.1, 42, out_path)

    assert summary["counts"] == {"train": 4500, "validation": 500, "test": 1000}
    assert summary["sha256"] == hashlib.sha256(out_path.read_bytes()).hexdigest()
    assert not list(out_path.parent.glob(".*"))  # no temporary file left

    with np.load(out_path, allow_pickle=False) as archive:
        assert set(archive.files) == {*data.PREPARED_KEYS, "source", "dataset"}
    prepared = load_prepared(out_path)
    assert prepared["dataset"] == "mnist"
    assert prepared["source"] == summary["source"]
    assert "shipped sample" in prepared["source"]
    for key in data.PREPARED_KEYS:
        assert prepared[key].dtype == np.uint8
    assert prepared["x_train"].shape == (4500, 28, 28)
    assert prepared["x_val"].shape == (500, 28, 28)
    np.testing.assert_array_equal(prepared["x_test"], mnist_sample["x_test"])
    assert np.bincount(prepared["y_val"]).tolist() == [50] * 10

    # Train and validation images together are exactly the original training set.
    def image_keys(images):
        return [image.tobytes() for image in images]

    train_images = set(image_keys(prepared["x_train"]))
    val_images = set(image_keys(prepared["x_val"]))
    assert not train_images & val_images
    assert sorted(image_keys(prepared["x_train"]) + image_keys(prepared["x_val"])) == (
        sorted(image_keys(mnist_sample["x_train"]))
    )


def test_prepare_dataset_keeps_labels_with_their_images(tmp_path, mnist_sample):
    out_path = tmp_path / "mnist.npz"
    prepare_dataset("mnist", "sample", 0.2, 7, out_path)
    prepared = load_prepared(out_path)

    label_of = {
        image.tobytes(): label
        for image, label in zip(
            mnist_sample["x_train"], mnist_sample["y_train"], strict=True
        )
    }
    for split in ("train", "val"):
        images, labels = prepared[f"x_{split}"], prepared[f"y_{split}"]
        assert all(
            label_of[image.tobytes()] == label
            for image, label in zip(images, labels, strict=True)
        )


def test_load_prepared_missing_file_says_to_run_the_rule(tmp_path):
    with pytest.raises(DataError, match="run the prepare_data rule"):
        load_prepared(tmp_path / "mnist.npz")


# --- the workflow rule -------------------------------------------------------


@pytest.mark.slow
def test_prepare_data_rule_logs_source_and_split_sizes(tmp_path, repo):
    """The rule on its own: a Snakefile holding only the shared code and data.smk."""
    (tmp_path / "config.yaml").write_text(
        f"data_sources:\n  fashion_mnist: {repo / 'data/samples/fashion_mnist.npz'}\n"
        "validation_fraction: 0.2\nseed: 5\n"
    )
    (tmp_path / "Snakefile").write_text(
        f'configfile: "{repo / "config" / "config.yaml"}"\n'
        'configfile: "config.yaml"\n'
        f'include: "{repo / "rules" / "common.smk"}"\n'
        f'include: "{repo / "rules" / "data.smk"}"\n'
    )
    command = [sys.executable, "-m", "snakemake", "--cores", "1"]
    command += ["resources/data/fashion_mnist.npz"]
    subprocess.run(
        command, cwd=tmp_path, check=True, capture_output=True, text=True, timeout=600
    )

    log_text = (tmp_path / "logs" / "data" / "fashion_mnist.log").read_text()
    assert "Source used: file " in log_text
    assert "data/samples/fashion_mnist.npz" in log_text
    assert "4000 train, 1000 validation (fraction 0.2, seed 5), 1000 test" in log_text
    prepared = load_prepared(tmp_path / "resources" / "data" / "fashion_mnist.npz")
    assert np.bincount(prepared["y_val"]).tolist() == [100] * 10
