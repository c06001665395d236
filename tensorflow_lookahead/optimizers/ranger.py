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
"""Ranger: Lookahead around RectifiedAdam, with gradient centralization."""

import inspect
import numbers

import keras
from keras import ops

from tensorflow_lookahead.optimizers import rectified_adam
from tensorflow_lookahead.optimizers.lookahead import Lookahead
from tensorflow_lookahead.optimizers.rectified_adam import LearningRate
from tensorflow_lookahead.optimizers.rectified_adam import RectifiedAdam
from tensorflow_lookahead.utils import arguments
from tensorflow_lookahead.utils.typechecking import typechecked

# RectifiedAdam's arguments that Ranger names itself (with its own defaults).
NAMED_RECTIFIED_ADAM_ARGUMENTS = ("learning_rate", "beta_1", "beta_2", "epsilon")
# The other RectifiedAdam arguments, passed through `**kwargs`: its own
# (weight_decay, amsgrad, ...) and the `keras.optimizers.Optimizer` ones.
OTHER_RECTIFIED_ADAM_ARGUMENTS = tuple(
    name
    for name, parameter in inspect.signature(RectifiedAdam).parameters.items()
    if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    and name not in NAMED_RECTIFIED_ADAM_ARGUMENTS + ("name",)
) + tuple(rectified_adam.KERAS3_ARGUMENTS)
# Gradients of lower-precision floats are centralized in float32.
LOW_PRECISION_FLOATS = ("float16", "bfloat16")


