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
"""Argument checks shared by the Keras 3 and tf_keras optimizers.

Keras-free: the Keras-specific parts (which optimizer classes exist, how a
name or config becomes one) are passed in by each optimizer module.
"""

import functools
import inspect
import math
import numbers

import numpy as np

# The step counters are int32 on JAX and torch: a longer cycle cannot be counted.
MAX_APPLIED_UPDATES_PER_SYNC = 2**31 - 1

# Arguments of `keras.optimizers.Optimizer` besides the rates.
KERAS3_BASE_ARGUMENTS = (
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
    "use_ema",
    "ema_momentum",
    "ema_overwrite_frequency",
    "loss_scale_factor",
    "gradient_accumulation_steps",
)
# Base optimizer arguments that only the inner optimizer of Lookahead acts on.
BASE_OPTIMIZER_ARGUMENTS = (
    "learning_rate",
    "lr",
    "decay",
    "weight_decay",
) + KERAS3_BASE_ARGUMENTS


def python_number(value):
    """The Python number a NumPy scalar, 0-d array or 0-d tensor holds.

    Other values, variables included (their value can change), are returned
    unchanged, as are tensors NumPy cannot read (symbolic ones).
    """
    if isinstance(value, (numbers.Number, str, bytes, dict)) and not isinstance(
        value, np.generic
    ):
        return value
    if callable(value) or hasattr(value, "assign"):
        return value
    shape = getattr(value, "shape", None)
    if shape is None or tuple(shape) != ():
        return value
    try:
        array = np.asarray(value)
    except Exception:  # A symbolic tensor: left to the type check.
        return value
    if array.shape != () or array.dtype.kind not in "biuf":
        return value
    return array.item()


def python_numbers_for_scalar_arrays(func):
    """Decorates `func` to receive Python numbers for 0-d arrays and tensors.

    Keras' optimizers and tfa take NumPy scalars, 0-d NumPy arrays and 0-d
    tensors for their hyperparameters. Applied above `typechecked`, this
    turns each such argument (in `**kwargs` too) into the Python float, int
    or bool it holds, which the annotations then check as any number.

    Args:
        func: The function, e.g. a constructor.

    Returns:
        The decorated function.
    """
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            kind = signature.parameters[name].kind
            if kind is inspect.Parameter.VAR_KEYWORD:
                value = {key: python_number(item) for key, item in value.items()}
            elif kind is inspect.Parameter.VAR_POSITIONAL:
                value = tuple(python_number(item) for item in value)
            else:
                value = python_number(value)
            bound.arguments[name] = value
        return func(*bound.args, **bound.kwargs)

    return wrapper


def validated_integer(value, name, low, high):
    """`value` as an int, checked to lie in [low, high].

    Raises:
        TypeError: `value` is a bool.
        ValueError: `value` is out of range.
    """
    accepted = f"`{name}` must be an integer in [{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{accepted}. Received: {name}={value!r}")
    if not low <= value <= high:
        raise ValueError(f"{accepted}. Received: {name}={value!r}")
    return int(value)


def validated_real(value, name, low=None, high=None, low_open=False, high_open=False):
    """`value` as a finite float, checked to lie in [low, high] (or open ends).

    Raises:
        TypeError: `value` is not a real number (a bool is not).
        ValueError: `value` is NaN, infinite or out of bounds.
    """
    if low is None and high is None:
        interval = ""
    elif high is None:
        interval = f" {'>' if low_open else '>='} {low}"
    else:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        interval = f" in {left}{low}, {high}{right}"
    accepted = f"`{name}` must be a finite real number{interval}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{accepted}. Received: {name}={value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not math.isfinite(value) or too_low or too_high:
        raise ValueError(f"{accepted}. Received: {name}={value!r}")
    return value


def validated_sync_period(sync_period, name="sync_period"):
    """k: an integer >= 1 that the step counters can count."""
    return validated_integer(sync_period, name, 1, MAX_APPLIED_UPDATES_PER_SYNC)


def validated_slow_step_size(slow_step_size, name="slow_step_size"):
    """alpha: a real number in [0, 1]."""
    return validated_real(slow_step_size, name, 0.0, 1.0)


def reject_extra_arguments(kwargs, accepted, example):
    """Raises for keyword arguments a Lookahead constructor does not take.

    Args:
        kwargs: The extra keyword arguments.
        accepted: The names of the arguments the constructor takes.
        example: Code that puts a base optimizer argument on the inner one.
    """
    misplaced = sorted(key for key in kwargs if key in BASE_OPTIMIZER_ARGUMENTS)
    if misplaced:
        received = ", ".join(f"{key}={kwargs[key]!r}" for key in misplaced)
        raise ValueError(
            f"Lookahead does not take {', '.join(misplaced)}: base optimizer "
            f"arguments belong on the inner optimizer, e.g. {example}. "
            f"Received: {received}"
        )
    if kwargs:
        raise TypeError(
            f"Lookahead takes {', '.join(accepted)}. Received unexpected "
            f"keyword arguments: {sorted(kwargs)}"
        )


def resolved_optimizer(optimizer, optimizer_types, from_name, from_config, accepted):
    """The optimizer `optimizer` stands for: itself, a name or a config dict.

    Args:
        optimizer: An optimizer instance, a name or a config dict.
        optimizer_types: The accepted optimizer classes.
        from_name: Turns a name into an optimizer.
        from_config: Turns a config dict into an optimizer.
        accepted: What `optimizer` may be, for the error message.

    Raises:
        ValueError: `optimizer` stands for no optimizer.
    """
    if isinstance(optimizer, optimizer_types):
        return optimizer
    try:
        if isinstance(optimizer, str):
            return from_name(optimizer)
        return from_config(optimizer)
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(
            f"`optimizer` must be {accepted}; {error} Received: "
            f"optimizer={optimizer!r}"
        ) from error


def validated_total_steps(total_steps, maximum):
    """RectifiedAdam's `total_steps`: an int the step counter can reach."""
    return validated_integer(total_steps, "total_steps", 0, maximum)
