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
"""The Lookahead optimizer (Zhang et al., 2019) for Keras 3."""

import contextlib
import numbers
from typing import Union

import keras
from keras import ops

from tensorflow_lookahead.optimizers import inner_state
from tensorflow_lookahead.optimizers import legacy_config
from tensorflow_lookahead.optimizers import saved_state
from tensorflow_lookahead.optimizers import slow_weights_in_model
from tensorflow_lookahead.optimizers import wrapping
from tensorflow_lookahead.optimizers.step_backends import step_backend as step
from tensorflow_lookahead.utils import arguments
from tensorflow_lookahead.utils import interruption
from tensorflow_lookahead.utils import sync_rule
from tensorflow_lookahead.utils.typechecking import typechecked


@keras.utils.register_keras_serializable(package=legacy_config.TFA_PACKAGE)
class Lookahead(slow_weights_in_model.SlowWeightsInModel, keras.optimizers.Optimizer):
    """Wraps an optimizer with Lookahead: k steps forward, 1 step back.

    The inner optimizer updates the model's weights (the fast weights) as
    usual. Lookahead keeps one more copy of them, the slow weights, equal to
    the model's weights before the first update. After every `sync_period`
    applied updates it sets `slow += slow_step_size * (fast - slow)` and then
    `fast = slow`. The inner optimizer's own state (momentum, moments) carries
    on across synchronizations. See Zhang, Lucas, Hinton and Ba, "Lookahead
    Optimizer: k steps forward, 1 step back", NeurIPS 2019
    (https://arxiv.org/abs/1907.08610).

    It is a drop-in replacement for `tfa.optimizers.Lookahead`, saved under
    the same registered name, `"Addons>Lookahead"`. `learning_rate`,
    `iterations`, `loss_scale_factor`, `scale_loss`,
    `exclude_from_weight_decay` and `finalize_variable_values` are those of
    the inner optimizer.

    Optimizer variables, in order (the order `.keras` files store them in):
    the synchronization step counter, one slow weight per trainable variable
    in build order, with `inner_state_at_sync="pullback"` one cached momentum
    per momentum, then the inner optimizer's variables. Variables with
    `overwrite_with_gradient` and variables that are not floating point get
    no slow weight: the inner optimizer alone updates them.

    Args:
        optimizer: The inner optimizer: a `keras.optimizers.Optimizer`, the
            name of a built-in one (e.g. `"adam"`) or a serialized optimizer
            dict, turned into an optimizer inside the current distribution
            strategy scope.
        sync_period: k, the number of applied inner updates between two
            synchronizations; an integer >= 1.
        slow_step_size: alpha, the step size of the slow weights towards the
            fast weights; a real number in [0, 1].
        name: The name of the optimizer, used for its variables.
        finalize_with_slow_weights: If True, `finalize_variable_values`
            (called by `fit` after its last epoch) writes the slow weights
            into the model, so that `fit` ends with the paper's output.
            Cannot be combined with an inner optimizer that uses EMA.
        inner_state_at_sync: What each sync does to the inner optimizer's
            state: "keep" (the paper), or for an inner `keras.optimizers.SGD`
            "reset" (momentum to zero) or "pullback" (momentum interpolated
            with its value at the previous sync, as in the authors' code).
        **kwargs: Not accepted. Base optimizer arguments such as
            `learning_rate` or `clipnorm` belong on the inner optimizer.

    Example: two SGD steps of size 0.1 on a gradient of 1 take the weight
    from 1.0 to 0.8; the synchronization after the second step moves the slow
    weight half way there and puts the model's weight back on it.

    >>> import keras
    >>> from tensorflow_lookahead.optimizers import Lookahead
    >>> optimizer = Lookahead(
    ...     keras.optimizers.SGD(learning_rate=0.1),
    ...     sync_period=2,
    ...     slow_step_size=0.5,
    ... )
    >>> weight = keras.Variable([1.0])
    >>> for _ in range(2):
    ...     optimizer.apply([keras.ops.ones((1,))], [weight])
    >>> round(float(weight.numpy()[0]), 5)
    0.9
    >>> int(optimizer.iterations.numpy())
    2
    """

    @arguments.python_numbers_for_scalar_arrays
    @typechecked
    def __init__(
        self,
        optimizer: Union[keras.optimizers.Optimizer, str, dict],
        sync_period: numbers.Integral = 6,
        slow_step_size: numbers.Real = 0.5,
        name: str = "Lookahead",
        finalize_with_slow_weights: bool = False,
        inner_state_at_sync: str = "keep",
        **kwargs,
    ):
        arguments.reject_extra_arguments(
            kwargs,
            ("optimizer", "sync_period", "slow_step_size", "name")
            + ("finalize_with_slow_weights", "inner_state_at_sync"),
            "Lookahead(keras.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0))",
        )
        sync_period = arguments.validated_sync_period(sync_period)
        slow_step_size = arguments.validated_slow_step_size(slow_step_size)
        inner = wrapping.inner_optimizer_from(optimizer)
        wrapping.check_no_loss_scaling_inside(inner)
        if finalize_with_slow_weights and inner.use_ema:
            raise ValueError(
                "`finalize_with_slow_weights=True` cannot be combined with an "
                "inner optimizer with `use_ema=True`: both write the model's "
                f"weights at the end of fit. Received: optimizer={optimizer}"
            )
        accumulation = inner.gradient_accumulation_steps or 1
        arguments.validated_sync_period(
            sync_period * accumulation,
            "sync_period * inner gradient_accumulation_steps",
        )
        # The base class would create a learning rate variable of its own.
        super().__init__(learning_rate=self._inner_learning_rate, name=name)
        self.inner_optimizer = inner
        self.sync_period = sync_period
        self.slow_step_size = slow_step_size
        self.finalize_with_slow_weights = finalize_with_slow_weights
        self.inner_state_at_sync = inner_state.validated_mode(
            inner_state_at_sync, inner
        )
        self._slow_weights = []
        self._cached_momentums = {}
        self._slow_weights_are_in_model = False  # Between two `swap_weights()`.
        self._fast_weights_outside_model = None  # Inside `slow_weights_in_model()`.

    def _inner_learning_rate(self):
        return self.inner_optimizer.learning_rate

    def build(self, var_list):
        """Builds the inner optimizer, then creates one slow weight per variable.

        A second call does nothing, as for Keras' optimizers.

        Args:
            var_list: The model's trainable variables.
        """
        if self.built:
            return
        var_list = list(var_list)
        if self.inner_optimizer.built:
            self._check_inner_optimizer_built_on(var_list)
        else:
            self.inner_optimizer.build(var_list)
        super().build(var_list)
        self._slow_weights = [
            (
                self.add_variable_from_reference(variable, name="slow")
                if has_slow_weight(self, variable)
                else None
            )
            for variable in var_list
        ]
        self._cached_momentums = inner_state.cached_momentums(
            self, self._inner_momentums()
        )
        if step.all_initialized(self._trainable_variables):
            self._anchor_before_first_update()

    def _check_inner_optimizer_built_on(self, var_list):
        inner = self.inner_optimizer
        inner_keys = {inner._var_key(v) for v in inner._trainable_variables}
        if inner_keys != {self._var_key(v) for v in var_list}:
            raise ValueError(
                f"The inner optimizer is already built on {len(inner_keys)} "
                f"variables, other than the {len(var_list)} Lookahead is built "
                "on. Build Lookahead on the same variables, or wrap an "
                "optimizer that is not built yet."
            )

    def _anchor_before_first_update(self):
        """Slow weights are the model's weights until the first update.

        Called before each update (a no-op after the first), at build when
        the weights can be read, and before the slow weights are shown. A
        checkpoint restored before the build (deferred restore) has already
        counted updates, so its slow weights are kept.
        """
        first_update = step.counter_value(self._iterations) == 0
        step.write_if(
            self,
            first_update,
            lambda: [
                (slow, sync_rule.value_of, (fast,))
                for slow, fast in self.slow_and_fast_pairs()
            ],
        )

    def apply(self, grads, trainable_variables=None):
        """Applies one inner update, then synchronizes if it was the k-th.

        Args:
            grads: Gradients, one per trainable variable.
            trainable_variables: The variables to update; builds the optimizer
                on the first call. Defaults to the variables it was built with.
        """
        if len(grads) == 0:
            return
        if trainable_variables is not None:
            trainable_variables = list(trainable_variables)
        self._check_gradient_count(grads, trainable_variables)
        if trainable_variables is not None and not self.built:
            self._build_in_apply(trainable_variables)
        if not self.built:
            raise ValueError(
                "Lookahead.apply() needs `trainable_variables` before the "
                "optimizer is built. Received: trainable_variables=None"
            )
        if trainable_variables is not None:
            self._check_variables_are_known(trainable_variables)
        self._anchor_before_first_update()
        self.inner_optimizer.apply(grads, trainable_variables)
        step.increment(self._iterations)
        applied_updates = step.counter_value(self._iterations)
        step.write_if(
            self,
            sync_rule.is_sync_step(applied_updates, self._applied_updates_per_sync()),
            lambda: self._sync_updates(trainable_variables),
        )

    def _build_in_apply(self, trainable_variables):
        step.check_can_build_here(self)
        with step.outside_traced_functions():
            readable = step.all_initialized(trainable_variables)
        # Model variables created in this trace can only be read in it, e.g.
        # by an inner optimizer whose build copies the weights.
        scope = (
            step.outside_traced_functions() if readable else contextlib.nullcontext()
        )
        with scope, keras.name_scope(self.name, caller=self):
            self.build(trainable_variables)

    def _check_gradient_count(self, grads, trainable_variables):
        if trainable_variables is None:
            if not self.built:
                return
            trainable_variables = self._trainable_variables
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Lookahead.apply() got {len(grads)} gradients for "
                f"{len(trainable_variables)} variables: pass one gradient (or "
                "None) per variable."
            )

    def _sync_updates(self, trainable_variables=None):
        """The sync of the variables this step trains (all when None).

        A layer frozen after the build keeps its weights, as with the inner
        optimizer alone; its slow weight waits until it is trained again.
        """
        pairs = self.slow_and_fast_pairs()
        if trainable_variables is not None:
            trained = {self._var_key(variable) for variable in trainable_variables}
            pairs = [pair for pair in pairs if self._var_key(pair[1]) in trained]
        return sync_rule.sync_updates(
            pairs, self.slow_step_size, lambda fast: fast.constraint
        ) + inner_state.sync_updates(
            self.inner_state_at_sync,
            self.slow_step_size,
            self._inner_momentums(),
            self._cached_momentums,
            [self._var_key(fast) for _, fast in pairs],
        )

    def _inner_momentums(self):
        """The inner SGD's momentum of each variable, by the variable's key."""
        inner = self.inner_optimizer
        if self.inner_state_at_sync == "keep" or not inner.momentums:
            return {}
        return {
            self._var_key(variable): momentum
            for variable, momentum in zip(inner._trainable_variables, inner.momentums)
        }

    def _applied_updates_per_sync(self):
        accumulation = self.inner_optimizer.gradient_accumulation_steps or 1
        return self.sync_period * accumulation

    def slow_and_fast_pairs(self):
        """`(slow weight, model variable)` pairs, in build order."""
        return [
            (slow, fast)
            for slow, fast in zip(self._slow_weights, self._trainable_variables)
            if slow is not None
        ]

    @property
    def slow_weights(self):
        """The slow weights, one per trainable variable (None where skipped)."""
        return list(self._slow_weights)

    @property
    def sync_count(self):
        """The number of synchronizations done so far, as an integer tensor."""
        return self._iterations // self._applied_updates_per_sync()

    @property
    def variables(self):
        return self._variables[:] + self.inner_optimizer.variables

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def loss_scale_factor(self):
        return self.inner_optimizer.loss_scale_factor

    @loss_scale_factor.setter
    def loss_scale_factor(self, loss_scale_factor):
        # The base constructor sets it before the inner optimizer exists.
        if "inner_optimizer" in self.__dict__:
            self.inner_optimizer.loss_scale_factor = loss_scale_factor

    def scale_loss(self, loss):
        return self.inner_optimizer.scale_loss(loss)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        self.inner_optimizer.exclude_from_weight_decay(
            var_list=var_list, var_names=var_names
        )

    def finalize_variable_values(self, var_list):
        """Swaps swapped weights back, then writes the slow weights if asked.

        Not while an exception propagates: Keras' JAX trainer calls this also
        when `fit` is interrupted, and the model then keeps its fast weights,
        so that the next `fit` continues exactly.

        Args:
            var_list: The model's trainable variables.
        """
        if self._slow_weights_are_in_model:
            self.swap_weights()
        if (
            self.finalize_with_slow_weights
            and self.built
            and int(ops.convert_to_numpy(self._iterations)) > 0
            and not interruption.exception_propagates_through_caller()
        ):
            self._copy_slow_weights_into_model()
        self.inner_optimizer.finalize_variable_values(var_list)

    @property
    def _model_variables_moving_average(self):
        # `keras.callbacks.SwapEMAWeights` looks one wrapper deep (into a
        # LossScaleOptimizer around Lookahead) and swaps these with
        # `_trainable_variables`: the inner optimizer's averages, in that
        # order. Absent (AttributeError) when the inner has no EMA.
        inner = self.inner_optimizer
        if not (self.built and inner.use_ema):
            raise AttributeError(
                "Lookahead has no moving averages: its inner optimizer has "
                f"use_ema={inner.use_ema} or is not built yet."
            )
        averages = {
            inner._var_key(variable): average
            for variable, average in zip(
                inner._trainable_variables, inner._model_variables_moving_average
            )
        }
        return [averages[self._var_key(v)] for v in self._trainable_variables]

    def __dir__(self):
        # Keras' saving walks attributes and would save the inner optimizer
        # a second time; its state is in `variables`, saved and loaded
        # (checked first) by this optimizer.
        return [name for name in super().__dir__() if name != "inner_optimizer"]

    def set_weights(self, weights):
        """Sets all of `variables`: counter, slow weights, inner state.

        Args:
            weights: Arrays in the order of `variables`.
        """
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on a Lookahead optimizer that "
                "is not built: call `optimizer.build(trainable_variables)` first."
            )
        saved_state.check_shapes(self, [tuple(w.shape) for w in weights], "weights")
        for variable, weight in zip(self.variables, weights):
            variable.assign(weight)

    def save_own_variables(self, store):
        """Saves `variables`, the inner optimizer's class name and `sync_period`.

        While swapped, the true slow weights are in the model: they are saved.

        Args:
            store: Where the variables go, keyed "0", "1", ...
        """
        saved_state.save(self, store, self._variables_saved_for())

    def load_own_variables(self, store):
        """Restores what `save_own_variables` saved, strictly and all at once.

        Args:
            store: The saved variables.
        """
        if saved_state.load(self, store):
            self._put_slow_weights_back_after_load()

    def get_config(self):
        return {
            "name": self.name,
            "optimizer": keras.optimizers.serialize(self.inner_optimizer),
            "sync_period": self.sync_period,
            "slow_step_size": self.slow_step_size,
            "finalize_with_slow_weights": self.finalize_with_slow_weights,
            "inner_state_at_sync": self.inner_state_at_sync,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a Lookahead from `get_config()`, also tfa's configs.

        Args:
            config: The config dict, from this package or from tfa.
            custom_objects: Custom optimizer classes for the inner optimizer.

        Returns:
            The optimizer.
        """
        legacy_config.warn_if_written_by_keras2(config)
        config = legacy_config.upgraded_lookahead_config(config)
        optimizer = config.pop("optimizer")
        if isinstance(optimizer, dict):
            optimizer = wrapping.deserialized_optimizer(optimizer, custom_objects)
        return cls(optimizer, **config)


def has_slow_weight(optimizer, variable):
    """Whether Lookahead keeps a slow weight for `variable`.

    Not for variables that take their gradient as their value, nor for
    integer ones, which no interpolation can keep integral.
    """
    return not optimizer._overwrite_variable_with_gradient(
        variable
    ) and keras.backend.is_float_dtype(variable.dtype)
