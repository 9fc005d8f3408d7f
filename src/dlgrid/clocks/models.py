"""Five ways to read a clock with Keras, each with its targets and decoding.

Every model takes the (side, side, 1) uint8 images as they are stored and
shrinks them to `input_side` pixels inside the model (Resizing), so the data
stay small in memory and a GPU or CPU only convolves the small image.

- baseline: the original study's regression network, one sigmoid output for
  time / 12 h, MAE loss, SGD 0.01. It cannot know that 11:55 and 0:05 are
  close: the reference point.
- circular: one output, the time in turns of the dial (the angle of a 2-d
  vector, see `TurnsOf`), trained with `circular_mae`, the common-sense
  error itself, which is periodic in 720 minutes.
- classification: `classes` equal slices of the 12 hours, softmax; decoded
  as the probability-weighted circular mean of the top class and its two
  neighbours on each side, which reads between class centres.
- multihead: the hour as a 12-way class plus the minute hand as (sin, cos).
- sincos: both hands as (sin, cos) angles; the hour hand's angle includes the
  minutes (3:30 points half way between 3 and 4).

multihead and sincos are decoded the same consistent way: the minute comes
from the minute hand; the hour is the whole number h for which h + minute/60
lies closest to where the hour hand (or the hour head's circular mean) points.
At 2:58 an hour head torn between 2 and 3 therefore still gives 2:58, never
3:58.

Measured on 18,000 generated clocks (default difficulty, 72-pixel input, 12
epochs on one CPU core): classification with 144 classes is best (mean 3.1,
median 1 minute), then circular (4.9 / 4), multihead (8.7 / 2), sincos
(16.8 / 2) and the baseline (182 / 184). The two (sin, cos) models mostly
read the hands against the image's vertical, not the dial's 12: their
minute is off by about rotation / 6 and their hour is often wrong on clocks
turned by more than 12 degrees (benchmarks/clocks_rotation.py). Longer
training or a larger input may teach them the dial's orientation; that was
not tried here.
"""

import keras
import numpy as np
from keras import layers, ops

from dlgrid.clocks.metric import MINUTES_PER_DAY

MODEL_NAMES = ("baseline", "circular", "classification", "multihead", "sincos")


def circular_mae(true_minutes, predicted_minutes):
    """Mean common-sense error in minutes; periodic in 720, differentiable a.e."""
    difference = predicted_minutes - ops.cast(true_minutes, predicted_minutes.dtype)
    wrapped = ops.mod(difference + MINUTES_PER_DAY / 2, MINUTES_PER_DAY)
    return ops.mean(ops.abs(wrapped - MINUTES_PER_DAY / 2), axis=-1)


def circular_mae_of_turns(true_minutes, predicted_turns):
    """`circular_mae` for an output in turns of the dial (1 turn = 12 hours)."""
    return circular_mae(true_minutes, MINUTES_PER_DAY * predicted_turns)


class TurnsOf(layers.Layer):
    """The angle of a 2-d vector, clockwise from 12, as a fraction of a turn.

    The circular model's one output comes from here, so that it can go round
    the dial without a jump. A plain Dense(1) output with the same loss
    stayed at chance level here (180 minutes after 12 epochs on 18,000
    clocks): its random start spreads the readings over several turns, the
    gradients point every which way, and it would have to jump somewhere
    between 11:59 and 0:00 anyway.
    """

    def call(self, vectors):
        angle = ops.arctan2(vectors[:, :1], vectors[:, 1:])
        return angle / (2 * np.pi)


def _inputs(image_side, input_side):
    images = keras.Input((image_side, image_side, 1), dtype="uint8", name="image")
    x = layers.Resizing(input_side, input_side, interpolation="area")(images)
    x = layers.Rescaling(1 / 255)(x)
    return images, x


