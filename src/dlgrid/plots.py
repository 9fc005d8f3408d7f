"""Seaborn plots of the sweep, drawn from the all-cases table (`dlgrid.tables`).

Every function takes a frame with the columns of `tables.COLUMNS` and a PNG
path, and draws on its own matplotlib `Figure` (no pyplot state, no display
needed). Cases whose status is not "ok" (diverged: no validation accuracy)
are left out of the accuracy plots; each title says how many.
"""

import itertools
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from dlgrid import grid
from dlgrid.tables import DATASET_NAMES, load_histories, pair_title, rank_cases

# Seaborn hands category labels such as "0.01" to matplotlib as text, which
# then logs at INFO level for every panel that it did not parse them as numbers.
logging.getLogger("matplotlib.category").setLevel(logging.WARNING)

DPI = 100
NETWORK_ORDER = ("mlp", "cnn")
EFFECTS_SIZE = (16, 7.5)  # inches; two rows of four panels
INTERACTION_SIZE = (8, 6)
CURVES_SIZE = (14, 5.5)
NETWORKS_PANEL_SIZE = (6, 5.5)  # per dataset
TIME_SIZE = (14, 5.5)


def _figure(size, rows=1, columns=1):
    with sns.axes_style("whitegrid"):
        figure = Figure(figsize=size, dpi=DPI, layout="constrained")
        axes = figure.subplots(rows, columns, squeeze=False)
    return figure, axes


def _save(figure, path):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI)


def _finished(frame):
    return frame[frame["status"] == "ok"]


def _left_out(frame):
    unfinished = int((frame["status"] != "ok").sum())
    return f"{unfinished} diverged left out" if unfinished else "none diverged"


def _no_data(figure, axes, message):
    for ax in axes.flat:
        ax.set_axis_off()
    axes.flat[0].text(0.5, 0.5, message, ha="center", va="center", fontsize=14)
    figure.suptitle("Nothing to plot")


def _single_pair(frame):
    pairs = frame[["dataset", "network"]].drop_duplicates()
    if len(pairs) != 1:
        raise ValueError(
            f"expected the cases of one (dataset, network) pair, got {len(pairs)}"
        )
    return pairs.iloc[0]["dataset"], pairs.iloc[0]["network"]


def _value_order(values):
    return sorted(values.dropna().unique().tolist())


def plot_hyperparameter_effects(frame, path):
    """Validation accuracy per value of each hyperparameter, one panel each.

    Dots are cases, black diamonds the mean per value. `frame`: one pair.
    """
    dataset, network = _single_pair(frame)
    names = grid.HYPERPARAMETERS[network]
    finished = _finished(frame)
    figure, axes = _figure(EFFECTS_SIZE, rows=2, columns=4)
    if finished.empty:
        _no_data(figure, axes, "no finished cases")
        _save(figure, path)
        return

    for ax, name in zip(axes.flat, names, strict=True):
        order = _value_order(finished[name])
        sns.stripplot(
            data=finished,
            x=name,
            y="val_accuracy",
            order=order,
            ax=ax,
            color="tab:blue",
            alpha=0.35,
            size=4,
            jitter=0.25,
        )
        sns.pointplot(
            data=finished,
            x=name,
            y="val_accuracy",
            order=order,
            ax=ax,
            errorbar=None,
            color="black",
            markers="D",
            linestyle="none",
        )
        ax.set_title(name)
        ax.set_xlabel("")
        ax.set_ylabel("validation accuracy")
    figure.suptitle(
        f"{pair_title(dataset, network)}: validation accuracy by hyperparameter "
        f"({len(finished)} cases, {_left_out(frame)}; diamonds: mean)"
    )
    _save(figure, path)


