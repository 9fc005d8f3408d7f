"""The pixel-permutation experiment: one fixed pixel order for every image.

The best case of each (dataset, network) pair is trained twice with the same
seed and settings: on the original images and on images whose 784 pixels are
reordered by one permutation, drawn once from a seeded generator and applied
identically to the training, validation and test images.

Theory: a Dense first layer can absorb any fixed permutation (permuting its
kernel rows the same way gives identical outputs), so an MLP's achievable
accuracy is unchanged; a CNN relies on neighbouring pixels being near each
other, which the permutation destroys, so it loses accuracy (permuted MNIST,
Goodfellow et al. 2013). The original study drew a different permutation per
process, which is why its published MLP figures are near chance.

Convention: pixel j of a permuted image is pixel `permutation[j]` of the
original, counting pixels row by row.
"""

import numpy as np
import pandas as pd

from dlgrid.tables import DATASET_NAMES as DATASET_LABELS

IMAGE_SHAPE = (28, 28)
NUM_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]

VARIANTS = ("original", "permuted")
SPLITS = ("train", "val", "test")
SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}

# Repeat r trains with seed (config seed + REPEAT_SEED_STRIDE * r) + case ID.
# Repeat 0 is exactly the sweep's seed; the stride keeps every other repeat's
# seed clear of the sweep's seeds (config seed + 10000..20383).
REPEAT_SEED_STRIDE = 100_000

# Columns of the sweep's case table used to pick the best case.
CASE_TABLE_COLUMNS = ("case_id", "dataset", "network", "status", "val_accuracy")
CASE_TABLE_COLUMNS += ("val_loss",)

# How the published table 5 names networks and datasets.
PUBLISHED_NETWORKS = {"MLP": "mlp", "CNN": "cnn"}
PUBLISHED_DATASETS = {"MNIST": "mnist", "Fashion MNIST": "fashion_mnist"}
PUBLISHED_SPLITS = {
    "train": "Train Accuracy",
    "val": "Validation Accuracy",
    "test": "Test Accuracy",
}


def make_permutation(seed, num_pixels=NUM_PIXELS):
    """The pixel order of the experiment, from a generator seeded by `seed`."""
    return np.random.default_rng(seed).permutation(num_pixels)


def check_permutation(permutation, num_pixels=NUM_PIXELS, where="permutation"):
    """Raise ValueError unless `permutation` reorders 0..num_pixels-1."""
    permutation = np.asarray(permutation)
    is_integer = np.issubdtype(permutation.dtype, np.integer)
    if not is_integer or permutation.shape != (num_pixels,):
        raise ValueError(
            f"{where}: expected {num_pixels} integer pixel indices, got an "
            f"array of shape {permutation.shape} and dtype {permutation.dtype}."
        )
    if not np.array_equal(np.sort(permutation), np.arange(num_pixels)):
        raise ValueError(
            f"{where}: not a permutation of 0..{num_pixels - 1} (some index "
            "repeats or is missing); delete it so the workflow draws it again."
        )
    return permutation


def permute_images(images, permutation):
    """Reorder the pixels of every image (N, 28, 28) by `permutation`."""
    images = np.asarray(images)
    flat = images.reshape(len(images), -1)
    return flat[:, permutation].reshape(images.shape)


def permute_splits(data, permutation):
    """The same permutation on x_train, x_val and x_test; labels unchanged."""
    permuted = dict(data)
    for split in SPLITS:
        permuted[f"x_{split}"] = permute_images(data[f"x_{split}"], permutation)
    return permuted


def repeat_seed(seed, repeat):
    """The base seed of one repeat (the trainer adds the case ID)."""
    return seed + REPEAT_SEED_STRIDE * repeat


