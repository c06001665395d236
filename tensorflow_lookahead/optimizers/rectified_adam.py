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
"""The Rectified Adam (RAdam) optimizer (Liu et al., 2020) for Keras 3."""

import numbers
from typing import Callable, Optional, Union

import keras
import numpy as np
from keras import ops

from tensorflow_lookahead.optimizers import legacy_config
from tensorflow_lookahead.utils.arguments import KERAS3_BASE_ARGUMENTS
from tensorflow_lookahead.utils.arguments import python_numbers_for_scalar_arrays
from tensorflow_lookahead.utils.arguments import validated_real
from tensorflow_lookahead.utils.arguments import validated_total_steps
from tensorflow_lookahead.utils.typechecking import typechecked

# Keras 2 arguments tfa's RectifiedAdam took in `**kwargs`.
KERAS2_ARGUMENTS = ("lr", "decay")

# `keras.optimizers.Optimizer` arguments passed through unchanged.
KERAS3_ARGUMENTS = KERAS3_BASE_ARGUMENTS

# `keras.optimizers.Optimizer` arguments that are real numbers (or None).
KERAS3_REAL_ARGUMENTS = (
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
    "ema_momentum",
    "loss_scale_factor",
)

LearningRate = Union[
    numbers.Real, keras.optimizers.schedules.LearningRateSchedule, Callable, dict
]


