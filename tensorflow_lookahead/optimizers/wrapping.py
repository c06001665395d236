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
"""What a Keras 3 Lookahead wraps: its inner optimizer, resolved and checked."""

import copy

import keras

from tensorflow_lookahead.optimizers.step_backends import step_backend
from tensorflow_lookahead.utils import arguments


def check_no_loss_scaling_inside(inner_optimizer):
    """Raises if a `LossScaleOptimizer` is (or is inside) the inner optimizer.

    It skips the steps whose gradients are not finite, which Lookahead would
    still count towards a synchronization.
    """
    optimizer = inner_optimizer
    while optimizer is not None:
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            raise ValueError(
                "Lookahead cannot wrap a LossScaleOptimizer, whose skipped "
                "steps it would count: use LossScaleOptimizer(Lookahead(inner)), "
                "as `compile` does under the mixed_float16 policy. Received: "
                f"optimizer={inner_optimizer}"
            )
        optimizer = getattr(optimizer, "inner_optimizer", None)


def inner_optimizer_from(optimizer):
    """The inner optimizer for `optimizer`: an instance, name or config dict."""
    if isinstance(optimizer, keras.optimizers.Optimizer):
        step_backend.check_same_strategy(optimizer, "optimizer")
    return arguments.resolved_optimizer(
        optimizer,
        keras.optimizers.Optimizer,
        keras.optimizers.get,
        deserialized_optimizer,
        "a keras.optimizers.Optimizer, the name of a built-in optimizer or a "
        "config dict from keras.optimizers.serialize()",
    )


def deserialized_optimizer(config, custom_objects=None):
    """The optimizer a serialized config describes; raises if it is none.

    `keras.optimizers.deserialize` knows only the classes of its own table
    (not e.g. `Lamb`) and returns an unknown class name as a string; Keras'
    generic deserialization then finds the class from the config's module or
    registered name. Both edit nested configs in place, so they get copies.
    """
    optimizer = keras.optimizers.deserialize(
        copy.deepcopy(config), custom_objects=custom_objects
    )
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        try:
            optimizer = keras.saving.deserialize_keras_object(
                copy.deepcopy(config), custom_objects=custom_objects
            )
        except TypeError:
            pass  # An unknown class: the error below names it.
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise ValueError(
            f"{config.get('class_name')!r} is not a known optimizer class: pass "
            "it in `custom_objects` or register it with "
            "keras.saving.register_keras_serializable."
        )
    return optimizer
