"""Plots of the sweep: each is a real PNG of the expected size with content."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sweep_records import make_record, write_bundle

from dlgrid import plots, tables


def pixels(figure_size):
    width, height = figure_size
    return round(width * plots.DPI), round(height * plots.DPI)


def assert_real_plot(path, size):
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == size
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 20  # not blank: axes, text and coloured marks


@pytest.fixture
def cases(tmp_path):
    """Per dataset: 40 MLP cases spread over the grid, one of them diverged,
    and three CNN cases."""
    rng = np.random.default_rng(7)
    mlp_ids = sorted(10000 + rng.choice(576, size=40, replace=False))
    manifests = []
    for dataset in ("mnist", "fashion_mnist"):
        mlp = [
            make_record(int(case_id), val, val - 0.01, dataset=dataset)
            for case_id, val in zip(mlp_ids, rng.uniform(0.8, 0.98, 40), strict=True)
        ]
        mlp[-1] = make_record(
            int(mlp_ids[-1]), 0, 0, dataset=dataset, status="diverged"
        )
        cnn = [
            make_record(case_id, 0.97 - case_id % 10 / 100, 0.96, dataset=dataset)
            for case_id in (20000, 20004, 20100)
        ]
        manifests += [write_bundle(tmp_path, mlp), write_bundle(tmp_path, cnn)]
    return tables.load_records(manifests)


def mnist_mlp(cases):
    return tables.pair_cases(cases, "mnist", "mlp")


def test_hyperparameter_effects_plot(cases, tmp_path):
    path = tmp_path / "effects.png"
    plots.plot_hyperparameter_effects(mnist_mlp(cases), path)
    assert_real_plot(path, pixels(plots.EFFECTS_SIZE))


def test_interaction_plot_shows_the_pair_with_the_largest_interaction(cases, tmp_path):
    # Make the best optimizer depend on the activation: a pure interaction.
    pair = mnist_mlp(cases)
    pair = pair[pair["status"] == "ok"].copy()
    crossed = (pair["activation"] == "relu") == (pair["optimizer"] == "adam")
    pair["val_accuracy"] = np.where(crossed, 0.95, 0.60) + pair["case_id"] * 1e-6

    path = tmp_path / "interaction.png"
    shown = plots.plot_strongest_interaction(pair, path)

    assert shown == ("activation", "optimizer")
    assert_real_plot(path, pixels(plots.INTERACTION_SIZE))


def test_interaction_rule_separates_interaction_from_main_effects():
    # l1 and l2 act additively; loss x optimizer interact.
    frame = pd.DataFrame(
        [
            {"l1": l1, "l2": l2, "loss": loss, "optimizer": optimizer}
            for l1 in (0.0, 0.01)
            for l2 in (0.0, 0.01)
            for loss in ("categorical_crossentropy", "mse")
            for optimizer in ("adam", "sgd")
        ]
    )
    frame["status"] = "ok"
    frame["val_accuracy"] = 0.9 - 2 * frame["l1"] - 3 * frame["l2"]
    mismatched = (frame["loss"] == "mse") != (frame["optimizer"] == "sgd")
    frame["val_accuracy"] -= np.where(mismatched, 0.05, 0.0)

    strengths = plots.interaction_strengths(frame, ["l1", "l2", "loss", "optimizer"])
    by_pair = strengths.set_index(["first", "second"])["interaction"]

    assert by_pair[("l1", "l2")] == pytest.approx(0.0, abs=1e-12)
    assert by_pair[("loss", "optimizer")] == pytest.approx(0.025**2)
    chosen, measured = plots.strongest_interaction(
        frame, ["l1", "l2", "loss", "optimizer"]
    )
    assert measured and (chosen["first"], chosen["second"]) == ("loss", "optimizer")


def test_learning_curves_plot_reads_histories_of_the_top_cases(cases, tmp_path):
    path = tmp_path / "curves.png"
    plots.plot_learning_curves(mnist_mlp(cases), path, top=5)
    assert_real_plot(path, pixels(plots.CURVES_SIZE))


def test_network_comparison_plot_has_a_panel_per_dataset(cases, tmp_path):
    path = tmp_path / "networks.png"
    plots.plot_network_comparison(cases, path)
    width, height = plots.NETWORKS_PANEL_SIZE
    assert_real_plot(path, pixels((2 * width, height)))


def test_training_time_plot(cases, tmp_path):
    path = tmp_path / "time.png"
    plots.plot_training_time(cases, path)
    assert_real_plot(path, pixels(plots.TIME_SIZE))


def test_plots_of_a_pair_with_only_diverged_cases_say_so(cases, tmp_path):
    diverged = mnist_mlp(cases).query("status == 'diverged'")
    path = tmp_path / "effects.png"
    plots.plot_hyperparameter_effects(diverged, path)
    assert_real_plot(path, pixels(plots.EFFECTS_SIZE))
    assert plots.plot_strongest_interaction(diverged, tmp_path / "i.png") is None