@keras.saving.register_keras_serializable(package="tensorflow_lookahead")
class Ranger(Lookahead):
    """Ranger: Lookahead around RectifiedAdam, with gradient centralization.

    The optimizer of Less Wright's Ranger (2019-2020): Lookahead (Zhang et
    al., 2019, https://arxiv.org/abs/1907.08610) with k = `sync_period` and
    alpha = `slow_step_size` around this package's `RectifiedAdam` (Liu et
    al., 2020, https://arxiv.org/abs/1908.03265), with Ranger's defaults
    (`beta_1=0.95`, `epsilon=1e-5`, k = 6, alpha = 0.5), and Ranger's
    gradient centralization (Yong et al., 2020,
    https://arxiv.org/abs/2004.01461) applied to each gradient before the
    inner update. It is a `Lookahead` (registered as
    `"tensorflow_lookahead>Ranger"`): `slow_weights_in_model()`,
    `swap_weights()`, `finalize_with_slow_weights`, the callbacks and saving
    work as for any Lookahead. With `use_gc=False` it is exactly
    `Lookahead(RectifiedAdam(learning_rate, beta_1=0.95, beta_2=0.999,
    epsilon=1e-5, ...), sync_period=6, slow_step_size=0.5)`.

    Gradient centralization: the gradient `g` of each variable of rank > 1
    (rank > 3 with `gc_conv_only=True`) becomes `g - mean(g)`, the mean
    taken over every axis but the last. Keras kernels are laid out
    `[..., input, output]` (a `Dense` kernel `[input, output]`, a `Conv2D`
    kernel `[height, width, input, output]`), so each output unit's gradient
    gets zero mean, as in PyTorch's Ranger, which averages over every
    dimension but the first of PyTorch's `[output, ...]` weights. Biases and
    other vectors are left as they are. Also left as they are:

    - variables with `overwrite_with_gradient` (e.g. Keras' float8 scales),
      whose "gradient" is their new value, not a direction (Lookahead keeps
      no slow weight for them either), and variables that are not floating
      point;
    - with `gc_conv_only=True`, `Conv1D` kernels (rank 3) too, as in
      PyTorch's Ranger.

    A sparse gradient (`tf.IndexedSlices`, from an `Embedding` layer on
    TensorFlow) of a variable that is centralized is made dense first and
    centralized as the dense gradient it stands for: every row of the table
    gets its column's mean subtracted, rows absent from the batch included
    (which `RectifiedAdam` moves anyway, see there). The update is then the
    same as on JAX and PyTorch, whose embedding gradients are dense.
    PyTorch's Ranger refuses sparse gradients.

    Centralization applies to the gradients Ranger receives, before the
    inner `RectifiedAdam` unscales them (`loss_scale_factor`), clips them
    (`clipnorm`, `clipvalue`, `global_clipnorm`), accumulates them
    (`gradient_accumulation_steps`) and updates. Being linear, it commutes
    with all of these but clipping: clipping sees centralized gradients.
    Under `LossScaleOptimizer(Ranger(...))` (the `mixed_float16` policy) the
    loss scale is removed first. float16 and bfloat16 gradients are
    centralized in float32 and cast back.

    Args:
        learning_rate: A float >= 0, a
            `keras.optimizers.schedules.LearningRateSchedule`, a callable
            taking no arguments, or a serialized schedule dict.
        beta_1: Decay rate of the first moment estimates, in [0, 1).
        beta_2: Decay rate of the second moment estimates, in [0, 1).
        epsilon: A small constant > 0 for numerical stability.
        sync_period: k, the number of applied inner updates between two
            synchronizations; an integer >= 1.
        slow_step_size: alpha, the step size of the slow weights towards the
            fast weights; a real number in [0, 1].
        use_gc: Whether to centralize gradients (see above).
        gc_conv_only: Centralize only variables of rank > 3 (convolution
            kernels of `Conv2D` and `Conv3D`) instead of rank > 1.
        name: The name of the optimizer, used for its variables.
        finalize_with_slow_weights: As for `Lookahead`: `fit` ends by writing
            the slow weights into the model.
        **kwargs: The other arguments of `RectifiedAdam`: `weight_decay`,
            `amsgrad`, `sma_threshold`, `total_steps`, `warmup_proportion`,
            `min_lr`, and the `keras.optimizers.Optimizer` arguments
            `clipnorm`, `clipvalue`, `global_clipnorm`, `use_ema`,
            `ema_momentum`, `ema_overwrite_frequency`, `loss_scale_factor`
            and `gradient_accumulation_steps`.

    Raises:
        TypeError: An argument has the wrong type or is unknown.
        ValueError: An argument is out of range.

    Example: a `Dense` kernel with 2 inputs and 2 outputs. The first output's
    gradient, 1 and 3, is centralized to -1 and 1; the second's is already
    centered. The first RectifiedAdam step moves each weight by the learning
    rate times its (centralized) gradient.

    >>> import keras
    >>> from tensorflow_lookahead.optimizers import Ranger
    >>> optimizer = Ranger(learning_rate=0.1)
    >>> kernel = keras.Variable([[1.0, 1.0], [1.0, 1.0]])
    >>> gradient = keras.ops.convert_to_tensor([[1.0, 0.0], [3.0, 0.0]])
    >>> optimizer.apply([gradient], [kernel])
    >>> keras.ops.convert_to_numpy(kernel).astype("float64").round(5).tolist()
    [[1.1, 1.0], [0.9, 1.0]]
    """

    @arguments.python_numbers_for_scalar_arrays
    @typechecked
    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: numbers.Real = 0.95,
        beta_2: numbers.Real = 0.999,
        epsilon: numbers.Real = 1e-5,
        sync_period: numbers.Integral = 6,
        slow_step_size: numbers.Real = 0.5,
        use_gc: bool = True,
        gc_conv_only: bool = False,
        name: str = "Ranger",
        finalize_with_slow_weights: bool = False,
        **kwargs,
    ):
        unknown = sorted(set(kwargs) - set(OTHER_RECTIFIED_ADAM_ARGUMENTS))
        if unknown:
            raise TypeError(
                "Besides its own arguments, Ranger accepts those of "
                f"RectifiedAdam: {', '.join(OTHER_RECTIFIED_ADAM_ARGUMENTS)}. "
                f"Received: unexpected keyword arguments {unknown}"
            )
        inner_optimizer = RectifiedAdam(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            **kwargs,
        )
        super().__init__(
            inner_optimizer,
            sync_period=sync_period,
            slow_step_size=slow_step_size,
            name=name,
            finalize_with_slow_weights=finalize_with_slow_weights,
        )
        self.use_gc = use_gc
        self.gc_conv_only = gc_conv_only
        # The rank of each variable the optimizer is built on, 0 for those
        # never centralized: `apply` without variables (`stateless_apply`)
        # gets gradients in this order.
        self._centralizable_ranks = []

    def build(self, var_list):
        """Builds the Lookahead and RectifiedAdam state for `var_list`.

        Args:
            var_list: The model's trainable variables.
        """
        if self.built:
            return
        var_list = list(var_list)
        super().build(var_list)
        self._centralizable_ranks = [centralizable_rank(v) for v in var_list]

    def apply(self, grads, trainable_variables=None):
        """Centralizes the gradients, then applies them as `Lookahead` does.

        Args:
            grads: Gradients, one per trainable variable.
            trainable_variables: The variables to update; builds the optimizer
                on the first call. Defaults to the variables it was built with.
        """
        if trainable_variables is not None:
            trainable_variables = list(trainable_variables)
        if self.use_gc:
            grads = self._centralized_gradients(list(grads), trainable_variables)
        super().apply(grads, trainable_variables)

    def _centralized_gradients(self, grads, trainable_variables):
        if trainable_variables is not None:
            ranks = [centralizable_rank(v) for v in trainable_variables]
        elif self.built:
            ranks = self._centralizable_ranks
        else:
            return grads  # Lookahead raises: it cannot build.
        if len(ranks) != len(grads):
            return grads  # Lookahead raises, naming the counts.
        lowest_rank = 4 if self.gc_conv_only else 2
        return [
            centralized(gradient) if rank >= lowest_rank else gradient
            for gradient, rank in zip(grads, ranks)
        ]

    def get_config(self):
        config = self.inner_optimizer.get_config()
        del config["name"]
        config.update(
            {
                "name": self.name,
                "sync_period": self.sync_period,
                "slow_step_size": self.slow_step_size,
                "use_gc": self.use_gc,
                "gc_conv_only": self.gc_conv_only,
                "finalize_with_slow_weights": self.finalize_with_slow_weights,
            }
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a Ranger from `get_config()`.

        Args:
            config: The config dict.
            custom_objects: Custom schedule classes.

        Returns:
            The optimizer.
        """
        return cls(**rectified_adam.with_deserialized_rates(config, custom_objects))


def centralizable_rank(variable):
    """The rank of `variable`, or 0 if its gradient is never centralized."""
    if getattr(variable, "overwrite_with_gradient", False):
        return 0
    if not keras.backend.is_float_dtype(variable.dtype):
        return 0
    return len(variable.shape)


def centralized(gradient):
    """`gradient` minus its mean over every axis but the last.

    A `tf.IndexedSlices` gradient is centralized as the dense gradient it
    stands for. None stays None.
    """
    if gradient is None:
        return None
    gradient = rectified_adam.summed_sparse_gradient(gradient)
    dtype = keras.backend.standardize_dtype(gradient.dtype)
    if dtype in LOW_PRECISION_FLOATS:
        gradient = ops.cast(gradient, "float32")
    axes = tuple(range(len(gradient.shape) - 1))
    gradient = gradient - ops.mean(gradient, axis=axes, keepdims=True)
    return ops.cast(gradient, dtype)
