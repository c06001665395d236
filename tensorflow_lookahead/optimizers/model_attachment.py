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
"""Putting a Lookahead optimizer into an already compiled Keras model."""

import keras

from tensorflow_lookahead.optimizers import backend
from tensorflow_lookahead.optimizers.lookahead import Lookahead


def find_lookahead(optimizer):
    """The Lookahead in `optimizer`'s chain of wrapped optimizers, or None.

    Args:
        optimizer: A Keras optimizer, e.g. `model.optimizer`, possibly a
            `LossScaleOptimizer` around a Lookahead.

    Returns:
        The first `Lookahead` found following `inner_optimizer`, or None.
    """
    while optimizer is not None:
        if isinstance(optimizer, Lookahead):
            return optimizer
        optimizer = getattr(optimizer, "inner_optimizer", None)
    return None


def trained_optimizer(model):
    """The optimizer that updates `model`'s weights, under any loss scaling.

    Args:
        model: A compiled Keras model.

    Returns:
        `model.optimizer`, or its inner optimizer when it is the
        `LossScaleOptimizer` Keras adds under a `mixed_float16` policy.

    Raises:
        ValueError: The model is not compiled with an optimizer.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(
            "The model has no optimizer: call `model.compile(optimizer=...)` "
            "before adding Lookahead to it."
        )
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer.inner_optimizer
    return optimizer


def attach_lookahead(model, lookahead):
    """Makes `lookahead` the optimizer of the compiled `model`.

    `lookahead.inner_optimizer` must be the model's current optimizer (inside
    the loss scale optimizer, if any). The slow weights are created now, from
    the model's current weights, and the next `fit` traces a new train
    function that uses `lookahead`.

    Args:
        model: A compiled Keras model.
        lookahead: A `Lookahead` around the model's optimizer.

    Raises:
        ValueError: The model is not compiled, already uses Lookahead, or
            `lookahead` wraps another optimizer.
    """
    current = trained_optimizer(model)
    if find_lookahead(model.optimizer) is not None:
        raise ValueError(
            "The model's optimizer already is a Lookahead; wrapping it again "
            "would synchronize twice."
        )
    if lookahead.inner_optimizer is not current:
        raise ValueError(
            "`lookahead` must wrap the model's own optimizer "
            f"({type(current).__name__}), not another one."
        )
    _set_trained_optimizer(model, lookahead)
    if model.built and not lookahead.built:
        with backend.model_scope(model):
            lookahead.build(model.trainable_variables)
    _retrace_train_function(model)


def detach_lookahead(model, lookahead):
    """Gives `model` back the optimizer `lookahead` wraps.

    Args:
        model: A Keras model whose optimizer is `lookahead`.
        lookahead: The attached `Lookahead`.
    """
    if trained_optimizer(model) is lookahead:
        _set_trained_optimizer(model, lookahead.inner_optimizer)
        _retrace_train_function(model)


def _set_trained_optimizer(model, optimizer):
    if isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer):
        model.optimizer.inner_optimizer = optimizer
    else:
        model.optimizer = optimizer


def _retrace_train_function(model):
    if model.train_function is not None:
        model.make_train_function(force=True)
