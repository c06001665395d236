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

from tensorflow_lookahead.callbacks import model_attachment
from tensorflow_lookahead.callbacks import model_state
from tensorflow_lookahead.optimizers import lookahead
from tensorflow_lookahead.utils import arguments
from tensorflow_lookahead.utils import keras_version
from tensorflow_lookahead.utils.typechecking import typechecked


class LookaheadCallback(keras.callbacks.Callback):
    """Trains with `Lookahead` around the compiled optimizer during `fit`.

    For code written against callback implementations such as params-flow's
    `LookaheadOptimizerCallback`. When `fit` starts (in `set_model`, before
    any callback's `on_train_begin`) the model's optimizer is wrapped in a
    `Lookahead` optimizer, so the synchronizations run inside the compiled
    train function, on the weights' devices, exactly as with
    `model.compile(optimizer=Lookahead(...))`; nothing is copied through the
    host and `steps_per_execution > 1` works. At the end of `fit` the model
    gets its own optimizer back. The Lookahead state (slow weights, step
    counter) stays in `callback.optimizer` and carries on when the same
    callback is passed to the next `fit` of the same model and optimizer.

    Interrupted fits continue exactly:

    - `keras.callbacks.BackupAndRestore` restores into the Lookahead in
      either callback order, since the Lookahead is in place before any
      `on_train_begin`.
    - After an exception or Ctrl-C inside `fit` (which skips `on_train_end`)
      the Lookahead stays in the model; the next `fit` with this callback,
      or with a new one of the same settings, continues it. A new one with
      other settings raises instead of dropping the slow weights.
    - To resume from a `ModelCheckpoint` file, call `attach(model)` before
      `model.load_weights(path)`, then `fit` with this callback.

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
        self.sync_period = arguments.validated_sync_period(sync_period)
        self.slow_step_size = arguments.validated_slow_step_size(slow_step_size)
        self.finalize_with_slow_weights = finalize_with_slow_weights
        self.optimizer = None
        self._training = False
        self._optimizer_before_set_model = None
        self._attached_by_set_model = False

    def attach(self, model):
        """Puts this callback's Lookahead into `model` now.

        `fit` does this itself. Call it before `model.load_weights(path)`
        of a file written during a `fit` with this callback (e.g. by
        `ModelCheckpoint`), so that the file's Lookahead state has its
        place; the next `fit` with this callback continues from there.

        Args:
            model: A compiled Keras model.

        Returns:
            The `Lookahead` now in the model, also `callback.optimizer`.

        Raises:
            TypeError: The model is a tf_keras (Keras 2) model.
            ValueError: The model is not compiled, uses a Lookahead of its
                own, or one with other settings was left in it by an
                interrupted fit.
        """
        keras_version.reject_tf_keras_model(model, "LookaheadCallback")
        left_in_model = model_attachment.continued_lookahead(
            model,
            {
                name: (name, getattr(self, name))
                for name in (
                    "sync_period",
                    "slow_step_size",
                    "finalize_with_slow_weights",
                )
            },
        )
        if left_in_model is not None:
            self.optimizer = left_in_model
            return self.optimizer
        inner_optimizer = model_attachment.trained_optimizer(model)
        if self.optimizer is None or self.optimizer.inner_optimizer is not (
            inner_optimizer
        ):
            with model_state.model_scope(model):
                self.optimizer = lookahead.Lookahead(
                    inner_optimizer,
                    sync_period=self.sync_period,
                    slow_step_size=self.slow_step_size,
                    finalize_with_slow_weights=self.finalize_with_slow_weights,
                )
        model_attachment.attach_lookahead(model, self.optimizer, for_fit=True)
        return self.optimizer

    def set_model(self, model):
        keras_version.reject_tf_keras_model(model, "LookaheadCallback")
        super().set_model(model)
        self._training = False
        self._optimizer_before_set_model = self.optimizer
        self._attached_by_set_model = False
        if getattr(self.model, "optimizer", None) is None:
            return  # on_train_begin says that the model needs compiling.
        had_lookahead = model_attachment.find_lookahead(self.model.optimizer)
        # Keras calls `set_model` of every callback before any
        # `on_train_begin`, where `BackupAndRestore` loads its backup. A model
        # that cannot take the Lookahead raises in `on_train_begin`, so that
        # `evaluate` and `predict` with this callback still work.
        try:
            self.attach(self.model)
        except ValueError:
            return
        self._attached_by_set_model = had_lookahead is None

    def on_train_begin(self, logs=None):
        self.attach(self.model)
        self._training = True

    def on_train_end(self, logs=None):
        self._training = False
        model_attachment.detach_lookahead(self.model, self.optimizer)

    def on_test_begin(self, logs=None):
        self._undo_set_model_outside_fit()

    def on_predict_begin(self, logs=None):
        self._undo_set_model_outside_fit()

    def _undo_set_model_outside_fit(self):
        # `evaluate` and `predict` call `set_model` too; they do not train,
        # and leave the model and this callback as they were.
        if self._training:
            return
        if self._attached_by_set_model:
            model_attachment.detach_lookahead(self.model, self.optimizer)
            self._attached_by_set_model = False
        self.optimizer = self._optimizer_before_set_model
