"""Clock reading: metric, circular loss, loader, generator and every model."""

import math
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dlgrid.clocks.generate import (  # noqa: E402
    PLAIN,
    Difficulty,
    draw_clock,
    generate_clocks,
    write_clocks,
)
from dlgrid.clocks.loader import ClockDataError, load_clocks, split_rows  # noqa: E402
from dlgrid.clocks.metric import (  # noqa: E402
    common_sense_error,
    minutes_of_day,
    summarize_errors,
)
from dlgrid.clocks.models import (  # noqa: E402
    MODEL_NAMES,
    decode,
    round_to_minute,
    targets,
)


def test_common_sense_error_hand_made_cases():
    five_past_twelve, five_to_twelve = 5, 11 * 60 + 55
    assert common_sense_error(five_past_twelve, five_to_twelve) == 10
    assert common_sense_error(58, 62) == 4  # 0:58 and 1:02
    assert common_sense_error(0, 360) == 360
    assert common_sense_error(100, 100 + 720) == 0

    every_pair = common_sense_error(np.arange(720)[:, None], np.arange(720)[None, :])
    assert every_pair.max() == 360 and every_pair.min() == 0


def test_summary_counts_within_limits():
    summary = summarize_errors([0, 1, 2, 5, 6, 15, 360])
    assert summary["median_error_min"] == 5
    assert summary["within_1_min"] == pytest.approx(2 / 7)
    assert summary["within_5_min"] == pytest.approx(4 / 7)
    assert summary["within_15_min"] == pytest.approx(6 / 7)
    assert summary["max_error_min"] == 360


def test_circular_loss_is_periodic_and_differentiable():
    import tensorflow as tf

    from dlgrid.clocks.models import circular_mae

    true = tf.constant([[5.0], [700.0], [300.0], [0.0]])
    predicted = tf.Variable([[715.0], [10.0], [450.0], [359.0]])
    with tf.GradientTape() as tape:
        loss = circular_mae(true, predicted)
    gradient = tape.gradient(loss, predicted).numpy()

    np.testing.assert_allclose(loss.numpy(), [10, 30, 150, 359])
    assert np.all(np.isfinite(gradient)) and np.all(gradient != 0)
    for shift in (720.0, -720.0, 1440.0):
        shifted = circular_mae(true, predicted + shift).numpy()
        np.testing.assert_allclose(shifted, loss.numpy(), atol=1e-3)


def _write(folder, name, array):
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / name, array)


def _clock_arrays(rows, side=150):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(rows, side, side), dtype=np.uint8)
    labels = np.stack([rng.integers(0, 12, rows), rng.integers(0, 60, rows)], 1)
    return images, labels


def test_loader_reads_single_and_chunked_layouts(tmp_path):
    images, labels = _clock_arrays(20)
    _write(tmp_path / "single", "images.npy", images)
    _write(tmp_path / "single", "labels.npy", labels)
    for i in range(5):
        _write(tmp_path / "chunks", f"data_{i + 1}.npy", images[4 * i : 4 * i + 4])
        _write(tmp_path / "chunks", f"labels_{i + 1}.npy", labels[4 * i : 4 * i + 4])

    for layout in ("single", "chunks"):
        loaded_images, loaded_labels = load_clocks(tmp_path / layout)
        np.testing.assert_array_equal(loaded_images, images)
        np.testing.assert_array_equal(loaded_labels, labels)

    small, small_labels = _clock_arrays(6, side=75)
    _write(tmp_path / "small", "images.npy", small)
    _write(tmp_path / "small", "labels.npy", small_labels)
    assert load_clocks(tmp_path / "small")[0].shape == (6, 75, 75)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda im, lab: (im[:, :100, :], lab), r"images.npy.*\(N, 150, 150\)"),
        (lambda im, lab: (im.astype(np.float32), lab), r"images.npy.*uint8"),
        (lambda im, lab: (im, lab[:, :1]), r"labels.npy.*\(N, 2\)"),
        (lambda im, lab: (im, lab[:-1]), r"labels.npy: 9 labels for 10 images"),
        (lambda im, lab: (im, lab + [12, 0]), r"labels.npy: hours must be 0-11"),
        (lambda im, lab: (im, lab - [0, 60]), r"labels.npy: minutes must be 0-59"),
    ],
)
def test_loader_rejects_bad_files_naming_them(tmp_path, change, message):
    images, labels = change(*_clock_arrays(10))
    _write(tmp_path, "images.npy", images)
    _write(tmp_path, "labels.npy", labels)
    with pytest.raises(ClockDataError, match=message):
        load_clocks(tmp_path)


