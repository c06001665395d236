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
"""How a Keras 3 Lookahead saves and strictly restores its variables.

Keras' default load skips a mismatching file with a warning; continuing with
fresh slow weights would silently change training. Here a file written for
another model, inner optimizer or configuration raises, and then nothing is
loaded. Files of tensorflow_lookahead 0.1.0 (without the metadata keys) load
too.
"""

import warnings

import keras
import numpy as np
from keras import ops

# Key of the inner optimizer's registered class name in saved variables.
INNER_OPTIMIZER_CLASS_KEY = "inner_optimizer_class"
# Key of the sync period the step counter was counted with.
SYNC_PERIOD_KEY = "sync_period"
METADATA_KEYS = {INNER_OPTIMIZER_CLASS_KEY, SYNC_PERIOD_KEY}


def save(optimizer, store, values_of):
    """Writes `optimizer.variables` (read through `values_of`) and the metadata.

    Args:
        optimizer: The Lookahead.
        store: Where the variables go, keyed "0", "1", ... in the order of
            `variables`.
        values_of: Maps a variable to the variable whose value is saved for it.
    """
    for index, variable in enumerate(optimizer.variables):
        store[str(index)] = ops.convert_to_numpy(values_of(variable))
    store[SYNC_PERIOD_KEY] = np.array(optimizer.sync_period, dtype="int64")
    class_name = inner_optimizer_class_name(optimizer.inner_optimizer)
    store[INNER_OPTIMIZER_CLASS_KEY] = np.frombuffer(
        class_name.encode("utf-8"), dtype=np.uint8
    )


def load(optimizer, store):
    """Assigns the saved values to `optimizer.variables` if all of them fit.

    Returns:
        Whether anything was loaded: False, with a warning, for an optimizer
        that is not built, unless the store is its own unbuilt state (a copy
        or pickle of it).

    Raises:
        ValueError: The saved variables do not fit; nothing was loaded.
    """
    keys = set(store.keys())
    saved_count = len(keys - METADATA_KEYS)
    if not optimizer.built and saved_count != len(optimizer.variables):
        warnings.warn(
            f"Lookahead optimizer {optimizer.name!r} is not built, so its "
            f"{saved_count} saved variables were NOT loaded and training would "
            "restart the Lookahead cycle. Call "
            "`optimizer.build(model.trainable_variables)` and load again.",
            stacklevel=3,
        )
        return False
    try:
        values = _checked_values(optimizer, store, keys, saved_count)
    except ValueError as error:
        raise ValueError(
            f"{error} Nothing of the optimizer was loaded (Keras loads a "
            "model's layers before its optimizer)."
        ) from None
    for variable, value in zip(optimizer.variables, values):
        variable.assign(value)
    return True


def _checked_values(optimizer, store, keys, saved_count):
    """The saved values in the order of `variables`, if they fit."""
    cannot = f"Cannot restore Lookahead optimizer {optimizer.name!r}:"
    if INNER_OPTIMIZER_CLASS_KEY in keys:
        saved = bytes(np.asarray(store[INNER_OPTIMIZER_CLASS_KEY])).decode("utf-8")
        current = inner_optimizer_class_name(optimizer.inner_optimizer)
        if saved != current:
            raise ValueError(
                f"{cannot} the file holds the state of an inner {saved}, but "
                f"this optimizer wraps a {current}."
            )
    if SYNC_PERIOD_KEY in keys:
        saved = int(np.asarray(store[SYNC_PERIOD_KEY]))
        if saved != optimizer.sync_period:
            raise ValueError(
                f"{cannot} the file was saved with sync_period={saved}, but "
                f"this optimizer has sync_period={optimizer.sync_period}."
            )
    if sorted(keys - METADATA_KEYS) != sorted(map(str, range(saved_count))):
        raise ValueError(
            f"{cannot} the saved variables are not keyed 0..{saved_count - 1}. "
            f"Received: {sorted(keys)}"
        )
    if saved_count == 0:
        raise ValueError(
            f"{cannot} the file holds no state for it, e.g. because it was "
            "saved without the LossScaleOptimizer that `compile` puts around "
            "it under the mixed_float16 policy. Load it under the dtype policy "
            "it was saved with, or with `compile=False`."
        )
    values = [store[str(index)] for index in range(saved_count)]
    if not keys & METADATA_KEYS:
        values = _without_loss_scaler_values(optimizer, values)
    check_shapes(optimizer, [tuple(v.shape) for v in values], "the file")
    return values


def _without_loss_scaler_values(optimizer, values):
    """`values` without those of a LossScaleOptimizer saved around Lookahead.

    A model compiled under the mixed_float16 policy and loaded under another
    one has no LossScaleOptimizer: Lookahead then gets the loss scaler's
    saved variables, its own at their end.
    """
    extra = len(values) - len(optimizer.variables)
    if extra != loss_scaler_variable_count() or any(
        len(value.shape) != 0 for value in values[:extra]
    ):
        return values
    warnings.warn(
        f"Lookahead optimizer {optimizer.name!r} was saved inside a "
        "LossScaleOptimizer (the mixed_float16 policy) and is loaded without "
        "one: it trains without loss scaling. Set the mixed_float16 policy "
        "before loading to keep it.",
        stacklevel=5,
    )
    return values[extra:]


def check_shapes(optimizer, shapes, source):
    """Raises unless `shapes` are those of `optimizer.variables`, in order."""
    variables = optimizer.variables
    cannot = f"Cannot restore Lookahead optimizer {optimizer.name!r}:"
    if len(shapes) != len(variables):
        raise ValueError(
            f"{cannot} {source} holds {len(shapes)} optimizer variables, but "
            f"it has {len(variables)} (1 step counter, "
            f"{len(optimizer.slow_and_fast_pairs())} slow weights, "
            f"{len(optimizer.inner_optimizer.variables)} of its inner "
            f"{type(optimizer.inner_optimizer).__name__})."
        )
    for index, (shape, variable) in enumerate(zip(shapes, variables)):
        if tuple(shape) != tuple(variable.shape):
            raise ValueError(
                f"{cannot} variable {index} in {source} has shape "
                f"{tuple(shape)}, but {variable.path} has shape "
                f"{tuple(variable.shape)}."
            )


def inner_optimizer_class_name(optimizer):
    """The registered name of the optimizer's class, e.g. "Adam"."""
    return keras.saving.get_registered_name(type(optimizer))


def loss_scaler_variable_count():
    """How many variables a LossScaleOptimizer adds to its inner optimizer's."""
    inner = keras.optimizers.SGD()
    loss_scaler = keras.optimizers.LossScaleOptimizer(inner)
    loss_scaler.build([])
    return len(loss_scaler.variables) - len(inner.variables)
