"""Rank one (dataset, network) pair by validation accuracy."""

import logging

from dlgrid.tables import ranked_table, read_all_cases

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

dataset, network = snakemake.wildcards.dataset, snakemake.wildcards.network
ranked = ranked_table(read_all_cases(snakemake.input.cases), dataset, network)
ranked.to_csv(snakemake.output.table, index=False)
logging.info("ranked %d %s cases on %s", len(ranked), network, dataset)
