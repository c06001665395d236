# Copyright 2026 The TensorFlow Lookahead Authors. All Rights Reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# ==============================================================================
"""tf_keras RectifiedAdam and Ranger against tfa 0.23's own trajectories.

tests/data/tfa_reference/ comes from tools/make_tfa_rectified_adam_reference.py
(tfa on TensorFlow 2.15); each case holds tfa's serialized optimizer, which
is loaded here with tf.keras.optimizers.deserialize as a tfa user's config.
"""

import json
import math
import pathlib

import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead.optimizers import rectified_adam as keras3_rectified_adam
from tensorflow_lookahead.tf_keras import Lookahead
from tensorflow_lookahead.tf_keras import RectifiedAdam
from tests.backend_neutral.rectified_adam_reference import NumpyRectifiedAdam
from tests.backend_neutral.rectified_adam_reference import constant

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "tfa_reference"
REFERENCE = json.loads((DATA / "reference.json").read_text())
ATOL = 1e-6


def arrays():
    return np.load(DATA / "rectified_adam.npz")


def expected_trajectory(record, case):
    return [record[f"{case}__{index}"] for index in range(2)]


def tfa_optimizer(case, cases="gradient_cases"):
    return tf.keras.optimizers.deserialize(REFERENCE[cases][case]["tfa_config"])


@pytest.mark.parametrize("case", sorted(REFERENCE["gradient_cases"]))
def test_gradient_sequence_matches_tfa(case):
    record = arrays()
    optimizer = tfa_optimizer(case)
    wanted = RectifiedAdam
    if REFERENCE["gradient_cases"][case]["lookahead_arguments"]:
        assert isinstance(optimizer, Lookahead)
        assert isinstance(optimizer.inner_optimizer, wanted)
    else:
        assert isinstance(optimizer, wanted)
    variables = [tf.Variable(record[f"initial__{i}"]) for i in range(2)]
    expected = expected_trajectory(record, case)
    for step in range(REFERENCE["steps"]):
        grads = [tf.constant(record[f"gradients__{i}"][step]) for i in range(2)]
        optimizer.apply_gradients(zip(grads, variables))
        for index, variable in enumerate(variables):
            np.testing.assert_allclose(
                variable.numpy(),
                expected[index][step + 1],
                rtol=1e-6,
                atol=ATOL,
                err_msg=f"{case}: step {step + 1}, variable {index}",
            )


@pytest.mark.parametrize("case", sorted(REFERENCE["fit_cases"]))
def test_fit_matches_tfa(case):
    record = arrays()
    fit = REFERENCE["fit"]
    net = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(record["inputs"].shape[1],)),
            tf.keras.layers.Dense(record["targets"].shape[1]),
        ]
    )
    net.set_weights([record[f"fit_initial__{i}"] for i in range(2)])
    net.compile(optimizer=tfa_optimizer(case, "fit_cases"), loss=fit["loss"])
    net.fit(
        record["inputs"],
        record["targets"],
        batch_size=fit["batch_size"],
        epochs=fit["epochs"],
        shuffle=False,
        verbose=0,
    )
    for index, value in enumerate(net.get_weights()):
        np.testing.assert_allclose(
            value, expected_trajectory(record, case)[index][-1], rtol=1e-6, atol=ATOL
        )