def test_loader_names_missing_chunks(tmp_path):
    images, labels = _clock_arrays(4)
    _write(tmp_path, "data_1.npy", images)
    _write(tmp_path, "labels_1.npy", labels)
    with pytest.raises(ClockDataError, match="missing data_2.npy, labels_2.npy"):
        load_clocks(tmp_path)

    (tmp_path / "empty").mkdir()
    with pytest.raises(ClockDataError, match="empty: found neither images.npy"):
        load_clocks(tmp_path / "empty")
    with pytest.raises(ClockDataError, match="absent: no such folder"):
        load_clocks(tmp_path / "absent")


def test_split_is_seeded_shuffled_and_70_10_20():
    rows = split_rows(1000, seed=3)
    assert [len(rows[name]) for name in ("train", "validation", "test")] == [
        700,
        100,
        200,
    ]
    everything = np.concatenate(list(rows.values()))
    assert sorted(everything) == list(range(1000))
    assert not np.array_equal(rows["train"], np.arange(700))  # shuffled
    np.testing.assert_array_equal(split_rows(1000, seed=3)["test"], rows["test"])
    assert not np.array_equal(split_rows(1000, seed=4)["test"], rows["test"])


def test_generator_is_deterministic_per_seed(tmp_path):
    first, labels = generate_clocks(per_minute=1, seed=7, workers=1)
    again, _ = generate_clocks(per_minute=1, seed=7, workers=2)
    other, _ = generate_clocks(per_minute=1, seed=8, workers=1)

    assert first.shape == (720, 150, 150) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    np.testing.assert_array_equal(minutes_of_day(labels), np.arange(720))

    write_clocks(tmp_path, first, labels)
    loaded, loaded_labels = load_clocks(tmp_path)  # the same format as the real files
    np.testing.assert_array_equal(loaded, first)


def _dark_angles(image, inner, outer):
    """Clockwise angles from 12 (degrees) of the dark pixels in a ring."""
    centre = (image.shape[0] - 1) / 2
    rows, columns = np.nonzero(image < 80)
    dx, dy = columns - centre, centre - rows
    radius = np.hypot(dx, dy)
    keep = (radius >= inner) & (radius <= outer)
    return np.degrees(np.arctan2(dx[keep], dy[keep])) % 360


def _circular_mean(angles):
    radians = np.radians(angles)
    return (
        math.degrees(math.atan2(np.sin(radians).mean(), np.cos(radians).mean())) % 360
    )


def _angle_gap(a, b):
    return abs((a - b + 180) % 360 - 180)


@pytest.mark.parametrize(("hour", "minute"), [(3, 0), (7, 10), (10, 10), (5, 45)])
def test_generated_hands_show_the_label(hour, minute):
    image = draw_clock(hour, minute, np.random.default_rng(0), PLAIN)
    radius = 0.95 * 150 / 2  # a plain dial fills 95% of the image

    # Between the numerals and the ticks only the minute hand is dark.
    minute_angle = _circular_mean(_dark_angles(image, 0.73 * radius, 0.77 * radius))
    assert _angle_gap(minute_angle, 6 * minute) < 3

    # Near the centre both hands are: drop the minute hand's pixels.
    near = _dark_angles(image, 0.15 * radius, 0.45 * radius)
    hour_pixels = near[_angle_gap(near, minute_angle) > 20]
    assert _angle_gap(_circular_mean(hour_pixels), 30 * hour + minute / 2) < 3


