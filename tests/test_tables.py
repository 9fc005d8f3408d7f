"""Tables from sweep records: flat columns, ranking rule, published top 10."""

from pathlib import Path

import pandas as pd
import pytest
from sweep_records import make_record, original_grid, write_bundle

from dlgrid import tables

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


def markdown_table_rows(markdown):
    """The cells of every table row but the separator lines, in page order."""
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in markdown.splitlines()
        if line.startswith("|")
        and not line.startswith("|--")
        and not line.startswith("|:")
    ]


def ranked_ids(frame):
    return tables.rank_cases(frame)["case_id"].tolist()


def test_load_records_gives_one_flat_row_per_case(tmp_path):
    mlp = write_bundle(tmp_path, [make_record(10220, 0.97, 0.96)])
    cnn = write_bundle(tmp_path, [make_record(20288, 0.98, 0.97)])

    frame = tables.load_records([mlp, cnn])

    assert tuple(frame.columns) == tables.COLUMNS
    mlp_row, cnn_row = frame.iloc[0], frame.iloc[1]
    assert mlp_row["case_id"] == 10220
    assert mlp_row["layers"] == "256-128"
    assert pd.isna(mlp_row["structure"])
    assert (mlp_row["activation"], mlp_row["dropout"]) == ("sigmoid", 0.2)
    assert cnn_row["structure"] == 2 and pd.isna(cnn_row["layers"])
    assert cnn_row["init"] == "random_normal"
    assert cnn_row["val_accuracy"] == 0.98 and cnn_row["test_accuracy"] == 0.97
    assert cnn_row["slurm_job_id"] == "4711"
    assert cnn_row["record"] == str(tmp_path / "records" / "mnist" / "20288.json")


def test_all_cases_csv_reads_back_unchanged(tmp_path):
    manifest = write_bundle(
        tmp_path,
        [make_record(10000, 0.9, 0.9), make_record(10001, 0.5, 0.5, status="diverged")],
    )
    frame = tables.load_records([manifest])
    frame.to_csv(tmp_path / "all_cases.csv", index=False)

    read_back = tables.read_all_cases(tmp_path / "all_cases.csv")

    pd.testing.assert_frame_equal(read_back, frame)
    assert pd.isna(read_back.loc[1, "val_accuracy"])


def test_read_all_cases_rejects_other_columns(tmp_path):
    path = tmp_path / "all_cases.csv"
    pd.DataFrame({"case_id": [10000], "accuracy": [0.9]}).to_csv(path, index=False)

    with pytest.raises(ValueError, match="all_cases.csv does not have the columns"):
        tables.read_all_cases(path)


def test_missing_record_error_names_record_manifest_and_rerun_command(tmp_path):
    manifest = write_bundle(
        tmp_path, [make_record(10000, 0.9, 0.9), make_record(10002, 0.8, 0.8)]
    )
    missing = tmp_path / "records" / "mnist" / "10002.json"
    missing.unlink()

    with pytest.raises(tables.MissingRecordError) as error:
        tables.load_records([manifest])

    message = str(error.value)
    assert str(missing) in message
    assert str(manifest) in message
    assert f"snakemake --forcerun {manifest}" in message


def test_truncated_record_error_says_what_to_do(tmp_path):
    manifest = write_bundle(tmp_path, [make_record(10000, 0.9, 0.9)])
    record = tmp_path / "records" / "mnist" / "10000.json"
    record.write_text(record.read_text()[:40])

    with pytest.raises(tables.MissingRecordError, match="is not valid JSON"):
        tables.load_records([manifest])


def test_ranking_uses_validation_accuracy_never_test_accuracy(tmp_path):
    # Test accuracy orders these three cases the other way round.
    manifest = write_bundle(
        tmp_path,
        [
            make_record(10000, val_accuracy=0.93, test_accuracy=0.99),
            make_record(10001, val_accuracy=0.95, test_accuracy=0.90),
            make_record(10002, val_accuracy=0.94, test_accuracy=0.97),
        ],
    )
    ranked = tables.rank_cases(tables.load_records([manifest]))

    assert ranked["case_id"].tolist() == [10001, 10002, 10000]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert ranked["test_accuracy"].tolist() == [0.90, 0.97, 0.99]


def test_diverged_cases_rank_last(tmp_path):
    manifest = write_bundle(
        tmp_path,
        [
            make_record(10000, 0.9, 0.9, status="diverged"),
            make_record(10001, 0.10, 0.10),
            make_record(10002, 0.80, 0.80),
        ],
    )
    frame = tables.load_records([manifest])
    assert ranked_ids(frame) == [10002, 10001, 10000]

    # Last also when a diverged record somehow carries a validation accuracy.
    frame.loc[frame["case_id"] == 10000, "val_accuracy"] = 0.99
    assert ranked_ids(frame) == [10002, 10001, 10000]


def test_ties_go_to_lower_validation_loss_then_lower_case_id(tmp_path):
    manifest = write_bundle(
        tmp_path,
        [
            make_record(10003, 0.95, 0.90, val_loss=0.20),
            make_record(10001, 0.95, 0.91, val_loss=0.30),
            make_record(10002, 0.95, 0.92, val_loss=0.20),
            make_record(10000, 0.96, 0.80, val_loss=0.50),
        ],
    )
    assert ranked_ids(tables.load_records([manifest])) == [10000, 10002, 10003, 10001]


