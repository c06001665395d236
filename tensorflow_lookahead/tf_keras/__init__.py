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
"""Lookahead and RectifiedAdam for tf_keras (Keras 2, `TF_USE_LEGACY_KERAS=1`).

Drop-in replacements for `tfa.optimizers.Lookahead` and
`tfa.optimizers.RectifiedAdam`, with tfa's state layout so that tfa's `.h5`
models and `tf.train.Checkpoint`s load and continue exactly. Needs the
`tf-keras` package (the same version as TensorFlow). With
`TF_USE_LEGACY_KERAS=1` set, `tensorflow_lookahead.Lookahead` and
`tensorflow_lookahead.optimizers.RectifiedAdam` are these classes.
"""

from tensorflow_lookahead.tf_keras.lookahead import Lookahead
from tensorflow_lookahead.tf_keras.rectified_adam import RectifiedAdam

__all__ = ["Lookahead", "RectifiedAdam"]
