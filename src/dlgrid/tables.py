"""Sweep records as tables: all cases, ranked per (dataset, network), top 10.

The records (one JSON file per case, see `dlgrid.train`) are reached through
the bundle manifests, which are what Snakemake tracks. `load_records` flattens
them into one row per case with the columns of `COLUMNS`; the workflow writes
that frame to `results/tables/all_cases.csv` and every later table and plot
reads it back with `read_all_cases`.

Ranking uses the validation accuracy only (a split carved from the training
set). The test accuracy is shown beside it and never used to rank: choosing
the best case by test accuracy, as the original study did, makes the reported
test figure optimistic.
"""

import html
import math
from pathlib import Path

import pandas as pd

from dlgrid import grid
from dlgrid.records import read_json

HYPERPARAMETER_COLUMNS = grid.ALL_HYPERPARAMETERS
RESULT_COLUMNS = (
    "train_accuracy",
    "val_accuracy",
    "test_accuracy",
    "train_loss",
    "val_loss",
    "test_loss",
)
COLUMNS = (
    "case_id",
    "dataset",
    "network",
    "status",
    *HYPERPARAMETER_COLUMNS,
    *RESULT_COLUMNS,
    "param_count",
    "epochs_run",
    "wall_time_s",
    "time_per_epoch_s",
    "slurm_job_id",
    "record",
)
COLUMN_TYPES = {
    "case_id": "int64",
    "structure": "Int64",
    "l1": "float64",
    "l2": "float64",
    "dropout": "float64",
    **{column: "float64" for column in RESULT_COLUMNS},
    "param_count": "Int64",
    "epochs_run": "Int64",
    "wall_time_s": "float64",
    "time_per_epoch_s": "float64",
}
TEXT_COLUMNS = ("layers", "slurm_job_id", "record")
PAIR = ["dataset", "network"]

DATASET_NAMES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
NETWORK_NAMES = {"mlp": "MLP", "cnn": "CNN"}

# The published top-10 tables, copied into data/reference/ (see its README).
PUBLISHED_TABLES = {
    ("mnist", "mlp"): "table1_mnist_mlp.tsv",
    ("mnist", "cnn"): "table2_mnist_cnn.tsv",
    ("fashion_mnist", "mlp"): "table3_fashion_mlp.tsv",
    ("fashion_mnist", "cnn"): "table4_fashion_cnn.tsv",
}
PUBLISHED_COLUMNS = {
    "ID": "case_id",
    "Init": "init",
    "L1": "l1",
    "L2": "l2",
    "Act": "activation",
    "Dout": "dropout",
    "Layer": "layers",
    "Struct ID": "structure",
    "Loss": "loss",
    "Opt": "optimizer",
    "Train Acc": "train_accuracy",
    "Validation Acc": "val_accuracy",
    "Test Acc": "test_accuracy",
}
PUBLISHED_VALUES = {
    "init": {"uniform": "uniform", "Ran Nor": "random_normal"},
    "loss": {"cat cro": "categorical_crossentropy", "mse": "mse"},
    "optimizer": {"Adam": "adam", "SGD": "sgd"},
}


class MissingRecordError(FileNotFoundError):
    """A manifest lists a record that is missing or unreadable."""


def pair_title(dataset, network):
    dataset_name = DATASET_NAMES.get(dataset, dataset)
    return f"{dataset_name}, {NETWORK_NAMES.get(network, network)}"


def record_row(record, record_path):
    """One record as a flat row with the columns of `COLUMNS`."""
    params = record["params"]
    row = {
        "case_id": record["case_id"],
        "dataset": record["dataset"],
        "network": record["network"],
        "status": record["status"],
        **{name: params.get(name) for name in HYPERPARAMETER_COLUMNS},
        **{name: record.get(name) for name in RESULT_COLUMNS},
        "param_count": record.get("param_count"),
        "epochs_run": record.get("epochs_run"),
        "wall_time_s": record.get("wall_time_s"),
        "time_per_epoch_s": record.get("time_per_epoch_s"),
        "slurm_job_id": (record.get("environment") or {}).get("slurm_job_id"),
        "record": str(record_path),
    }
    return row


def _read_listed_record(entry, manifest_path, manifest):
    record_path = entry["record"]
    rerun = f"snakemake --forcerun {manifest_path} (with the run's --configfile)"
    try:
        record = read_json(record_path)
    except FileNotFoundError:
        raise MissingRecordError(
            f"record {record_path} of case {entry['case_id']} is missing, though "
            f"the bundle manifest {manifest_path} lists it. Re-run that bundle "
            f"(finished cases keep their records): {rerun}"
        ) from None
    except ValueError as error:
        raise MissingRecordError(
            f"record {record_path} (listed in {manifest_path}) is not valid JSON "
            f"({error}). Delete it and re-run that bundle: {rerun}"
        ) from None
    listed = (entry["case_id"], manifest["dataset"])
    if (record["case_id"], record["dataset"]) != listed:
        raise ValueError(
            f"record {record_path} holds case {record['case_id']} on "
            f"{record['dataset']}, but the manifest {manifest_path} lists case "
            f"{listed[0]} on {listed[1]}. Delete the record and re-run: {rerun}"
        )
    return record