def _baseline(image_side, input_side):
    """The original regression network (seed reference, section 3)."""
    images, x = _inputs(image_side, input_side)
    x = layers.Conv2D(64, 10, strides=3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(128, 3, activation="relu")(x)
    x = layers.Conv2D(128, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(256, 2, activation="relu")(x)
    x = layers.Conv2D(256, 2, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    time = layers.Dense(1, activation="sigmoid", name="time")(x)
    model = keras.Model(images, time, name="baseline")
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mae")
    return model


def _trunk(image_side, input_side):
    """A small VGG-like feature extractor shared by the four new models.

    Batch normalisation keeps running statistics with momentum 0.9, not
    Keras's 0.99: with 0.99 they lag so far behind during a short training
    that validation readings are noise for the first few hundred steps.
    """
    images, x = _inputs(image_side, input_side)
    for filters, kernel in ((32, 5), (48, 3), (96, 3), (128, 3)):
        x = layers.Conv2D(filters, kernel, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    return images, x


def _optimizer(learning_rate, decay_steps):
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps)
    return keras.optimizers.Adam(schedule)


def build_model(name, image_side, input_side, classes, learning_rate, decay_steps):
    """A compiled model; `decay_steps` is the training length for the schedule."""
    if name == "baseline":
        return _baseline(image_side, input_side)

    images, features = _trunk(image_side, input_side)
    if name == "circular":
        direction = layers.Dense(2, name="direction")(features)
        outputs = TurnsOf(name="turns")(direction)
        loss = circular_mae_of_turns
    elif name == "classification":
        outputs = layers.Dense(classes, activation="softmax", name="time_class")(
            features
        )
        loss = "sparse_categorical_crossentropy"
    elif name == "multihead":
        outputs = {
            "hour": layers.Dense(12, activation="softmax", name="hour")(features),
            "minute": layers.Dense(2, name="minute")(features),
        }
        loss = {"hour": "sparse_categorical_crossentropy", "minute": "mse"}
    elif name == "sincos":
        outputs = {
            "hour_hand": layers.Dense(2, name="hour_hand")(features),
            "minute_hand": layers.Dense(2, name="minute_hand")(features),
        }
        loss = {"hour_hand": "mse", "minute_hand": "mse"}
    else:
        raise ValueError(f"unknown clock model {name!r}; choose from {MODEL_NAMES}")

    model = keras.Model(images, outputs, name=name)
    model.compile(optimizer=_optimizer(learning_rate, decay_steps), loss=loss)
    return model


def _angle_pair(fraction_of_turn):
    angle = 2 * np.pi * fraction_of_turn
    return np.stack([np.sin(angle), np.cos(angle)], axis=-1).astype("float32")


def check_classes(classes):
    if MINUTES_PER_DAY % classes:
        raise ValueError(
            f"clocks.classes is {classes}, but it must divide 720 into equal "
            "classes of whole minutes (for example 24, 72 or 720)"
        )


def targets(name, labels, classes):
    """What the model is trained to output, from [hour, minute] labels."""
    hours, minutes = labels[:, 0], labels[:, 1]
    time = (60 * hours + minutes).astype("float32")
    if name == "baseline":
        return time / MINUTES_PER_DAY
    if name == "circular":
        return time
    if name == "classification":
        check_classes(classes)
        return (time * classes // MINUTES_PER_DAY).astype("int64")
    if name == "multihead":
        return {"hour": hours.astype("int64"), "minute": _angle_pair(minutes / 60)}
    if name == "sincos":
        return {
            "hour_hand": _angle_pair(time / MINUTES_PER_DAY),
            "minute_hand": _angle_pair(minutes / 60),
        }
    raise ValueError(f"unknown clock model {name!r}; choose from {MODEL_NAMES}")


def _turns(pair):
    """(sin, cos) rows as a fraction of a turn clockwise from 12, in [0, 1)."""
    return (np.arctan2(pair[:, 0], pair[:, 1]) / (2 * np.pi)) % 1.0


def _circular_mean_turns(probabilities, centres):
    """Probability-weighted circular mean of class centres (fractions of a turn)."""
    angle = 2 * np.pi * centres
    sine, cosine = probabilities @ np.sin(angle), probabilities @ np.cos(angle)
    return (np.arctan2(sine, cosine) / (2 * np.pi)) % 1.0


def _from_hands(hour_hand_turns, minutes):
    """Consistent reading: the hour h for which h + minutes/60 is nearest the hand."""
    hour_hand = 12 * hour_hand_turns
    hours = np.round(hour_hand - minutes / 60) % 12
    return (60 * hours + minutes) % MINUTES_PER_DAY


def decode(name, outputs, classes):
    """Predicted time in minutes of day (float, 0-720) from the model's outputs."""
    if name == "baseline":
        return (np.ravel(outputs) * MINUTES_PER_DAY) % MINUTES_PER_DAY
    if name == "circular":
        return (np.ravel(outputs) * MINUTES_PER_DAY) % MINUTES_PER_DAY
    if name == "classification":
        return _decode_classes(np.asarray(outputs), classes)
    if name == "multihead":
        # Each hour class's centre: where the hour hand points on average
        # during that hour, h + 29.5 / 60.
        centres = (np.arange(12) + 29.5 / 60) / 12
        hour_hand = _circular_mean_turns(np.asarray(outputs["hour"]), centres)
        minutes = 60 * _turns(np.asarray(outputs["minute"]))
        return _from_hands(hour_hand, minutes)
    if name == "sincos":
        minutes = 60 * _turns(np.asarray(outputs["minute_hand"]))
        return _from_hands(_turns(np.asarray(outputs["hour_hand"])), minutes)
    raise ValueError(f"unknown clock model {name!r}; choose from {MODEL_NAMES}")


def _decode_classes(probabilities, classes, neighbours=2):
    """Mean of the top class's window, its centres unwrapped around the top.

    A class's centre is the mean of the whole minutes it holds: minute 4.5
    for 0:00-0:09 with 72 classes, minute c itself with 720.
    """
    width = MINUTES_PER_DAY / classes
    top = probabilities.argmax(axis=1)
    offsets = np.arange(-neighbours, neighbours + 1)
    window = (top[:, None] + offsets) % classes
    weights = np.take_along_axis(probabilities, window, axis=1)
    centres = (top[:, None] + offsets) * width + (width - 1) / 2
    mean = (weights * centres).sum(axis=1) / weights.sum(axis=1)
    return mean % MINUTES_PER_DAY


def round_to_minute(predicted_minutes):
    """Readings as whole minutes of day, 0-719, as a clock reader states them."""
    return np.rint(predicted_minutes).astype(np.int64) % MINUTES_PER_DAY
