from pathlib import Path

import pandas as pd
import pytest
import yaml

from dlgrid import grid

REPO = Path(__file__).resolve().parents[1]
CCE = "categorical_crossentropy"


@pytest.fixture(scope="module")
def networks():
    return yaml.safe_load((REPO / "config/config.yaml").read_text())["networks"]


def test_default_grid_has_the_original_1920_cases(networks):
    mlp = grid.expand_grid("mlp", networks["mlp"]["grid"])
    cnn = grid.expand_grid("cnn", networks["cnn"]["grid"])

    assert (len(mlp), len(cnn)) == (576, 384)
    assert 2 * (len(mlp) + len(cnn)) == 1920
    assert [case["case_id"] for case in mlp] == list(range(10000, 10576))
    assert [case["case_id"] for case in cnn] == list(range(20000, 20384))


@pytest.mark.parametrize(
    ("network", "case_id", "expected"),
    [
        ("mlp", 10000, ("uniform", "512-256", "relu", 0, 0, 0.0, CCE, "adam")),
        ("mlp", 10220, ("uniform", "256-128", "sigmoid", 0, 0, 0.2, CCE, "adam")),
        (
            "mlp",
            10366,
            ("random_normal", "512-256", "sigmoid", 0, 0, 0.2, "mse", "adam"),
        ),
        ("cnn", 20004, ("uniform", 1, "relu", 0, 0, 0.2, CCE, "adam")),
        ("cnn", 20288, ("random_normal", 2, "relu", 0, 0, 0.0, CCE, "adam")),
        ("cnn", 20304, ("random_normal", 2, "relu", 0, 0.001, 0.0, CCE, "adam")),
    ],
)
def test_worked_ids_of_the_spec_decode_as_published(
    networks, network, case_id, expected
):
    case = grid.decode_case_id(network, networks[network]["grid"], case_id)
    names = grid.HYPERPARAMETERS[network]

    assert tuple(case[name] for name in names) == expected


def test_strides_match_the_spec(networks):
    assert list(grid.strides("mlp", networks["mlp"]["grid"]).values()) == [
        288,
        144,
        72,
        24,
        8,
        4,
        2,
        1,
    ]
    assert list(grid.strides("cnn", networks["cnn"]["grid"]).values()) == [
        192,
        96,
        48,
        24,
        8,
        4,
        2,
        1,
    ]


def test_published_rows_decode_to_their_printed_parameters(networks):
    reference = pd.read_csv(
        REPO / "data/reference/table1_mnist_mlp.tsv", sep="\t"
    ).head(10)
    for row in reference.itertuples():
        case = grid.decode_case_id("mlp", networks["mlp"]["grid"], row.ID)
        assert case["layers"] == row.Layer.strip("()").replace(", ", "-")
        assert case["activation"] == row.Act
        assert case["dropout"] == row.Dout


def test_case_id_selection_and_unknown_ids(networks):
    config = {"grid": networks["cnn"]["grid"], "case_ids": [20288, 20004, 20004]}
    assert [c["case_id"] for c in grid.selected_cases("cnn", config)] == [20004, 20288]

    with pytest.raises(ValueError, match=r"\[99999\] are not in the cnn grid"):
        grid.selected_cases("cnn", {**config, "case_ids": [99999]})


def test_bundles_cover_every_case_once(networks):
    cases = grid.expand_grid("mlp", networks["mlp"]["grid"])
    chunks = grid.bundles(cases, 16)

    assert len(chunks) == 36
    assert [c for chunk in chunks for c in chunk] == cases
    assert len(grid.bundles(cases[:20], 16)[-1]) == 4