@keras.utils.register_keras_serializable(package="Addons")
class RectifiedAdam(keras.optimizers.Optimizer):
    """Adam whose adaptive learning rate is rectified to a consistent variance.

    Rectified Adam (RAdam), from Liu et al., "On the Variance of the Adaptive
    Learning Rate and Beyond", ICLR 2020 (https://arxiv.org/abs/1908.03265),
    with the arguments, defaults and arithmetic of
    `tfa.optimizers.RectifiedAdam` (tensorflow-addons 0.23), and saved under
    the same registered name, `"Addons>RectifiedAdam"`, so tfa configs load.
    Step `t` (counting from 1) updates each variable `w` with gradient `g`:

    ```
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat = m / (1 - beta_1**t)
    v_hat = sqrt(v / (1 - beta_2**t))    # max(v) over steps with amsgrad
    sma_inf = 2 / (1 - beta_2) - 1
    sma_t = sma_inf - 2 * t * beta_2**t / (1 - beta_2**t)
    if sma_t >= sma_threshold:
        r_t = sqrt((sma_t - 4) * (sma_t - 2) * sma_inf
                   / ((sma_inf - 4) * (sma_inf - 2) * sma_t))
        update = r_t * m_hat / (v_hat + epsilon)
    else:
        update = m_hat
    w -= lr_t * (update + weight_decay * w)
    ```

    `lr_t` is `learning_rate` (a schedule is evaluated at step `t - 1`), and
    with `total_steps > 0` it warms up linearly from 0 over the first
    `total_steps * warmup_proportion` steps, then falls linearly to `min_lr`
    at `total_steps` and stays there.

    Weight decay: `weight_decay` is tfa's decoupled weight decay, added to
    the update and multiplied by `lr_t` (warmup included) as above. It
    replaces the `weight_decay` argument of `keras.optimizers.Optimizer`,
    which would instead apply `w -= learning_rate * weight_decay * w` before
    the update, without warmup. The two agree when `total_steps == 0`.
    `exclude_from_weight_decay()` works as in any Keras 3 optimizer.

    Sparse gradients (`tf.IndexedSlices`, e.g. from an `Embedding` layer on
    TensorFlow) are applied densely: the slices of a repeated row are summed
    first (as tfa did), so the update equals that of the dense gradient, and
    the moments of every row decay and every row moves on each step. tfa's
    RectifiedAdam moved only the rows present in the gradient.

    Ranger is `Lookahead(RectifiedAdam(...))`.

    From tfa, configs carry over (`keras.optimizers.deserialize` of a saved
    `"Addons>RectifiedAdam"` or of a Ranger's `"Addons>Lookahead"`), but not
    optimizer state: tfa kept its moments as Keras 2 slots, a layout Keras 3
    cannot load, so a tfa model resumed on Keras 3 restarts the moments.

    Every number below must be finite (not NaN or infinite). A NumPy scalar,
    0-d NumPy array or 0-d tensor is accepted for a number and stored as the
    Python number it holds.

    Args:
        learning_rate: A float >= 0, a
            `keras.optimizers.schedules.LearningRateSchedule`, a callable
            taking no arguments, or a serialized schedule dict.
        beta_1: Decay rate of the first moment estimates, in [0, 1).
        beta_2: Decay rate of the second moment estimates, in [0, 1).
        epsilon: A small constant > 0 for numerical stability. (tfa
            replaced 0 by 1e-7; here 0 is an error.)
        weight_decay: Decoupled weight decay (see above): a float >= 0, a
            schedule, a callable taking no arguments, or a serialized
            schedule dict.
        amsgrad: Whether to use the AMSGrad variant (the maximum of the
            second moment estimates). Not in the RAdam paper.
        sma_threshold: The length of the approximated simple moving average
            from which on the update is rectified; a real number >= 4 (the
            rectification term is not real below 4).
        total_steps: An integer >= 0; a positive value enables the warmup
            described above. At most the largest value of the step counter
            `iterations`: 2**63 - 1 on TensorFlow (int64), 2**31 - 1 on JAX
            and PyTorch (int32).
        warmup_proportion: The proportion of `total_steps` spent warming up,
            in [0, 1].
        min_lr: The learning rate reached at `total_steps`, a float >= 0.
        name: The name of the optimizer, used for its variables; None means
            the default, `"RectifiedAdam"`.
        **kwargs: `lr` and `decay`, Keras 2 arguments tfa accepted: `lr`
            replaces `learning_rate` and `decay` turns a float learning rate
            into the equal `InverseTimeDecay` schedule. Also the
            `keras.optimizers.Optimizer` arguments `clipnorm`, `clipvalue`,
            `global_clipnorm`, `use_ema`, `ema_momentum`,
            `ema_overwrite_frequency`, `loss_scale_factor` and
            `gradient_accumulation_steps`.

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: An argument is out of range or unknown.

    Example: with the default `beta_2`, `sma_t < 5` for the first five
    steps, which are bias-corrected momentum steps; the first one moves the
    weight by exactly the learning rate.

    >>> import keras
    >>> from tensorflow_lookahead.optimizers import RectifiedAdam
    >>> optimizer = RectifiedAdam(learning_rate=0.1)
    >>> weight = keras.Variable([1.0])
    >>> optimizer.apply([keras.ops.ones((1,))], [weight])
    >>> round(float(weight.numpy()[0]), 5)
    0.9
    """

    @python_numbers_for_scalar_arrays
    @typechecked
    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: numbers.Real = 0.9,
        beta_2: numbers.Real = 0.999,
        epsilon: numbers.Real = 1e-7,
        weight_decay: LearningRate = 0.0,
        amsgrad: bool = False,
        sma_threshold: numbers.Real = 5.0,
        total_steps: numbers.Integral = 0,
        warmup_proportion: numbers.Real = 0.1,
        min_lr: numbers.Real = 0.0,
        name: Optional[str] = "RectifiedAdam",
        **kwargs,
    ):
        if name is None:
            name = "RectifiedAdam"
        learning_rate = learning_rate_from_keras2_arguments(learning_rate, kwargs)
        unknown = sorted(key for key in kwargs if key not in KERAS3_ARGUMENTS)
        if unknown:
            raise TypeError(
                "Besides its own arguments, RectifiedAdam accepts lr, decay, "
                f"{', '.join(KERAS3_ARGUMENTS)}. Received: unexpected keyword "
                f"arguments {unknown}"
            )
        for key in KERAS3_REAL_ARGUMENTS:
            if kwargs.get(key) is not None:
                kwargs[key] = validated_real(kwargs[key], key)
        learning_rate = validated_rate(learning_rate, "learning_rate")
        weight_decay = validated_rate(weight_decay, "weight_decay")
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        # Set after the base constructor, which stores its own (None).
        self.weight_decay = weight_decay
        self.beta_1 = validated_real(
            beta_1, "beta_1", low=0.0, high=1.0, high_open=True
        )
        self.beta_2 = validated_real(
            beta_2, "beta_2", low=0.0, high=1.0, high_open=True
        )
        self.epsilon = validated_real(epsilon, "epsilon", low=0.0, low_open=True)
        self.amsgrad = amsgrad
        self.sma_threshold = validated_real(sma_threshold, "sma_threshold", low=4.0)
        self.total_steps = validated_total_steps(
            total_steps, counter_maximum(self.iterations)
        )
        self.warmup_proportion = validated_real(
            warmup_proportion, "warmup_proportion", low=0.0, high=1.0
        )
        self.min_lr = validated_real(min_lr, "min_lr", low=0.0)

    def build(self, var_list):
        """Creates the moment estimates, one of each per variable.

        Args:
            var_list: The model's trainable variables.
        """
        if self.built:
            return
        super().build(var_list)
        self._m = [self.add_variable_from_reference(v, name="m") for v in var_list]
        self._v = [self.add_variable_from_reference(v, name="v") for v in var_list]
        self._vhat = []
        if self.amsgrad:
            self._vhat = [
                self.add_variable_from_reference(v, name="vhat") for v in var_list
            ]

    def _apply_weight_decay(self, variables):
        # Keras applies its own weight decay here, before `update_step`;
        # ours is tfa's, applied inside `update_step`.
        return

    def _current_weight_decay(self, dtype):
        weight_decay = self.weight_decay
        if isinstance(weight_decay, keras.optimizers.schedules.LearningRateSchedule):
            weight_decay = weight_decay(self.iterations)
        elif callable(weight_decay):
            weight_decay = weight_decay()
        return ops.cast(weight_decay, dtype)

    def _warmed_up_learning_rate(self, learning_rate, step, dtype):
        total_steps = ops.cast(self.total_steps, dtype)
        warmup_steps = total_steps * ops.cast(self.warmup_proportion, dtype)
        min_lr = ops.cast(self.min_lr, dtype)
        decay_steps = ops.maximum(total_steps - warmup_steps, 1.0)
        decay_rate = (min_lr - learning_rate) / decay_steps
        return ops.where(
            step <= warmup_steps,
            learning_rate * (step / warmup_steps),
            learning_rate + decay_rate * ops.minimum(step - warmup_steps, decay_steps),
        )

    def update_step(self, gradient, variable, learning_rate):
        """Applies one RAdam update to `variable`.

        Args:
            gradient: The gradient of `variable`.
            variable: A model variable the optimizer was built with.
            learning_rate: The current learning rate, before the warmup.
        """
        dtype = variable.dtype
        index = self._get_variable_index(variable)
        m, v = self._m[index], self._v[index]
        lr = ops.cast(learning_rate, dtype)
        gradient = ops.cast(summed_sparse_gradient(gradient), dtype)
        step = ops.cast(self.iterations + 1, dtype)
        beta_1 = ops.cast(self.beta_1, dtype)
        beta_2 = ops.cast(self.beta_2, dtype)
        beta_1_power = ops.power(beta_1, step)
        beta_2_power = ops.power(beta_2, step)
        recip_one_minus_beta_2_power = 1.0 / (1.0 - beta_2_power)
        sma_inf = 2.0 / (1.0 - beta_2) - 1.0
        sma_t = sma_inf - 2.0 * step * beta_2_power * recip_one_minus_beta_2_power
        # NaN for sma_t < 4, where it is not selected (sma_threshold >= 4).
        r_t = ops.sqrt(
            (sma_t - 4.0)
            / (sma_inf - 4.0)
            * (sma_t - 2.0)
            / (sma_inf - 2.0)
            * sma_inf
            / sma_t
        )
        if self.total_steps > 0:
            lr = self._warmed_up_learning_rate(lr, step, dtype)

        m_t = ops.add(beta_1 * m, ops.multiply(gradient, 1.0 - beta_1))
        v_t = ops.add(beta_2 * v, ops.multiply(ops.square(gradient), 1.0 - beta_2))
        self.assign(m, m_t)
        self.assign(v, v_t)
        if self.amsgrad:
            vhat = self._vhat[index]
            v_t = ops.maximum(vhat, v_t)
            self.assign(vhat, v_t)
        m_corrected = m_t * (1.0 / (1.0 - beta_1_power))
        v_corrected = ops.sqrt(v_t * recip_one_minus_beta_2_power)
        update = ops.where(
            sma_t >= ops.cast(self.sma_threshold, dtype),
            r_t * m_corrected / (v_corrected + ops.cast(self.epsilon, dtype)),
            m_corrected,
        )
        if self._decays_weight(variable):
            update = update + self._current_weight_decay(dtype) * variable
        self.assign_sub(variable, lr * update)

    def _decays_weight(self, variable):
        if isinstance(self.weight_decay, numbers.Real) and self.weight_decay == 0:
            return False
        return self._use_weight_decay(variable)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "weight_decay": serialized_rate(self.weight_decay),
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
                "sma_threshold": self.sma_threshold,
                "total_steps": self.total_steps,
                "warmup_proportion": self.warmup_proportion,
                "min_lr": self.min_lr,
            }
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a RectifiedAdam from `get_config()`, also tfa's configs.

        Args:
            config: The config dict, from this class or from tfa's
                RectifiedAdam (Keras 2 keys such as `lr` and `decay` are
                translated, `is_legacy_optimizer` is dropped).
            custom_objects: Custom schedule classes.

        Returns:
            The optimizer.
        """
        config = legacy_config.upgraded_optimizer_config({"config": config})["config"]
        return cls(**with_deserialized_rates(config, custom_objects))


def learning_rate_from_keras2_arguments(learning_rate, kwargs):
    """`learning_rate` after tfa's `lr` and `decay`, popped from `kwargs`."""
    keras2 = {key: kwargs.pop(key) for key in KERAS2_ARGUMENTS if key in kwargs}
    if not keras2:
        return learning_rate
    decay = validated_real(keras2.get("decay") or 0.0, "decay", low=0.0)
    # tfa: `lr`, when given, wins over `learning_rate`.
    learning_rate = keras2.get("lr", learning_rate)
    if isinstance(learning_rate, numbers.Real) and "lr" in keras2:
        learning_rate = validated_real(learning_rate, "lr", low=0.0)
    config = legacy_config.upgraded_optimizer_config(
        {"config": {"learning_rate": learning_rate, "decay": decay}}
    )["config"]
    return config["learning_rate"]


