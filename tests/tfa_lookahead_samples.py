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
"""The samples of tfa's Lookahead tests, shared by the Keras 3 and tf_keras ports.

tfa's tests applied constant gradients to two plain `tf.Variable`s of shape
(2,) for k steps, once with a plain optimizer and once with Lookahead(k,
alpha); after k steps the Lookahead has synchronized once, so its variables
must be the initial values moved alpha of the way to the plain optimizer's.
A linear regression checked that `fit` learns. Keras is passed in (`keras` or
`tf.keras`), so that both Keras versions can share these samples.
"""

import numpy as np
import tensorflow as tf

from tests.backend_neutral.reference_lookahead import Algorithm1

SEED = 0x2019
# tfa's settings: k (sync_period) and alpha (slow_step_size).
SYNC_PERIODS = [5, 10, 100]
SLOW_STEP_SIZES = [0.3, 0.7]
EAGER = "eager"
TF_FUNCTION = "tf_function"


def sample(sparse, seed=SEED):
    """Two plain variables and constant gradients for them.

    Args:
        sparse: Gradients as `tf.IndexedSlices` of one row each (row 0 of the
            first variable, row 1 of the second) instead of dense tensors.
        seed: The NumPy seed of the values.

    Returns:
        (initial values as NumPy arrays, the `tf.Variable`s, the gradients).
    """
    generator = np.random.RandomState(seed)
    initial = [generator.random_sample(2), generator.random_sample(2)]
    variables = [tf.Variable(value, dtype=tf.float32) for value in initial]
    if sparse:
        grads = [
            tf.IndexedSlices(
                tf.constant([generator.standard_normal()], tf.float32),
                tf.constant([row]),
                tf.constant([2]),
            )
            for row in (0, 1)
        ]
    else:
        grads = [
            tf.constant(generator.standard_normal(2), tf.float32) for _ in range(2)
        ]
    return initial, variables, grads


def run(optimizer, sparse, steps, mode):
    """Applies the sample's gradients `steps` times; returns initial and final.

    Args:
        optimizer: Any optimizer with `apply_gradients`.
        sparse: See `sample`.
        steps: The number of `apply_gradients` calls.
        mode: EAGER, or TF_FUNCTION to call it inside one `tf.function`.

    Returns:
        (initial values, final values), lists of NumPy arrays.
    """
    initial, variables, grads = sample(sparse)

    def apply():
        optimizer.apply_gradients(zip(grads, variables))

    if mode == TF_FUNCTION:
        apply = tf.function(apply)
    for _ in range(steps):
        apply()
    return initial, [variable.numpy() for variable in variables]


def after_one_sync(initial, fast, slow_step_size):
    """Algorithm 1's weights after the first sync: alpha of the way to `fast`."""
    initial = [np.float32(start) for start in initial]  # as the variables hold them
    return Algorithm1(initial, sync_period=1, slow_step_size=slow_step_size).sync(fast)


def linear_regression(seed=SEED):
    """tfa's fit problem: 10000 samples of y = x w (+ 1e-4 noise), 3 features.

    Returns:
        (train inputs, train targets, test inputs, exact test targets).
    """
    generator = np.random.RandomState(seed)
    inputs = generator.standard_normal((10000, 3))
    weights = generator.standard_normal((3, 1))
    targets = inputs @ weights + generator.standard_normal((10000, 1)) * 1e-4
    test_inputs = generator.standard_normal((100, 3))
    return inputs, targets, test_inputs, test_inputs @ weights


def fit_linear_regression(keras_module, optimizer):
    """tfa's fit test: `Dense(1)` fit on `linear_regression` for 3 epochs.

    Args:
        keras_module: `keras` (Keras 3) or `tf.keras` (tf_keras).
        optimizer: What the model is compiled with.

    Returns:
        (the model, the largest absolute error on the test inputs).
    """
    inputs, targets, test_inputs, test_targets = linear_regression()
    keras_module.utils.set_random_seed(SEED)
    model = keras_module.Sequential(
        [keras_module.Input((3,)), keras_module.layers.Dense(1)]
    )
    model.compile(optimizer, loss="mse")
    model.fit(inputs, targets, epochs=3, verbose=0)
    predicted = model.predict(test_inputs, verbose=0)
    return model, np.max(np.abs(predicted - test_targets))
