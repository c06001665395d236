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
