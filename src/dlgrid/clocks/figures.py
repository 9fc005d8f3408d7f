"""Figures and the ranked table of the clock models."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

TABLE_COLUMNS = {
    "rank": "rank",
    "model": "model",
    "mean_error_min": "mean error (min)",
    "median_error_min": "median error (min)",
    "p90_error_min": "90th pct (min)",
    "within_1_min": "within 1 min (%)",
    "within_5_min": "within 5 min (%)",
    "within_15_min": "within 15 min (%)",
    "parameters": "parameters",
    "epochs": "epochs",
    "train_min": "training (min)",
    "seconds_per_epoch": "s / epoch",
}


def format_time(minutes_of_day):
    minutes_of_day = int(minutes_of_day)
    return f"{minutes_of_day // 60}:{minutes_of_day % 60:02d}"


def ranked_table(records):
    """One row per model, best (lowest mean test error) first."""
    rows = []
    for record in records:
        test = record["metrics"]["test"]
        rows.append(
            {
                "model": record["model"],
                **{
                    key: test[key]
                    for key in ("mean_error_min", "median_error_min", "p90_error_min")
                },
                **{
                    key: 100 * test[key]
                    for key in ("within_1_min", "within_5_min", "within_15_min")
                },
                "parameters": record["parameters"],
                "epochs": len(record["history"]["loss"]),
                "train_min": record["timings"]["train_s"] / 60,
                "seconds_per_epoch": record["timings"]["seconds_per_epoch"],
            }
        )
    table = pd.DataFrame(rows).sort_values(["mean_error_min", "median_error_min"])
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.round(2).rename(columns=TABLE_COLUMNS)


def _image_grid(images, titles, path, columns, title=None, title_colours=None):
    rows = int(np.ceil(len(images) / columns))
    figure, axes = plt.subplots(
        rows, columns, figsize=(1.7 * columns, 2.0 * rows), squeeze=False
    )
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < len(images):
            axis.imshow(images[index], cmap="gray", vmin=0, vmax=255)
            colour = title_colours[index] if title_colours else "black"
            axis.set_title(titles[index], fontsize=8, color=colour)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def example_grid(images, labels, path, count, seed):
    """`count` random images of the data set with their labels."""
    rows = np.sort(
        np.random.default_rng(seed).choice(len(images), count, replace=False)
    )
    titles = [format_time(60 * hour + minute) for hour, minute in labels[rows]]
    _image_grid(
        images[rows],
        titles,
        path,
        columns=min(8, count),
        title="Clock images and their labels (hour:minute)",
    )


def readings_grid(
    images, true_minutes, predicted_minutes, errors, model, path, count=8
):
    """The `count` worst readings and `count` typical ones (nearest the median)."""
    worst = np.argsort(errors, kind="stable")[::-1][:count]
    typical = np.argsort(np.abs(errors - np.median(errors)), kind="stable")[:count]
    chosen = np.concatenate([worst, typical])
    titles = [
        f"{format_time(true_minutes[i])} read {format_time(predicted_minutes[i])}"
        for i in chosen
    ]
    colours = ["firebrick"] * len(worst) + ["black"] * len(typical)
    _image_grid(
        images[chosen],
        titles,
        path,
        columns=count,
        title_colours=colours,
        title=f"{model}: worst readings (top, red) and typical ones "
        "(bottom): true, then read",
    )


def error_histograms(errors, path):
    """Histogram of test errors per model; `errors` is a long DataFrame."""
    grid = sns.displot(
        errors,
        x="error_min",
        col="model",
        col_wrap=3,
        bins=np.arange(0, 362, 5),
        facet_kws={"sharey": False},
        height=2.6,
        aspect=1.3,
    )
    grid.set(yscale="log")
    for axis in grid.axes.flat:
        axis.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.yaxis.set_major_formatter(
            ticker.FuncFormatter(lambda value, _: f"{value:g}")
        )
        axis.yaxis.set_minor_formatter(ticker.NullFormatter())
    grid.set_axis_labels("common-sense error (minutes, bins of 5)", "test images")
    grid.figure.suptitle("Test errors per model", y=1.02)
    grid.savefig(path, dpi=110)
    plt.close(grid.figure)


def error_by_hour(errors, path):
    """Mean test error per true hour, one line per model."""
    figure, axis = plt.subplots(figsize=(9, 4))
    sns.pointplot(
        errors,
        x="true_hour",
        y="error_min",
        hue="model",
        errorbar=None,
        ax=axis,
        markersize=4,
    )
    axis.set_yscale("log")
    sns.move_legend(axis, "upper left", bbox_to_anchor=(1, 1), frameon=False)
    axis.set_xlabel("true hour")
    axis.set_ylabel("mean error (minutes, log scale)")
    axis.set_title("Test error by the true hour")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
