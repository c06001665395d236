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
"""Training runs of the demo: data, model, one run per configuration."""

import dataclasses
import time

import keras
import numpy as np

from tensorflow_lookahead.callbacks import LookaheadDiagnostics
from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.optimizers import RectifiedAdam

INNER_OPTIMIZERS = {
    "sgd": lambda learning_rate: keras.optimizers.SGD(learning_rate, momentum=0.9),
    "adam": lambda learning_rate: keras.optimizers.Adam(learning_rate),
    "adamw": lambda learning_rate: keras.optimizers.AdamW(learning_rate),
    "radam": lambda learning_rate: RectifiedAdam(learning_rate),
    "rmsprop": lambda learning_rate: keras.optimizers.RMSprop(learning_rate),
}


def optimizer_name(inner, use_lookahead):
    """`inner`, or `lookahead(inner)`; Lookahead over RAdam is called Ranger."""
    if not use_lookahead:
        return inner
    return "ranger" if inner == "radam" else f"lookahead({inner})"


@dataclasses.dataclass
class Digits:
    """scikit-learn's 8x8 digits, scaled to [0, 1], split 80/20 stratified."""

    train_features: np.ndarray
    train_labels: np.ndarray
    test_features: np.ndarray
    test_labels: np.ndarray


@dataclasses.dataclass
class RunResult:
    """What one training run produced."""

    optimizer: str
    learning_rate: float
    seed: int
    epoch_losses: list
    test_loss: float
    test_accuracy: float
    seconds: float
    distances: list = dataclasses.field(default_factory=list)


def load_digits():
    """The digits data set that ships inside scikit-learn (no download)."""
    from sklearn import datasets
    from sklearn import model_selection

    features, labels = datasets.load_digits(return_X_y=True)
    features = (features / 16.0).astype("float32")
    split = model_selection.train_test_split(
        features, labels, test_size=0.2, stratify=labels, random_state=0
    )
    train_features, test_features, train_labels, test_labels = split
    return Digits(train_features, train_labels, test_features, test_labels)


def make_model(seed):
    """A small MLP classifier, initialised from `seed`."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def train(
    data, settings, inner, learning_rate, seed, use_lookahead, record_distances=False
):
    """Trains one model and evaluates it on the test split.

    Args:
        data: A `Digits`.
        settings: The parsed command line (sync_period, slow_step_size, ...).
        inner: A key of `INNER_OPTIMIZERS`.
        learning_rate: The inner optimizer's learning rate.
        seed: Seeds the initial weights and the shuffling.
        use_lookahead: Wrap the inner optimizer in Lookahead.
        record_distances: Record the fast-to-slow distance after each step.

    Returns:
        A `RunResult`.
    """
    started = time.perf_counter()
    model = make_model(seed)
    optimizer = INNER_OPTIMIZERS[inner](learning_rate)
    callbacks = []
    if use_lookahead:
        optimizer = Lookahead(
            optimizer,
            sync_period=settings.sync_period,
            slow_step_size=settings.slow_step_size,
            inner_state_at_sync=settings.inner_state_at_sync,
        )
        if record_distances:
            callbacks.append(LookaheadDiagnostics(every_n_steps=1))
    model.compile(
        optimizer=optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        data.train_features,
        data.train_labels,
        batch_size=settings.batch_size,
        epochs=settings.epochs,
        callbacks=callbacks,
        verbose=0,
    )
    test_loss, test_accuracy = model.evaluate(
        data.test_features, data.test_labels, batch_size=512, verbose=0
    )
    return RunResult(
        optimizer=optimizer_name(inner, use_lookahead),
        learning_rate=learning_rate,
        seed=seed,
        epoch_losses=[float(v) for v in history.history["loss"]],
        test_loss=float(test_loss),
        test_accuracy=float(test_accuracy),
        seconds=time.perf_counter() - started,
        distances=(
            callbacks[0].history["lookahead_distance"] if record_distances else []
        ),
    )
