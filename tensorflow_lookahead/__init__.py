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
"""Lookahead optimizer for TensorFlow and Keras 3.

With `TF_USE_LEGACY_KERAS=1` (Keras 2 as tf_keras), `Lookahead` and
`optimizers.RectifiedAdam` are the tf_keras optimizers of
`tensorflow_lookahead.tf_keras`; `Ranger`, `callbacks` and `compat` stay Keras 3
only.
"""

from tensorflow_lookahead import callbacks
from tensorflow_lookahead import compat
from tensorflow_lookahead import optimizers
from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.utils.keras_version import uses_tf_keras
from tensorflow_lookahead.version import __version__

if uses_tf_keras():
    __all__ = ["Lookahead", "callbacks", "compat", "optimizers", "__version__"]
else:
    from tensorflow_lookahead.optimizers import Ranger

    __all__ = [
        "Lookahead",
        "Ranger",
        "callbacks",
        "compat",
        "optimizers",
        "__version__",
    ]
