import keras
import pytest

from dlgrid.models import build_model

BASE = {
    "case_id": 1,
    "init": "uniform",
    "activation": "relu",
    "l1": 0.0,
    "l2": 0.0,
    "dropout": 0.2,
    "loss": "categorical_crossentropy",
    "optimizer": "adam",
}


def layer_stack(model):
    return [type(layer).__name__ for layer in model.layers]


@pytest.mark.parametrize(
    ("layers", "params"),
    [
        ("512-256", 784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10),
        ("256-128", 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10),
    ],
)
def test_mlp_layer_stack_and_parameter_count(layers, params):
    model = build_model({**BASE, "network": "mlp", "layers": layers}, 0.01)

    assert layer_stack(model) == [
        "Flatten",
        "Dense",
        "Dropout",
        "Dense",
        "Dropout",
        "Dense",
    ]
    assert model.count_params() == params
    assert model.layers[1].units == int(layers.split("-")[0])


@pytest.mark.parametrize(
    ("structure", "filters", "dense", "params"),
    [
        # conv 3x3 twice: 28 -> 26 -> 24, pooled to 12 x 12
        (1, (32, 64), 128, 320 + 18_496 + 12 * 12 * 64 * 128 + 128 + 1_290),
        (2, (64, 32), 64, 640 + 18_464 + 12 * 12 * 32 * 64 + 64 + 650),
    ],
)
def test_cnn_structures(structure, filters, dense, params):
    model = build_model({**BASE, "network": "cnn", "structure": structure}, 0.01)

    assert layer_stack(model) == [
        "Conv2D",
        "Conv2D",
        "MaxPooling2D",
        "Dropout",
        "Flatten",
        "Dense",
        "Dropout",
        "Dense",
    ]
    assert (model.layers[0].filters, model.layers[1].filters) == filters
    assert model.layers[5].units == dense
    assert model.count_params() == params


def test_hidden_layers_get_initializer_regularizer_and_activation():
    case = {
        **BASE,
        "network": "cnn",
        "structure": 1,
        "init": "random_normal",
        "activation": "sigmoid",
        "l1": 0.01,
        "l2": 0.001,
        "dropout": 0.0,
        "loss": "mse",
        "optimizer": "sgd",
    }
    model = build_model(case, 0.01)
    hidden = [model.layers[i] for i in (0, 1, 5)]

    for layer in hidden:
        assert isinstance(layer.kernel_initializer, keras.initializers.RandomNormal)
        assert layer.kernel_regularizer.l1 == pytest.approx(0.01)
        assert layer.kernel_regularizer.l2 == pytest.approx(0.001)
        assert layer.activation.__name__ == "sigmoid"
    assert model.layers[-1].activation.__name__ == "softmax"
    assert model.layers[-1].kernel_regularizer is None
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.01)
    assert model.loss == "mse"


def test_no_regularizer_when_l1_and_l2_are_zero():
    model = build_model({**BASE, "network": "mlp", "layers": "256-128"}, 0.01)

    assert model.layers[1].kernel_regularizer is None
