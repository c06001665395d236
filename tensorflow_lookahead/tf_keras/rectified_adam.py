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
"""Rectified Adam (RAdam) for tf_keras (Keras 2, `TF_USE_LEGACY_KERAS=1`)."""

import numbers
from typing import Callable, Optional, Union

import tensorflow as tf
import tf_keras

from tensorflow_lookahead.utils.arguments import python_numbers_for_scalar_arrays
from tensorflow_lookahead.utils.arguments import validated_real
from tensorflow_lookahead.utils.arguments import validated_total_steps
from tensorflow_lookahead.utils.typechecking import typechecked

Schedule = tf_keras.optimizers.schedules.LearningRateSchedule

# The step counter, `iterations`, is an int64.
MAX_TOTAL_STEPS = 2**63 - 1

# Keras 2 base optimizer arguments that are real numbers >= 0 (or None).
KERAS2_REAL_ARGUMENTS = ("lr", "decay", "clipnorm", "clipvalue", "global_clipnorm")


@tf_keras.utils.register_keras_serializable(package="Addons")
class RectifiedAdam(tf_keras.optimizers.legacy.Optimizer):
    """Adam with a rectified adaptive learning rate (RAdam).

    Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond",
    ICLR 2020 (https://arxiv.org/abs/1908.03265). While the variance of the
    adaptive learning rate is intractable (the length of the approximated
    simple moving average `sma_t` is below `sma_threshold`), the step is
    SGD with momentum on the bias-corrected first moment; afterwards it is
    Adam's step scaled by the rectification term `r_t`.

    This is the Keras 2 (tf_keras, `TF_USE_LEGACY_KERAS=1`) version, a
    drop-in replacement for `tfa.optimizers.RectifiedAdam` with its
    arguments, defaults, arithmetic and state layout (a
    `tf.keras.optimizers.legacy.Optimizer` with slots `"m"`, `"v"` and, with
    `amsgrad`, `"vhat"`), registered as `"Addons>RectifiedAdam"`, so tfa's
    saved models and checkpoints load into it. `Lookahead(RectifiedAdam())`
    is tfa's "Ranger". Under Keras 3 use
    `tensorflow_lookahead.optimizers.RectifiedAdam`.

    With `total_steps > 0` the learning rate warms up linearly from 0 to
    `learning_rate` over the first `warmup_proportion * total_steps` steps,
    then decays linearly to `min_lr` at `total_steps`.

    Sparse gradients (`tf.IndexedSlices`) update, as in tfa, only the rows
    they hold, after the slices of a repeated row are summed.

    Every number below must be finite (not NaN or infinite). A NumPy scalar,
    0-d NumPy array or 0-d tensor is accepted for a number and stored as the
    Python number it holds.

    Args:
        learning_rate: The learning rate: a float >= 0, a
            `tf.keras.optimizers.schedules.LearningRateSchedule` or its
            serialized dict.
        beta_1: The decay rate of the first moment estimates, in [0, 1).
        beta_2: The decay rate of the second moment estimates, in [0, 1).
        epsilon: A small constant for numerical stability, >= 0 (0 means
            `tf.keras.backend.epsilon()`, as in tfa).
        weight_decay: Decoupled weight decay per step (times the learning
            rate): a float >= 0, a schedule or its serialized dict.
        amsgrad: Whether to use the maximum of past second moments (AMSGrad).
        sma_threshold: The length of the simple moving average from which on
            the adaptive step is used; a real number >= 4 (the rectification
            term is not real below 4; tfa accepted such values and its
            updates turned NaN).
        total_steps: Total number of training steps, in [0, 2**63 - 1] (what
            the int64 step counter `iterations` holds); > 0 enables warmup
            and decay of the learning rate.
        warmup_proportion: The fraction of `total_steps` spent warming up, in
            [0, 1].
        min_lr: The learning rate at `total_steps`, >= 0.
        name: The name of the optimizer, used for its variables; None means
            the default, `"RectifiedAdam"`.
        **kwargs: Keras 2 base optimizer arguments: `clipnorm`, `clipvalue`,
            `global_clipnorm`, `lr` (alias of `learning_rate`) and `decay`.

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: An argument is out of range.

    Example: the first steps are SGD with momentum on the bias-corrected
    first moment, so a constant gradient of 1 moves the weight by the
    learning rate.

    >>> import tensorflow as tf
    >>> from tensorflow_lookahead.tf_keras import RectifiedAdam
    >>> optimizer = RectifiedAdam(learning_rate=0.1)
    >>> weight = tf.Variable([1.0])
    >>> _ = optimizer.apply_gradients([(tf.ones((1,)), weight)])
    >>> round(float(weight.numpy()[0]), 5)
    0.9
    """

    _HAS_AGGREGATE_GRAD = True

    @python_numbers_for_scalar_arrays
    @typechecked
    def __init__(
        self,
        learning_rate: Union[numbers.Real, Callable, dict] = 0.001,
        beta_1: numbers.Real = 0.9,
        beta_2: numbers.Real = 0.999,
        epsilon: numbers.Real = 1e-7,
        weight_decay: Union[numbers.Real, Callable, dict] = 0.0,
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
        for key in KERAS2_REAL_ARGUMENTS:
            if isinstance(kwargs.get(key), numbers.Real):
                kwargs[key] = validated_real(kwargs[key], key, low=0.0)
        if isinstance(learning_rate, numbers.Real):
            learning_rate = validated_real(learning_rate, "learning_rate", low=0.0)
        beta_1 = validated_real(beta_1, "beta_1", low=0.0, high=1.0, high_open=True)
        beta_2 = validated_real(beta_2, "beta_2", low=0.0, high=1.0, high_open=True)
        epsilon = validated_real(epsilon, "epsilon", low=0.0)
        sma_threshold = validated_real(sma_threshold, "sma_threshold", low=4.0)
        total_steps = validated_total_steps(total_steps, MAX_TOTAL_STEPS)
        warmup_proportion = validated_real(
            warmup_proportion, "warmup_proportion", low=0.0, high=1.0
        )
        min_lr = validated_real(min_lr, "min_lr", low=0.0)
        if isinstance(weight_decay, numbers.Real):
            weight_decay = validated_real(weight_decay, "weight_decay", low=0.0)
        super().__init__(name, **kwargs)
        if isinstance(learning_rate, dict):
            learning_rate = tf_keras.optimizers.schedules.deserialize(learning_rate)
        if isinstance(weight_decay, dict):
            weight_decay = tf_keras.optimizers.schedules.deserialize(weight_decay)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("weight_decay", weight_decay)
        self._set_hyper("sma_threshold", sma_threshold)
        self._set_hyper("total_steps", float(total_steps))
        self._set_hyper("warmup_proportion", warmup_proportion)
        self._set_hyper("min_lr", min_lr)
        self.epsilon = epsilon or tf_keras.backend.epsilon()
        self.amsgrad = amsgrad
        self._has_weight_decay = weight_decay != 0.0
        self._initial_total_steps = int(total_steps)

    def _create_slots(self, var_list):
        # The creation order is the order of `weights`, hence of .h5 files.
        for slot_name in ("m", "v", "vhat") if self.amsgrad else ("m", "v"):
            for var in var_list:
                self.add_slot(var, slot_name)

    def set_weights(self, weights):
        # Like tfa: a list saved with AMSGrad's "vhat" slots also loads into
        # an optimizer without them (the extra values are dropped).
        params = self.weights
        variables_count = (len(params) - 1) // 2
        if len(weights) == 3 * variables_count + 1:
            weights = weights[: len(params)]
        super().set_weights(weights)

    def _schedule_value(self, name, var_dtype):
        value = self._get_hyper(name, var_dtype)
        if isinstance(value, Schedule):
            value = tf.cast(value(self.iterations), var_dtype)
        return value

    def _prepare_local(self, var_device, var_dtype, apply_state):
        super()._prepare_local(var_device, var_dtype, apply_state)
        coefficients = apply_state[(var_device, var_dtype)]
        step = tf.cast(self.iterations + 1, var_dtype)
        beta_1 = self._get_hyper("beta_1", var_dtype)
        beta_2 = self._get_hyper("beta_2", var_dtype)
        beta_1_power = tf.pow(beta_1, step)
        beta_2_power = tf.pow(beta_2, step)
        one_minus_beta_2 = 1.0 - beta_2
        m_correction = 1.0 / (1.0 - beta_1_power)
        v_correction = 1.0 / (1.0 - beta_2_power)
        # Length of the approximated simple moving average (the paper's rho).
        sma_inf = 2.0 / one_minus_beta_2 - 1.0
        sma_t = sma_inf - 2.0 * step * beta_2_power * v_correction
        rectification = tf.sqrt(
            (sma_t - 4.0)
            / (sma_inf - 4.0)
            * (sma_t - 2.0)
            / (sma_inf - 2.0)
            * sma_inf
            / sma_t
        )
        coefficients.update(
            lr_t=self._warmed_up_learning_rate(self._decayed_lr(var_dtype), step),
            wd_t=self._schedule_value("weight_decay", var_dtype),
            beta_1_t=beta_1,
            beta_2_t=beta_2,
            one_minus_beta_1_t=1.0 - beta_1,
            one_minus_beta_2_t=one_minus_beta_2,
            m_correction=m_correction,
            v_correction=v_correction,
            rectification=rectification,
            adaptive=sma_t >= self._get_hyper("sma_threshold", var_dtype),
            epsilon_t=tf.convert_to_tensor(self.epsilon, var_dtype),
        )

    def _warmed_up_learning_rate(self, learning_rate, step):
        if self._initial_total_steps <= 0:
            return learning_rate
        dtype = learning_rate.dtype
        total_steps = self._get_hyper("total_steps", dtype)
        warmup_steps = total_steps * self._get_hyper("warmup_proportion", dtype)
        decay_steps = tf.maximum(total_steps - warmup_steps, 1)
        decay_rate = (self._get_hyper("min_lr", dtype) - learning_rate) / decay_steps
        return tf.where(
            step <= warmup_steps,
            learning_rate * (step / warmup_steps),
            learning_rate + decay_rate * tf.minimum(step - warmup_steps, decay_steps),
        )

    def _coefficients(self, var, apply_state):
        var_device, var_dtype = var.device, var.dtype.base_dtype
        return (apply_state or {}).get(
            (var_device, var_dtype)
        ) or self._fallback_apply_state(var_device, var_dtype)

    def _step_direction(self, var, m_t, v_t, coefficients):
        """The update before the learning rate, from the new moments."""
        if self.amsgrad:
            vhat = self.get_slot(var, "vhat")
            v_t = vhat.assign(tf.maximum(vhat, v_t), use_locking=self._use_locking)
        m_hat = m_t * coefficients["m_correction"]
        v_hat_sqrt = tf.sqrt(v_t * coefficients["v_correction"])
        direction = tf.where(
            coefficients["adaptive"],
            coefficients["rectification"]
            * m_hat
            / (v_hat_sqrt + coefficients["epsilon_t"]),
            m_hat,
        )
        if self._has_weight_decay:
            direction += coefficients["wd_t"] * var
        return direction

    def _resource_apply_dense(self, grad, var, apply_state=None):
        coefficients = self._coefficients(var, apply_state)
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        m_t = m.assign(
            coefficients["beta_1_t"] * m + coefficients["one_minus_beta_1_t"] * grad,
            use_locking=self._use_locking,
        )
        v_t = v.assign(
            coefficients["beta_2_t"] * v
            + coefficients["one_minus_beta_2_t"] * tf.square(grad),
            use_locking=self._use_locking,
        )
        direction = self._step_direction(var, m_t, v_t, coefficients)
        return var.assign_sub(
            coefficients["lr_t"] * direction, use_locking=self._use_locking
        )

    def _resource_apply_sparse(self, grad, var, indices, apply_state=None):
        coefficients = self._coefficients(var, apply_state)
        m = self.get_slot(var, "m")
        v = self.get_slot(var, "v")
        m_decayed = m.assign(
            m * coefficients["beta_1_t"], use_locking=self._use_locking
        )
        with tf.control_dependencies([m_decayed]):
            m_t = self._resource_scatter_add(
                m, indices, grad * coefficients["one_minus_beta_1_t"]
            )
        v_decayed = v.assign(
            v * coefficients["beta_2_t"], use_locking=self._use_locking
        )
        with tf.control_dependencies([v_decayed]):
            v_t = self._resource_scatter_add(
                v, indices, (grad * grad) * coefficients["one_minus_beta_2_t"]
            )
        direction = self._step_direction(var, m_t, v_t, coefficients)
        with tf.control_dependencies([direction]):
            return self._resource_scatter_add(
                var, indices, tf.gather(-coefficients["lr_t"] * direction, indices)
            )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate": self._serialize_hyperparameter("learning_rate"),
                "beta_1": self._serialize_hyperparameter("beta_1"),
                "beta_2": self._serialize_hyperparameter("beta_2"),
                "decay": self._initial_decay,
                "weight_decay": self._serialize_hyperparameter("weight_decay"),
                "sma_threshold": self._serialize_hyperparameter("sma_threshold"),
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
                "total_steps": self._initial_total_steps,
                "warmup_proportion": self._serialize_hyperparameter(
                    "warmup_proportion"
                ),
                "min_lr": self._serialize_hyperparameter("min_lr"),
            }
        )
        return config
