"""This run's top 10 of one pair next to the published top 10, as Markdown
(for reading in the repository) and HTML (shown inline by the report)."""

import logging
from pathlib import Path

import pandas as pd

from dlgrid.tables import page_html, page_markdown, read_published, top10_page

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

ranked = pd.read_csv(snakemake.input.ranked, dtype={"layers": "string"})
published_paths = list(snakemake.input.published)
published, source = None, ""
if published_paths:
    published, source = read_published(published_paths[0]), published_paths[0]
else:
    logging.info("no published table for this pair: showing this run only")

page = top10_page(
    ranked,
    snakemake.wildcards.dataset,
    snakemake.wildcards.network,
    published,
    snakemake.params.network_grid,
    source,
)
Path(snakemake.output.markdown).write_text(page_markdown(page))
Path(snakemake.output.html).write_text(page_html(page))
logging.info("wrote %s and %s", snakemake.output.markdown, snakemake.output.html)