def load_records(manifest_paths):
    """All records the manifests list, one row per case (columns `COLUMNS`)."""
    rows = []
    for manifest_path in manifest_paths:
        manifest = read_json(manifest_path)
        for entry in manifest["cases"]:
            record = _read_listed_record(entry, manifest_path, manifest)
            rows.append(record_row(record, entry["record"]))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))

    duplicated = frame[frame.duplicated(["dataset", "case_id"], keep=False)]
    if not duplicated.empty:
        raise ValueError(
            "these cases are listed by more than one manifest: "
            f"{sorted(set(zip(duplicated.dataset, duplicated.case_id, strict=True)))}"
        )
    return _with_column_types(frame)


def _with_column_types(frame):
    frame = frame.astype(COLUMN_TYPES)
    for column in TEXT_COLUMNS:
        frame[column] = frame[column].astype("string")
    return frame


def read_all_cases(path):
    """Read `results/tables/all_cases.csv` back, with the types of `load_records`."""
    frame = pd.read_csv(path, dtype={column: "string" for column in TEXT_COLUMNS})
    if tuple(frame.columns) != COLUMNS:
        raise ValueError(
            f"{path} does not have the columns of an all-cases table "
            f"({', '.join(COLUMNS)}); regenerate it with "
            f"`snakemake --forcerun {path}`"
        )
    return _with_column_types(frame)


def rank_cases(frame):
    """Rank cases per (dataset, network) by validation accuracy, best first.

    Ties go to the lower validation loss, then the lower case ID. Diverged
    cases come last. The test accuracy is never looked at.
    """
    sort_keys = [*PAIR, "_diverged", "val_accuracy", "val_loss", "case_id"]
    ranked = frame.assign(_diverged=frame["status"] != "ok").sort_values(
        sort_keys,
        ascending=[True, True, True, False, True, True],
        na_position="last",
        kind="stable",
    )
    ranked = ranked.drop(columns="_diverged").reset_index(drop=True)
    ranked.insert(0, "rank", ranked.groupby(PAIR).cumcount() + 1)
    return ranked


def ranked_columns(network):
    """The columns of the published tables (in their order), rank and status."""
    shape = "layers" if network == "mlp" else "structure"
    return [
        "rank",
        "case_id",
        "init",
        "l1",
        "l2",
        "activation",
        "dropout",
        shape,
        "loss",
        "optimizer",
        "train_accuracy",
        "val_accuracy",
        "test_accuracy",
        "status",
    ]


def pair_cases(frame, dataset, network):
    """The cases of one (dataset, network) pair; an error if there are none."""
    pair = frame[(frame["dataset"] == dataset) & (frame["network"] == network)]
    if pair.empty:
        raise ValueError(f"no {network} cases on {dataset} in the records")
    return pair


def ranked_table(frame, dataset, network):
    """The ranked cases of one (dataset, network) pair, published columns."""
    return rank_cases(pair_cases(frame, dataset, network))[ranked_columns(network)]


def published_table_path(dataset, network, reference_dir="data/reference"):
    """The published top 10 of a pair, or None when the study has none."""
    name = PUBLISHED_TABLES.get((dataset, network))
    return Path(reference_dir) / name if name else None


def read_published(path):
    """A published top-10 TSV in the workflow's column names and values."""
    table = pd.read_csv(path, sep="\t").rename(columns=PUBLISHED_COLUMNS)
    for column, translation in PUBLISHED_VALUES.items():
        unknown = set(table[column]) - set(translation)
        if unknown:
            raise ValueError(
                f"{path}: column {column} has values {sorted(unknown)} not in "
                f"{sorted(translation)}"
            )
        table[column] = table[column].map(translation)
    if "layers" in table:
        table["layers"] = table["layers"].str.strip("()").str.replace(", ", "-")
    table.insert(0, "published_rank", range(1, len(table) + 1))
    return table


def _same_value(printed, decoded):
    if isinstance(decoded, int | float) and not isinstance(decoded, bool):
        return math.isclose(float(printed), float(decoded), abs_tol=1e-12)
    return str(printed) == str(decoded)


def published_mismatches(published, network, network_grid):
    """Notes on published rows whose printed values differ from their decoded ID.

    `network_grid` is the run's value lists (config `networks.<network>.grid`),
    so a note also tells when the run's grid gives an ID another meaning.
    """
    notes = []
    for row in published.itertuples(index=False):
        try:
            case = grid.decode_case_id(network, network_grid, row.case_id)
        except ValueError as error:
            notes.append(f"{row.case_id}: {error}")
            continue
        for name in grid.HYPERPARAMETERS[network]:
            printed = getattr(row, name)
            if not _same_value(printed, case[name]):
                notes.append(
                    f"{row.case_id}: printed {name} {printed}, but the ID decodes "
                    f"to {name} {case[name]} under this run's grid"
                )
    return notes


def _accuracy_text(value):
    return "—" if pd.isna(value) else f"{value:.4f}"


