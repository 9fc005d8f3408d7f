"""The common-sense error of a clock reading, in minutes.

With t = 60 * hour + minute, d = |t_pred - t_true| mod 720 and the error is
min(d, 720 - d): 11:55 read as 0:05 is 10 minutes off, and no reading is
more than 360 minutes (six hours) off.
"""

import numpy as np

MINUTES_PER_DAY = 720
WITHIN_MINUTES = (1, 5, 15)


def minutes_of_day(labels):
    """[hour, minute] rows as minutes past 12 o'clock, 0-719."""
    labels = np.asarray(labels)
    return (60 * labels[..., 0] + labels[..., 1]) % MINUTES_PER_DAY


def common_sense_error(predicted_minutes, true_minutes):
    """Element-wise error in minutes between two times given as minutes of day."""
    difference = np.abs(np.asarray(predicted_minutes) - np.asarray(true_minutes))
    difference = difference % MINUTES_PER_DAY
    return np.minimum(difference, MINUTES_PER_DAY - difference)


def summarize_errors(errors):
    """Mean, median, 90th percentile, worst, and the share within 1, 5, 15 min."""
    errors = np.asarray(errors, dtype=float)
    summary = {
        "mean_error_min": float(errors.mean()),
        "median_error_min": float(np.median(errors)),
        "p90_error_min": float(np.percentile(errors, 90)),
        "max_error_min": float(errors.max()),
    }
    for limit in WITHIN_MINUTES:
        summary[f"within_{limit}_min"] = float(np.mean(errors <= limit))
    return summary
