"""Train one clock model and describe it in a record like the sweep's."""

import os
import platform
import time

import keras
import numpy as np

from dlgrid.clocks.metric import common_sense_error, minutes_of_day, summarize_errors
from dlgrid.clocks.models import build_model, decode, round_to_minute, targets


def environment():
    """Software and machine the record was made with."""
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "devices": [device.device_type for device in tf.config.list_logical_devices()],
        "intra_op_threads": os.environ.get("TF_NUM_INTRAOP_THREADS"),
    }


def _with_channel(images):
    return images[..., np.newaxis]


def predict_minutes(model, name, images, classes, batch_size):
    """Readings of `images` as whole minutes of day."""
    outputs = model.predict(_with_channel(images), batch_size=batch_size, verbose=0)
    return round_to_minute(decode(name, outputs, classes))


def train_clock_model(name, splits, settings, log=print):
    """Train `name` on splits {"train"|"validation"|"test": (images, labels)}.

    `settings`: classes, epochs, batch_size, input_side, learning_rate, seed.
    Returns (record, test predictions in minutes of day).
    """
    keras.utils.set_random_seed(settings["seed"])
    train_images, train_labels = splits["train"]
    validation_images, validation_labels = splits["validation"]
    classes, batch_size = settings["classes"], settings["batch_size"]
    steps = settings["epochs"] * int(np.ceil(len(train_images) / batch_size))

    model = build_model(
        name,
        image_side=train_images.shape[1],
        input_side=settings["input_side"],
        classes=classes,
        learning_rate=settings["learning_rate"],
        decay_steps=steps,
    )
    log(
        f"{name}: {model.count_params():,} parameters, {len(train_images):,} "
        f"training images, {settings['epochs']} epochs"
    )

    # Keep the weights of the epoch with the lowest validation loss.
    best = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=settings["epochs"], restore_best_weights=True
    )
    started = time.perf_counter()
    history = model.fit(
        _with_channel(train_images),
        targets(name, train_labels, classes),
        validation_data=(
            _with_channel(validation_images),
            targets(name, validation_labels, classes),
        ),
        epochs=settings["epochs"],
        batch_size=batch_size,
        callbacks=[best],
        verbose=2,
    )
    train_seconds = time.perf_counter() - started

    metrics, test_predictions = {}, None
    started = time.perf_counter()
    for split in ("train", "validation", "test"):
        images, labels = splits[split]
        predicted = predict_minutes(model, name, images, classes, batch_size)
        errors = common_sense_error(predicted, minutes_of_day(labels))
        metrics[split] = summarize_errors(errors)
        if split == "test":
            test_predictions = predicted
    predict_seconds = time.perf_counter() - started

    loss_history = history.history["loss"]
    record = {
        "model": name,
        "status": "ok" if np.all(np.isfinite(loss_history)) else "diverged",
        "settings": dict(settings),
        "data": {split: len(labels) for split, (_, labels) in splits.items()}
        | {"image_side": int(train_images.shape[1])},
        "parameters": int(model.count_params()),
        "history": {
            key: [float(v) for v in values] for key, values in history.history.items()
        },
        "best_epoch": int(np.argmin(history.history["val_loss"])) + 1,
        "metrics": metrics,
        "timings": {
            "train_s": train_seconds,
            "seconds_per_epoch": train_seconds / len(loss_history),
            "predict_s": predict_seconds,
        },
        "environment": environment(),
    }
    test = metrics["test"]
    log(
        f"{name}: test mean {test['mean_error_min']:.2f} min, median "
        f"{test['median_error_min']:.2f} min, train {train_seconds:.0f} s"
    )
    return record, test_predictions
