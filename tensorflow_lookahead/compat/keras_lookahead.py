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
"""The keras_lookahead API: `Lookahead(k, alpha).inject(model)`."""

import numbers

from tensorflow_lookahead.callbacks import model_attachment
from tensorflow_lookahead.callbacks import model_state
from tensorflow_lookahead.optimizers import lookahead
from tensorflow_lookahead.utils import arguments
from tensorflow_lookahead.utils import keras_version
from tensorflow_lookahead.utils.typechecking import typechecked


class Lookahead:
    """Adds Lookahead to a compiled model, as bojone/keras_lookahead did.

    `inject(model)` wraps the compiled model's optimizer in
    `tensorflow_lookahead.Lookahead`, so every later `fit` trains with it
    (the original rewrote `model.train_function` instead). It works after
    `compile`, before or after a first `fit`. The slow weights start at the
    model's weights at the first update after `inject`. Injecting again with
    the same `k` and `alpha` (a re-run notebook cell) keeps the Lookahead
    already in the model, as it does for one left by an interrupted `fit`
    with a `LookaheadCallback` of the same settings.

    Args:
        k: The number of inner updates between two synchronizations
            (`sync_period`); an integer >= 1.
        alpha: The slow weights' step size (`slow_step_size`); a real number
            in [0, 1].

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: An argument is out of range.

    >>> import keras
    >>> from tensorflow_lookahead import compat
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> optimizer = compat.Lookahead(k=5, alpha=0.5).inject(model)
    Lookahead(sync_period=5, slow_step_size=0.5) now wraps the model's Adam
    optimizer; the next fit() trains with it.
    >>> model.optimizer is optimizer
    True
    """

    @typechecked
    def __init__(self, k: numbers.Integral = 5, alpha: numbers.Real = 0.5):
        self.k = arguments.validated_sync_period(k, "k")
        self.alpha = arguments.validated_slow_step_size(alpha, "alpha")

    def inject(self, model, verbose: bool = True):
        """Makes the compiled `model` train with Lookahead from now on.

        Args:
            model: A compiled Keras model.
            verbose: Print what was done.

        Returns:
            The `tensorflow_lookahead.Lookahead` optimizer now in the model.

        Raises:
            TypeError: The model is a tf_keras (Keras 2) model.
            ValueError: The model is not compiled, or already uses a
                Lookahead with another `k` or `alpha`.
        """
        keras_version.reject_tf_keras_model(model, "compat.Lookahead.inject")
        settings = f"Lookahead(sync_period={self.k}, slow_step_size={self.alpha})"
        optimizer = model_attachment.continued_lookahead(
            model,
            {"k": ("sync_period", self.k), "alpha": ("slow_step_size", self.alpha)},
            only_left_by_fit=False,
        )
        if optimizer is not None:
            if verbose:
                print(f"The model already trains with {settings}; it continues.")
            return optimizer
        inner_optimizer = model_attachment.trained_optimizer(model)
        with model_state.model_scope(model):
            optimizer = lookahead.Lookahead(
                inner_optimizer, sync_period=self.k, slow_step_size=self.alpha
            )
        model_attachment.attach_lookahead(model, optimizer)
        if verbose:
            print(
                f"{settings} now wraps the model's "
                f"{type(inner_optimizer).__name__} optimizer; the next fit() "
                "trains with it."
            )
        return optimizer