def select_best(cases, pairs):
    """The best case of each (dataset, network) pair, one row per pair.

    Only cases with status "ok" compete. Best means the highest validation
    accuracy; ties go to the lower validation loss, then to the lower case ID.
    The test accuracy plays no part. `candidates` counts the ok cases of the
    pair. Raises ValueError naming the pair when it has no ok case.
    """
    missing = [column for column in CASE_TABLE_COLUMNS if column not in cases]
    if missing:
        raise ValueError(
            f"the case table lacks the columns {missing}; the selection reads "
            "the sweep's table of all cases (results/tables/all_cases.csv)."
        )

    usable = cases[(cases["status"] == "ok") & cases["val_accuracy"].notna()]
    ranked = usable.sort_values(
        ["val_accuracy", "val_loss", "case_id"],
        ascending=[False, True, True],
        na_position="last",
    )
    rows = []
    for dataset, network in pairs:
        candidates = ranked[
            (ranked["dataset"] == dataset) & (ranked["network"] == network)
        ]
        if candidates.empty:
            raise ValueError(
                f"no case of {network} on {dataset} finished with status ok, so "
                "none can be retrained on permuted images; check the sweep's "
                "records for that pair (results/tables/all_cases.csv)."
            )
        best = candidates.iloc[0].to_dict()
        rows.append({**best, "candidates": len(candidates)})

    selected = pd.DataFrame(rows)
    # Integer columns with gaps (a CNN's `structure` is empty in MLP rows)
    # would otherwise be written as floats (1.0).
    for column in ("case_id", "candidates", "structure"):
        if column in selected:
            selected[column] = selected[column].astype("Int64")
    leading = ["dataset", "network", "case_id", "candidates", "val_accuracy"]
    rest = [column for column in selected.columns if column not in leading]
    return selected[leading + rest]


def case_of_pair(selected, dataset, network):
    """The case ID that `select_best` chose for one pair."""
    row = selected[(selected["dataset"] == dataset) & (selected["network"] == network)]
    if len(row) != 1:
        raise ValueError(
            f"the selection holds {len(row)} rows for {network} on {dataset}; "
            "expected one. Delete results/permutation/selected.tsv and rerun."
        )
    return int(row["case_id"].iloc[0])


def run_row(record):
    """One line of the runs table from a permutation record."""
    row = {
        "dataset": record["dataset"],
        "network": record["network"],
        "case_id": record["case_id"],
        "variant": record["variant"],
        "repeat": record["repeat"],
        "seed": record["training"]["seed"],
        "status": record["status"],
    }
    for split in SPLITS:
        row[f"{split}_accuracy"] = record[f"{split}_accuracy"]
    return row


def read_published(path):
    """The spec's table 5 as rows of dataset, network, published case and split.

    Its accuracies are on permuted images only. In the original study the
    validation set was the test set, so both columns hold the same figure.
    """
    published = pd.read_csv(path, sep="\t")
    rows = []
    for _, entry in published.iterrows():
        for split, column in PUBLISHED_SPLITS.items():
            rows.append(
                {
                    "dataset": PUBLISHED_DATASETS[entry["DataSet"]],
                    "network": PUBLISHED_NETWORKS[entry["Network"]],
                    "split": split,
                    "published_case_id": int(entry["Hyper Para ID"]),
                    "published_permuted_accuracy": float(entry[column]),
                }
            )
    return pd.DataFrame(rows)