def interaction_strengths(frame, names):
    """How strongly each pair of hyperparameters interacts on validation accuracy.

    For each pair, the mean validation accuracy of every observed cell (value
    combination) is fitted by an additive model (grand mean + one effect per
    value of each). `interaction` is the mean squared residual of that fit:
    the variance of the cell means that the two main effects do not explain.
    `residual_df` is the number of cells beyond what the additive model has
    parameters for; with 0 the interaction cannot be told apart from the main
    effects, and `interaction` and `share` are NaN. `share` is the residual's
    share of the cell-mean variance.
    """
    finished = _finished(frame)
    rows = []
    for first, second in itertools.combinations(names, 2):
        cells = finished.groupby([first, second])["val_accuracy"].mean()
        cells = cells.reset_index()
        first_values, second_values = cells[first].nunique(), cells[second].nunique()
        if first_values < 2 or second_values < 2:
            continue
        main_effects = pd.get_dummies(
            cells[[first, second]].astype(str), drop_first=True, dtype=float
        )
        design = np.column_stack([np.ones(len(cells)), main_effects.to_numpy()])
        means = cells["val_accuracy"].to_numpy()
        coefficients, *_ = np.linalg.lstsq(design, means, rcond=None)
        residuals = means - design @ coefficients
        residual_df = len(cells) - (first_values + second_values - 1)
        spread = float(np.sum((means - means.mean()) ** 2))
        interaction, share = np.nan, np.nan
        if residual_df > 0:
            interaction = float(np.mean(residuals**2))
            share = float(np.sum(residuals**2)) / spread if spread else 0.0
        rows.append(
            {
                "first": first,
                "second": second,
                "cells": len(cells),
                "residual_df": residual_df,
                "interaction": interaction,
                "cell_variance": spread / len(cells),
                "share": share,
            }
        )
    columns = ["first", "second", "cells", "residual_df", "interaction"]
    return pd.DataFrame(rows, columns=[*columns, "cell_variance", "share"])


def strongest_interaction(frame, names):
    """The pair to show, by the rule of `interaction_strengths`.

    The pair with the largest interaction among those where it can be
    measured (residual_df > 0). If no pair can be measured (a small run with
    few cells), the pair whose cell means vary most. Ties: the first pair in
    hyperparameter order. Returns (row as a Series, measured: bool), or
    (None, False) when no pair has two values on both sides.
    """
    strengths = interaction_strengths(frame, names)
    if strengths.empty:
        return None, False
    measurable = strengths[strengths["residual_df"] > 0]
    if not measurable.empty:
        return measurable.loc[measurable["interaction"].idxmax()], True
    return strengths.loc[strengths["cell_variance"].idxmax()], False


def plot_strongest_interaction(frame, path):
    """Heatmap of mean validation accuracy over the strongest-interacting pair.

    `frame`: one pair. Returns the two hyperparameter names shown (or None).
    """
    dataset, network = _single_pair(frame)
    chosen, measured = strongest_interaction(frame, grid.HYPERPARAMETERS[network])
    figure, axes = _figure(INTERACTION_SIZE)
    if chosen is None:
        _no_data(figure, axes, "no pair of hyperparameters with two values each")
        _save(figure, path)
        return None

    first, second = chosen["first"], chosen["second"]
    cell_means = _finished(frame).pivot_table(
        index=first, columns=second, values="val_accuracy", aggfunc="mean"
    )
    sns.heatmap(
        cell_means,
        ax=axes[0, 0],
        annot=True,
        fmt=".3f",
        cmap="viridis",
        cbar_kws={"label": "mean validation accuracy"},
    )
    if measured:
        how = (
            f"interaction variance {chosen['interaction']:.2e}, "
            f"{chosen['share']:.0%} of the cell-mean variance"
        )
    else:
        how = "too few cells to measure an interaction: the pair varying most"
    figure.suptitle(
        f"{pair_title(dataset, network)}: strongest two-way interaction, "
        f"{first} x {second}\n({how})"
    )
    _save(figure, path)
    return first, second