def numpy_radam(initial, gradients, learning_rate, beta_1, beta_2, epsilon):
    """The paper's Algorithm 2 (with tfa's epsilon and threshold 5) in NumPy."""
    value = initial.astype(np.float64)
    m = np.zeros_like(value)
    v = np.zeros_like(value)
    rho_inf = 2.0 / (1.0 - beta_2) - 1.0
    for step, gradient in enumerate(gradients, start=1):
        m = beta_1 * m + (1.0 - beta_1) * gradient
        v = beta_2 * v + (1.0 - beta_2) * gradient**2
        m_hat = m / (1.0 - beta_1**step)
        rho = rho_inf - 2.0 * step * beta_2**step / (1.0 - beta_2**step)
        if rho >= 5.0:
            v_hat = np.sqrt(v / (1.0 - beta_2**step))
            r = math.sqrt(
                (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
            )
            value = value - learning_rate * r * m_hat / (v_hat + epsilon)
        else:
            value = value - learning_rate * m_hat
    return value


def test_matches_numpy_reference_of_the_paper():
    generator = np.random.RandomState(5)
    initial = generator.normal(size=(3,)).astype("float32")
    gradients = generator.normal(size=(20, 3)).astype("float32")
    variable = tf.Variable(initial)
    optimizer = RectifiedAdam(learning_rate=0.01, beta_2=0.9)
    for gradient in gradients:
        optimizer.apply_gradients([(tf.constant(gradient), variable)])
    expected = numpy_radam(initial, gradients, 0.01, 0.9, 0.9, 1e-7)
    np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_config_round_trip_and_registered_name():
    optimizer = RectifiedAdam(
        learning_rate=0.02, amsgrad=True, total_steps=10, weight_decay=0.1
    )
    serialized = tf.keras.optimizers.serialize(optimizer)
    assert serialized["registered_name"] == "Addons>RectifiedAdam"
    restored = tf.keras.optimizers.deserialize(serialized)
    assert isinstance(restored, RectifiedAdam)
    assert restored.get_config() == optimizer.get_config()


@pytest.mark.parametrize(
    "arguments,message",
    [
        ({"beta_1": 1.0}, "beta_1"),
        ({"beta_2": -0.1}, "beta_2"),
        ({"epsilon": -1.0}, "epsilon"),
        ({"total_steps": -1}, "total_steps"),
        ({"warmup_proportion": 1.5}, "warmup_proportion"),
        ({"min_lr": -0.1}, "min_lr"),
        ({"weight_decay": -0.1}, "weight_decay"),
    ],
)
def test_bad_arguments_raise_value_error(arguments, message):
    with pytest.raises(ValueError, match=message):
        RectifiedAdam(**arguments)


def test_bad_types_raise_type_error():
    with pytest.raises(TypeError, match="amsgrad"):
        RectifiedAdam(amsgrad="yes")
    with pytest.raises(TypeError, match="total_steps"):
        RectifiedAdam(total_steps=1.5)


# Every real-valued argument, RectifiedAdam's own and the base optimizer's.
REAL_ARGUMENTS = [
    "learning_rate",
    "beta_1",
    "beta_2",
    "epsilon",
    "weight_decay",
    "sma_threshold",
    "warmup_proportion",
    "min_lr",
    "lr",
    "decay",
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
]


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("argument", REAL_ARGUMENTS)
def test_non_finite_argument_raises_naming_it(argument, value):
    message = rf"^`{argument}` must be a finite real number.*\. Received: "
    message += rf"{argument}={value!r}$"
    with pytest.raises(ValueError, match=message):
        RectifiedAdam(**{argument: value})


@pytest.mark.parametrize("sma_threshold", [3.9, 0.0, -1.0])
def test_sma_threshold_below_4_raises_as_the_keras_3_class(sma_threshold):
    messages = []
    for optimizer_class in (RectifiedAdam, keras3_rectified_adam.RectifiedAdam):
        with pytest.raises(ValueError) as error:
            optimizer_class(sma_threshold=sma_threshold)
        messages.append(str(error.value))
    assert (
        messages[0]
        == messages[1]
        == (
            "`sma_threshold` must be a finite real number >= 4.0. Received: "
            f"sma_threshold={sma_threshold}"
        )
    )


def run_steps(optimizer, initial, gradients):
    variable = tf.Variable(initial)
    for gradient in gradients:
        optimizer.apply_gradients([(tf.constant(gradient), variable)])
    return variable.numpy()


def reference_run(radam, initial, gradients):
    weights = [initial.astype(np.float64)]
    for gradient in gradients:
        weights = radam.apply(weights, [gradient])
    return weights[0]


def test_sma_threshold_4_trains_as_the_reference():
    generator = np.random.RandomState(4)
    initial = generator.normal(size=(3,)).astype("float32")
    gradients = generator.normal(size=(12, 3)).astype("float32")
    optimizer = RectifiedAdam(0.01, beta_2=0.9, sma_threshold=4.0)
    reference = NumpyRectifiedAdam(constant(0.01), beta_2=0.9, sma_threshold=4.0)
    actual = run_steps(optimizer, initial, gradients)
    expected = reference_run(reference, initial, gradients)
    assert np.all(np.isfinite(actual))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("total_steps", [2**63, 2**64])
def test_total_steps_beyond_the_int64_step_counter_raises(total_steps):
    assert RectifiedAdam().iterations.dtype == tf.int64
    message = rf"^`total_steps` must be an integer in \[0, {2**63 - 1}\].*"
    message += rf"\. Received: total_steps={total_steps}$"
    with pytest.raises(ValueError, match=message):
        RectifiedAdam(total_steps=total_steps)


def test_largest_total_steps_trains_as_the_reference():
    generator = np.random.RandomState(15)
    initial = generator.normal(size=(3,)).astype("float32")
    gradients = generator.normal(size=(8, 3)).astype("float32")
    arguments = dict(total_steps=2**63 - 1, warmup_proportion=0.0)
    optimizer = RectifiedAdam(0.1, **arguments)
    reference = NumpyRectifiedAdam(constant(0.1), **arguments)
    actual = run_steps(optimizer, initial, gradients)
    expected = reference_run(reference, initial, gradients)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
    assert np.max(np.abs(actual - initial)) > 1e-2


HYPERPARAMETERS = dict(
    learning_rate=0.05,
    beta_1=0.8,
    beta_2=0.95,
    epsilon=1e-6,
    weight_decay=0.01,
    amsgrad=True,
    sma_threshold=4.5,
    total_steps=8,
    warmup_proportion=0.25,
    min_lr=0.001,
)
SCALAR_KINDS = {
    "numpy_scalar": lambda value: np.asarray(value)[()],
    "numpy_0d_array": np.asarray,
    "0d_tensor": tf.constant,
}


@pytest.mark.parametrize("kind", sorted(SCALAR_KINDS))
def test_0d_arrays_and_tensors_as_hyperparameters(kind):
    arguments = {key: SCALAR_KINDS[kind](v) for key, v in HYPERPARAMETERS.items()}
    optimizer = RectifiedAdam(**arguments)
    # The value each holds (a float32 tensor rounds 0.8, say).
    values = {key: np.asarray(value).item() for key, value in arguments.items()}
    config = optimizer.get_config()
    json.dumps(config)
    for key, value in values.items():
        assert config[key] == value and type(config[key]) is type(value), key
    generator = np.random.RandomState(16)
    initial = generator.normal(size=(3,)).astype("float32")
    gradients = generator.normal(size=(12, 3)).astype("float32")
    reference = NumpyRectifiedAdam(
        **dict(
            values,
            learning_rate=constant(values["learning_rate"]),
            weight_decay=constant(values["weight_decay"]),
        )
    )
    actual = run_steps(optimizer, initial, gradients)
    expected = reference_run(reference, initial, gradients)
    np.testing.assert_allclose(actual, expected, rtol=2e-5, atol=1e-6)


def test_0d_arrays_as_keras2_base_arguments():
    optimizer = RectifiedAdam(
        lr=np.asarray(0.01), decay=np.float32(0.5), clipnorm=np.asarray(1.0)
    )
    config = optimizer.get_config()
    assert config["learning_rate"] == 0.01 and config["clipnorm"] == 1.0
    assert config["decay"] == 0.5


def test_name_none_is_the_default_name():
    optimizer = RectifiedAdam(name=None)
    assert optimizer.get_config()["name"] == "RectifiedAdam"
    assert optimizer.get_config() == RectifiedAdam().get_config()


def index_slices(step):
    """Rows 0 and 2 twice, as a batch with a repeated token gives them."""
    generator = np.random.RandomState(step)
    indices = np.array([0, 2, 0, 1, 2], dtype="int32")
    values = generator.normal(size=(len(indices), 3)).astype("float32")
    return indices, values


def dense_gradient(indices, values, rows):
    gradient = np.zeros((rows, values.shape[1]), dtype=np.float64)
    np.add.at(gradient, indices, values.astype(np.float64))
    return gradient


@pytest.mark.parametrize("amsgrad", [False, True])
def test_sparse_gradient_with_repeated_indices_equals_dense(amsgrad):
    """Every row is in each gradient: tfa's sparse update is then the dense one."""
    rows, steps = 3, 10
    table = np.linspace(-1.0, 1.0, rows * 3).reshape(rows, 3).astype("float32")

    def run(sparse):
        variable = tf.Variable(table)
        optimizer = RectifiedAdam(0.1, beta_2=0.95, weight_decay=0.01, amsgrad=amsgrad)
        for step in range(steps):
            indices, values = index_slices(step)
            if sparse:
                gradient = tf.IndexedSlices(
                    tf.constant(values), tf.constant(indices), tf.constant(table.shape)
                )
            else:
                gradient = tf.constant(dense_gradient(indices, values, rows), "float32")
            optimizer.apply_gradients([(gradient, variable)])
        return variable.numpy()

    radam = NumpyRectifiedAdam(
        constant(0.1), beta_2=0.95, weight_decay=constant(0.01), amsgrad=amsgrad
    )
    expected = [table.astype(np.float64)]
    for step in range(steps):
        expected = radam.apply(expected, [dense_gradient(*index_slices(step), rows)])
    sparse, dense = run(sparse=True), run(sparse=False)
    np.testing.assert_allclose(sparse, dense, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(sparse, expected[0], rtol=2e-5, atol=1e-6)


def test_embedding_with_a_repeated_token_equals_numpy_reference():
    """Token 1 twice in each batch: its gradient is the sum of both."""
    rows, width, steps = 3, 2, 8
    table = np.linspace(-1.0, 1.0, rows * width).reshape(rows, width).astype("float32")
    indices = np.array([[1], [1], [0], [2]] * steps, dtype="int32")
    targets = np.full((4 * steps, 1, width), 0.5, dtype="float32")
    model = tf.keras.Sequential(
        [tf.keras.Input((1,), dtype="int32"), tf.keras.layers.Embedding(rows, width)]
    )
    model.set_weights([table])
    model.compile(optimizer=RectifiedAdam(0.1, beta_2=0.95), loss="mse")
    model.fit(indices, targets, batch_size=4, epochs=1, shuffle=False, verbose=0)
    radam = NumpyRectifiedAdam(constant(0.1), beta_2=0.95)
    weights = [table.astype(np.float64)]
    for step in range(steps):
        gradient = np.zeros_like(weights[0])
        for row in indices[4 * step : 4 * step + 4, 0]:
            gradient[row] += 2 * (weights[0][row] - 0.5) / (4 * width)
        weights = radam.apply(weights, [gradient])
    np.testing.assert_allclose(model.get_weights()[0], weights[0], rtol=2e-5, atol=1e-7)
