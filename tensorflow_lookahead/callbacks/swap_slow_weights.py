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
"""A callback that evaluates, predicts and checkpoints on the slow weights."""

import keras

from tensorflow_lookahead.callbacks import model_attachment
from tensorflow_lookahead.callbacks import model_state
from tensorflow_lookahead.utils import keras_version
from tensorflow_lookahead.utils.typechecking import typechecked

# What put the slow weights into the model: validation or `evaluate`,
# `predict`, or the end of an epoch (`swap_on_epoch=True`).
_TEST = "test"
_PREDICT = "predict"
_EPOCH = "epoch"


class SwapSlowWeights(keras.callbacks.Callback):
    """Validates, evaluates and predicts with Lookahead's slow weights.

    The slow-weights counterpart of `keras.callbacks.SwapEMAWeights`, with the
    same argument and semantics. The paper's output is the slow weights, yet
    `fit` validates the fast ones, which the model trains. With this callback
    the validation during `fit`, and `evaluate` or `predict` called with it,
    run on the slow weights: they are exchanged with the model's weights
    before (`Lookahead.swap_weights()`) and exchanged back after, so training
    continues on the fast weights exactly as without the callback.

    With `swap_on_epoch=True` the model also holds the slow weights from the
    end of each epoch to the beginning of the next, so callbacks placed after
    this one see them: `ModelCheckpoint` saves them, `EarlyStopping` with
    `restore_best_weights=True` keeps and restores the best epoch's slow
    weights. A file saved while they are swapped holds the slow weights as
    the model's weights and the true slow weights, cycle position and inner
    optimizer state as the optimizer's: resuming from it starts the model at
    the slow weights and continues Lookahead from there. Place
    `BackupAndRestore` before this callback so that its backups hold the fast
    weights and an interrupted fit continues exactly.

    After `fit`, the model holds what it would hold without the callback
    (the fast weights, or the slow ones with `finalize_with_slow_weights`).

    Works with a model compiled with `Lookahead` (also under a
    `LossScaleOptimizer`, e.g. with `mixed_float16`), trained with a
    `LookaheadCallback` (in any order) or given one by `inject`. Not
    together with `keras.callbacks.SwapEMAWeights`: both exchange weights in
    place, and Keras ends callbacks in the order it began them, which mixes
    the two exchanges up.

    Args:
        swap_on_epoch: Also put the slow weights into the model at the end of
            each epoch, for the callbacks after this one.

    Raises:
        TypeError: `swap_on_epoch` is not a bool, or the model is a tf_keras
            (Keras 2) model.
        ValueError: At the start of `fit`, `evaluate` or `predict`: the
            model's optimizer is not a Lookahead.

    >>> import keras, numpy as np
    >>> from tensorflow_lookahead import Lookahead
    >>> from tensorflow_lookahead.callbacks import SwapSlowWeights
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(Lookahead(keras.optimizers.SGD(0.1), sync_period=4), "mse")
    >>> x, y = np.ones((12, 2)), np.ones((12, 1))
    >>> history = model.fit(x, y, batch_size=2, validation_data=(x, y),
    ...                     callbacks=[SwapSlowWeights()], verbose=0)
    >>> with model.optimizer.slow_weights_in_model():
    ...     slow_loss = model.evaluate(x, y, verbose=0)
    >>> bool(np.isclose(history.history["val_loss"][-1], slow_loss))
    True
    >>> fast_loss = model.evaluate(x, y, verbose=0)
    >>> bool(np.isclose(history.history["val_loss"][-1], fast_loss))
    False
    """

    @typechecked
    def __init__(self, swap_on_epoch: bool = False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        # The Lookahead whose slow weights this callback put into the model,
        # and what for; None while the model holds the fast weights.
        self._swapped = None
        self._swapped_for = None

    def set_model(self, model):
        keras_version.reject_tf_keras_model(model, "SwapSlowWeights")
        super().set_model(model)

    def _lookahead(self):
        optimizer = getattr(self.model, "optimizer", None)
        lookahead = model_attachment.find_lookahead(optimizer)
        if lookahead is None:
            raise ValueError(
                "SwapSlowWeights needs a model whose optimizer is a Lookahead "
                "(compiled with one, given one by `inject`, or trained with a "
                "LookaheadCallback in any order; after such a fit the model has "
                "its own optimizer back: evaluate inside "
                "`callback.optimizer.slow_weights_in_model()`). "
                f"Received: model.optimizer={_optimizer_chain(optimizer)}"
            )
        return lookahead

    def _swap_in(self, reason):
        lookahead = self._lookahead()
        if self._swapped is not None and self._swapped.weights_swapped:
            return  # Already in the model, for another reason.
        self._swapped = None
        # Before the first update the slow weights are the model's weights;
        # swapped by someone else, they already are in the model.
        if not lookahead.built or lookahead.weights_swapped:
            return
        model_state.sync_model_state(self.model)
        lookahead.swap_weights()
        self._swapped, self._swapped_for = lookahead, reason

    def _swap_out(self, reason=None):
        """Gives the model its fast weights back if `reason` put them there.

        Args:
            reason: What the slow weights were swapped in for; None: any.
        """
        lookahead = self._swapped
        if lookahead is None or reason not in (None, self._swapped_for):
            return
        self._swapped = None
        # `fit` ends with `finalize_variable_values`, which swaps back.
        if lookahead.weights_swapped:
            model_state.sync_model_state(self.model)
            lookahead.swap_weights()

    def on_train_begin(self, logs=None):
        lookahead = self._lookahead()
        # A fit interrupted while they were swapped (an exception skips
        # `on_train_end`, and on TensorFlow and torch the finalization) left
        # the slow weights in the model: training continues on the fast ones.
        self._swapped = None
        if lookahead.weights_swapped:
            model_state.sync_model_state(self.model)
            lookahead.swap_weights()

    def on_train_end(self, logs=None):
        self._swap_out()

    def on_epoch_begin(self, epoch, logs=None):
        self._swap_out(_EPOCH)

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap_in(_EPOCH)

    def on_test_begin(self, logs=None):
        self._swap_in(_TEST)

    def on_test_end(self, logs=None):
        self._swap_out(_TEST)

    def on_predict_begin(self, logs=None):
        self._swap_in(_PREDICT)

    def on_predict_end(self, logs=None):
        self._swap_out(_PREDICT)


def _optimizer_chain(optimizer):
    """E.g. "LossScaleOptimizer(SGD)" for a model's optimizer."""
    names = []
    while optimizer is not None:
        names.append(type(optimizer).__name__)
        optimizer = getattr(optimizer, "inner_optimizer", None)
    return "(".join(names) + ")" * (len(names) - 1) if names else "None"