def summarise(runs, published):
    """Original vs permuted accuracy per pair and split, beside table 5.

    One row per (dataset, network, split): the mean over the ok runs of each
    variant, their standard deviation (empty with one run), the number of ok
    runs, `difference` = permuted mean - original mean, and the published
    figure on permuted images.
    """
    ok_runs = runs[runs["status"] == "ok"]
    long = ok_runs.melt(
        id_vars=["dataset", "network", "case_id", "variant", "repeat"],
        value_vars=[f"{split}_accuracy" for split in SPLITS],
        var_name="split",
        value_name="accuracy",
    )
    long["split"] = long["split"].str.removesuffix("_accuracy")

    statistics = (
        long.groupby(["dataset", "network", "case_id", "split", "variant"])["accuracy"]
        .agg(mean="mean", sd="std", runs="count")
        .unstack("variant")
    )
    statistics.columns = [f"{variant}_{name}" for name, variant in statistics.columns]
    table = statistics.reset_index()
    for variant in VARIANTS:
        for name in ("mean", "sd", "runs"):
            if f"{variant}_{name}" not in table:
                table[f"{variant}_{name}"] = np.nan
    table = table.rename(
        columns={f"{variant}_mean": f"{variant}_accuracy" for variant in VARIANTS}
    )
    table["difference"] = table["permuted_accuracy"] - table["original_accuracy"]
    table["repeats"] = int(runs["repeat"].max()) + 1

    table = table.merge(published, on=["dataset", "network", "split"], how="left")
    table["split"] = pd.Categorical(table["split"], categories=SPLITS, ordered=True)
    table = table.sort_values(["dataset", "network", "split"]).reset_index(drop=True)
    table["split"] = table["split"].astype(str)
    columns = ["dataset", "network", "case_id", "split", "repeats"]
    columns += ["original_accuracy", "permuted_accuracy", "difference"]
    columns += ["original_sd", "permuted_sd", "original_runs", "permuted_runs"]
    columns += ["published_case_id", "published_permuted_accuracy"]
    return table[columns]


def _with_spread(mean, sd, runs, repeats):
    if pd.isna(mean):
        return "n/a"
    text = f"{mean:.4f}"
    if repeats > 1:
        text += f" ± {sd:.4f}" if pd.notna(sd) else " ± n/a"
        text += f" (n={int(runs)})"
    return text


def display_table(table):
    """The summary rounded for people: mean (± sd, n) per variant, published."""
    rows = []
    for _, row in table.iterrows():
        repeats = row["repeats"]
        published = "n/a"
        if pd.notna(row["published_permuted_accuracy"]):
            published = (
                f"{row['published_permuted_accuracy']:.4f} "
                f"(case {int(row['published_case_id'])})"
            )
        rows.append(
            {
                "dataset": DATASET_LABELS.get(row["dataset"], row["dataset"]),
                "network": row["network"].upper(),
                "case": int(row["case_id"]),
                "split": SPLIT_NAMES[row["split"]],
                "original": _with_spread(
                    row["original_accuracy"],
                    row["original_sd"],
                    row["original_runs"],
                    repeats,
                ),
                "permuted": _with_spread(
                    row["permuted_accuracy"],
                    row["permuted_sd"],
                    row["permuted_runs"],
                    repeats,
                ),
                "difference": (
                    "n/a" if pd.isna(row["difference"]) else f"{row['difference']:+.4f}"
                ),
                "published permuted (table 5)": published,
            }
        )
    return pd.DataFrame(rows)


def markdown_table(table):
    """The summary as a Markdown table (the CSV keeps every digit)."""
    return display_table(table).to_markdown(index=False, disable_numparse=True) + "\n"


def measured_sentences(table):
    """One line per pair: test accuracy on original and permuted images."""
    lines = []
    for _, row in table[table["split"] == "test"].iterrows():
        name = DATASET_LABELS.get(row["dataset"], row["dataset"])
        lines.append(
            f"{row['network'].upper()} on {name} (case {int(row['case_id'])}): "
            f"test accuracy {row['original_accuracy']:.4f} on original images, "
            f"{row['permuted_accuracy']:.4f} on permuted images "
            f"(difference {row['difference']:+.4f})."
        )
    return lines


def summary_rst(table):
    """What was measured, in reStructuredText, for the report's captions."""
    repeats = int(table["repeats"].max())
    runs = "one run" if repeats == 1 else f"mean ± sd of {repeats} seeds"
    bullets = "\n".join(f"- {line}" for line in measured_sentences(table))
    grid_table = display_table(table).to_markdown(
        index=False, tablefmt="grid", disable_numparse=True
    )
    return f"Measured ({runs} per variant):\n\n{bullets}\n\n{grid_table}\n"


