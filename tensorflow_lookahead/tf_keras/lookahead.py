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
"""The Lookahead optimizer for tf_keras (Keras 2, `TF_USE_LEGACY_KERAS=1`)."""

import copy
import numbers
from typing import Union

import tensorflow as tf
import tf_keras

from tensorflow_lookahead.utils import arguments
from tensorflow_lookahead.utils import sync_rule
from tensorflow_lookahead.utils.typechecking import typechecked

LegacyOptimizer = tf_keras.optimizers.legacy.Optimizer
CurrentOptimizer = tf_keras.optimizers.Optimizer

# Keys that tf_keras adds to serialized legacy optimizers; no effect here.
IGNORED_CONFIG_KEYS = ("is_legacy_optimizer",)


# Registered under tfa's package name, so that tfa's files find it.
@tf_keras.utils.register_keras_serializable(package="Addons")
class Lookahead(LegacyOptimizer):
    """Wraps a tf_keras optimizer with Lookahead: k steps forward, 1 step back.

    The inner optimizer updates the model's weights (the fast weights) as
    usual. Lookahead keeps a "slow" copy of each of them, equal to the
    model's weights before the first update. After every `sync_period`
    steps it sets `slow += slow_step_size * (fast - slow)` and then
    `fast = slow`; the inner optimizer's state (momentum, moments) carries on.
    See Zhang, Lucas, Hinton and Ba, "Lookahead Optimizer: k steps forward,
    1 step back", NeurIPS 2019 (https://arxiv.org/abs/1907.08610).

    This is the Keras 2 (tf_keras, `TF_USE_LEGACY_KERAS=1`) version; under
    Keras 3 use `tensorflow_lookahead.optimizers.Lookahead`. It is a drop-in
    replacement for `tfa.optimizers.Lookahead` with the same state layout: a
    `tf.keras.optimizers.legacy.Optimizer` with one `"slow"` slot per
    variable, the inner optimizer tracked as `lh_base_optimizer` and sharing
    Lookahead's `iterations`, registered as `"Addons>Lookahead"`. So `.h5`
    models and `tf.train.Checkpoint`s written with tfa 0.23 load into it
    (no `custom_objects` once `tensorflow_lookahead` is imported) and
    continue training exactly as tfa would have. Unlike tfa it also wraps the
    current tf_keras optimizers (`tf.keras.optimizers.Adam`, ...), and it
    writes the weights only on synchronization steps (tfa rewrote slow and
    fast weights on every step).

    A step is counted in `iterations` as everywhere in Keras 2: a step that a
    `LossScaleOptimizer` skips for non-finite gradients counts too.

    Args:
        optimizer: The inner optimizer: a `tf.keras.optimizers.Optimizer` or
            `tf.keras.optimizers.legacy.Optimizer` instance, the name of a
            built-in one (e.g. `"adam"`) or a serialized optimizer dict.
        sync_period: k, the number of steps between two synchronizations; an
            integer >= 1.
        slow_step_size: alpha, the step size of the slow weights towards the
            fast weights; a real number in [0, 1].
        name: The name of the optimizer, used for its variables.
        **kwargs: Not accepted. Base optimizer arguments such as
            `learning_rate` or `clipnorm` belong on the inner optimizer.

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: An argument is out of range or unknown, or the inner
            optimizer has `use_ema=True` (tf_keras' `fit` would not write its
            moving averages into the model at the end, as it does for the
            inner optimizer alone).

    Example: two SGD steps of size 0.1 on a gradient of 1 take the weight
    from 1.0 to 0.8; the synchronization after the second step moves the slow
    weight half way there and puts the weight back on it.

    >>> import tensorflow as tf
    >>> from tensorflow_lookahead.tf_keras import Lookahead
    >>> optimizer = Lookahead(
    ...     tf.keras.optimizers.SGD(learning_rate=0.1),
    ...     sync_period=2,
    ...     slow_step_size=0.5,
    ... )
    >>> weight = tf.Variable([1.0])
    >>> for _ in range(2):
    ...     _ = optimizer.apply_gradients([(tf.ones((1,)), weight)])
    >>> round(float(weight.numpy()[0]), 5)
    0.9
    >>> int(optimizer.iterations.numpy())
    2
    """

    _HAS_AGGREGATE_GRAD = True

    @typechecked
    def __init__(
        self,
        optimizer: Union[LegacyOptimizer, CurrentOptimizer, str, dict],
        sync_period: numbers.Integral = 6,
        slow_step_size: numbers.Real = 0.5,
        name: str = "Lookahead",
        **kwargs,
    ):
        arguments.reject_extra_arguments(
            kwargs,
            ("optimizer", "sync_period", "slow_step_size", "name"),
            "Lookahead(tf.keras.optimizers.Adam(learning_rate=1e-3, clipnorm=1.0))",
        )
        sync_period = arguments.validated_sync_period(sync_period)
        slow_step_size = arguments.validated_slow_step_size(slow_step_size)
        inner_optimizer = inner_optimizer_from(optimizer)
        reject_moving_averages(inner_optimizer)
        super().__init__(name)
        self._optimizer = inner_optimizer
        self._inner_is_legacy = isinstance(inner_optimizer, LegacyOptimizer)
        self.sync_period = sync_period
        self.slow_step_size = slow_step_size
        # The name tfa's checkpoints use for the inner optimizer.
        self._track_trackable(self._optimizer, "lh_base_optimizer")

    @property
    def inner_optimizer(self):
        """The wrapped optimizer."""
        return self._optimizer

    def _create_slots(self, var_list):
        if self._inner_is_legacy:
            self._optimizer._create_slots(var_list=var_list)
        else:
            self._optimizer.build(var_list)
        for var in var_list:
            self.add_slot(var, "slow", initializer=var)

    def _create_hypers(self):
        if self._inner_is_legacy:
            self._optimizer._create_hypers()

    def _prepare(self, var_list):
        if self._inner_is_legacy:
            return self._optimizer._prepare(var_list=var_list)
        return {}

    def apply_gradients(
        self, grads_and_vars, name=None, experimental_aggregate_gradients=True
    ):
        grads_and_vars = list(grads_and_vars)
        var_list = [v for g, v in grads_and_vars if g is not None]
        if self._inner_is_legacy:
            # The inner optimizer counts its steps with Lookahead's counter,
            # as in tfa (its checkpoints hold one `iter`). The base class
            # applies the inner updates per variable, then counts the step.
            # The counter is created outside any traced step (init_scope):
            # created inside a replica's trace it breaks MirroredStrategy.
            with tf.init_scope():
                self._optimizer._iterations = self.iterations
            super().apply_gradients(
                grads_and_vars, name, experimental_aggregate_gradients
            )
        else:
            self._apply_with_current_optimizer(
                grads_and_vars, var_list, name, experimental_aggregate_gradients
            )
        if not var_list:
            return tf.no_op()
        return tf.distribute.get_replica_context().merge_call(
            self._sync_all_when_due, args=(var_list,)
        )

    def _apply_with_current_optimizer(
        self, grads_and_vars, var_list, name, experimental_aggregate_gradients
    ):
        with tf.name_scope(self._name):
            with tf.init_scope():
                self._create_all_weights(var_list)
        if not var_list:
            return
        if tf.distribute.in_cross_replica_context():
            raise RuntimeError(
                "Lookahead.apply_gradients() cannot be called in a "
                "cross-replica context; use tf.distribute.Strategy.run."
            )
        self._optimizer.apply_gradients(
            grads_and_vars,
            name=name,
            skip_gradients_aggregation=not experimental_aggregate_gradients,
        )
        tf.distribute.get_replica_context().merge_call(
            lambda distribution: self.iterations.assign_add(1, read_value=False)
        )

    def _sync_all_when_due(self, distribution, var_list):
        """Synchronizes every variable if the step just counted ends a period."""
        updates = []
        with tf.name_scope(self._name):
            for var in var_list:
                with distribution.extended.colocate_vars_with(var):
                    updates.extend(
                        distribution.extended.update(
                            var, self._sync_when_due, group=False
                        )
                    )
        return tf.group(updates)

    def _sync_when_due(self, var):
        def sync():
            slow = self.get_slot(var, "slow")
            alpha = tf.cast(self.slow_step_size, var.dtype.base_dtype)
            step_back = sync_rule.interpolated(slow, var, alpha)
            slow_update = slow.assign(step_back, use_locking=self._use_locking)
            var_update = var.assign(step_back, use_locking=self._use_locking)
            with tf.control_dependencies([slow_update, var_update]):
                return tf.constant(True)

        sync_due = sync_rule.is_sync_step(self.iterations, self.sync_period)
        return tf.cond(sync_due, sync, lambda: tf.constant(False))

    def _resource_apply_dense(self, grad, var, apply_state=None):
        kwargs = {}
        if "apply_state" in self._optimizer._dense_apply_args:
            kwargs["apply_state"] = apply_state
        return self._optimizer._resource_apply_dense(grad, var, **kwargs)

    def _resource_apply_sparse(self, grad, var, indices, apply_state=None):
        kwargs = {}
        if "apply_state" in self._optimizer._sparse_apply_args:
            kwargs["apply_state"] = apply_state
        return self._optimizer._resource_apply_sparse(grad, var, indices, **kwargs)

    @property
    def weights(self):
        """Lookahead's `iter` and slow weights, then the inner optimizer's."""
        if self._inner_is_legacy:
            return self._weights + self._optimizer.weights
        return self._weights + list(self._optimizer.variables)

    @property
    def variables(self):
        return self.weights

    @property
    def learning_rate(self):
        if self._inner_is_legacy:
            return self._optimizer._get_hyper("learning_rate")
        return self._optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if self._inner_is_legacy:
            self._optimizer._set_hyper("learning_rate", learning_rate)
        else:
            self._optimizer.learning_rate = learning_rate

    lr = learning_rate

    def get_config(self):
        return {
            "name": self._name,
            "optimizer": tf_keras.optimizers.serialize(self._optimizer),
            "sync_period": self.sync_period,
            "slow_step_size": self.slow_step_size,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a Lookahead from `get_config()`, also tfa's configs.

        Args:
            config: The config dict, from this class or from tfa's Lookahead.
            custom_objects: Custom optimizer classes for the inner optimizer.

        Returns:
            The optimizer.
        """
        config = {k: v for k, v in config.items() if k not in IGNORED_CONFIG_KEYS}
        optimizer = config.pop("optimizer")
        if isinstance(optimizer, dict):
            optimizer = deserialized_optimizer(optimizer, custom_objects)
        return cls(optimizer, **config)


def reject_moving_averages(optimizer):
    """Raises for an inner optimizer with `use_ema=True`.

    tf_keras' `Model.fit` writes an optimizer's moving averages into the
    model (`finalize_variable_values`) only for a
    `tf.keras.optimizers.Optimizer`; Lookahead is an `OptimizerV2`, so `fit`
    would end on the trained weights where the inner optimizer alone ends on
    their averages.
    """
    if getattr(optimizer, "use_ema", False):
        raise ValueError(
            "Lookahead for tf_keras cannot wrap an optimizer with `use_ema=True` "
            f"(got {type(optimizer).__name__} with use_ema=True): tf_keras' fit "
            "writes the moving averages into the model only for a "
            "tf.keras.optimizers.Optimizer, and this Lookahead is a "
            "tf.keras.optimizers.legacy.Optimizer (tfa's layout), so fit would "
            "end on the trained weights instead. Use an inner optimizer with "
            "use_ema=False, or Keras 3 and tensorflow_lookahead.optimizers."
            "Lookahead, which supports EMA."
        )


def inner_optimizer_from(optimizer):
    """The inner optimizer for `optimizer`: an instance, name or config dict."""
    return arguments.resolved_optimizer(
        optimizer,
        (LegacyOptimizer, CurrentOptimizer),
        tf_keras.optimizers.get,
        deserialized_optimizer,
        "a tf.keras.optimizers.Optimizer or tf.keras.optimizers.legacy."
        "Optimizer, the name of a built-in optimizer or a config dict from "
        "tf.keras.optimizers.serialize()",
    )


def deserialized_optimizer(config, custom_objects=None):
    """The tf_keras optimizer a serialized config describes; raises if none.

    Configs that tfa nested in its Lookahead name a registered class such as
    `"Addons>RectifiedAdam"` in `registered_name` and only `"RectifiedAdam"`
    in `class_name`; tf_keras' .h5 loading looks up `class_name` only, so the
    registered name is tried when `class_name` is unknown.
    """
    try:
        optimizer = tf_keras.optimizers.deserialize(
            copy.deepcopy(config), custom_objects=custom_objects
        )
    except ValueError:
        registered_name = config.get("registered_name")
        if not registered_name or registered_name == config.get("class_name"):
            raise
        config = dict(config, class_name=registered_name)
        optimizer = tf_keras.optimizers.deserialize(
            copy.deepcopy(config), custom_objects=custom_objects
        )
    if not isinstance(optimizer, (LegacyOptimizer, CurrentOptimizer)):
        raise ValueError(
            f"{config.get('class_name')!r} is not a known tf_keras optimizer "
            "class; pass custom optimizer classes in `custom_objects` or "
            "register them with tf.keras.utils.register_keras_serializable."
        )
    return optimizer
