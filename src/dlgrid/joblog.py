"""Logging for scripts that Snakemake runs: everything goes to the job's log."""

import logging
import os
import sys


def log_to_file(path):
    """Send this process's log, stdout and stderr to `path`.

    TensorFlow writes start-up messages from C++ straight to file descriptor 2
    and Keras prints progress to stdout; redirecting both descriptors keeps
    them in the job's log instead of the console that shows Snakemake's
    progress.
    """
    stream = open(path, "a", buffering=1)  # kept open for the whole job
    sys.stdout.flush()
    for descriptor in (sys.stdout.fileno(), sys.stderr.fileno()):
        os.dup2(stream.fileno(), descriptor)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        force=True,
    )
