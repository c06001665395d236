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
"""What callbacks need of a model that differs between Keras backends."""

import contextlib

import keras


def model_scope(model):
    """The scope that creates variables for `model`.

    On TensorFlow its distribution strategy's scope; other backends need none.
    """
    if keras.backend.backend() == "tensorflow":
        return model.distribute_strategy.scope()
    return contextlib.nullcontext()


def sync_model_state(model):
    """Writes the state of a running `fit` back into `model`'s variables.

    Keras' JAX trainer keeps the variables' values outside the variables
    during `fit`; a callback that reads weights must ask for them first.
    """
    if hasattr(model, "jax_state_sync"):
        model.jax_state_sync()
