"""The pixel-permutation experiment: invariance, the permutation, selection, table.

Real Keras layers and the shipped real samples; the end-to-end run of the
experiment is in tests/test_workflow.py.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from dlgrid import grid
from dlgrid.data import load_raw, stratified_split
from dlgrid.models import build_mlp
from dlgrid.permutation import (
    check_permutation,
    make_permutation,
    markdown_table,
    permute_images,
    permute_splits,
    read_published,
    repeat_seed,
    select_best,
    summarise,
    summary_rst,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def config():
    with open(REPO / "config" / "config.yaml") as stream:
        return yaml.safe_load(stream)


@pytest.fixture(scope="module")
def mnist_sample():
    return load_raw("mnist", "sample")


# The two MLP structures of the spec: 10288 is (512, 256), relu (best MLP on
# Fashion-MNIST), 10220 is (256, 128), sigmoid, dropout 0.2 (best on MNIST).
@pytest.mark.parametrize(
    ("case_id", "layers"), [(10288, "512-256"), (10220, "256-128")]
)
def test_dense_first_layer_absorbs_a_fixed_permutation(
    config, mnist_sample, case_id, layers
):
    case = grid.decode_case_id("mlp", config["networks"]["mlp"]["grid"], case_id)
    assert case["layers"] == layers
    permutation = make_permutation(seed=7)
    images = mnist_sample["x_test"][:64].astype("float32") / 255.0
    permuted_images = permute_images(images, permutation)

    original = build_mlp(case)
    absorbing = build_mlp(case)
    kernel, bias, *deeper = original.get_weights()
    # Pixel j of a permuted image is pixel permutation[j] of the original, so
    # row j of the new kernel must be row permutation[j] of the old one.
    absorbing.set_weights([kernel[permutation], bias, *deeper])

    expected = original(images, training=False).numpy()
    np.testing.assert_allclose(
        absorbing(permuted_images, training=False).numpy(),
        expected,
        rtol=1e-5,
        atol=1e-6,
    )
    # Without permuting the kernel the outputs do change: the check has teeth.
    unabsorbed = original(permuted_images, training=False).numpy()
    assert np.abs(unabsorbed - expected).max() > 1e-3


def test_one_permutation_on_every_split_moves_pixels_and_keeps_labels(mnist_sample):
    train_index, val_index = stratified_split(mnist_sample["y_train"], 0.1, seed=0)
    data = {
        "x_train": mnist_sample["x_train"][train_index],
        "y_train": mnist_sample["y_train"][train_index],
        "x_val": mnist_sample["x_train"][val_index],
        "y_val": mnist_sample["y_train"][val_index],
        "x_test": mnist_sample["x_test"],
        "y_test": mnist_sample["y_test"],
    }
    permutation = make_permutation(seed=42)
    permuted = permute_splits(data, permutation)
    inverse = np.argsort(permutation)

    assert np.count_nonzero(permutation != np.arange(784)) > 700
    for split in ("train", "val", "test"):
        before, after = data[f"x_{split}"], permuted[f"x_{split}"]
        flat_before = before.reshape(len(before), -1)
        flat_after = after.reshape(len(after), -1)

        assert after.shape == before.shape and after.dtype == np.uint8
        np.testing.assert_array_equal(flat_after, flat_before[:, permutation])
        np.testing.assert_array_equal(
            np.sort(flat_after, axis=1), np.sort(flat_before, axis=1)
        )
        np.testing.assert_array_equal(permute_images(after, inverse), before)
        np.testing.assert_array_equal(permuted[f"y_{split}"], data[f"y_{split}"])
        assert not np.array_equal(after, before)


def test_permutation_is_reproducible_from_its_seed_and_checked():
    first = make_permutation(seed=42)

    np.testing.assert_array_equal(first, make_permutation(seed=42))
    assert not np.array_equal(first, make_permutation(seed=43))
    check_permutation(first)

    repeated = first.copy()
    repeated[0] = repeated[1]
    with pytest.raises(ValueError, match="not a permutation"):
        check_permutation(repeated)
    with pytest.raises(ValueError, match="784 integer pixel indices"):
        check_permutation(first[:100])


def test_repeat_zero_keeps_the_sweep_seed_and_other_repeats_differ():
    assert repeat_seed(42, 0) == 42
    assert len({repeat_seed(42, repeat) for repeat in range(5)}) == 5


def case_row(case_id, network, status, val_accuracy, val_loss, dataset="mnist"):
    return {
        "case_id": case_id,
        "dataset": dataset,
        "network": network,
        "status": status,
        "val_accuracy": val_accuracy,
        "val_loss": val_loss,
        "test_accuracy": 0.5,
    }


def test_selection_takes_best_ok_case_with_stated_tie_breaks():
    cases = pd.DataFrame(
        [
            case_row(10001, "mlp", "ok", 0.97, 0.10),
            case_row(10002, "mlp", "ok", 0.98, 0.12),
            case_row(10003, "mlp", "ok", 0.98, 0.09),  # tie: lower loss wins
            case_row(10004, "mlp", "diverged", 0.99, 0.01),  # not ok
            case_row(20001, "cnn", "ok", 0.90, 0.30),
            case_row(20000, "cnn", "ok", 0.90, 0.30),  # full tie: lower ID wins
            case_row(10005, "mlp", "ok", 0.99, 0.05, dataset="fashion_mnist"),
        ]
    )

    selected = select_best(cases, [["mnist", "mlp"], ["mnist", "cnn"]])

    assert selected["case_id"].tolist() == [10003, 20000]
    assert selected["candidates"].tolist() == [3, 2]

    with pytest.raises(ValueError, match="no case of cnn on fashion_mnist"):
        select_best(cases, [["fashion_mnist", "cnn"]])


def run(network, variant, repeat, train, val, test, status="ok"):
    return {
        "dataset": "fashion_mnist",
        "network": network,
        "case_id": 10288 if network == "mlp" else 20004,
        "variant": variant,
        "repeat": repeat,
        "seed": 0,
        "status": status,
        "train_accuracy": train,
        "val_accuracy": val,
        "test_accuracy": test,
    }


def test_table_gives_means_spread_difference_and_published_figures(repo):
    runs = pd.DataFrame(
        [
            run("mlp", "original", 0, 0.90, 0.88, 0.87),
            run("mlp", "original", 1, 0.92, 0.90, 0.89),
            run("mlp", "permuted", 0, 0.91, 0.89, 0.86),
            run("mlp", "permuted", 1, 0.91, 0.89, 0.88),
            run("cnn", "original", 0, 0.90, 0.90, 0.90),
            run("cnn", "original", 1, 0.10, None, None, status="diverged"),
            run("cnn", "permuted", 0, 0.80, 0.80, 0.79),
            run("cnn", "permuted", 1, 0.82, 0.80, 0.81),
        ]
    )
    published = read_published(repo / "data" / "reference" / "table5_permuted.tsv")

    table = summarise(runs, published).set_index(["network", "split"])

    mlp_test = table.loc[("mlp", "test")]
    assert mlp_test["original_accuracy"] == pytest.approx(0.88)
    assert mlp_test["permuted_accuracy"] == pytest.approx(0.87)
    assert mlp_test["difference"] == pytest.approx(-0.01)
    assert mlp_test["original_sd"] == pytest.approx(np.std([0.87, 0.89], ddof=1))
    assert mlp_test["repeats"] == 2
    assert mlp_test["published_case_id"] == 10288
    assert mlp_test["published_permuted_accuracy"] == pytest.approx(0.2599)

    cnn_train = table.loc[("cnn", "train")]
    assert cnn_train["original_runs"] == 1  # the diverged run does not count
    assert cnn_train["original_accuracy"] == pytest.approx(0.90)
    assert table.loc[("cnn", "val"), "published_permuted_accuracy"] == 0.748

    markdown = markdown_table(summarise(runs, published))
    assert "0.8800 ± 0.0141 (n=2)" in markdown
    assert "0.2599 (case 10288)" in markdown
    assert "MLP on Fashion-MNIST (case 10288): test accuracy 0.8800" in summary_rst(
        summarise(runs, published)
    )


def test_config_schema_fills_defaults_and_rejects_bad_values():
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    schema = str(REPO / "config" / "schema" / "permutation.schema.yaml")
    config = {"permutation": {"repeats": 3}}
    validate(config, schema)
    assert config["permutation"] == {"repeats": 3, "enabled": True, "seed": 42}

    for wrong in ({"repeats": 0}, {"seed": -1}, {"seeds": 1}):
        with pytest.raises(WorkflowError):
            validate({"permutation": wrong}, schema)
