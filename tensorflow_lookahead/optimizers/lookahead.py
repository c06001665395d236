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
import copy
import inspect
import math
import numbers
import sys
import warnings
from typing import Union

import keras
import numpy as np
from keras import ops

from tensorflow_lookahead.optimizers import legacy_config
from tensorflow_lookahead.optimizers import backend
from tensorflow_lookahead.utils.typechecking import typechecked

# Arguments of `keras.optimizers.Optimizer` that only the inner optimizer
# can act on; Lookahead rejects them with a pointer to the inner optimizer.
BASE_OPTIMIZER_ARGUMENTS = (
    "learning_rate",
    "weight_decay",
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
    "use_ema",
    "ema_momentum",
    "ema_overwrite_frequency",
    "loss_scale_factor",
    "gradient_accumulation_steps",
    "decay",
    "lr",
)
# The step counters are int32 on JAX and torch: a longer cycle cannot be counted.
MAX_APPLIED_UPDATES_PER_SYNC = 2**31 - 1
# Key of the inner optimizer's registered class name in saved variables.
INNER_OPTIMIZER_CLASS_KEY = "inner_optimizer_class"
# Key of the sync period the step counter was counted with.
SYNC_PERIOD_KEY = "sync_period"
METADATA_KEYS = {INNER_OPTIMIZER_CLASS_KEY, SYNC_PERIOD_KEY}


