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
"""A bare Lookahead for JAX and torch whose compiled sync can be written several ways.

Algorithm 1 (after every k-th inner update `slow += alpha * (fast - slow)`,
then `fast = slow`; slow weights start as the weights at build) around a
Keras 3 optimizer, as small as Keras' LossScaleOptimizer, so that the
investigations can time ways to write the sync inside a compiled train step
without depending on the package's internals. Eager steps decide in Python
and sync in place; compiled steps (`jax.jit`, `torch.compile`) use `form`:

- `where`: every update as `where(due, new, old)` (the form the package ships
  for compiled JAX and torch steps): slow and fast weights read and written
  on every step.
- `cond`: one value-returning `jax.lax.cond` over slow and fast weights
  (the alternative measured in jax_sync_formulations.py).
- `cond_slow`: a `jax.lax.cond` whose operands are the slow and fast values
  and whose result is only the new slow weights (the untaken branch passes
  the slow weights through), then `fast = where(due, new_slow, fast)`.
- `disable` (torch): the sync as a function `torch.compile` does not trace
  (`torch.compiler.disable`): it runs eagerly between two compiled graphs,
  reads the step counter as a number and syncs in place only when due.
- `outside`: no sync in the step at all; `OutsideSync`, a callback, runs the
  sync as its own program before the batch that follows every k-th one (a
  jitted, donated function on JAX; in-place ops on torch).

A form ending in `+anchor` (`where+anchor`, `cond+anchor`, `disable+anchor`)
also checks in the step, before the inner update, whether it is the first
update and then copies the weights into the slow weights, written the same
way, as the package does (here the slow weights are also set at build).
A form ending in `+ordered_anchor` makes that check one `jax.lax.cond` over
the slow weights and the weights before the update that also returns a zero
added to every gradient, so that the inner update, which overwrites the
weights in place, waits for it (no copy of the weights).
"""

import keras
from keras import ops

FORMS = ("where", "cond", "cond_slow", "disable", "outside")


def is_traced(value):
    """Whether `value` is a placeholder of a compiled step, not a number."""
    if keras.backend.backend() == "jax":
        import jax

        return isinstance(value, jax.core.Tracer)
    if keras.backend.backend() == "torch":
        import torch

        return torch.compiler.is_compiling()
    return False


