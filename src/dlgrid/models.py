"""The networks of the sweep, as Keras layer stacks.

MLP: Flatten -> Dense a -> Dropout -> Dense b -> Dropout -> Dense 10 softmax.
CNN structure 1: Conv 32 -> Conv 64 -> MaxPool -> Dropout -> Flatten -> Dense 128
-> Dropout -> Dense 10 softmax; structure 2 swaps to Conv 64 -> Conv 32 and Dense 64.
The initializer, L1/L2 kernel regularizer and activation apply to every hidden
Conv2D and Dense layer.
"""

import keras
from keras import layers

INITIALIZERS = {
    "uniform": keras.initializers.RandomUniform,
    "random_normal": keras.initializers.RandomNormal,
}

CNN_STRUCTURES = {
    1: {"filters": (32, 64), "dense": 128},
    2: {"filters": (64, 32), "dense": 64},
}

OPTIMIZERS = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}


def hidden_layer_options(case):
    """Initializer, regularizer and activation shared by every hidden layer."""
    regularizer = None
    if case["l1"] or case["l2"]:
        regularizer = keras.regularizers.L1L2(l1=case["l1"], l2=case["l2"])
    return {
        "activation": case["activation"],
        "kernel_initializer": INITIALIZERS[case["init"]](),
        "kernel_regularizer": regularizer,
    }


def build_mlp(case):
    first_units, second_units = (int(units) for units in case["layers"].split("-"))
    hidden = hidden_layer_options(case)
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(first_units, **hidden),
            layers.Dropout(case["dropout"]),
            layers.Dense(second_units, **hidden),
            layers.Dropout(case["dropout"]),
            layers.Dense(10, activation="softmax"),
        ],
        name=f"mlp_{case['case_id']}",
    )


def build_cnn(case):
    structure = CNN_STRUCTURES[int(case["structure"])]
    first_filters, second_filters = structure["filters"]
    hidden = hidden_layer_options(case)
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(first_filters, (3, 3), **hidden),
            layers.Conv2D(second_filters, (3, 3), **hidden),
            layers.MaxPooling2D((2, 2)),
            layers.Dropout(case["dropout"]),
            layers.Flatten(),
            layers.Dense(structure["dense"], **hidden),
            layers.Dropout(case["dropout"]),
            layers.Dense(10, activation="softmax"),
        ],
        name=f"cnn_{case['case_id']}",
    )


def build_model(case, learning_rate):
    """The compiled network of one case."""
    builders = {"mlp": build_mlp, "cnn": build_cnn}
    model = builders[case["network"]](case)
    model.compile(
        optimizer=OPTIMIZERS[case["optimizer"]](learning_rate=learning_rate),
        loss=case["loss"],
        metrics=["accuracy"],
    )
    return model