def test_difficulty_rejects_out_of_range_knobs():
    with pytest.raises(ValueError, match="tilt_deg"):
        Difficulty(tilt_deg=85)


def test_decoding_never_costs_an_hour_at_the_boundary():
    # 2:58: an hour head torn between 2 and 3, a minute hand at 58.
    hour = np.zeros((1, 12))
    hour[0, 2], hour[0, 3] = 0.45, 0.55
    angle = 2 * np.pi * 58 / 60
    minute = np.array([[np.sin(angle), np.cos(angle)]])
    assert decode("multihead", {"hour": hour, "minute": minute}, 72)[0] == (
        pytest.approx(2 * 60 + 58)
    )

    # Both hands: the hour hand a little past 3 at 2:59 still reads 2:59.
    hour_turn = 2 * np.pi * (3.05 / 12)
    minute_turn = 2 * np.pi * 59 / 60
    outputs = {
        "hour_hand": np.array([[np.sin(hour_turn), np.cos(hour_turn)]]),
        "minute_hand": np.array([[np.sin(minute_turn), np.cos(minute_turn)]]),
    }
    assert decode("sincos", outputs, 72)[0] == pytest.approx(179)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_perfect_outputs_decode_to_the_true_time(name):
    labels = np.stack([np.arange(720) // 60, np.arange(720) % 60], axis=1)
    wanted = targets(name, labels, classes=720)
    if name == "classification":
        wanted = np.eye(720)[wanted]  # one-hot probabilities
    if name == "multihead":
        wanted = {**wanted, "hour": np.eye(12)[wanted["hour"]]}
    if name == "circular":
        wanted = wanted / 720  # trained on minutes, the network outputs turns
    readings = round_to_minute(decode(name, wanted, classes=720))
    np.testing.assert_array_equal(readings, np.arange(720))


def test_classification_reads_between_and_across_class_centres():
    # With 72 classes, 1:40-1:49 has its centre at minute 104.5, 1:50-1:59 at
    # 114.5; 11:50-11:59 at 714.5 and 0:00-0:09 at 4.5, across the 12.
    probabilities = np.zeros((2, 72))
    probabilities[0, [10, 11]] = 0.5
    probabilities[1, [71, 0]] = 0.5
    readings = decode("classification", probabilities, classes=72)
    assert readings[0] == pytest.approx(109.5)
    assert readings[1] == pytest.approx(719.5)


def test_classes_must_divide_the_dial():
    with pytest.raises(ValueError, match="clocks.classes is 7"):
        targets("classification", np.array([[1, 2]]), classes=7)


def test_every_model_trains_end_to_end_on_tiny_clocks():
    from dlgrid.clocks.loader import split_clocks
    from dlgrid.clocks.train import train_clock_model

    images, labels = generate_clocks(per_minute=1, seed=1, size=75, workers=1)
    rows = np.random.default_rng(0).choice(len(images), 300, replace=False)
    splits = split_clocks(images[rows], labels[rows], seed=0)
    settings = {
        "classes": 24,
        "epochs": 1,
        "batch_size": 32,
        "input_side": 72,
        "learning_rate": 1e-3,
        "seed": 0,
    }

    for name in MODEL_NAMES:
        record, predicted = train_clock_model(
            name, splits, settings, log=lambda _: None
        )
        assert record["model"] == name and record["status"] == "ok"
        assert len(record["history"]["loss"]) == 1
        assert record["data"] == {
            "train": 210,
            "validation": 30,
            "test": 60,
            "image_side": 75,
        }
        assert predicted.shape == (60,)
        assert predicted.min() >= 0 and predicted.max() < 720
        test = record["metrics"]["test"]
        assert 0 <= test["median_error_min"] <= test["max_error_min"] <= 360
        assert record["timings"]["train_s"] > 0
