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
"""A callback that shows Lookahead at work: fast-to-slow distances, syncs."""

import numbers
import os
from typing import Optional
from typing import Union

import keras
import numpy as np

from tensorflow_lookahead.callbacks import model_attachment
from tensorflow_lookahead.callbacks import model_state
from tensorflow_lookahead.utils import keras_version
from tensorflow_lookahead.utils.typechecking import typechecked


class LookaheadDiagnostics(keras.callbacks.Callback):
    """Logs how far the model's weights are from Lookahead's slow weights.

    Adds to the epoch logs (and so to `History` and the progress bar):
    `lookahead_distance`, the global L2 distance between the fast weights
    (the model's) and the slow weights; `lookahead_relative_distance`, the
    same divided by the slow weights' norm; and `lookahead_syncs`, the number
    of synchronizations so far. Per-layer distances go to `self.history`
    and, with `log_dir`, all of them to TensorBoard via `tf.summary` (on any
    Keras backend, with TensorFlow installed, like Keras' own TensorBoard
    callback).

    Right after a synchronization the distance is 0 (fast = slow); it grows
    over the k inner steps in between. With `every_n_steps` it is also
    recorded every N batches, which shows that saw-tooth.

    Args:
        every_n_steps: Also record every N training batches (at batch ends
            seen by callbacks: with `steps_per_execution > 1`, only those);
            an integer >= 1 (e.g. an `int` or `np.int64`, not a bool). None
            records at epoch ends only.
        log_dir: A TensorBoard log directory to write scalars to (a `str` or
            an `os.PathLike` such as `pathlib.Path`), or None. Needs
            TensorFlow.

    Raises:
        TypeError: An argument has the wrong type (a bool for
            `every_n_steps`, or a model from tf_keras).
        ValueError: `every_n_steps` is < 1.
        ImportError: `log_dir` is set and TensorFlow is not installed.

    >>> import keras, numpy as np
    >>> from tensorflow_lookahead import Lookahead
    >>> from tensorflow_lookahead.callbacks import LookaheadDiagnostics
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile(Lookahead(keras.optimizers.SGD(0.1), sync_period=4), "mse")
    >>> diagnostics = LookaheadDiagnostics(every_n_steps=1)
    >>> history = model.fit(np.ones((24, 2)), np.ones((24, 1)), batch_size=4,
    ...                     callbacks=[diagnostics], verbose=0)
    >>> history.history["lookahead_syncs"]
    [1.0]
    >>> [d == 0.0 for d in diagnostics.history["lookahead_distance"]]
    [False, False, False, True, False, False]
    """

    @typechecked
    def __init__(
        self,
        every_n_steps: Optional[numbers.Integral] = None,
        log_dir: Optional[Union[str, os.PathLike]] = None,
    ):
        super().__init__()
        if isinstance(every_n_steps, bool):
            raise TypeError(
                "`every_n_steps` must be None or an integer >= 1, not a bool. "
                f"Received: every_n_steps={every_n_steps}"
            )
        if every_n_steps is not None:
            if every_n_steps < 1:
                raise ValueError(
                    "`every_n_steps` must be None or an integer >= 1. "
                    f"Received: every_n_steps={every_n_steps}"
                )
            every_n_steps = int(every_n_steps)
        if log_dir is not None:
            log_dir = os.fsdecode(log_dir)
            # Raises ImportError now, not at the start of fit.
            from tensorflow_lookahead.callbacks import tensorboard_scalars  # noqa: F401
        self.every_n_steps = every_n_steps
        self.log_dir = log_dir
        self.history = {}
        self._writer = None
        self._lookahead = None

    def set_model(self, model):
        keras_version.reject_tf_keras_model(model, "LookaheadDiagnostics")
        super().set_model(model)

    def on_train_begin(self, logs=None):
        self._lookahead = model_attachment.find_lookahead(self.model.optimizer)
        if self._lookahead is None:
            raise ValueError(
                "LookaheadDiagnostics needs a model compiled with a Lookahead "
                "optimizer (or a LookaheadCallback, in any order). Received: "
                f"model.optimizer={type(self.model.optimizer).__name__}"
            )
        if self.log_dir is not None and self._writer is None:
            from tensorflow_lookahead.callbacks import tensorboard_scalars

            self._writer = tensorboard_scalars.ScalarWriter(self.log_dir)

    def on_train_batch_end(self, batch, logs=None):
        if self.every_n_steps is None:
            return
        model_state.sync_model_state(self.model)
        step = int(keras.ops.convert_to_numpy(self._lookahead.iterations))
        if step % self.every_n_steps == 0:
            self._record(step)

    def on_epoch_end(self, epoch, logs=None):
        step = int(keras.ops.convert_to_numpy(self._lookahead.iterations))
        if self.history.get("step", [None])[-1] == step:
            values = {name: values[-1] for name, values in self.history.items()}
        else:
            values = self._record(step)
        if logs is not None:
            for name in (
                "lookahead_distance",
                "lookahead_relative_distance",
                "lookahead_syncs",
            ):
                logs[name] = values[name]

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.flush()

    def _record(self, step):
        values = self.distances()
        values["lookahead_syncs"] = float(
            keras.ops.convert_to_numpy(self._lookahead.sync_count)
        )
        values["step"] = float(step)
        for name, value in values.items():
            self.history.setdefault(name, []).append(value)
        if self._writer is not None:
            self._writer.write(
                step, {name: value for name, value in values.items() if name != "step"}
            )
        return values

    def distances(self):
        """The current fast-to-slow distances, global and per layer.

        Returns:
            A dict of floats: `lookahead_distance`,
            `lookahead_relative_distance` and `lookahead_distance/<layer>`
            for each layer (the variable path without its last part).
        """
        squared_by_layer = {}
        slow_squared = 0.0
        pairs = self._lookahead.slow_and_fast_pairs()
        squares = [
            (
                keras.ops.sum(keras.ops.square(fast - slow)),
                keras.ops.sum(keras.ops.square(slow)),
            )
            for slow, fast in pairs
        ]
        for (slow, fast), (distance_squared, norm_squared) in zip(pairs, squares):
            layer = fast.path.rsplit("/", 1)[0]
            squared_by_layer[layer] = squared_by_layer.get(layer, 0.0) + float(
                distance_squared
            )
            slow_squared += float(norm_squared)
        total = float(np.sqrt(sum(squared_by_layer.values())))
        values = {
            "lookahead_distance": total,
            "lookahead_relative_distance": total / max(np.sqrt(slow_squared), 1e-12),
        }
        for layer, squared in squared_by_layer.items():
            values[f"lookahead_distance/{layer}"] = float(np.sqrt(squared))
        return values