DISPLAY_HEADERS = {
    "published_rank": "published rank",
    "case_id": "ID",
    "l1": "L1",
    "l2": "L2",
    "train_accuracy": "train acc",
    "val_accuracy": "val acc",
    "test_accuracy": "test acc",
    "rank_here": "rank here",
    "val_accuracy_here": "val acc here",
    "test_accuracy_here": "test acc here",
}


def _display(table):
    """Values as text, with short headers, for the Markdown and HTML tables."""
    shown = table.copy()
    for column in shown:
        if "accuracy" in column:
            shown[column] = shown[column].map(_accuracy_text)
        else:
            shown[column] = shown[column].map(lambda v: "—" if pd.isna(v) else str(v))
    return shown.rename(columns=DISPLAY_HEADERS)


def top10_tables(ranked, published=None, network_grid=None):
    """This run's top 10 and the published top 10, each marked with the other.

    `ranked` is one pair's `ranked_table`. Returns (ours, published, notes):
    ours gains `published_rank`; published gains `rank_here`,
    `val_accuracy_here`, `test_accuracy_here` (this run's figures for the same
    ID); notes flag published rows whose printed values differ from their ID.
    """
    network = "mlp" if "layers" in ranked else "cnn"
    ours = ranked.head(10).copy()
    if published is None:
        return ours, None, []

    published_rank = published.set_index("case_id")["published_rank"]
    ours["published_rank"] = ours["case_id"].map(published_rank).astype("Int64")

    here = ranked.set_index("case_id")
    published = published.copy()
    published["rank_here"] = published["case_id"].map(here["rank"]).astype("Int64")
    for column in ("val_accuracy", "test_accuracy"):
        published[f"{column}_here"] = published["case_id"].map(here[column])

    notes = []
    if network_grid is not None:
        notes = published_mismatches(published, network, network_grid)
    return ours, published, notes


def top10_page(ranked, dataset, network, published=None, network_grid=None, source=""):
    """The top-10 page as a list of blocks for `page_markdown` and `page_html`.

    A block is ("title" | "heading" | "text", str), ("table", frame) or
    ("list", [str]). Arguments as for `top10_tables`; `source` names the
    published table's file.
    """
    ours, published, notes = top10_tables(ranked, published, network_grid)
    diverged = int((ranked["status"] != "ok").sum())
    blocks = [
        ("title", f"Top 10: {pair_title(dataset, network)}"),
        (
            "text",
            f"This run: {len(ranked)} cases ({diverged} diverged), ranked by "
            "validation accuracy on a split of the training set. The test "
            "accuracy is shown, never used to rank.",
        ),
        ("table", _display(ours)),
    ]
    if published is not None:
        blocks += [
            ("heading", "Published top 10"),
            (
                "text",
                f"The 2021 course study ({source}), ranked by test accuracy, "
                "which it also reported as its validation accuracy. 'published "
                "rank' above and 'rank here', 'val acc here', 'test acc here' "
                "below link the same case ID in both tables (— where it is not "
                "in the other).",
            ),
            ("table", _display(published)),
        ]
    if notes:
        blocks += [("text", "Notes on the published rows:"), ("list", notes)]
    return blocks


def page_markdown(blocks):
    parts = []
    for kind, content in blocks:
        if kind == "title":
            parts.append(f"# {content}")
        elif kind == "heading":
            parts.append(f"## {content}")
        elif kind == "table":
            parts.append(content.to_markdown(index=False, disable_numparse=True))
        elif kind == "list":
            parts.append("\n".join(f"- {item}" for item in content))
        else:
            parts.append(content)
    return "\n\n".join(parts) + "\n"


def page_html(blocks):
    body = []
    for kind, content in blocks:
        if kind == "title":
            body.append(f"<h1>{html.escape(content)}</h1>")
        elif kind == "heading":
            body.append(f"<h2>{html.escape(content)}</h2>")
        elif kind == "table":
            body.append(content.to_html(index=False, border=0))
        elif kind == "list":
            items = "".join(f"<li>{html.escape(item)}</li>" for item in content)
            body.append(f"<ul>{items}</ul>")
        else:
            body.append(f"<p>{html.escape(content)}</p>")
    return HTML_PAGE.format(body="\n".join(body))


HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>
body {{ font-family: sans-serif; font-size: 14px; }}
table {{ border-collapse: collapse; margin-bottom: 1em; }}
th, td {{ padding: 2px 8px; text-align: right; border-bottom: 1px solid #ddd; }}
</style></head><body>
{body}
</body></html>
"""


def load_histories(frame):
    """Per-epoch history of each case in `frame`, in long form.

    Columns: case_id, epoch (from 1), metric (loss, accuracy, val_loss,
    val_accuracy), value. Read from the record files named in `record`.
    """
    rows = []
    for case_id, record_path in zip(frame["case_id"], frame["record"], strict=True):
        history = read_json(record_path)["history"]
        for metric, values in history.items():
            for epoch, value in enumerate(values, start=1):
                rows.append((case_id, epoch, metric, value))
    history_frame = pd.DataFrame(rows, columns=["case_id", "epoch", "metric", "value"])
    return history_frame.astype({"value": "float64"})
