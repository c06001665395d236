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
"""Attaching a Lookahead to an already compiled Keras model, and detaching it.

The plumbing of `LookaheadCallback` (attached for one `fit`), of
`LookaheadDiagnostics` (finds the Lookahead in the model) and of the
keras_lookahead `inject` API in `tensorflow_lookahead.compat` (attached for
good): the model's optimizer, under any `LossScaleOptimizer`, is swapped for a
Lookahead around it and the train function is traced again.
"""

import weakref

import keras

from tensorflow_lookahead.callbacks import model_state
from tensorflow_lookahead.optimizers.lookahead import Lookahead

# Lookaheads attached by a callback for the duration of a `fit`: one still in
# a model after its fit was interrupted may be continued by the next one.
_ATTACHED_FOR_FIT = weakref.WeakSet()
# Every Lookahead attached to a model, for fit or for good.
_ATTACHED = weakref.WeakSet()


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
            "before adding Lookahead to it. Received: model.optimizer=None"
        )
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer.inner_optimizer
    return optimizer


def attach_lookahead(model, lookahead, for_fit=False):
    """Makes `lookahead` the optimizer of the compiled `model`.

    `lookahead.inner_optimizer` must be the model's current optimizer (inside
    the loss scale optimizer, if any). The slow weights are created now, from
    the model's current weights, and the next `fit` traces a new train
    function that uses `lookahead`.

    Args:
        model: A compiled Keras model.
        lookahead: A `Lookahead` around the model's optimizer.
        for_fit: The attachment lasts one `fit` (a callback's): if that fit is
            interrupted, `continued_lookahead` lets the next one continue it.

    Raises:
        ValueError: The model is not compiled, already uses Lookahead, or
            `lookahead` wraps another optimizer.
    """
    current = trained_optimizer(model)
    if find_lookahead(model.optimizer) is not None:
        raise ValueError(
            "The model's optimizer already is a Lookahead; wrapping it again "
            "would synchronize twice. Received: model.optimizer="
            f"{type(model.optimizer).__name__}"
        )
    if lookahead.inner_optimizer is not current:
        raise ValueError(
            "`lookahead` must wrap the model's own optimizer "
            f"({type(current).__name__}), not another one. Received: "
            f"lookahead.inner_optimizer={type(lookahead.inner_optimizer).__name__}"
        )
    _set_trained_optimizer(model, lookahead)
    _ATTACHED.add(lookahead)
    _name_attached_lookahead_in_compile_config(model)
    if for_fit:
        _ATTACHED_FOR_FIT.add(lookahead)
    if model.built and not lookahead.built:
        with model_state.model_scope(model):
            lookahead.build(model.trainable_variables)
    _retrace_train_function(model)


def detach_lookahead(model, lookahead):
    """Gives `model` back the optimizer `lookahead` wraps.

    Args:
        model: A Keras model whose optimizer is `lookahead`.
        lookahead: The attached `Lookahead`.
    """
    _ATTACHED_FOR_FIT.discard(lookahead)
    if trained_optimizer(model) is lookahead:
        _set_trained_optimizer(model, lookahead.inner_optimizer)
        _retrace_train_function(model)


def continued_lookahead(model, settings, only_left_by_fit=True):
    """The Lookahead already in `model` if it may be continued, else None.

    A Lookahead that a callback attached for a `fit` stays in the model when
    that fit is interrupted (an exception or Ctrl-C skips `on_train_end`).
    Continuing it, rather than wrapping it again or starting new slow
    weights, keeps the training exactly as if the fit had not stopped. It is
    continued only with the settings it was made with.

    Args:
        model: A compiled Keras model.
        settings: The settings the caller would create a Lookahead with, as
            `{argument name: (Lookahead attribute, value)}`, e.g.
            `{"k": ("sync_period", 5)}`.
        only_left_by_fit: Continue only a Lookahead attached for a fit
            (`attach_lookahead(..., for_fit=True)`), not one the model was
            compiled with or that was attached for good. Such a Lookahead
            then is attached for good.

    Returns:
        The Lookahead in the model, or None when the model has none.

    Raises:
        ValueError: The model is not compiled; its Lookahead may not be
            continued (see `only_left_by_fit`), or has other settings.
    """
    trained_optimizer(model)
    lookahead = find_lookahead(model.optimizer)
    if lookahead is None:
        return None
    left_by_fit = lookahead in _ATTACHED_FOR_FIT
    if only_left_by_fit and not left_by_fit:
        raise ValueError(
            "The model's optimizer already is a Lookahead (also when the model "
            "was loaded from a file saved with one): fit without the callback "
            "to continue it, since wrapping it again would synchronize twice. "
            f"Received: model.optimizer={type(model.optimizer).__name__}"
        )
    for argument, (attribute, value) in settings.items():
        if getattr(lookahead, attribute) != value:
            current = ", ".join(
                f"{name}={getattr(lookahead, name)!r}" for name, _ in settings.values()
            )
            origin = "left by an interrupted fit" if left_by_fit else "already"
            raise ValueError(
                f"The Lookahead({current}) {origin} in the model has other "
                "settings: pass the same ones to continue it and keep its slow "
                "weights, or compile the model again to start afresh. "
                f"Received: {argument}={value!r}"
            )
    if not only_left_by_fit:
        _ATTACHED_FOR_FIT.discard(lookahead)
    return lookahead


def _name_attached_lookahead_in_compile_config(model):
    """Makes `model.get_compile_config()` name the Lookahead that trains it.

    `model.save` writes the optimizer of the compile config, which still is
    the one `compile` got: a file would load without the Lookahead, and Keras
    would then skip its saved state with a warning. While an attached
    Lookahead trains the model, the config names it instead (a model compiled
    again with another optimizer, or detached, gets its own config back).
    """
    if "get_compile_config" in vars(model):
        return
    compile_config_of_class = type(model).get_compile_config

    def get_compile_config():
        config = compile_config_of_class(model)
        lookahead = find_lookahead(model.optimizer)
        if config and lookahead is not None and lookahead in _ATTACHED:
            config = dict(config)
            if _names_a_loss_scale_optimizer(config["optimizer"]):
                # Compiled with one explicitly: it is saved around Lookahead.
                lookahead = model.optimizer
            config["optimizer"] = keras.saving.serialize_keras_object(lookahead)
        return config

    model.get_compile_config = get_compile_config


def _names_a_loss_scale_optimizer(optimizer_config):
    return (
        isinstance(optimizer_config, dict)
        and optimizer_config.get("class_name") == "LossScaleOptimizer"
    )


def _set_trained_optimizer(model, optimizer):
    if isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer):
        model.optimizer.inner_optimizer = optimizer
    else:
        model.optimizer = optimizer


def _retrace_train_function(model):
    if model.train_function is not None:
        model.make_train_function(force=True)
