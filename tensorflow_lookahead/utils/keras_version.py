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
"""Which Keras `tf.keras` is: Keras 3, or Keras 2 as tf_keras."""

import os

# The values TensorFlow itself accepts (tensorflow/python/util/lazy_loader.py).
LEGACY_KERAS_VALUES = ("true", "True", "1")


def uses_tf_keras():
    """Whether `TF_USE_LEGACY_KERAS` routes `tf.keras` to tf_keras (Keras 2).

    Decided from the environment exactly as TensorFlow decides it, without
    importing TensorFlow.

    Returns:
        True when `TF_USE_LEGACY_KERAS` is `1`, `true` or `True`.

    >>> import os
    >>> expected = os.environ.get("TF_USE_LEGACY_KERAS") in ("1", "true", "True")
    >>> uses_tf_keras() == expected
    True
    """
    return os.environ.get("TF_USE_LEGACY_KERAS") in LEGACY_KERAS_VALUES


def is_tf_keras_object(value):
    """Whether `value` is an instance of a tf_keras (Keras 2) class.

    Decided from the modules of its class and base classes, without
    importing tf_keras.

    Args:
        value: Any object, e.g. a model.

    Returns:
        True when `value`'s class or a base class comes from tf_keras.

    >>> import keras
    >>> is_tf_keras_object(keras.Sequential())
    False
    """
    return any(
        (cls.__module__ or "").partition(".")[0] == "tf_keras"
        for cls in type(value).__mro__
    )


def reject_tf_keras_model(model, user):
    """Raises a TypeError naming the tf_keras API if `model` is a tf_keras one.

    Args:
        model: The model given to `user`.
        user: What the model was given to, e.g. `"LookaheadCallback"`.

    Raises:
        TypeError: `model` is a tf_keras (Keras 2) model.
    """
    if is_tf_keras_object(model):
        raise TypeError(
            f"{user} works with Keras 3 models only; for tf_keras, compile the "
            "model with tensorflow_lookahead.tf_keras.Lookahead(optimizer, "
            "sync_period, slow_step_size). Received: a tf_keras (Keras 2) "
            f"model, {type(model).__name__}"
        )