def summed_sparse_gradient(gradient):
    """A `tf.IndexedSlices` gradient as the dense gradient, else `gradient`.

    The slices of a repeated index (a token twice in a batch) are summed, as
    in the dense gradient, before the moments square it.
    """
    if keras.backend.backend() != "tensorflow":
        return gradient
    import tensorflow as tf

    if isinstance(gradient, tf.IndexedSlices):
        return tf.convert_to_tensor(gradient)
    return gradient


def validated_rate(value, name):
    """A learning rate or weight decay: a float >= 0, schedule or callable."""
    if isinstance(value, dict):
        if legacy_config.is_serialized_schedule(value):
            value = legacy_config.upgraded_schedule_config(value)
        try:
            schedule = keras.optimizers.schedules.deserialize(value)
        except (ValueError, TypeError, KeyError) as error:
            schedule = error
        # An unknown class name comes back as a string, not an error.
        if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
            raise ValueError(
                f"`{name}` is a dict but not a serialized learning rate "
                f"schedule ({schedule}). Received: {name}={value!r}"
            )
        return schedule
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return value
    if callable(value) and not isinstance(value, numbers.Real):
        return value
    return validated_real(value, name, low=0.0)


def counter_maximum(counter):
    """The largest value the integer variable `counter` can hold."""
    return int(np.iinfo(keras.backend.standardize_dtype(counter.dtype)).max)


def with_deserialized_rates(config, custom_objects=None):
    """A copy of `config` whose serialized rate schedules are objects again."""
    config = dict(config)
    for key in ("learning_rate", "weight_decay"):
        if isinstance(config.get(key), dict):
            config[key] = keras.saving.deserialize_keras_object(
                config[key], custom_objects=custom_objects
            )
    return config


def serialized_rate(value):
    """A float, or a schedule or callable serialized for `get_config`."""
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return keras.optimizers.schedules.serialize(value)
    if callable(value):
        return keras.saving.serialize_keras_object(value)
    return value
