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
"""A linear regression that both Lookahead and NumPy can train, batch by batch.

Shared by the backend-neutral tests and `make_cross_backend_files.py`.
"""

import keras
import numpy as np

from tests.backend_neutral.reference_lookahead import NumpyLinearRegression

BACKEND = keras.backend.backend()
BATCH = 8
FEATURES = 4
# (k, alpha): a sync every step, a typical setting, alpha = 0 (slow weights
# never move) and alpha = 1 (Lookahead does nothing).
SYNC_SETTINGS = [(1, 0.5), (3, 0.5), (4, 0.0), (2, 1.0)]
COMPILED = "compiled"
EAGER = "eager"
# The fit modes worth their time on this backend: torch.compile takes about
# 40 s per model, so the torch runs stay eager.
MODES = [EAGER] if BACKEND == "torch" else [EAGER, COMPILED]
# The function every problem's targets follow: features @ kernel + bias.
TRUE_KERNEL = np.array([[1.0], [-2.0], [3.0], [0.5]], dtype="float32")
TRUE_BIAS = 0.75


def problem(steps, seed=0):
    """Data for `steps` batches and the initial weights of a `Dense(1)`.

    The first n batches and the weights are the same for every `steps` >= n.
    """
    rng = np.random.default_rng(seed)
    kernel = rng.normal(size=(FEATURES, 1)).astype("float32")
    bias = np.array([0.1], dtype="float32")
    features = np.stack(
        [rng.normal(size=(BATCH, FEATURES)) for _ in range(steps)]
    ).reshape(steps * BATCH, FEATURES)
    features = features.astype("float32")
    targets = features @ TRUE_KERNEL + TRUE_BIAS
    return features, targets, kernel, bias


def data(rows, seed=0):
    """The first `rows` features and targets of `problem` (a multiple of BATCH)."""
    features, targets, _, _ = problem(-(-rows // BATCH), seed)
    return features[:rows], targets[:rows]


def reference(inner, sync_period, slow_step_size, steps, seed=0):
    """Weights and slow weights after each of `steps` batches, in NumPy."""
    features, targets, kernel, bias = problem(steps, seed)
    algorithm = NumpyLinearRegression(kernel, bias, inner, sync_period, slow_step_size)
    trajectory = []
    for step in range(steps):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        algorithm.step(features[batch], targets[batch])
        trajectory.append(
            ([w.copy() for w in algorithm.weights], list(algorithm.slow_weights))
        )
    return trajectory


def linear_model(steps, seed=0):
    _, _, kernel, bias = problem(steps, seed)
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(1)])
    model.set_weights([kernel, bias])
    return model


def compile_and_fit(model, optimizer, steps, mode, first_step=0, **fit_kwargs):
    features, targets, _, _ = problem(first_step + steps)
    compile_kwargs = fit_kwargs.pop("compile_kwargs", {})
    if getattr(model, "optimizer", None) is not optimizer:
        model.compile(
            optimizer=optimizer,
            loss="mse",
            run_eagerly=mode == EAGER,
            jit_compile=mode == COMPILED,
            **compile_kwargs,
        )
    batches = slice(first_step * BATCH, (first_step + steps) * BATCH)
    return model.fit(
        features[batches],
        targets[batches],
        batch_size=BATCH,
        epochs=1,
        shuffle=False,
        verbose=0,
        **fit_kwargs,
    )


def assert_weights(variables, expected, rtol=2e-5):
    for variable, want in zip(variables, expected):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(variable), want, rtol=rtol, atol=2e-6
        )


def batch_gradients(weights, step, inner):
    """The gradients of batch `step` at `weights` (kernel, bias), as tensors."""
    features, targets, _, _ = problem(step + 1)
    batch = slice(step * BATCH, (step + 1) * BATCH)
    algorithm = NumpyLinearRegression(
        *[keras.ops.convert_to_numpy(w) for w in weights], inner, 1, 1.0
    )
    grads = algorithm.gradients(features[batch].astype(np.float64), targets[batch])
    return [keras.ops.convert_to_tensor(g, "float32") for g in grads]
