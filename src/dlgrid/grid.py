"""The hyperparameter grid: every combination of the value lists is one case.

A case ID is a base per network plus the mixed-radix index of the value
positions, the first hyperparameter varying slowest and the optimizer fastest.
With the original value lists this reproduces the IDs of the published
tables (e.g. MLP 10220 = uniform, (256, 128), sigmoid, l1 0, l2 0, dropout
0.2, categorical_crossentropy, adam).
"""

import itertools
import math

ID_BASE = {"mlp": 10000, "cnn": 20000}

SHARED_HYPERPARAMETERS = ("activation", "l1", "l2", "dropout", "loss", "optimizer")
HYPERPARAMETERS = {
    "mlp": ("init", "layers", *SHARED_HYPERPARAMETERS),
    "cnn": ("init", "structure", *SHARED_HYPERPARAMETERS),
}
ALL_HYPERPARAMETERS = ("init", "layers", "structure", *SHARED_HYPERPARAMETERS)


def format_value(name, value):
    """A parameter value as it appears in tables and file names."""
    if name == "layers":
        return "-".join(str(units) for units in value)
    return value


def strides(network, grid):
    """How far the case ID moves when each hyperparameter moves one value."""
    names = HYPERPARAMETERS[network]
    sizes = [len(grid[name]) for name in names]
    return {name: math.prod(sizes[i + 1 :]) for i, name in enumerate(names)}


def expand_grid(network, grid):
    """All cases of one network, in case-ID order."""
    names = HYPERPARAMETERS[network]
    value_lists = [grid[name] for name in names]
    cases = []
    for index, values in enumerate(itertools.product(*value_lists)):
        params = {
            name: format_value(name, value)
            for name, value in zip(names, values, strict=True)
        }
        case_id = ID_BASE[network] + index
        cases.append({"case_id": case_id, "network": network, **params})
    return cases


def decode_case_id(network, grid, case_id):
    """The parameters of one case ID (the inverse of the ID rule)."""
    cases = expand_grid(network, grid)
    index = case_id - ID_BASE[network]
    if not 0 <= index < len(cases):
        raise ValueError(
            f"case ID {case_id} is outside the {network} grid "
            f"({ID_BASE[network]}..{ID_BASE[network] + len(cases) - 1})"
        )
    return cases[index]


def selected_cases(network, network_config):
    """The cases a run trains: the whole grid, or the listed `case_ids`."""
    cases = expand_grid(network, network_config["grid"])
    wanted = network_config.get("case_ids")
    if not wanted:
        return cases
    by_id = {case["case_id"]: case for case in cases}
    unknown = sorted(set(wanted) - set(by_id))
    if unknown:
        raise ValueError(
            f"networks.{network}.case_ids: {unknown} are not in the {network} grid "
            f"(valid IDs: {min(by_id)}..{max(by_id)})"
        )
    return [by_id[case_id] for case_id in sorted(set(wanted))]


def bundles(cases, cases_per_job):
    """Split cases into consecutive bundles of at most `cases_per_job`."""
    return [
        cases[start : start + cases_per_job]
        for start in range(0, len(cases), cases_per_job)
    ]