@keras.utils.register_keras_serializable(package="Addons")
class Lookahead(keras.optimizers.Optimizer):
    """Wraps an optimizer with Lookahead: k steps forward, 1 step back.

    The inner optimizer updates the model's weights (the fast weights) as
    usual. Lookahead keeps one more copy of them, the slow weights, equal to
    the model's weights before the first update. After every `sync_period`
    applied updates it sets `slow += slow_step_size * (fast - slow)` and then
    `fast = slow`. The inner optimizer's own state (momentum, moments) carries
    on across synchronizations. See Zhang, Lucas, Hinton and Ba, "Lookahead
    Optimizer: k steps forward, 1 step back", NeurIPS 2019
    (https://arxiv.org/abs/1907.08610).

    It is a drop-in replacement for `tfa.optimizers.Lookahead` and is saved
    under the same registered name, `"Addons>Lookahead"`. `learning_rate`,
    `iterations`, `loss_scale_factor`, `scale_loss`,
    `exclude_from_weight_decay` and `finalize_variable_values` are those of
    the inner optimizer.

    Optimizer variables, in order (the order `.keras` files store them in):
    the synchronization step counter, then one slow weight per trainable
    variable in the order the optimizer was built with, then the inner
    optimizer's variables. Variables with `overwrite_with_gradient` and
    variables that are not floating point get no slow weight: the inner
    optimizer alone updates them.

    Args:
        optimizer: The inner optimizer: a `keras.optimizers.Optimizer`, the
            name of a built-in one (e.g. `"adam"`) or a serialized optimizer
            dict. Names and dicts are turned into an optimizer inside the
            current distribution strategy scope.
        sync_period: k, the number of applied inner updates between two
            synchronizations; an integer >= 1.
        slow_step_size: alpha, the step size of the slow weights towards the
            fast weights; a real number in [0, 1].
        name: The name of the optimizer, used for its variables.
        finalize_with_slow_weights: If True, `finalize_variable_values`
            (called by `fit` after its last epoch) writes the slow weights
            into the model, so that `fit` ends with the paper's output.
            Training again afterwards continues from the slow weights.
            Cannot be combined with an inner optimizer that uses EMA.
        **kwargs: Not accepted. Base optimizer arguments such as
            `learning_rate` or `clipnorm` belong on the inner optimizer.

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: An argument is out of range or unknown.

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

    @typechecked
    def __init__(
        self,
        optimizer: Union[keras.optimizers.Optimizer, str, dict],
        sync_period: numbers.Integral = 6,
        slow_step_size: numbers.Real = 0.5,
        name: str = "Lookahead",
        finalize_with_slow_weights: bool = False,
        **kwargs,
    ):
        reject_extra_arguments(kwargs)
        sync_period = validated_sync_period(sync_period)
        slow_step_size = validated_slow_step_size(slow_step_size)
        inner_optimizer = inner_optimizer_from(optimizer)
        check_no_loss_scaling_inside(inner_optimizer)
        if finalize_with_slow_weights and inner_optimizer.use_ema:
            raise ValueError(
                "`finalize_with_slow_weights=True` cannot be combined with an "
                "inner optimizer with `use_ema=True`: both would write their "
                "weights into the model at the end of fit. Use one of them."
            )
        check_cycle_fits_counter(sync_period, inner_optimizer)
        super().__init__(learning_rate=self._inner_learning_rate, name=name)
        self.inner_optimizer = inner_optimizer
        self.sync_period = sync_period
        self.slow_step_size = slow_step_size
        self.finalize_with_slow_weights = finalize_with_slow_weights
        self._slow_weights = []
        # Set by `swap_weights()`: the slow weights hold the fast ones.
        self._slow_weights_are_in_model = False
        # Set inside `slow_weights_in_model()`.
        self._fast_weights_outside_model = None

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
        # Slow weights start at zero and are copied from the model here when
        # its weights can be read, and again before the first applied update
        # (in case the model's weights change in between, or could not be
        # read: variables created in the same trace). A checkpoint restored
        # before the build (deferred restore) has already set the counter
        # and the slow weights; those are kept.
        if (
            backend.all_initialized(self._trainable_variables)
            and self._applied_updates() == 0
        ):
            self._copy_model_weights_into_slow_weights()

    def _check_inner_optimizer_built_on(self, var_list):
        inner = self.inner_optimizer
        inner_keys = {inner._var_key(v) for v in inner._trainable_variables}
        if inner_keys != {self._var_key(v) for v in var_list}:
            raise ValueError(
                f"The inner optimizer {type(inner).__name__} is already built "
                f"on {len(inner_keys)} variables, but Lookahead is being built "
                f"on {len(var_list)} others: variables the inner optimizer "
                "updates without a slow weight would silently miss Lookahead. "
                "Build Lookahead on the variables the inner optimizer was "
                "built on, or wrap an optimizer that is not built yet."
            )

    def _copy_model_weights_into_slow_weights(self):
        for slow, fast in self.slow_and_fast_pairs():
            slow.assign(backend.copied(ops.convert_to_tensor(fast)))

    @property
    def slow_weights(self):
        """The slow weights, one per trainable variable (None where skipped)."""
        return list(self._slow_weights)

    def _applied_updates(self):
        return int(ops.convert_to_numpy(self._iterations))

    @property
    def sync_count(self):
        """The number of synchronizations done so far, as an integer tensor."""
        return self._iterations // self._applied_updates_per_sync()

    def swap_weights(self):
        """Swaps the values of the slow weights and the model's weights.

        Calling it twice restores both. Call it outside `tf.function`, in
        cross-replica context under a distribution strategy. Prefer
        `slow_weights_in_model()`, which swaps back for you.

        Raises:
            ValueError: The optimizer is not built yet, or is inside
                `slow_weights_in_model()`.
        """
        self._check_slow_weights_can_move_into_the_model()
        self._exchange_slow_and_fast_values()
        self._slow_weights_are_in_model = not self._slow_weights_are_in_model

    @property
    def weights_swapped(self):
        """Whether the model holds the slow weights after `swap_weights()`."""
        return self._slow_weights_are_in_model

    def _check_slow_weights_can_move_into_the_model(self):
        if not self.built:
            raise ValueError(
                "Lookahead has no slow weights before it is built; train a "
                "step or call `optimizer.build(model.trainable_variables)`."
            )
        if self._fast_weights_outside_model is not None:
            raise ValueError(
                "The model already holds the slow weights: this is inside "
                "`slow_weights_in_model()`."
            )
        if self._applied_updates() == 0:
            self._copy_model_weights_into_slow_weights()

    def _exchange_slow_and_fast_values(self):
        for slow, fast in self.slow_and_fast_pairs():
            fast_value = ops.copy(ops.convert_to_tensor(fast))
            fast.assign(backend.copied(slow.value))
            slow.assign(fast_value)

    @contextlib.contextmanager
    def slow_weights_in_model(self):
        """Context manager: the model holds the slow weights inside it.

        The fast weights come back on exit, also when the block raises, so
        training can continue exactly where it was. Use it to evaluate or
        export the paper's output:

        ```python
        with model.optimizer.slow_weights_in_model():
            model.evaluate(x_test, y_test)
        ```

        Inside it, the slow weights stay what they are: a file saved there
        holds them as the model's weights and as the optimizer's. The fast
        weights wait outside the model (a file loaded there puts its own in
        their place).

        Raises:
            ValueError: The optimizer is not built yet, or the model already
                holds the slow weights.
        """
        if self._slow_weights_are_in_model:
            raise ValueError(
                "The model already holds the slow weights: `swap_weights()` "
                "put them there; call it again first."
            )
        self._check_slow_weights_can_move_into_the_model()
        self._move_slow_weights_into_model()
        try:
            yield self
        finally:
            pairs = self.slow_and_fast_pairs()
            for (_, fast), value in zip(pairs, self._fast_weights_outside_model):
                fast.assign(value)
            self._fast_weights_outside_model = None

    def _move_slow_weights_into_model(self):
        """Copies the slow weights into the model, keeping the fast ones aside."""
        pairs = self.slow_and_fast_pairs()
        self._fast_weights_outside_model = [
            ops.copy(ops.convert_to_tensor(fast)) for _, fast in pairs
        ]
        for slow, fast in pairs:
            fast.assign(backend.copied(slow.value))

    @property
    def variables(self):
        return self._variables[:] + self.inner_optimizer.variables

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
            backend.check_can_build_here(self)
            with backend.outside_traced_functions():
                readable = backend.all_initialized(trainable_variables)
            # Model variables created in this trace can only be read in it,
            # e.g. by an inner optimizer whose build copies the weights.
            scope = (
                backend.outside_traced_functions()
                if readable
                else contextlib.nullcontext()
            )
            with scope, keras.name_scope(self.name, caller=self):
                self.build(trainable_variables)
        if not self.built:
            raise ValueError(
                "Lookahead.apply() was called with `trainable_variables=None` "
                "before the optimizer was built. Pass the variables or call "
                "`optimizer.build(trainable_variables)` first."
            )
        if trainable_variables is not None:
            self._check_variables_are_known(trainable_variables)
        applied_updates = backend.counter_value(self._iterations)
        backend.apply_if(self, applied_updates == 0, self._anchor_updates)
        self.inner_optimizer.apply(grads, trainable_variables)
        backend.increment(self._iterations)
        backend.apply_if(
            self,
            self._is_sync_step(applied_updates + 1),
            lambda: self._sync_updates(trainable_variables),
        )

    def _check_gradient_count(self, grads, trainable_variables):
        if trainable_variables is None:
            if not self.built:
                return
            trainable_variables = self._trainable_variables
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Lookahead.apply() got {len(grads)} gradients for "
                f"{len(trainable_variables)} variables; pass exactly one "
                "gradient (or None) per variable."
            )

    def slow_and_fast_pairs(self):
        """`(slow weight, model variable)` pairs, in build order."""
        return [
            (slow, fast)
            for slow, fast in zip(self._slow_weights, self._trainable_variables)
            if slow is not None
        ]

    def _anchor_updates(self):
        """Updates that set the slow weights to the model's weights."""
        return [
            (slow, backend.assign_copy, (fast,))
            for slow, fast in self.slow_and_fast_pairs()
        ]

    def _sync_updates(self, trainable_variables=None):
        """Updates `slow += alpha * (fast - slow)`, then `fast = slow`.

        Only for `trainable_variables` when given: a layer frozen after the
        build (and recompiled) keeps its weights, as with the inner optimizer
        alone, and its slow weight waits until it is trained again.
        """
        pairs = self.slow_and_fast_pairs()
        if trainable_variables is not None:
            trained = {self._var_key(variable) for variable in trainable_variables}
            pairs = [pair for pair in pairs if self._var_key(pair[1]) in trained]
        return [
            (
                slow,
                backend.interpolation(self.slow_step_size, fast.constraint),
                (fast,),
            )
            for slow, fast in pairs
        ] + [(fast, backend.assign_copy, (slow,)) for slow, fast in pairs]

    def _applied_updates_per_sync(self):
        return self.sync_period * (
            self.inner_optimizer.gradient_accumulation_steps or 1
        )

    def _is_sync_step(self, applied_updates):
        return applied_updates % self._applied_updates_per_sync() == 0

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
        """Writes the slow weights into the model if asked to, see `__init__`.

        Not while an exception propagates: Keras' JAX trainer calls this also
        when `fit` is interrupted (an error, Ctrl-C), and the model then keeps
        its fast weights, so that the next `fit` continues exactly.

        Swapped weights (`swap_weights()`) are swapped back first.

        Args:
            var_list: The model's trainable variables.
        """
        if self._slow_weights_are_in_model:
            self.swap_weights()
        if (
            self.finalize_with_slow_weights
            and self.built
            and self._applied_updates() > 0
            and not exception_propagates_through_caller()
        ):
            for slow, fast in self.slow_and_fast_pairs():
                fast.assign(backend.copied(slow.value))
        self.inner_optimizer.finalize_variable_values(var_list)

    @property
    def _model_variables_moving_average(self):
        # `keras.callbacks.SwapEMAWeights` looks one wrapper deep (e.g. into a
        # LossScaleOptimizer around Lookahead) and swaps these with this
        # optimizer's `_trainable_variables`: the inner optimizer's averages,
        # in that order. Absent (AttributeError) when the inner has no EMA.
        inner = self.inner_optimizer
        if not (self.built and inner.use_ema):
            raise AttributeError(
                "Lookahead has no moving averages: its inner optimizer "
                f"{type(inner).__name__} has use_ema={inner.use_ema} or is "
                "not built yet."
            )
        averages = {
            inner._var_key(variable): average
            for variable, average in zip(
                inner._trainable_variables, inner._model_variables_moving_average
            )
        }
        return [averages[self._var_key(v)] for v in self._trainable_variables]

    def __dir__(self):
        # Keras saves every optimizer reachable through an attribute a
        # second time; the inner optimizer's state is already in
        # `variables`, saved and loaded (checked first) by this optimizer.
        return [name for name in super().__dir__() if name != "inner_optimizer"]

    def set_weights(self, weights):
        """Sets all of `variables`: counter, slow weights, inner state.

        Args:
            weights: Arrays in the order of `variables`, e.g.
                `[v.numpy() for v in other_lookahead.variables]`.

        Raises:
            ValueError: Not built yet, or `weights` does not fit; then
                nothing is set.
        """
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on a Lookahead optimizer "
                "that is not built yet; call "
                "`optimizer.build(trainable_variables)` first."
            )
        self._check_saved_values([tuple(w.shape) for w in weights], "`weights`")
        for variable, weight in zip(self.variables, weights):
            variable.assign(weight)

    def save_own_variables(self, store):
        """Saves `variables`, the inner optimizer's class name and `sync_period`.

        After `swap_weights()` the slow weights are saved from the model,
        where they are then: the file holds the true slow weights.

        Args:
            store: Where the variables go, keyed "0", "1", ... in the order of
                `variables`.
        """
        saved_from = {}
        if self._slow_weights_are_in_model:
            saved_from = {id(slow): fast for slow, fast in self.slow_and_fast_pairs()}
        for index, variable in enumerate(self.variables):
            variable = saved_from.get(id(variable), variable)
            store[str(index)] = ops.convert_to_numpy(variable)
        store[SYNC_PERIOD_KEY] = np.array(self.sync_period, dtype="int64")
        class_name = inner_optimizer_class_name(self.inner_optimizer)
        store[INNER_OPTIMIZER_CLASS_KEY] = np.frombuffer(
            class_name.encode("utf-8"), dtype=np.uint8
        )

    def load_own_variables(self, store):
        """Restores what `save_own_variables` saved, strictly and all at once.

        Keras' default skips a mismatching file with a warning; continuing
        with fresh slow weights would silently change training, so a file
        written for another model, inner optimizer or configuration raises,
        and then nothing is loaded. Files of tensorflow_lookahead 0.1.0
        (without the inner optimizer's class name) load too.

        Args:
            store: The saved variables, keyed "0", "1", ... in the order of
                `variables`.

        Raises:
            ValueError: The saved variables do not fit this optimizer.
        """
        keys = set(store.keys())
        saved_count = len(keys - METADATA_KEYS)
        # An unbuilt optimizer's state (a copy or pickle of one) fits as is.
        if not self.built and saved_count != len(self.variables):
            warnings.warn(
                f"Lookahead optimizer {self.name!r} is not built, so its "
                f"{saved_count} saved variables (step counter, slow "
                "weights, inner optimizer state) were NOT loaded; training "
                "would restart the Lookahead cycle from the current weights. "
                "Build it first with `optimizer.build(model.trainable_variables)`"
                " and load again to resume.",
                stacklevel=2,
            )
            return
        try:
            values = self._checked_saved_values(store, keys, saved_count)
        except ValueError as error:
            raise ValueError(
                f"{error} Nothing of the optimizer was loaded. Note that Keras "
                "loads a model's layers before its optimizer: after a failed "
                "`model.load_weights(...)` the layers hold the file's weights."
            ) from None
        for variable, value in zip(self.variables, values):
            variable.assign(value)
        # The model's layers were just loaded with the fast weights.
        if self._slow_weights_are_in_model:
            self._exchange_slow_and_fast_values()
        if self._fast_weights_outside_model is not None:
            self._move_slow_weights_into_model()

    def _checked_saved_values(self, store, keys, saved_count):
        """The saved values in the order of `variables`, if they fit."""
        if INNER_OPTIMIZER_CLASS_KEY in keys:
            saved_class = bytes(np.asarray(store[INNER_OPTIMIZER_CLASS_KEY])).decode(
                "utf-8"
            )
            current_class = inner_optimizer_class_name(self.inner_optimizer)
            if saved_class != current_class:
                raise ValueError(
                    f"Cannot restore Lookahead optimizer {self.name!r}: the "
                    f"file holds the state of an inner {saved_class}, but this "
                    f"optimizer wraps a {current_class}."
                )
        if SYNC_PERIOD_KEY in keys:
            saved_sync_period = int(np.asarray(store[SYNC_PERIOD_KEY]))
            if saved_sync_period != self.sync_period:
                raise ValueError(
                    f"Cannot restore Lookahead optimizer {self.name!r}: the "
                    f"file was saved with sync_period={saved_sync_period}, but "
                    f"this optimizer has sync_period={self.sync_period}; its "
                    "step counter would place the next sync wrongly. Create "
                    f"the Lookahead with sync_period={saved_sync_period}."
                )
        if sorted(keys - METADATA_KEYS) != sorted(
            str(index) for index in range(saved_count)
        ):
            raise ValueError(
                f"Cannot restore Lookahead optimizer {self.name!r}: the saved "
                f"variables are not keyed 0..{saved_count - 1}: {sorted(keys)}."
            )
        if saved_count == 0:
            raise ValueError(
                f"Cannot restore Lookahead optimizer {self.name!r}: the file "
                "holds no state for it at its place in the model, e.g. because "
                "it was saved without the LossScaleOptimizer that `compile` "
                "puts around Lookahead under the mixed_float16 policy. Load it "
                "under the dtype policy it was saved with, or with "
                "`compile=False`."
            )
        values = [store[str(index)] for index in range(saved_count)]
        if not keys & METADATA_KEYS:
            values = self._without_loss_scaler_variables(values)
        self._check_saved_values([tuple(v.shape) for v in values], "the file")
        return values

    def _without_loss_scaler_variables(self, values):
        """`values` without those of a LossScaleOptimizer saved around Lookahead.

        A model compiled under the mixed_float16 policy and loaded under
        another one has no LossScaleOptimizer: Lookahead then gets the saved
        variables of the loss scaler, its own at their end.
        """
        extra = len(values) - len(self.variables)
        if extra != loss_scaler_variable_count() or any(
            len(value.shape) != 0 for value in values[:extra]
        ):
            return values
        warnings.warn(
            f"Lookahead optimizer {self.name!r} was saved inside a "
            "LossScaleOptimizer (the mixed_float16 policy) and is loaded "
            "without one: its state is restored, and it trains without loss "
            "scaling. Set the mixed_float16 policy before loading to keep it.",
            stacklevel=4,
        )
        return values[extra:]

    def _check_saved_values(self, shapes, source):
        """Raises unless `shapes` are those of `variables`, in order."""
        variables = self.variables
        if len(shapes) != len(variables):
            slow_count = len(self.slow_and_fast_pairs())
            inner_count = len(self.inner_optimizer.variables)
            raise ValueError(
                f"Cannot restore Lookahead optimizer {self.name!r}: {source} "
                f"holds {len(shapes)} optimizer variables, but this "
                f"optimizer has {len(variables)}: 1 step counter, "
                f"{slow_count} slow weights and {inner_count} variables of its "
                f"inner {type(self.inner_optimizer).__name__}. They were "
                "written for another model, inner optimizer or configuration."
            )
        for index, (shape, variable) in enumerate(zip(shapes, variables)):
            if tuple(shape) != tuple(variable.shape):
                raise ValueError(
                    f"Cannot restore Lookahead optimizer {self.name!r}: saved "
                    f"variable {index} in {source} has shape {tuple(shape)}, "
                    f"but {variable.path} has shape {tuple(variable.shape)}."
                )

    def get_config(self):
        return {
            "name": self.name,
            "optimizer": keras.optimizers.serialize(self.inner_optimizer),
            "sync_period": self.sync_period,
            "slow_step_size": self.slow_step_size,
            "finalize_with_slow_weights": self.finalize_with_slow_weights,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a Lookahead from `get_config()`, also tfa's configs.

        Args:
            config: The config dict, from this package or from tfa (Keras 2
                keys such as `lr` and `decay` are translated).
            custom_objects: Custom optimizer classes for the inner optimizer.

        Returns:
            The optimizer.
        """
        if legacy_config.written_by_keras2(config):
            warnings.warn(
                "This Lookahead config was written by tfa or Keras 2. Its "
                "settings load into Keras 3, but tfa's saved optimizer state "
                "(slow weights, the inner optimizer's moments) cannot: Keras 3 "
                "lays out optimizer variables differently, so training restarts "
                "the Lookahead cycle and the inner optimizer's state. To resume "
                "a tfa model exactly, load it with tf_keras "
                "(TF_USE_LEGACY_KERAS=1) and tensorflow_lookahead; see the "
                "README, 'Migrating from tfa'.",
                stacklevel=2,
            )
        config = legacy_config.upgraded_lookahead_config(config)
        optimizer = config.pop("optimizer")
        if isinstance(optimizer, dict):
            optimizer = deserialized_optimizer(optimizer, custom_objects)
        return cls(optimizer, **config)


def loss_scaler_variable_count():
    """How many variables a LossScaleOptimizer adds to its inner optimizer's."""
    inner = keras.optimizers.SGD()
    loss_scaler = keras.optimizers.LossScaleOptimizer(inner)
    loss_scaler.build([])
    return len(loss_scaler.variables) - len(inner.variables)


def exception_propagates_through_caller():
    """Whether the caller of `finalize_variable_values` is being unwound.

    True in the `finally` block of a `fit` that an exception interrupts. False
    for a `fit` that ends normally inside an `except` block (a retry loop),
    where `sys.exc_info()` still holds the exception that block handles: that
    one was raised outside `fit`.
    """
    error = sys.exc_info()[1]
    if error is None or error.__traceback__ is None:
        return False
    caller = inspect.currentframe().f_back
    while caller is not None and caller.f_code.co_name == "finalize_variable_values":
        caller = caller.f_back
    return error.__traceback__.tb_frame is caller


def has_slow_weight(optimizer, variable):
    """Whether Lookahead keeps a slow weight for `variable`.

    Not for variables that take their gradient as their value
    (`overwrite_with_gradient`), nor for integer ones, which no interpolation
    can keep integral.
    """
    return not optimizer._overwrite_variable_with_gradient(
        variable
    ) and keras.backend.is_float_dtype(variable.dtype)


def inner_optimizer_class_name(optimizer):
    """The registered name of the optimizer's class, e.g. "Adam"."""
    return keras.saving.get_registered_name(type(optimizer))


def check_cycle_fits_counter(sync_period, inner_optimizer):
    """Raises if a Lookahead cycle has more updates than the counter can hold."""
    accumulation = inner_optimizer.gradient_accumulation_steps or 1
    if sync_period * accumulation > MAX_APPLIED_UPDATES_PER_SYNC:
        raise ValueError(
            "`sync_period` times the inner optimizer's "
            f"`gradient_accumulation_steps` must be at most "
            f"{MAX_APPLIED_UPDATES_PER_SYNC}, got {sync_period} * {accumulation}."
        )


def check_no_loss_scaling_inside(inner_optimizer):
    """Raises if a `LossScaleOptimizer` is (or is inside) the inner optimizer.

    It skips the steps whose gradients are not finite, which Lookahead would
    still count towards a synchronization.
    """
    optimizer = inner_optimizer
    while optimizer is not None:
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            raise ValueError(
                "Lookahead cannot wrap a LossScaleOptimizer: it would count the "
                "steps the loss scaler skips. Wrap Lookahead in it instead, "
                "LossScaleOptimizer(Lookahead(inner)), as `compile` does under "
                f"the mixed_float16 policy. Received: optimizer={inner_optimizer}"
            )
        optimizer = getattr(optimizer, "inner_optimizer", None)


def reject_extra_arguments(kwargs):
    """Raises for keyword arguments Lookahead does not take."""
    misplaced = sorted(key for key in kwargs if key in BASE_OPTIMIZER_ARGUMENTS)
    if misplaced:
        raise ValueError(
            f"Lookahead does not take {', '.join(misplaced)}: base optimizer "
            "arguments belong on the inner optimizer, e.g. "
            "Lookahead(keras.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0))."
        )
    if kwargs:
        raise TypeError(
            f"Lookahead got unexpected keyword arguments {sorted(kwargs)}; it "
            "accepts optimizer, sync_period, slow_step_size, name and "
            "finalize_with_slow_weights."
        )


def validated_sync_period(sync_period, argument_name="sync_period"):
    """`sync_period` as an int, checked to be >= 1."""
    if isinstance(sync_period, bool):
        raise TypeError(
            f"`{argument_name}` must be an integer >= 1, not a bool: {sync_period}."
        )
    if not 1 <= sync_period <= MAX_APPLIED_UPDATES_PER_SYNC:
        raise ValueError(
            f"`{argument_name}` must be an integer in [1, "
            f"{MAX_APPLIED_UPDATES_PER_SYNC}], got {sync_period}."
        )
    return int(sync_period)


def validated_slow_step_size(slow_step_size, argument_name="slow_step_size"):
    """`slow_step_size` as a float, checked to be in [0, 1]."""
    if isinstance(slow_step_size, bool):
        raise TypeError(
            f"`{argument_name}` must be a real number in [0, 1], not a bool: "
            f"{slow_step_size}."
        )
    slow_step_size = float(slow_step_size)
    if math.isnan(slow_step_size) or not 0.0 <= slow_step_size <= 1.0:
        raise ValueError(
            f"`{argument_name}` must be a real number in [0, 1], got "
            f"{slow_step_size}."
        )
    return slow_step_size


def inner_optimizer_from(optimizer):
    """The inner optimizer for `optimizer`: an instance, name or config dict."""
    if isinstance(optimizer, keras.optimizers.Optimizer):
        backend.check_same_strategy(optimizer, "optimizer")
        return optimizer
    try:
        if isinstance(optimizer, str):
            return keras.optimizers.get(optimizer)
        return deserialized_optimizer(optimizer)
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(
            "`optimizer` must be a keras.optimizers.Optimizer, the name of a "
            "built-in optimizer (e.g. 'adam', 'sgd', 'adamw') or a config dict "
            "from keras.optimizers.serialize(); could not interpret "
            f"{optimizer!r}: {error}"
        ) from error


def deserialized_optimizer(config, custom_objects=None):
    """The optimizer a serialized config describes; raises if it is none.

    `keras.optimizers.deserialize` knows only the classes of its own table
    (not e.g. `Lamb`) and returns an unknown class name as a plain string
    instead of raising; Keras' generic deserialization then finds the class
    from the config's module or registered name. Both edit nested configs in
    place, so they get copies.
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
            f"{config.get('class_name')!r} is not a known optimizer class; pass "
            "custom optimizer classes in `custom_objects` or register them with "
            "keras.saving.register_keras_serializable"
        )
    return optimizer
