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
"""Benchmark workloads: models and synthetic data, for Keras 2 and Keras 3.

Written against the `keras` package, which is `tf.keras` both with
TensorFlow 2.16+ (Keras 3) and with tensorflow-addons' TensorFlow 2.15
(Keras 2), so that the same workloads run with this package and with tfa for
side-by-side numbers, and, being Keras 3, on every Keras backend.
"""

import keras
import numpy as np

BATCHES_IN_DATA = 16


def wide_mlp():
    """Optimizer-bound: 9.4M parameters, batch 8 (the tfa #2735 setting)."""
    model = keras.Sequential(
        [
            keras.Input((1024,)),
            keras.layers.Dense(3072, activation="relu"),
            keras.layers.Dense(2048, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    return model, _classification_data((1024,), 8), 8


def small_mlp():
    """A small MLP on 64 features, batch 32."""
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    return model, _classification_data((64,), 32), 32


def small_cnn():
    """Two conv layers on 28x28x1 images, batch 32."""
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    return model, _classification_data((28, 28, 1), 32), 32


def embedding():
    """Embedding(20000, 64) on 20-token sequences: sparse gradients, batch 32."""
    model = keras.Sequential(
        [
            keras.Input((20,), dtype="int32"),
            keras.layers.Embedding(20000, 64),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(10),
        ]
    )
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 20000, size=(32 * BATCHES_IN_DATA, 20)).astype("int32")
    labels = rng.integers(0, 10, size=(32 * BATCHES_IN_DATA,)).astype("int32")
    return model, (tokens, labels), 32


def _classification_data(shape, batch_size):
    rng = np.random.default_rng(0)
    count = batch_size * BATCHES_IN_DATA
    features = rng.normal(size=(count, *shape)).astype("float32")
    labels = rng.integers(0, 10, size=(count,)).astype("int32")
    return features, labels


WORKLOADS = {
    "wide_mlp": wide_mlp,
    "small_mlp": small_mlp,
    "small_cnn": small_cnn,
    "embedding": embedding,
}
