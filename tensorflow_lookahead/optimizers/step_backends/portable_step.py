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
"""How a Lookahead step runs on JAX, PyTorch and other Keras backends.

The same functions as `tensorflow_step.py`, written with `keras.ops`. A step
runs eagerly (decisions in Python, updates only when due) or compiled
(`jax.jit`, `torch.compile`), where every decision stays a tensor and each
due update becomes `where(due, new, old)`: one elementwise pass that the
compiler fuses with the inner optimizer's update.
"""

import contextlib

import keras
from keras import ops


def check_same_strategy(optimizer, argument_name):
    """Nothing to check: `tf.distribute` strategies exist only on TensorFlow."""
    del optimizer, argument_name


def check_can_build_here(optimizer):
    """Nothing to check: only TensorFlow's strategies restrict variable creation."""
    del optimizer


def outside_traced_functions():
    """A no-op context: JAX and Keras' torch trainer build before compiling."""
    return contextlib.nullcontext()


def _is_traced(value):
    """Whether `value` is a placeholder of a compiled step, not a number."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return isinstance(value, jax.core.Tracer)
    if backend == "torch":
        import torch

        return torch.compiler.is_compiling()
    return False


def all_initialized(variables):
    """True if every variable's value can be read right now (not traced)."""
    return not any(_is_traced(variable.value) for variable in variables)


def counter_value(counter):
    """The value of an integer variable: a Python int when eager, else a tensor.

    Inside `jax.jit` or `torch.compile` the value is only known when the
    compiled step runs, so it stays a tensor: an int read while compiling
    would be baked into the compiled step. The tensor is a copy: torch
    variables are updated in place.
    """
    value = counter.value
    return ops.copy(value) if _is_traced(value) else int(value)


def write_if(optimizer, condition, updates_fn):
    """Writes the updates of `updates_fn` if `condition`.

    Same contract as `tensorflow_step.write_if`: a Python bool is decided
    here (nothing runs when false); a tensor condition makes every update
    write `where(condition, new, old)`, in list order.

    Args:
        optimizer: The optimizer that owns the updates (unused here).
        condition: A Python bool or a scalar boolean tensor.
        updates_fn: Returns a list of `(variable, new_value, args)` tuples:
            `variable = new_value(*args)`.
    """
    del optimizer
    if isinstance(condition, bool):
        if not condition:
            return
        condition = None
    for variable, new_value, args in updates_fn():
        values = [arg.value for arg in args]
        value = new_value(*values)
        if _writes_in_place(condition):
            import torch

            with torch.no_grad():
                variable.value.copy_(value)
        elif condition is not None:
            variable.assign(ops.where(condition, value, variable.value))
        else:
            # An argument's own buffer, assigned as is, would be shared.
            if any(value is arg_value for arg_value in values):
                value = copied(value)
            variable.assign(value)


def increment(counter):
    """Adds one to an integer variable."""
    counter.assign_add(1)


def copied(value):
    """A copy of `value` that no other variable shares.

    On JAX, assigning one variable's array to another makes both hold the
    same buffer, which a jitted step then donates twice. On torch, inside a
    `StatelessScope` the assigned tensor itself becomes the variable's value,
    and the inner optimizer then updates it in place.
    """
    return ops.copy(value)


def _writes_in_place(condition):
    """Whether an update is done in place: eager torch, like its optimizers.

    Inside a `StatelessScope` the in-place copy updates the scope's tensors,
    as Keras' torch optimizers do.
    """
    return condition is None and keras.backend.backend() == "torch"
