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
"""The operations Lookahead runs differently on each Keras backend.

`tensorflow_ops` on TensorFlow (distribution strategies, XLA), `portable_ops`
on JAX, PyTorch and any other backend. Only the chosen module is imported, so
the package imports without TensorFlow on the other backends.
"""

import keras

if keras.backend.backend() == "tensorflow":
    from tensorflow_lookahead.optimizers.backend import tensorflow_ops as ops
else:
    from tensorflow_lookahead.optimizers.backend import portable_ops as ops

all_initialized = ops.all_initialized
apply_if = ops.apply_if
assign_copy = ops.assign_copy
check_can_build_here = ops.check_can_build_here
check_same_strategy = ops.check_same_strategy
copied = ops.copied
counter_value = ops.counter_value
increment = ops.increment
interpolation = ops.interpolation
outside_traced_functions = ops.outside_traced_functions

__all__ = [
    "all_initialized",
    "apply_if",
    "assign_copy",
    "check_can_build_here",
    "check_same_strategy",
    "copied",
    "counter_value",
    "increment",
    "interpolation",
    "outside_traced_functions",
]
