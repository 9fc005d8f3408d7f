"""Draw the synthetic clock data set (rule clocks_generate)."""

import logging
import time
from pathlib import Path

from dlgrid.clocks.generate import Difficulty, generate_clocks, write_clocks


def main():
    logging.basicConfig(
        filename=snakemake.log[0], level=logging.INFO, format="%(asctime)s %(message)s"
    )
    params = snakemake.params
    difficulty = Difficulty(**params.difficulty)
    logging.info("drawing %d clocks per minute, %s", params.per_minute, difficulty)

    started = time.perf_counter()
    images, labels = generate_clocks(
        per_minute=params.per_minute,
        seed=params.seed,
        difficulty=difficulty,
        size=params.image_side,
        workers=snakemake.threads,
    )
    write_clocks(Path(snakemake.output.images).parent, images, labels)
    logging.info(
        "%d images of %dx%d in %.1f s with %d processes",
        len(images),
        params.image_side,
        params.image_side,
        time.perf_counter() - started,
        snakemake.threads,
    )


# The guard keeps the drawing processes, which import this file again, from
# drawing the whole data set themselves.
if __name__ == "__main__":
    main()
