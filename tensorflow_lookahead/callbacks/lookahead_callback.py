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
"""A callback that trains with Lookahead for the duration of `fit`."""

import numbers

import keras

from tensorflow_lookahead.optimizers import backend
from tensorflow_lookahead.optimizers import model_attachment
from tensorflow_lookahead.optimizers import lookahead
from tensorflow_lookahead.utils.typechecking import typechecked


class LookaheadCallback(keras.callbacks.Callback):
    """Trains with `Lookahead` around the compiled optimizer during `fit`.

    For code written against callback implementations such as params-flow's
    `LookaheadOptimizerCallback`. At the start of `fit` the model's optimizer
    is wrapped in a `Lookahead` optimizer, so the synchronizations run inside
    the compiled train function, on the weights' devices, exactly as with
    `model.compile(optimizer=Lookahead(...))`; nothing is copied through the
    host and `steps_per_execution > 1` works. At the end of `fit` the model
    gets its own optimizer back. The Lookahead state (slow weights, step
    counter) stays in `callback.optimizer` and carries on when the same
    callback is passed to the next `fit` of the same model and optimizer.

    Args:
        sync_period: k, the number of inner updates between two
            synchronizations; an integer >= 1.
        slow_step_size: alpha, the step size of the slow weights; a real
            number in [0, 1].
        finalize_with_slow_weights: If True, `fit` ends with the slow weights
            in the model (see `Lookahead`).

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: An argument is out of range.

    >>> import keras, numpy as np
    >>> from tensorflow_lookahead.callbacks import LookaheadCallback
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    >>> callback = LookaheadCallback(sync_period=5, slow_step_size=0.5)
    >>> _ = model.fit(np.ones((40, 2)), np.ones((40, 1)), batch_size=4,
    ...               callbacks=[callback], verbose=0)
    >>> int(callback.optimizer.sync_count)
    2
    >>> type(model.optimizer).__name__
    'SGD'
    """

    @typechecked
    def __init__(
        self,
        sync_period: numbers.Integral = 6,
        slow_step_size: numbers.Real = 0.5,
        finalize_with_slow_weights: bool = False,
    ):
        super().__init__()
        self.sync_period = lookahead.validated_sync_period(sync_period)
        self.slow_step_size = lookahead.validated_slow_step_size(slow_step_size)
        self.finalize_with_slow_weights = finalize_with_slow_weights
        self.optimizer = None

    def on_train_begin(self, logs=None):
        inner_optimizer = model_attachment.trained_optimizer(self.model)
        if self.optimizer is None or self.optimizer.inner_optimizer is not (
            inner_optimizer
        ):
            with backend.model_scope(self.model):
                self.optimizer = lookahead.Lookahead(
                    inner_optimizer,
                    sync_period=self.sync_period,
                    slow_step_size=self.slow_step_size,
                    finalize_with_slow_weights=self.finalize_with_slow_weights,
                )
        model_attachment.attach_lookahead(self.model, self.optimizer)

    def on_train_end(self, logs=None):
        model_attachment.detach_lookahead(self.model, self.optimizer)