def test_ranks_count_separately_per_dataset_and_network(tmp_path):
    manifests = [
        write_bundle(
            tmp_path, [make_record(10000, 0.8, 0.8), make_record(10001, 0.9, 0.9)]
        ),
        write_bundle(tmp_path, [make_record(20000, 0.7, 0.7)]),
        write_bundle(
            tmp_path,
            [make_record(10000, 0.6, 0.6, dataset="fashion_mnist")],
        ),
    ]
    ranked = tables.rank_cases(tables.load_records(manifests))

    ranks = {
        (row.dataset, row.case_id): row.rank for row in ranked.itertuples(index=False)
    }
    assert ranks == {
        ("fashion_mnist", 10000): 1,
        ("mnist", 20000): 1,
        ("mnist", 10001): 1,
        ("mnist", 10000): 2,
    }


def test_ranked_table_has_the_published_columns_in_order(tmp_path):
    manifests = [
        write_bundle(tmp_path, [make_record(10000, 0.8, 0.8)]),
        write_bundle(tmp_path, [make_record(20000, 0.7, 0.7)]),
    ]
    frame = tables.load_records(manifests)

    mlp = tables.ranked_table(frame, "mnist", "mlp")
    cnn = tables.ranked_table(frame, "mnist", "cnn")

    published_order = ["case_id", "init", "l1", "l2", "activation", "dropout"]
    assert mlp.columns.tolist()[1:7] == published_order
    assert (
        mlp.columns.tolist()[7] == "layers" and cnn.columns.tolist()[7] == "structure"
    )
    assert mlp.columns.tolist()[-4:] == [
        "train_accuracy",
        "val_accuracy",
        "test_accuracy",
        "status",
    ]
    assert mlp["case_id"].tolist() == [10000] and cnn["case_id"].tolist() == [20000]
    with pytest.raises(ValueError, match="no cnn cases on fashion_mnist"):
        tables.ranked_table(frame, "fashion_mnist", "cnn")


@pytest.mark.parametrize(("dataset", "network"), sorted(tables.PUBLISHED_TABLES))
def test_published_rows_decode_to_their_ids_except_the_table4_typo(dataset, network):
    path = tables.published_table_path(dataset, network, REFERENCE)
    published = tables.read_published(path)

    notes = tables.published_mismatches(published, network, original_grid(network))

    assert len(published) == 10
    assert published["published_rank"].tolist() == list(range(1, 11))
    assert set(published["optimizer"]) == {"adam"}
    if (dataset, network) == ("fashion_mnist", "cnn"):
        assert notes == [
            f"{case_id}: printed structure 2, but the ID decodes to structure 1 "
            "under this run's grid"
            for case_id in (20196, 20198)
        ]
    else:
        assert notes == []


def test_published_mlp_layers_use_the_workflow_notation():
    path = tables.published_table_path("mnist", "mlp", REFERENCE)
    published = tables.read_published(path)

    assert published.loc[0, "case_id"] == 10220
    assert published.loc[0, "layers"] == "256-128"
    assert published.loc[0, "loss"] == "categorical_crossentropy"


def test_top10_page_links_this_run_and_the_published_table(tmp_path):
    # 10220 is the published winner on MNIST; here it comes second.
    records = [make_record(10220, 0.97, 0.99), make_record(10000, 0.98, 0.95)]
    records += [make_record(10100 + i, 0.5 + i / 100, 0.5) for i in range(10)]
    frame = tables.load_records([write_bundle(tmp_path, records)])
    ranked = tables.ranked_table(frame, "mnist", "mlp")
    published = tables.read_published(
        tables.published_table_path("mnist", "mlp", REFERENCE)
    )

    ours, marked, notes = tables.top10_tables(ranked, published, original_grid("mlp"))

    assert ours["case_id"].tolist()[:2] == [10000, 10220]
    assert len(ours) == 10
    assert ours["published_rank"].tolist()[:2] == [pd.NA, 1]
    first_published = marked.iloc[0]
    assert first_published["case_id"] == 10220 and first_published["rank_here"] == 2
    assert first_published["val_accuracy_here"] == 0.97
    assert pd.isna(marked.iloc[1]["rank_here"])  # 10508 was not run here
    assert notes == []

    blocks = tables.top10_page(ranked, "mnist", "mlp", published, source="table1")
    markdown = tables.page_markdown(blocks)
    lines = markdown.splitlines()
    assert lines[0] == "# Top 10: MNIST, MLP"
    assert "This run: 12 cases (0 diverged)" in markdown
    header, first_row = markdown_table_rows(markdown)[:2]
    assert header[:2] == ["rank", "ID"] and header[-1] == "published rank"
    assert first_row[:2] == ["1", "10000"] and first_row[-4:-1] == [
        "0.9800",
        "0.9500",
        "ok",
    ]
    assert "## Published top 10" in lines
    html_page = tables.page_html(blocks)
    assert html_page.count("<table") == 2 and "0.9804" in html_page
