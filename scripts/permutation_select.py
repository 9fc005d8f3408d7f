"""Rule permutation_select: the best case of each (dataset, network) pair."""

import logging

import pandas as pd

from dlgrid.permutation import select_best

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

cases = pd.read_csv(snakemake.input.cases)
try:
    selected = select_best(cases, snakemake.params.pairs)
except ValueError as error:
    raise ValueError(f"{snakemake.input.cases}: {error}") from None

selected.to_csv(snakemake.output.selected, sep="\t", index=False)
for row in selected.itertuples():
    logging.info(
        "%s %s: case %s (validation accuracy %.4f, best of %d ok cases)",
        row.dataset,
        row.network,
        row.case_id,
        row.val_accuracy,
        row.candidates,
    )