def plot_learning_curves(frame, path, top=5):
    """Validation accuracy and loss per epoch of the `top` best cases.

    `frame`: one pair; the best are ranked by validation accuracy
    (`tables.rank_cases`), and their histories read from their records.
    """
    dataset, network = _single_pair(frame)
    best = rank_cases(_finished(frame)).head(top)
    figure, axes = _figure(CURVES_SIZE, columns=2)
    if best.empty:
        _no_data(figure, axes, "no finished cases")
        _save(figure, path)
        return

    labels = {
        case_id: f"#{rank} {case_id}"
        for rank, case_id in zip(best["rank"], best["case_id"], strict=True)
    }
    histories = load_histories(best)
    histories["case"] = histories["case_id"].map(labels)
    order = list(labels.values())
    accuracy = histories[histories["metric"] == "val_accuracy"]
    losses = histories[histories["metric"].isin(["loss", "val_loss"])].replace(
        {"metric": {"loss": "training", "val_loss": "validation"}}
    )
    sns.lineplot(
        data=accuracy,
        x="epoch",
        y="value",
        hue="case",
        hue_order=order,
        marker="o",
        ax=axes[0, 0],
    )
    sns.lineplot(
        data=losses,
        x="epoch",
        y="value",
        hue="case",
        hue_order=order,
        style="metric",
        style_order=["training", "validation"],
        marker="o",
        ax=axes[0, 1],
    )
    axes[0, 0].set_ylabel("validation accuracy")
    axes[0, 0].set_title("validation accuracy per epoch")
    axes[0, 1].set_ylabel("loss (log scale)")
    axes[0, 1].set_yscale("log")
    axes[0, 1].set_title("loss per epoch (includes regularization terms)")
    last_epoch = histories["epoch"].max()
    for ax in axes.flat:
        ax.set_xlim(0.5, last_epoch + 0.5)
        ax.xaxis.get_major_locator().set_params(integer=True)
    figure.suptitle(
        f"{pair_title(dataset, network)}: learning curves of the top {len(best)} "
        "cases by validation accuracy"
    )
    _save(figure, path)


def _networks_present(frame):
    present = set(frame["network"])
    return [network for network in NETWORK_ORDER if network in present] + sorted(
        present - set(NETWORK_ORDER)
    )


def plot_network_comparison(frame, path):
    """MLP vs CNN: validation and test accuracy of every case, a panel per dataset."""
    datasets = list(frame["dataset"].unique())  # in config order
    finished = _finished(frame)
    width, height = NETWORKS_PANEL_SIZE
    figure, axes = _figure((width * len(datasets), height), columns=len(datasets))
    accuracies = finished.melt(
        id_vars=["dataset", "network", "case_id"],
        value_vars=["val_accuracy", "test_accuracy"],
        var_name="split",
        value_name="accuracy",
    ).replace({"split": {"val_accuracy": "validation", "test_accuracy": "test"}})
    networks = _networks_present(frame)
    for index, (ax, dataset) in enumerate(zip(axes.flat, datasets, strict=True)):
        shown = accuracies[accuracies["dataset"] == dataset]
        common = {
            "data": shown,
            "x": "network",
            "y": "accuracy",
            "hue": "split",
            "order": networks,
            "hue_order": ["validation", "test"],
            "ax": ax,
        }
        sns.boxplot(**common, showfliers=False, fill=False, legend=index == 0)
        sns.stripplot(**common, dodge=True, alpha=0.4, size=4, legend=False)
        cases = finished[finished["dataset"] == dataset]["network"].value_counts()
        counts = ", ".join(f"{network} {cases.get(network, 0)}" for network in networks)
        ax.set_title(f"{DATASET_NAMES.get(dataset, dataset)} (cases: {counts})")
        ax.set_xlabel("")
    figure.suptitle(f"MLP vs CNN: accuracy of every finished case ({_left_out(frame)})")
    _save(figure, path)


def plot_training_time(frame, path):
    """Wall time of every case, and time per epoch against parameter count."""
    timed = frame.dropna(subset=["wall_time_s"]).copy()
    timed["pair"] = [
        pair_title(dataset, network)
        for dataset, network in zip(timed["dataset"], timed["network"], strict=True)
    ]
    figure, axes = _figure(TIME_SIZE, columns=2)
    sns.stripplot(
        data=timed,
        x="pair",
        y="wall_time_s",
        hue="status",
        hue_order=["ok", "diverged"],
        ax=axes[0, 0],
        alpha=0.6,
        size=5,
        jitter=0.25,
    )
    axes[0, 0].set_xlabel("")
    axes[0, 0].set_ylabel("wall time per case (s)")
    axes[0, 0].set_title("wall time of each case (training and evaluation)")
    sns.scatterplot(
        data=timed,
        x="param_count",
        y="time_per_epoch_s",
        hue="network",
        hue_order=_networks_present(timed),
        style="dataset",
        ax=axes[0, 1],
        alpha=0.7,
    )
    axes[0, 1].set_xscale("log")
    axes[0, 1].set_xlabel("trainable parameters (log scale)")
    axes[0, 1].set_ylabel("training time per epoch (s)")
    axes[0, 1].set_title("time per epoch against model size")
    hours = timed["wall_time_s"].sum() / 3600
    figure.suptitle(
        f"Training time: {len(timed)} cases, {hours:.2f} h of wall time in all"
    )
    _save(figure, path)
