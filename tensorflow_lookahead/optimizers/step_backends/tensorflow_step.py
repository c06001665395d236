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
"""How a Lookahead step runs on TensorFlow: distribution and XLA.

Everything that touches `tf.distribute` lives here, so the optimizer core in
`lookahead.py` stays on Keras' backend-neutral API. `portable_step.py` has the
same functions for the other backends.
"""

import keras
import tensorflow as tf


def check_same_strategy(optimizer, argument_name):
    """Raises if `optimizer` was created under another distribution strategy.

    Keras optimizers record `tf.distribute.get_strategy()` when they are
    created; an inner optimizer made outside `strategy.scope()` fails much
    later with "Mixing different tf.distribute.Strategy objects".

    Args:
        optimizer: The inner Keras optimizer.
        argument_name: The constructor argument it came from, for the message.

    Raises:
        ValueError: The strategies differ.
    """
    inner_strategy = getattr(optimizer, "_distribution_strategy", None)
    current_strategy = tf.distribute.get_strategy()
    if inner_strategy is not None and inner_strategy is not current_strategy:
        raise ValueError(
            f"`{argument_name}` was created under the distribution strategy "
            f"{type(inner_strategy).__name__}, but Lookahead is being created "
            f"under {type(current_strategy).__name__}. Create both inside the "
            f"same `strategy.scope()`, or pass `{argument_name}` as a name "
            "(e.g. 'adam') or a config dict so that Lookahead creates it in "
            "the current scope."
        )


def check_can_build_here(optimizer):
    """Raises if building now would create variables inside `strategy.run`.

    Variables created in a replica context of a multi-replica strategy get
    initializers that cannot be lifted out of the `tf.function`; TensorFlow
    then fails at run time with "You must feed a value for placeholder
    tensor" (plain Keras optimizers fail the same way).

    Args:
        optimizer: The optimizer about to be built.

    Raises:
        ValueError: Called inside `strategy.run` of a multi-replica strategy.
    """
    strategy = optimizer._distribution_strategy
    if strategy.num_replicas_in_sync > 1 and tf.distribute.has_strategy():
        if not tf.distribute.in_cross_replica_context():
            raise ValueError(
                "Lookahead is not built yet and is being applied inside "
                f"`{type(strategy).__name__}.run`, where TensorFlow cannot "
                "create its variables. Build it first, inside "
                "`strategy.scope()` and outside `strategy.run`: "
                "`optimizer.build(model.trainable_variables)`."
            )


def _unwrap(variable):
    """The `tf.Variable` behind a Keras variable (or the variable itself)."""
    return variable.value if isinstance(variable, keras.Variable) else variable


def outside_traced_functions():
    """Context in which ops run eagerly, also while a `tf.function` traces.

    Variables created in it are plain eager variables captured by the traced
    function (Keras 2 optimizers built this way), instead of variables whose
    initializers are traced into the function under a conditional and then
    lifted out, which makes the first `fit` step slower to trace.
    """
    return tf.init_scope()


def all_initialized(variables):
    """True if every variable holds a value that can be read right now.

    False while tracing, and for variables created in the `tf.function` being
    traced, which get their values only after the trace.
    """
    if not tf.executing_eagerly():
        return False
    return all(bool(_unwrap(variable).is_initialized()) for variable in variables)


def counter_value(counter):
    """The value of an integer variable: a Python int when eager, else a tensor.

    Eager callers then decide in Python, without further device ops, whether
    an update is due.
    """
    value = _unwrap(counter).read_value()
    return int(value) if tf.executing_eagerly() else value


def write_if(optimizer, condition, updates_fn):
    """Writes the updates of `updates_fn` on every replica if `condition`.

    `updates_fn()` is called only when the updates may be due. It returns
    `(variable, new_value, args)` tuples, written in list order:
    `variable = new_value(*args)`, with each device's copies of `variable`
    and of distributed `args`. The condition must be the same on all
    replicas (e.g. computed from a mirrored step counter).

    A Python bool is decided here. A tensor outside XLA writes under
    `tf.cond`, so steps that do not sync cost nothing. Under XLA a
    conditional that writes variables copies every one of them on every step,
    so each update writes `where(condition, new, old)` instead.

    Args:
        optimizer: The optimizer that owns the updates; its distribution
            strategy runs them.
        condition: A Python bool or a scalar boolean tensor.
        updates_fn: Returns a list of `(variable, new_value, args)` tuples.
    """
    if isinstance(condition, bool) and not condition:
        return
    updates = [
        (_unwrap(variable), new_value, tuple(_unwrap(arg) for arg in args))
        for variable, new_value, args in updates_fn()
    ]

    def write_all(distribution, mask=None):
        for variable, new_value, args in updates:
            distribution.extended.update(
                variable,
                _write,
                args=args,
                kwargs={"new_value": new_value, "mask": mask},
                group=False,
            )

    def cross_replica_fn(distribution):
        if isinstance(condition, bool):
            write_all(distribution)
        elif tf.__internal__.get_enclosing_xla_context() is not None:
            write_all(distribution, mask=condition)
        else:
            tf.cond(condition, lambda: write_all(distribution), lambda: None)

    strategy = optimizer._distribution_strategy
    if tf.distribute.in_cross_replica_context():
        cross_replica_fn(strategy)
    else:
        tf.__internal__.distribute.interim.maybe_merge_call(cross_replica_fn, strategy)


def _write(variable, *args, new_value, mask):
    value = new_value(*args)
    variable.assign(value if mask is None else tf.where(mask, value, variable))


def increment(counter):
    """Adds one to an integer variable in one op (Keras' `assign_add` takes four)."""
    _unwrap(counter).assign_add(1)


def copied(value):
    """`value` itself: assigning a tensor to a variable copies it on TensorFlow."""
    return value
