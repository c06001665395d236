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
"""Optimizers.

Keras 3 optimizers; with `TF_USE_LEGACY_KERAS=1` (Keras 2 as tf_keras), the
tf_keras ones from `tensorflow_lookahead.tf_keras` instead (`Ranger` is Keras 3
only).
"""

from tensorflow_lookahead.utils.keras_version import uses_tf_keras

if uses_tf_keras():
    from tensorflow_lookahead.tf_keras import Lookahead
    from tensorflow_lookahead.tf_keras import RectifiedAdam

    __all__ = ["Lookahead", "RectifiedAdam"]
else:
    from tensorflow_lookahead.optimizers.lookahead import Lookahead
    from tensorflow_lookahead.optimizers.ranger import Ranger
    from tensorflow_lookahead.optimizers.rectified_adam import RectifiedAdam

    __all__ = ["Lookahead", "Ranger", "RectifiedAdam"]
