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

from tensorflow_lookahead.tf_keras import Lookahead
from tensorflow_lookahead.tf_keras import RectifiedAdam

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
