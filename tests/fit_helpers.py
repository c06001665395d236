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
"""Data, model and reference runs shared by the tests that train with fit."""

import keras
import numpy as np
import pytest

from tests.backend_neutral import linear_problem
from tests.backend_neutral.reference_lookahead import ReferenceLookaheadCallback

BATCH = 16
SAMPLES = 64


def linear_data():
    """SAMPLES rows of the linear problem, and its true kernel."""
    return (*linear_problem.data(SAMPLES), linear_problem.TRUE_KERNEL)


def mlp(seed=1):
    """4 inputs, 8 tanh units, 1 output; Keras' initializers seeded with `seed`."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.Dense(1),
        ]
    )


def fit_in_order(model, features, targets, epochs, callbacks=()):
    """`model.fit` in batches of BATCH, unshuffled and silent."""
    return model.fit(
        features,
        targets,
        batch_size=BATCH,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=list(callbacks),
    )


def fit(model, optimizer, epochs=3, callbacks=(), **compile_kwargs):
    features, targets, _ = linear_data()
    model.compile(optimizer=optimizer, loss="mse", **compile_kwargs)
    return fit_in_order(model, features, targets, epochs, callbacks)


def reference_fit(inner_fn, sync_period, slow_step_size, epochs=3, **compile_kwargs):
    """Fast and slow weights after `fit` with the reference callback."""
    model = mlp()
    callback = ReferenceLookaheadCallback(sync_period, slow_step_size)
    fit(model, inner_fn(), epochs=epochs, callbacks=[callback], **compile_kwargs)
    fast = [v.numpy() for v in model.trainable_variables]
    return fast, callback.reference.slow_weights


def reference_fit_weights(inner_fn, sync_period, slow_step_size, epochs=3):
    """The model's weights after `fit` with the reference callback."""
    return reference_fit(inner_fn, sync_period, slow_step_size, epochs)[0]


def assert_weights_close(model, expected, rtol=1e-5):
    for got, want in zip(model.trainable_variables, expected):
        np.testing.assert_allclose(got.numpy(), want, rtol=rtol, atol=1e-6)


def compiled_tf_keras_model():
    """A tf_keras (Keras 2) MLP compiled with SGD; skips without tf_keras."""
    tf_keras = pytest.importorskip("tf_keras")
    model = tf_keras.Sequential(
        [
            tf_keras.Input((4,)),
            tf_keras.layers.Dense(8, activation="tanh"),
            tf_keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=tf_keras.optimizers.SGD(0.05), loss="mse")
    return model


# What a Keras 3 callback or `inject` says when given a tf_keras model.
TF_KERAS_MODEL_ERROR = (
    r"{user} works with Keras 3 models only; for tf_keras, compile the model "
    r"with tensorflow_lookahead\.tf_keras\.Lookahead\(optimizer, sync_period, "
    r"slow_step_size\)\. Received: a tf_keras \(Keras 2\) model, Sequential"
)
