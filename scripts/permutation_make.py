"""Rule permutation_make: draw the experiment's pixel permutation once."""

import logging

import numpy as np

from dlgrid.permutation import make_permutation

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO)

permutation = make_permutation(snakemake.params.seed)
with open(snakemake.output.permutation, "wb") as stream:
    np.save(stream, permutation)
logging.info(
    "drew a permutation of %d pixels with seed %s; first ten: %s",
    len(permutation),
    snakemake.params.seed,
    permutation[:10].tolist(),
)
