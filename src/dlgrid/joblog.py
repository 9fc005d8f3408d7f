"""Logging for scripts that Snakemake runs: everything goes to the job's log."""

import logging
import os
import sys


def log_to_file(path):
    """Send this process's log and stderr to `path`.

    TensorFlow writes start-up messages from C++ straight to file descriptor 2;
    redirecting the descriptor keeps them in the job's log instead of the
    console that shows Snakemake's progress.
    """
    stream = open(path, "a", buffering=1)  # kept open for the whole job
    os.dup2(stream.fileno(), sys.stderr.fileno())
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        force=True,
    )
