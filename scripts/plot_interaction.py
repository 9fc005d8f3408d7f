"""Find the strongest two-way interaction of one pair, plot it as a heatmap and
write the interaction strength of every hyperparameter pair."""

import logging

from dlgrid import grid
from dlgrid.plots import interaction_strengths, plot_strongest_interaction
from dlgrid.tables import pair_cases, read_all_cases

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

cases = read_all_cases(snakemake.input.cases)
pair = pair_cases(cases, snakemake.wildcards.dataset, snakemake.wildcards.network)
names = grid.HYPERPARAMETERS[snakemake.wildcards.network]
strengths = interaction_strengths(pair, names)
strengths.sort_values("interaction", ascending=False).to_csv(
    snakemake.output.strengths, index=False
)
shown = plot_strongest_interaction(pair, snakemake.output.plot)
logging.info("strongest interaction of %d cases: %s", len(pair), shown)