class PrototypeLookahead(keras.optimizers.Optimizer):
    """Lookahead(inner) with its compiled sync written as `form` (see above)."""

    def __init__(self, inner, sync_period, slow_step_size, form, name="prototype"):
        super().__init__(learning_rate=0.0, name=name)
        self.ordered_anchor = form.endswith("+ordered_anchor")
        form = form.removesuffix("+ordered_anchor")
        self.anchor_in_step = form.endswith("+anchor")
        form = form.removesuffix("+anchor")
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}; received {form!r}")
        self.inner_optimizer = inner
        self.sync_period = sync_period
        self.slow_step_size = slow_step_size
        self.form = form
        if form == "disable":
            import torch

            self._eager_sync = torch.compiler.disable(self._eager_sync)
            self._eager_anchor = torch.compiler.disable(self._eager_anchor)

    def build(self, var_list):
        if self.built:
            return
        self.inner_optimizer.build(var_list)
        super().build(var_list)
        self.updates = self.add_variable((), initializer="zeros", dtype="int32")
        self.slow_weights = [
            self.add_variable_from_reference(variable, name="slow")
            for variable in var_list
        ]
        # Not through the optimizer's tracker: they are the model's weights.
        object.__setattr__(self, "fast_weights", list(var_list))
        for slow, fast in zip(self.slow_weights, var_list):
            slow.assign(ops.copy(fast.value))
        self.built = True

    @property
    def variables(self):
        return self._variables[:] + self.inner_optimizer.variables

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    def apply(self, grads, trainable_variables=None):
        if not self.built:
            self.build(trainable_variables)
        if self.anchor_in_step:
            self._anchor_if_first_update()
        if self.ordered_anchor:
            grads = self._ordered_anchor(grads)
        self.inner_optimizer.apply(grads, trainable_variables)
        self.updates.assign_add(1)
        if self.form == "outside":
            return
        count = self.updates.value
        if self.form == "disable" or not is_traced(count):
            self._eager_sync()
            return
        due = ops.equal(count % self.sync_period, 0)
        pairs = list(zip(self.slow_weights, self.fast_weights))
        if self.form == "where":
            for slow, fast in pairs:
                new = slow.value + self.slow_step_size * (fast.value - slow.value)
                slow.assign(ops.where(due, new, slow.value))
            for slow, fast in pairs:
                fast.assign(ops.where(due, slow.value, fast.value))
        elif self.form == "cond":
            self._jax_cond(due, pairs)
        elif self.form == "cond_slow":
            self._jax_cond_slow(due, pairs)
        else:
            raise ValueError(f"{self.form} is not a form for a compiled step.")

    def _anchor_if_first_update(self):
        count = self.updates.value
        if self.form == "disable" or not is_traced(count):
            self._eager_anchor()
            return
        first = ops.equal(count, 0)
        pairs = list(zip(self.slow_weights, self.fast_weights))
        if self.form == "where":
            for slow, fast in pairs:
                slow.assign(ops.where(first, fast.value, slow.value))
            return
        import jax

        new_slow = jax.lax.cond(
            first,
            lambda slow_values, fast_values: [ops.copy(f) for f in fast_values],
            lambda slow_values, fast_values: slow_values,
            [slow.value for slow, _ in pairs],
            [fast.value for _, fast in pairs],
        )
        for (slow, _), value in zip(pairs, new_slow):
            slow.assign(value)

    def _ordered_anchor(self, grads):
        """The first-update check as one `lax.cond` the inner update waits for.

        Its operands are the slow weights and the weights before the update;
        it also returns a zero that is added to every gradient, so that the
        update (which overwrites the weights in place) runs after it.
        """
        count = self.updates.value
        if not is_traced(count):
            self._eager_anchor()
            return grads
        import jax

        pairs = list(zip(self.slow_weights, self.fast_weights))
        new_slow, zero = jax.lax.cond(
            ops.equal(count, 0),
            lambda slow_values, fast_values: (
                [ops.copy(f) for f in fast_values],
                ops.zeros((), "float32"),
            ),
            lambda slow_values, fast_values: (
                slow_values,
                ops.zeros((), "float32"),
            ),
            [slow.value for slow, _ in pairs],
            [fast.value for _, fast in pairs],
        )
        for (slow, _), value in zip(pairs, new_slow):
            slow.assign(value)
        return [g if g is None else g + ops.cast(zero, g.dtype) for g in grads]

    def _eager_anchor(self):
        if int(self.updates.value):
            return
        for slow, fast in zip(self.slow_weights, self.fast_weights):
            if keras.backend.backend() == "torch":
                import torch

                with torch.no_grad():
                    slow.value.copy_(fast.value)
            else:
                slow.assign(ops.copy(fast.value))

    def interpolated(self, slow_values, fast_values):
        return [
            slow + self.slow_step_size * (fast - slow)
            for slow, fast in zip(slow_values, fast_values)
        ]

    def _jax_cond(self, due, pairs):
        import jax

        def sync(slow_values, fast_values):
            new = self.interpolated(slow_values, fast_values)
            return new, [ops.copy(value) for value in new]

        new_slow, new_fast = jax.lax.cond(
            due,
            sync,
            lambda slow_values, fast_values: (slow_values, fast_values),
            [slow.value for slow, _ in pairs],
            [fast.value for _, fast in pairs],
        )
        for (slow, fast), slow_value, fast_value in zip(pairs, new_slow, new_fast):
            slow.assign(slow_value)
            fast.assign(fast_value)

    def _jax_cond_slow(self, due, pairs):
        import jax

        new_slow = jax.lax.cond(
            due,
            self.interpolated,
            lambda slow_values, fast_values: slow_values,
            [slow.value for slow, _ in pairs],
            [fast.value for _, fast in pairs],
        )
        for (slow, fast), value in zip(pairs, new_slow):
            slow.assign(value)
            fast.assign(ops.where(due, value, fast.value))

    def _eager_sync(self):
        if int(self.updates.value) % self.sync_period:
            return
        pairs = list(zip(self.slow_weights, self.fast_weights))
        if keras.backend.backend() == "torch":
            import torch

            with torch.no_grad():
                for slow, fast in pairs:
                    slow.value.lerp_(fast.value, self.slow_step_size)
                    fast.value.copy_(slow.value)
            return
        for slow, fast in pairs:
            slow.assign(slow.value + self.slow_step_size * (fast.value - slow.value))
            fast.assign(ops.copy(slow.value))


class OutsideSync(keras.callbacks.Callback):
    """The sync of a `PrototypeLookahead(form="outside")`, run by `fit`.

    Before the batch that follows every k-th one (k counted here, one update
    per batch): on JAX the trainer's state is first written back to the
    variables (`model.jax_state_sync()`, as any callback that reads weights
    does); the sync is a jitted function with donated buffers. On torch it is
    in place.
    """

    def __init__(self, optimizer):
        super().__init__()
        self._optimizer = optimizer
        self._batches = 0
        self._jitted = None

    def on_train_batch_begin(self, batch, logs=None):
        if self._batches and self._batches % self._optimizer.sync_period == 0:
            self._sync()
        self._batches += 1

    def _sync(self):
        optimizer = self._optimizer
        pairs = list(zip(optimizer.slow_weights, optimizer.fast_weights))
        if keras.backend.backend() == "torch":
            import torch

            with torch.no_grad():
                for slow, fast in pairs:
                    slow.value.lerp_(fast.value, optimizer.slow_step_size)
                    fast.value.copy_(slow.value)
            return
        import jax

        self.model.jax_state_sync()
        if self._jitted is None:

            def sync(slow_values, fast_values):
                new = optimizer.interpolated(slow_values, fast_values)
                return new, [jax.numpy.copy(value) for value in new]

            self._jitted = jax.jit(sync, donate_argnums=(0, 1))
        new_slow, new_fast = self._jitted(
            [slow.value for slow, _ in pairs], [fast.value for _, fast in pairs]
        )
        for (slow, fast), slow_value, fast_value in zip(pairs, new_slow, new_fast):
            slow.assign(slow_value)
            fast.assign(fast_value)
