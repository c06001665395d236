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
"""Models, data and the reference Lookahead of the tf_keras tests.

The reference is the paper's Algorithm 1 (`Algorithm1`, in NumPy) around a
plain tf_keras optimizer that updates the model.
"""

import numpy as np
import tensorflow as tf

from tests.backend_neutral.reference_lookahead import Algorithm1

FEATURES = 4
BATCH_SIZE = 8
NUMBER_OF_BATCHES = 4


def data():
    """Fixed inputs and targets (NumPy draws)."""
    generator = np.random.RandomState(3)
    inputs = generator.normal(size=(BATCH_SIZE * NUMBER_OF_BATCHES, FEATURES))
    targets = np.tanh(inputs @ generator.normal(size=(FEATURES, 2)))
    return inputs.astype("float32"), targets.astype("float32")


def batch(arrays, step):
    start = (step % NUMBER_OF_BATCHES) * BATCH_SIZE
    return [array[start : start + BATCH_SIZE] for array in arrays]


def initial_weights():
    generator = np.random.RandomState(4)
    shapes = [(FEATURES, 6), (6,), (6, 2), (2,)]
    return [(0.5 * generator.normal(size=s)).astype("float32") for s in shapes]


def model():
    """A small MLP with fixed initial weights."""
    net = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(FEATURES,)),
            tf.keras.layers.Dense(6, activation="tanh"),
            tf.keras.layers.Dense(2, dtype="float32"),
        ]
    )
    net.set_weights(initial_weights())
    return net


def train_step_function(net, optimizer):
    """A custom training step in tf.function: loss, tape, apply_gradients."""
    loss_fn = tf.keras.losses.MeanSquaredError()

    @tf.function
    def step(inputs, targets):
        with tf.GradientTape() as tape:
            loss = loss_fn(targets, net(inputs, training=True))
        grads = tape.gradient(loss, net.trainable_variables)
        optimizer.apply_gradients(zip(grads, net.trainable_variables))
        return loss

    return step


def reference_trajectory(inner, sync_period, slow_step_size, steps, compile_fit):
    """Weights after each step of Algorithm 1 around the plain `inner`.

    Args:
        inner: A fresh tf_keras optimizer (not yet used).
        sync_period: k.
        slow_step_size: alpha.
        steps: The number of steps.
        compile_fit: Train with `train_on_batch` (True) or a custom step.

    Returns:
        A list with the model's weights (a list of arrays) after each step.
    """
    arrays = data()
    net = model()
    algorithm = Algorithm1(net.get_weights(), sync_period, slow_step_size)
    if compile_fit:
        net.compile(optimizer=inner, loss="mse")
    else:
        step_fn = train_step_function(net, inner)
    trajectory = []
    for step in range(steps):
        inputs, targets = batch(arrays, step)
        if compile_fit:
            net.train_on_batch(inputs, targets)
        else:
            step_fn(inputs, targets)
        net.set_weights(algorithm.after_update(net.get_weights()))
        trajectory.append(net.get_weights())
    return trajectory


def assert_trajectories_close(actual, expected, atol=1e-6):
    assert len(actual) == len(expected)
    for step, (got, want) in enumerate(zip(actual, expected)):
        for index, (a, b) in enumerate(zip(got, want)):
            np.testing.assert_allclose(
                a, b, rtol=0, atol=atol, err_msg=f"step {step + 1}, weight {index}"
            )
