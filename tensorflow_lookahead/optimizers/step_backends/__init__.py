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
"""How a Lookahead step runs on each Keras backend.

`step_backend` is `tensorflow_step` on TensorFlow (distribution strategies,
XLA) and `portable_step` on JAX, PyTorch and any other backend. Only that one
is imported, so the package imports without TensorFlow elsewhere.
"""

import keras

if keras.backend.backend() == "tensorflow":
    from tensorflow_lookahead.optimizers.step_backends import (
        tensorflow_step as step_backend,
    )
else:
    from tensorflow_lookahead.optimizers.step_backends import (
        portable_step as step_backend,
    )

__all__ = ["step_backend"]
