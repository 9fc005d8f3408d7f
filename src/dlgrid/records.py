"""Case records: one JSON file per trained case, written atomically.

A record holds everything needed to read it without the workflow: the case
ID, dataset, network, every hyperparameter (`params`), the training settings
(`training`), the data it saw (`data`), `status` ("ok", or "diverged" when the
loss became NaN), the per-epoch `history`, final train / validation / test
accuracy and loss, parameter count, timings and the software `environment`.
"""

import json
import math
import os
import tempfile
from pathlib import Path


def _json_safe(value):
    """NaN and infinity are not JSON: store them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def write_json_atomic(path, data):
    """Write JSON so that `path` is either absent or complete, never partial."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(_json_safe(data), stream, indent=2, allow_nan=False)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes files private to their owner
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_json(path):
    with open(path) as stream:
        return json.load(stream)