def pair_label(dataset, network, case_id):
    return f"{DATASET_LABELS.get(dataset, dataset)}\n{network.upper()} {case_id}"


def plot_accuracy(runs, published, path):
    """Bars of original, permuted and published permuted accuracy per pair.

    One panel per split; with several repeats the error bars show one
    standard deviation across them.
    """
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    ok_runs = runs[runs["status"] == "ok"]
    measured = ok_runs.melt(
        id_vars=["dataset", "network", "case_id", "variant"],
        value_vars=[f"{split}_accuracy" for split in SPLITS],
        var_name="split",
        value_name="accuracy",
    )
    measured["split"] = measured["split"].str.removesuffix("_accuracy")
    measured["source"] = measured["variant"].map(
        {"original": "original (measured)", "permuted": "permuted (measured)"}
    )

    case_of = ok_runs.groupby(["dataset", "network"])["case_id"].first()
    reference = published.rename(
        columns={"published_permuted_accuracy": "accuracy"}
    ).merge(case_of.reset_index(), on=["dataset", "network"])
    reference["source"] = "permuted (published, table 5)"

    frame = pd.concat([measured, reference], ignore_index=True)
    frame["pair"] = [
        pair_label(row.dataset, row.network, row.case_id) for row in frame.itertuples()
    ]
    frame["split"] = frame["split"].map(SPLIT_NAMES)

    grid = sns.catplot(
        data=frame,
        kind="bar",
        x="pair",
        y="accuracy",
        hue="source",
        hue_order=[
            "original (measured)",
            "permuted (measured)",
            "permuted (published, table 5)",
        ],
        col="split",
        col_order=[SPLIT_NAMES[split] for split in SPLITS],
        errorbar="sd",
        height=4,
        aspect=1.2,
        palette=["#4c72b0", "#dd8452", "#bbbbbb"],
    )
    for axis in grid.axes.flat:
        for bars in axis.containers:
            axis.bar_label(bars, fmt="%.3f", fontsize=6, rotation=90, padding=2)
        axis.set_ylim(0, 1.12)
        axis.set_xlabel("")
        axis.axhline(0.1, color="grey", linewidth=0.8, linestyle=":")
    grid.set_titles("{col_name} accuracy")
    grid.figure.suptitle(
        "Same case, same seed: original vs permuted pixels (dotted: chance 0.1)",
        y=1.03,
    )
    grid.savefig(path, dpi=120, bbox_inches="tight")


def example_indices(labels, count):
    """The first image of each of the first `count` classes present."""
    classes = np.unique(labels)[:count]
    return np.array([np.flatnonzero(labels == label)[0] for label in classes])


def plot_examples(images_by_dataset, permutation, path, count=5):
    """A few test images of each dataset, above the same images permuted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = 2 * len(images_by_dataset)
    figure, axes = plt.subplots(
        rows, count, figsize=(1.6 * count, 1.7 * rows), squeeze=False
    )
    for number, (dataset, (images, labels)) in enumerate(images_by_dataset.items()):
        chosen = example_indices(labels, count)
        permuted = permute_images(images[chosen], permutation)
        name = DATASET_LABELS.get(dataset, dataset)
        for column, index in enumerate(chosen):
            for offset, (picture, kind) in enumerate(
                [(images[index], "original"), (permuted[column], "permuted")]
            ):
                axis = axes[2 * number + offset, column]
                axis.imshow(picture, cmap="gray_r", vmin=0, vmax=255)
                axis.set_xticks([])
                axis.set_yticks([])
                axis.set_title(f"label {labels[index]}", fontsize=8)
                if column == 0:
                    axis.set_ylabel(f"{name}\n{kind}", fontsize=8)
    figure.suptitle("The same permutation applied to every image", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
