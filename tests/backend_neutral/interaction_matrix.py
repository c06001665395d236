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
"""Features of a Lookahead training run, composable in pairs, and their outcome.

A `Feature` changes one thing about how a model is trained: how the steps run
(eager, graph, compiled, several per execution, a custom loop), how Lookahead
gets into the model (compiled with it, `LookaheadCallback`, `inject`), the
inner optimizer (EMA, loss scale factor, gradient accumulation, an SGD whose
momentum each sync resets or pulls back, Ranger), loss scaling around or inside
Lookahead, the dtype policy, what happens between steps
(freezing a layer, evaluating or saving with the slow weights, validating
on them in `fit` with `SwapSlowWeights`, saving and loading a `.keras` or
`.weights.h5` file at each point of a cycle, building the optimizer again),
the context (an `except:` block, distribution) and
`finalize_with_slow_weights`.

`Run` trains `two_layer_model()` (the linear problem of `linear_problem`) for
`STEPS` batches, k = 3, either with Lookahead (`with_lookahead=True`) or as
the reference: the plain inner optimizer (Adam, or the SGD a feature
chooses) with the same features, synchronized after every k-th applied
update by `MatrixReferenceCallback`,
Algorithm 1 in NumPy. A feature that does not change what Algorithm 1
computes (how steps run, how Lookahead is attached, files, contexts) has
`in_reference=False`: the reference runs without it, in the base execution
(see `base_compile_kwargs`), and its result is shared by every cell with the
same reference features (`reference_for`).

`expected_outcome(cell, backend)` derives from the features' properties
whether a cell cannot be expressed (skip), must be refused with a clear error
(`Refusal`), or must match the reference; `KNOWN_DEFECTS` says, also from
properties, which cells fail because of a defect not fixed yet.
"""

import contextlib
import dataclasses
import functools
import hashlib
import itertools
import pathlib
import tempfile
from typing import Callable, Optional

import keras
import numpy as np

from tensorflow_lookahead import Lookahead
from tensorflow_lookahead import compat
from tensorflow_lookahead.callbacks import LookaheadCallback
from tensorflow_lookahead.callbacks import SwapSlowWeights
from tensorflow_lookahead.callbacks.model_attachment import find_lookahead
from tensorflow_lookahead.optimizers import Ranger
from tensorflow_lookahead.optimizers import RectifiedAdam
from tests.backend_neutral.linear_problem import BATCH
from tests.backend_neutral.linear_problem import FEATURES
from tests.backend_neutral.linear_problem import problem
from tests.backend_neutral.reference_lookahead import ReferenceLookahead
from tests.backend_neutral.reference_lookahead import ReferenceLookaheadCallback

BACKEND = keras.backend.backend()
ALL_BACKENDS = frozenset({"tensorflow", "jax", "torch"})
SYNC_PERIOD = 3
SLOW_STEP_SIZE = 0.5
LEARNING_RATE = 0.02
# Syncs after batches 3 and 6; the run ends mid-cycle, where fast != slow.
STEPS = 8
# A file is saved and loaded after batch 1, 2 or 3: every point of a cycle.
SPLIT_STEPS = (1, 2, 3)
# Mid-cycle, and with a sync while frozen also when the first step is skipped
# (the loss scale features) or updates are accumulated (a sync at batch 6).
FREEZE_AFTER, UNFREEZE_AFTER = 2, 6
# Mid-cycle with fast != slow after a sync, also with the first step (loss
# scale features) or the first three (mixed_float16's loss scale, 2**15,
# overflows float16 on this problem until 2**12) skipped, and with updates
# accumulated over two steps.
EVALUATE_AFTER = SAVE_IN_SLOW_WEIGHTS_AFTER = 5
# Under a loss scale optimizer the first batch has a non-finite target: its
# step is skipped and must not count towards a sync.
SKIPPED_BATCH = 0
GRADIENT_ACCUMULATION_STEPS = 2
LOSS_SCALE_FACTOR = 8.0
EMA_MOMENTUM = 0.9
SGD_MOMENTUM = 0.9
# How the base case runs: eagerly (the cheapest here), but with jax.jit on
# JAX when a feature makes each step a conditional update (loss scaling,
# gradient accumulation), which eager JAX traces anew at every step.
EAGER = {"run_eagerly": True, "jit_compile": False}
COMPILED = {"run_eagerly": False, "jit_compile": True}
# Events at the same step run in this order.
EVALUATE, RELOAD, CHANGE_TRAINABLE = 0, 1, 2

KERAS_FILE = "keras"
WEIGHTS_FILE = "weights"
FILE_FORMATS = (KERAS_FILE, WEIGHTS_FILE)


def training_data():
    features, targets, _, _ = problem(STEPS)
    return features, targets


def evaluation_data():
    features, targets, _, _ = problem(STEPS, seed=1)
    return features, targets


def initial_weights():
    rng = np.random.default_rng(2)
    return [
        rng.normal(scale=0.5, size=(FEATURES, 2)).astype("float32"),
        np.array([0.1, -0.1], dtype="float32"),
        rng.normal(size=(2, 1)).astype("float32"),
        np.array([0.2], dtype="float32"),
    ]


def two_layer_model():
    """A linear `Dense(2)` then `Dense(1)`: two layers, so one can be frozen."""
    model = keras.Sequential(
        [
            keras.Input((FEATURES,)),
            keras.layers.Dense(2, name="hidden"),
            keras.layers.Dense(1, name="output"),
        ]
    )
    model.set_weights(initial_weights())
    return model


def mean_squared_error_gradients(weights, features, targets):
    """The gradients of `two_layer_model`'s mean squared error, in NumPy.

    Args:
        weights: hidden kernel, hidden bias, output kernel, output bias.
        features: One batch of inputs.
        targets: Its targets.

    Returns:
        The four gradients, in float64.
    """
    hidden_kernel, hidden_bias, output_kernel, output_bias = [
        np.asarray(w, np.float64) for w in weights
    ]
    features = features.astype(np.float64)
    hidden = features @ hidden_kernel + hidden_bias
    outputs = hidden @ output_kernel + output_bias
    with np.errstate(invalid="ignore", over="ignore"):
        output_grad = 2.0 * (outputs - targets) / outputs.size
        hidden_grad = output_grad @ output_kernel.T
        return [
            features.T @ hidden_grad,
            hidden_grad.sum(axis=0),
            hidden.T @ output_grad,
            output_grad.sum(axis=0),
        ]


def innermost_optimizer(optimizer):
    """The plain optimizer under any Lookahead and LossScaleOptimizer."""
    while hasattr(optimizer, "inner_optimizer"):
        optimizer = optimizer.inner_optimizer
    return optimizer


def optimizer_classes(optimizer):
    """Class names from the model's optimizer inwards, Lookahead left out.

    A reference's stand-in for an inner optimizer gives the name of the
    class it stands in for.
    """
    names = []
    while optimizer is not None:
        if not isinstance(optimizer, Lookahead):
            names.append(getattr(optimizer, "stands_in_for", type(optimizer).__name__))
        optimizer = getattr(optimizer, "inner_optimizer", None)
    return names


def numpy_values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def as_int(value):
    return int(keras.ops.convert_to_numpy(value))


@contextlib.contextmanager
def global_dtype_policy(name):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


class MatrixReferenceCallback(ReferenceLookaheadCallback):
    """`ReferenceLookaheadCallback` extended to the matrix's features.

    Its `ReferenceLookahead` syncs; slow weights belong to variables
    (positions in `model.weights`), and a sync moves only the variables
    being trained: a frozen layer is neither read nor written, its slow
    weight waits for it (as the inner optimizer's moments do). A sync follows
    every k-th *applied* update (`iterations` counts those: not skipped
    steps, nor accumulating ones). The slow weights start at the weights
    before the first applied update. With `finalize_with_slow_weights`, each
    fit ends with the slow weights of the trained variables in the model.
    With `inner_state_at_sync` "reset" or "pullback", each sync also sets the
    inner SGD's momentum of each variable it moves: to zero, or to
    `alpha * momentum + (1 - alpha) * cached` (`cached`: that value at the
    previous sync, zeros at first). Custom loops call its methods by hand.

    Args:
        sync_period: k.
        slow_step_size: alpha.
        finalize_with_slow_weights: End each fit on the slow weights.
        inner_state_at_sync: "keep", "reset" or "pullback".
    """

    def __init__(
        self,
        sync_period,
        slow_step_size,
        finalize_with_slow_weights,
        inner_state_at_sync="keep",
    ):
        super().__init__(sync_period, slow_step_size)
        self.finalize_with_slow_weights = finalize_with_slow_weights
        self.inner_state_at_sync = inner_state_at_sync
        self.cached_momentums = {}  # position in model.weights -> value
        self.syncs = 0

    def on_train_begin(self, logs=None):
        # As the base class, but `iterations` may be a tensor (gradient
        # accumulation divides the counter), and slow weights follow the
        # order of `model.weights`.
        if self.reference is None:
            self.reference = ReferenceLookahead(
                None, self.sync_period, self.slow_step_size
            )
            self.reference.slow_weights = [
                np.array(keras.ops.convert_to_numpy(v), np.float64)
                for v in self.model.weights
            ]
            self.updates_before = as_int(self.model.optimizer.iterations)

    def trained_positions(self):
        trained = {id(v) for v in self.model.trainable_variables}
        return [i for i, v in enumerate(self.model.weights) if id(v) in trained]

    def anchor_before_first_update(self):
        """Before any applied update, the slow weights are the weights.

        They start at the weights before the first applied update, which
        need not be those at the start of the first fit: a fit whose steps
        were all skipped may still end by changing them (an inner
        optimizer's EMA writes its averages).
        """
        if self.reference.updates == 0:
            if hasattr(self.model, "jax_state_sync"):
                self.model.jax_state_sync()
            self.reference.slow_weights = [
                np.array(keras.ops.convert_to_numpy(v), np.float64)
                for v in self.model.weights
            ]

    def on_train_batch_begin(self, batch, logs=None):
        self.anchor_before_first_update()

    def on_train_batch_end(self, batch, logs=None):
        if hasattr(self.model, "jax_state_sync"):
            self.model.jax_state_sync()
        applied = as_int(self.model.optimizer.iterations) - self.updates_before
        if applied == self.reference.updates:
            return
        self.reference.updates = applied
        if applied % self.sync_period == 0:
            self.syncs += 1
            positions = self.trained_positions()
            trained = ReferenceLookahead(None, self.sync_period, self.slow_step_size)
            trained.slow_weights = [self.reference.slow_weights[i] for i in positions]
            trained.synchronize([self.model.weights[i] for i in positions])
            for index, slow in zip(positions, trained.slow_weights):
                self.reference.slow_weights[index] = slow
            self.sync_momentums(positions)

    def sync_momentums(self, positions):
        """The momentum rule of `inner_state_at_sync` for these variables."""
        if self.inner_state_at_sync == "keep":
            return
        # SGD has one momentum per variable it was built on, in their order:
        # every variable of the model (layers are frozen after the build).
        momentums = innermost_optimizer(self.model.optimizer).momentums
        assert [m.shape for m in momentums] == [v.shape for v in self.model.weights]
        alpha = self.slow_step_size
        for index in positions:
            momentum = momentums[index]
            value = np.array(keras.ops.convert_to_numpy(momentum), np.float64)
            if self.inner_state_at_sync == "reset":
                value = np.zeros_like(value)
            else:
                cached = self.cached_momentums.get(index, np.zeros_like(value))
                value = alpha * value + (1 - alpha) * cached
                self.cached_momentums[index] = value
            momentum.assign(value.astype(momentum.dtype))

    def on_train_end(self, logs=None):
        if self.finalize_with_slow_weights and self.reference.updates > 0:
            for index in self.trained_positions():
                variable = self.model.weights[index]
                slow = self.reference.slow_weights[index]
                variable.assign(slow.astype(variable.dtype))

    def slow_weights_in_model(self):
        """Context: the model holds the slow weights (of every variable)."""
        self.anchor_before_first_update()
        return swapped_values(self.model.weights, self.reference.slow_weights)


def assert_same_lookahead_state(model, expected_model):
    """The Lookahead of `model` holds what that of `expected_model` holds."""
    got = find_lookahead(model.optimizer)
    want = find_lookahead(expected_model.optimizer)
    for got_value, want_value, variable in zip(
        numpy_values(got.variables), numpy_values(want.variables), want.variables
    ):
        np.testing.assert_array_equal(
            got_value,
            want_value,
            err_msg=f"{variable.path} loaded without the dtype policy",
        )


@contextlib.contextmanager
def swapped_values(variables, values):
    before = numpy_values(variables)
    for variable, value in zip(variables, values):
        variable.assign(np.asarray(value).astype(variable.dtype))
    try:
        yield
    finally:
        for variable, value in zip(variables, before):
            variable.assign(value)


@dataclasses.dataclass
class Event:
    """Something done between two batches: after batch `step`.

    Attributes:
        step: After how many batches.
        rank: Order among events of the same step (EVALUATE, RELOAD,
            CHANGE_TRAINABLE).
        action: `action(run)`.
        checkpoint: For events that resume from a file the training before
            them wrote: KERAS_FILE or WEIGHTS_FILE.
    """

    step: int
    rank: int
    action: Callable
    checkpoint: Optional[str] = None


class Feature:
    """One way in which a run differs from plain `fit` with `Lookahead`.

    Subclasses override the hooks they need; every hook has the same meaning
    in the Lookahead run and in the reference run, which applies the feature
    only if `in_reference`.

    Attributes:
        name: The cell id part.
        in_reference: The reference run applies it too: it changes what
            Algorithm 1 computes or what is recorded. Otherwise it only
            changes how the Lookahead run gets there.
        in_reference_with: Properties of a cell in which it changes what
            Algorithm 1 computes after all (then the reference applies it).
        slots: What it decides; two features deciding the same thing are
            not combined.
        needs: Capabilities of the run it uses (see `Driver`).
        removes: Capabilities it takes away.
        backends: Where it exists.
        unavailable_because: Why not on the other backends.
        properties: Facts the expectation rules and defects read.
        inner_class: The inner optimizer's class, when not Adam.
        lookahead_class: A Lookahead subclass that makes its own inner
            optimizer (of `inner_class` in the reference), taking the
            learning rate, k, alpha, `inner_kwargs` and `lookahead_kwargs`.
        inner_kwargs: Arguments of the inner optimizer.
        lookahead_kwargs: Arguments of the Lookahead (or its callback).
    """

    name = None
    in_reference = False
    in_reference_with = frozenset()
    slots = frozenset()
    needs = frozenset()
    removes = frozenset()
    backends = ALL_BACKENDS
    unavailable_because = ""
    properties = frozenset()
    inner_class = None
    lookahead_class = None
    inner_kwargs = {}
    lookahead_kwargs = {}

    def __repr__(self):
        return self.name

    def joins_reference(self, cell):
        return self.in_reference or bool(self.in_reference_with & properties_of(cell))

    def wrap_inner(self, run, optimizer):
        """The optimizer Lookahead wraps (the trained one in the reference)."""
        return optimizer

    def wrap_trained(self, run, optimizer):
        """The optimizer passed to `compile`."""
        return optimizer

    def compile_kwargs(self, run):
        return {}

    def fit_callbacks(self, run):
        return []

    def fit_kwargs(self, run):
        return {}

    def prepare_data(self, run):
        """Changes `run.targets` in place if needed."""

    def events(self):
        return []

    def after_fit(self, run, history):
        """Called with each fit's history."""

    def around(self, run, train):
        """Runs `train()` in this feature's context; returns its result."""
        return train()

    def before_segment(self, run):
        """Called before each stretch of training between two events."""


# ----------------------------------------------------------------------------
# Drivers: how the Lookahead gets into the model and how batches are trained.
# ----------------------------------------------------------------------------

FIT = "fit"  # `model.fit` trains the model.
USER_LOOKAHEAD = "user_lookahead"  # The user constructs the Lookahead.
USER_INNER = "user_inner"  # The user constructs the inner optimizer.
FINALIZE_ARGUMENT = "finalize_argument"  # finalize_with_slow_weights is settable.
LOOKAHEAD_BETWEEN_FITS = "lookahead_between_fits"  # In the model between fits.
LOOKAHEAD_BEFORE_FIT = "lookahead_before_fit"  # Exists before the first fit.


class Driver(Feature):
    """Compiles the model with Lookahead and trains it with `fit`.

    The features named `custom_loop`, `callback` and `inject` replace it.
    """

    name = "fit"
    slots = frozenset({"driver"})
    builds_lookahead = True

    def setup(self, run):
        """Compiles `run.model` (a new model) for training."""
        run.compile(run.trained_optimizer(with_lookahead=self.builds_lookahead))

    def train(self, run, first, last, checkpoint):
        """Trains batches [first, last); then writes `checkpoint` if given."""
        self.fit(run, first, last)
        if checkpoint is not None:
            run.save(checkpoint)

    def fit(self, run, first, last, callbacks=()):
        """`model.fit` on batches [first, last), also with `callbacks`."""
        callbacks = list(callbacks)
        callbacks += [c for f in run.active for c in f.fit_callbacks(run)]
        if run.reference_callback is not None:
            callbacks.append(run.reference_callback)
        kwargs = {}
        for feature in run.active:
            kwargs.update(feature.fit_kwargs(run))
        rows = slice(first * BATCH, last * BATCH)
        history = run.model.fit(
            run.features[rows],
            run.targets[rows],
            batch_size=BATCH,
            epochs=1,
            shuffle=False,
            verbose=0,
            callbacks=callbacks,
            **kwargs,
        )
        for feature in run.active:
            feature.after_fit(run, history)

    def finish(self, run):
        pass

    def lookahead(self, run):
        return find_lookahead(run.model.optimizer)

    def prepare_resumed(self, run):
        """Makes a model built by `run.new_model()` ready to load weights into."""
        self.setup(run)


class CustomLoop(Driver):
    """`optimizer.apply(grads, model.trainable_variables)` in a Python loop.

    The gradients are computed in NumPy and scaled as `fit` scales the loss
    (`optimizer.scale_loss`); the model is compiled only to be saved and
    evaluated. `finalize_variable_values` is called at the end, as `fit` does.
    """

    name = "custom_loop"
    in_reference = True
    removes = frozenset({FIT})

    def train(self, run, first, last, checkpoint):
        model, optimizer = run.model, run.model.optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        if run.reference_callback is not None:
            run.reference_callback.set_model(model)
            run.reference_callback.on_train_begin()
        trained = {id(v) for v in model.trainable_variables}
        for step in range(first, last):
            if run.reference_callback is not None:
                run.reference_callback.on_train_batch_begin(step)
            rows = slice(step * BATCH, (step + 1) * BATCH)
            grads = mean_squared_error_gradients(
                numpy_values(model.weights), run.features[rows], run.targets[rows]
            )
            scale = float(keras.ops.convert_to_numpy(optimizer.scale_loss(1.0)))
            with np.errstate(over="ignore", invalid="ignore"):
                scaled = [
                    keras.ops.convert_to_tensor((g * scale).astype("float32"))
                    for g in grads
                ]
            optimizer.apply(
                [g for g, v in zip(scaled, model.weights) if id(v) in trained],
                model.trainable_variables,
            )
            if run.reference_callback is not None:
                run.reference_callback.on_train_batch_end(step)
        if checkpoint is not None:
            run.save(checkpoint)

    def finish(self, run):
        run.model.optimizer.finalize_variable_values(run.model.trainable_variables)
        if run.reference_callback is not None:
            run.reference_callback.on_train_end()


class CallbackDriver(Driver):
    """`LookaheadCallback` in `fit` of a model compiled with the inner optimizer.

    Files are written during fit (ModelCheckpoint, as the callback's docs
    say), and resumed with `callback.attach(model)` before `load_weights`.
    """

    name = "callback"
    builds_lookahead = False
    removes = frozenset({USER_LOOKAHEAD, LOOKAHEAD_BETWEEN_FITS, LOOKAHEAD_BEFORE_FIT})
    properties = frozenset({"attaches_lookahead_for_fit"})

    def setup(self, run):
        super().setup(run)
        run.lookahead_callback = LookaheadCallback(
            SYNC_PERIOD, SLOW_STEP_SIZE, **run.lookahead_kwargs()
        )

    def train(self, run, first, last, checkpoint):
        callbacks = [run.lookahead_callback]
        if checkpoint is not None:
            callbacks.append(
                keras.callbacks.ModelCheckpoint(
                    str(run.checkpoint_path(checkpoint)),
                    save_weights_only=checkpoint == WEIGHTS_FILE,
                )
            )
        self.fit(run, first, last, callbacks)

    def lookahead(self, run):
        return run.lookahead_callback.optimizer

    def prepare_resumed(self, run):
        self.setup(run)
        run.lookahead_callback.attach(run.model)


class InjectDriver(Driver):
    """`compat.Lookahead(k, alpha).inject(model)` after compiling."""

    name = "inject"
    builds_lookahead = False
    removes = frozenset({USER_LOOKAHEAD, FINALIZE_ARGUMENT})
    properties = frozenset({"model_holds_lookahead", "built_when_attached"})

    def setup(self, run):
        super().setup(run)
        compat.Lookahead(k=SYNC_PERIOD, alpha=SLOW_STEP_SIZE).inject(
            run.model, verbose=False
        )


# ----------------------------------------------------------------------------
# How the steps run.
# ----------------------------------------------------------------------------


def base_compile_kwargs(features):
    if BACKEND == "jax" and "conditional_update" in properties_of(features):
        return COMPILED
    return EAGER


class Graph(Feature):
    name = "graph"
    slots = frozenset({"execution"})
    needs = frozenset({FIT})
    backends = frozenset({"tensorflow"})
    unavailable_because = (
        "without jit_compile, Keras' JAX and torch trainers run eagerly"
    )

    def compile_kwargs(self, run):
        return {"run_eagerly": False, "jit_compile": False}


class Compiled(Feature):
    name = "compiled"
    slots = frozenset({"execution"})
    needs = frozenset({FIT})

    def compile_kwargs(self, run):
        return COMPILED


class StepsPerExecution(Feature):
    name = "steps_per_execution"
    # In a tf.function under MirroredStrategy Keras' own loop fails.
    properties = frozenset({"eager_only_under_mirrored_strategy"})
    needs = frozenset({FIT})
    backends = frozenset({"tensorflow", "jax"})
    unavailable_because = "Keras' torch trainer requires steps_per_execution=1"

    def compile_kwargs(self, run):
        return {"steps_per_execution": 3}


# ----------------------------------------------------------------------------
# The inner optimizer and loss scaling.
# ----------------------------------------------------------------------------


class InnerEma(Feature):
    """Inner `use_ema=True`; fit validates with `SwapEMAWeights`."""

    name = "inner_ema"
    in_reference = True
    slots = frozenset({"validation_swap"})
    inner_kwargs = {"use_ema": True, "ema_momentum": EMA_MOMENTUM}
    properties = frozenset(
        {"inner_ema", "writes_weights_at_fit_end", "swaps_ema_weights"}
    )

    def fit_callbacks(self, run):
        return [keras.callbacks.SwapEMAWeights()]

    def fit_kwargs(self, run):
        return {"validation_data": evaluation_data()}

    def after_fit(self, run, history):
        run.records.append(("val_loss (EMA weights)", history.history["val_loss"]))


class InnerLossScaleFactor(Feature):
    name = "inner_loss_scale_factor"
    in_reference = True
    inner_kwargs = {"loss_scale_factor": LOSS_SCALE_FACTOR}


class InnerGradientAccumulation(Feature):
    name = "inner_gradient_accumulation"
    in_reference = True
    # In a tf.function under MirroredStrategy the inner optimizer's
    # conditional update fails (merge_call inside a cond).
    properties = frozenset({"eager_only_under_mirrored_strategy", "conditional_update"})
    inner_kwargs = {"gradient_accumulation_steps": GRADIENT_ACCUMULATION_STEPS}


class InnerStateAtSync(Feature):
    """An inner SGD with momentum, and `inner_state_at_sync` "reset" or "pullback".

    The reference applies the same rule to the plain SGD's momentums in
    NumPy at each of its syncs (`MatrixReferenceCallback`).
    """

    in_reference = True
    slots = frozenset({"inner_optimizer"})
    # Neither LookaheadCallback nor compat.Lookahead.inject takes the argument.
    needs = frozenset({USER_LOOKAHEAD})
    inner_class = keras.optimizers.SGD
    inner_kwargs = {"momentum": SGD_MOMENTUM}

    def __init__(self, mode):
        self.name = f"{mode}_momentum"
        self.lookahead_kwargs = {"inner_state_at_sync": mode}
        # "pullback" keeps one cached momentum per variable in Lookahead.
        self.properties = frozenset({"caches_momentums"} if mode == "pullback" else ())


def centralized(gradient):
    """A kernel's gradient minus its mean over every axis but the last."""
    if len(gradient.shape) < 2:
        return gradient
    axes = tuple(range(len(gradient.shape) - 1))
    return gradient - keras.ops.mean(gradient, axis=axes, keepdims=True)


class CentralizedRectifiedAdam(RectifiedAdam):
    """The reference's inner optimizer for `Ranger`: centralizes, then steps."""

    stands_in_for = "RectifiedAdam"

    def apply(self, grads, trainable_variables=None):
        grads = [None if g is None else centralized(g) for g in grads]
        return super().apply(grads, trainable_variables)


class RangerOptimizer(Feature):
    """`Ranger` (its defaults, gradient centralization on) instead of Lookahead(Adam).

    Ranger makes its own RectifiedAdam; the reference trains a
    `CentralizedRectifiedAdam` with the same arguments and syncs it by
    Algorithm 1. Both of the model's kernels are centralized.
    """

    name = "ranger"
    in_reference = True
    slots = frozenset({"inner_optimizer"})
    needs = frozenset({USER_LOOKAHEAD})
    removes = frozenset({USER_INNER})
    inner_class = CentralizedRectifiedAdam
    lookahead_class = Ranger
    inner_kwargs = {"beta_1": 0.95, "epsilon": 1e-5}


class SkipsFirstStep(Feature):
    """A batch with a non-finite target: the loss scale optimizer skips it."""

    in_reference = True
    slots = frozenset({"loss_scale_optimizer"})

    def prepare_data(self, run):
        run.targets[SKIPPED_BATCH * BATCH] = np.inf


class LossScaleOptimizerAround(SkipsFirstStep):
    """`LossScaleOptimizer(Lookahead(inner))`, as mixed precision compiles."""

    name = "loss_scale_optimizer"
    properties = frozenset(
        {"loss_scale_optimizer_around_lookahead", "conditional_update"}
    )

    def wrap_trained(self, run, optimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer)


class LossScaleOptimizerInside(SkipsFirstStep):
    """`Lookahead(LossScaleOptimizer(inner))`."""

    name = "inner_loss_scale_optimizer"
    needs = frozenset({USER_LOOKAHEAD, USER_INNER})
    properties = frozenset(
        {"loss_scale_optimizer_inside_lookahead", "conditional_update"}
    )

    def wrap_inner(self, run, optimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer)


class MixedFloat16(Feature):
    """The `mixed_float16` policy: compile adds a LossScaleOptimizer."""

    name = "mixed_float16"
    in_reference = True
    needs = frozenset({FIT})
    properties = frozenset(
        {"float16", "loss_scale_optimizer_around_lookahead", "conditional_update"}
    )

    def around(self, run, train):
        with global_dtype_policy("mixed_float16"):
            return train()


# ----------------------------------------------------------------------------
# Between steps.
# ----------------------------------------------------------------------------


class FreezeLayer(Feature):
    """Freezes the first layer mid-cycle, recompiles, unfreezes after a sync."""

    name = "freeze_layer"
    in_reference = True
    backends = frozenset({"tensorflow", "torch"})
    unavailable_because = (
        "Keras' JAX trainer cannot train fewer variables than the optimizer was "
        "built on (stateless_apply raises for the inner optimizer alone)"
    )
    properties = frozenset({"changes_trainable_variables"})

    def events(self):
        return [
            Event(FREEZE_AFTER, CHANGE_TRAINABLE, lambda r: r.set_frozen(True)),
            Event(UNFREEZE_AFTER, CHANGE_TRAINABLE, lambda r: r.set_frozen(False)),
        ]


class EvaluateInSlowWeights(Feature):
    """`model.evaluate` inside `slow_weights_in_model()`, mid-training."""

    name = "evaluate_in_slow_weights"
    in_reference = True

    def events(self):
        return [Event(EVALUATE_AFTER, EVALUATE, evaluate_in_slow_weights)]


def evaluate_in_slow_weights(run):
    if run.with_lookahead:
        context = run.lookahead().slow_weights_in_model()
    else:
        context = run.reference_callback.slow_weights_in_model()
    features, targets = evaluation_data()
    with context:
        loss = run.model.evaluate(features, targets, batch_size=BATCH, verbose=0)
    run.records.append(("evaluate in slow weights", [loss]))


class SwapSlowWeightsCallback(Feature):
    """`SwapSlowWeights(swap_on_epoch=True)` in each fit, which validates.

    The validation and a callback after it at the epoch's end (`fit`'s
    last) see the slow weights; the reference puts its own there. Training
    then continues as without it.
    """

    name = "swap_slow_weights"
    in_reference = True
    needs = frozenset({FIT})
    # With `SwapEMAWeights` (inner_ema): both exchange weights in place
    # around validation, and Keras ends callbacks in the order it began them,
    # which mixes the two exchanges up.
    slots = frozenset({"validation_swap"})
    properties = frozenset({"records_each_fit"})

    def fit_callbacks(self, run):
        if run.with_lookahead:
            swap = SwapSlowWeights(swap_on_epoch=True)
        else:
            swap = ReferenceSlowWeightsSwap(run.reference_callback)
        return [swap, EpochEndWeights(run)]

    def fit_kwargs(self, run):
        return {"validation_data": evaluation_data()}

    def after_fit(self, run, history):
        run.records.append(("val_loss (slow weights)", history.history["val_loss"]))


class ReferenceSlowWeightsSwap(keras.callbacks.Callback):
    """`SwapSlowWeights(swap_on_epoch=True)` with the reference's slow weights."""

    def __init__(self, reference_callback):
        super().__init__()
        self.reference_callback = reference_callback
        self.swapped = None

    def swap_in(self):
        if self.swapped is None:
            if hasattr(self.model, "jax_state_sync"):
                self.model.jax_state_sync()
            self.swapped = self.reference_callback.slow_weights_in_model()
            self.swapped.__enter__()

    def swap_out(self):
        if self.swapped is not None:
            self.swapped.__exit__(None, None, None)
            self.swapped = None

    def on_test_begin(self, logs=None):
        self.swap_in()

    def on_test_end(self, logs=None):
        self.swap_out()

    def on_epoch_end(self, epoch, logs=None):
        self.swap_in()

    def on_epoch_begin(self, epoch, logs=None):
        self.swap_out()

    def on_train_end(self, logs=None):
        self.swap_out()


class EpochEndWeights(keras.callbacks.Callback):
    """Records the model's weights at each epoch's end in `run.records`."""

    def __init__(self, run):
        super().__init__()
        self.run = run

    def on_epoch_end(self, epoch, logs=None):
        if hasattr(self.model, "jax_state_sync"):
            self.model.jax_state_sync()
        self.run.records.append(
            ("weights at the epoch's end", numpy_values(self.model.weights))
        )


class SaveInSlowWeights(Feature):
    """`model.save` inside `slow_weights_in_model()`, then resume from the file.

    The file holds the slow weights as the model's weights (what one
    exports); training resumed from it continues from the slow weights, with
    the slow weights, step counter and inner state of the saved optimizer.
    """

    name = "save_in_slow_weights"
    in_reference = True
    slots = frozenset({"reload"})
    needs = frozenset({LOOKAHEAD_BETWEEN_FITS})
    properties = frozenset({"saves_in_slow_weights", "reloads_keras_file"})

    def events(self):
        return [Event(SAVE_IN_SLOW_WEIGHTS_AFTER, RELOAD, save_in_slow_weights)]


def save_in_slow_weights(run):
    if run.with_lookahead:
        with run.lookahead().slow_weights_in_model():
            run.save(KERAS_FILE)
        run.step(run.resume, KERAS_FILE)
    else:
        run.reference_callback.anchor_before_first_update()
        slow_weights = run.reference_callback.reference.slow_weights
        for variable, slow in zip(run.model.weights, slow_weights):
            variable.assign(slow.astype(variable.dtype))


class SaveAndLoad(Feature):
    """Saves after batch `step` and continues from the file, as a new process.

    The reference trains on (the fit ends there too); a file must change
    nothing.
    """

    slots = frozenset({"reload"})

    def __init__(self, file_format, step):
        self.file_format = file_format
        self.step = step
        self.name = f"{file_format}_file_after_{step}"
        reloads = (
            "reloads_keras_file" if file_format == KERAS_FILE else "reloads_weights"
        )
        self.properties = frozenset({reloads})

    def events(self):
        return [
            Event(
                self.step,
                RELOAD,
                lambda r: r.resume(self.file_format),
                checkpoint=self.file_format,
            )
        ]


class BuildAgain(Feature):
    """`optimizer.build(model.trainable_variables)` before every fit or loop.

    As before `load_weights` or `strategy.run`; Keras' optimizers ignore a
    build once built.
    """

    name = "build_again"
    needs = frozenset({LOOKAHEAD_BEFORE_FIT})

    def before_segment(self, run):
        run.lookahead().build(run.model.trainable_variables)


# ----------------------------------------------------------------------------
# Lookahead's own option and contexts.
# ----------------------------------------------------------------------------


class FinalizeWithSlowWeights(Feature):
    name = "finalize_with_slow_weights"
    in_reference = True
    needs = frozenset({FINALIZE_ARGUMENT})
    lookahead_kwargs = {"finalize_with_slow_weights": True}
    properties = frozenset({"writes_weights_at_fit_end", "finalizes_slow_weights"})


class InsideExceptBlock(Feature):
    """The training runs while an exception is being handled (`except:`)."""

    name = "inside_except_block"
    properties = frozenset({"exception_being_handled"})

    def around(self, run, train):
        try:
            raise RuntimeError("handled by the training script")
        except RuntimeError:
            return train()


class Distributed(Feature):
    """MirroredStrategy on two logical CPUs (TensorFlow), DataParallel (JAX)."""

    name = "distributed"
    needs = frozenset({FIT})
    backends = frozenset({"tensorflow", "jax"})
    unavailable_because = "Keras has no distribution for torch"
    # Each replica computes its half batch in float16: the float16 roundings
    # differ from one device's (for the inner optimizer alone too).
    in_reference_with = frozenset({"float16"})

    def compile_kwargs(self, run):
        # TensorFlow warns that MirroredStrategy is slow eagerly: a graph,
        # unless the cell has what Keras runs only eagerly under it.
        eager_only = "eager_only_under_mirrored_strategy" in properties_of(run.active)
        if BACKEND == "tensorflow" and not eager_only:
            return {"run_eagerly": False}
        return {}

    def around(self, run, train):
        if BACKEND == "tensorflow":
            import tensorflow as tf

            from tensorflow_lookahead.utils import test_utils

            strategy = test_utils.create_strategy(tf.distribute.MirroredStrategy)
            with strategy.scope():
                return train()
        import jax

        keras.distribution.set_distribution(
            keras.distribution.DataParallel(devices=jax.devices("cpu")[:2])
        )
        try:
            return train()
        finally:
            keras.distribution.set_distribution(None)


FEATURES_IN_ORDER = [
    Graph(),
    Compiled(),
    StepsPerExecution(),
    CustomLoop(),
    CallbackDriver(),
    InjectDriver(),
    InnerEma(),
    LossScaleOptimizerAround(),
    LossScaleOptimizerInside(),
    InnerLossScaleFactor(),
    MixedFloat16(),
    InnerGradientAccumulation(),
    InnerStateAtSync("reset"),
    InnerStateAtSync("pullback"),
    FreezeLayer(),
    EvaluateInSlowWeights(),
    SaveInSlowWeights(),
    *[SaveAndLoad(f, s) for f in FILE_FORMATS for s in SPLIT_STEPS],
    BuildAgain(),
    FinalizeWithSlowWeights(),
    InsideExceptBlock(),
    Distributed(),
    SwapSlowWeightsCallback(),
    # Last, so that the save and load points the others meet stay as they were.
    RangerOptimizer(),
]
FEATURES_BY_NAME = {f.name: f for f in FEATURES_IN_ORDER}
FIT_DRIVER = Driver()


# ----------------------------------------------------------------------------
# A run.
# ----------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    """What a run ends with, to compare between the two runs."""

    optimizers: list  # optimizer_classes(model.optimizer)
    weights: list
    slow_weights: dict  # position in model.weights -> value
    inner_state: list
    iterations: int
    syncs: int
    records: list
    lookahead_variable_count: int = 0
    expected_variable_count: int = 0


@dataclasses.dataclass
class Snapshot:
    """The state a refused step must leave as it was."""

    weights: list
    optimizer_variables: list
    files: dict


class Run:
    """One training run with the given features.

    Args:
        features: The features of the cell (their order does not matter).
        with_lookahead: Train with Lookahead; else the reference run.
        boundaries: Steps after which a fit ends (the reference run gets
            them from the cell, since a fit's end matters to EMA and
            `finalize_with_slow_weights`).
        directory: Where files go.
    """

    def __init__(
        self, features, with_lookahead, boundaries, directory, keep_state=False
    ):
        self.keep_state = keep_state
        self.with_lookahead = with_lookahead
        self.active = [
            f for f in features if with_lookahead or f.joins_reference(features)
        ]
        drivers = [f for f in self.active if isinstance(f, Driver)]
        self.driver = drivers[0] if drivers else FIT_DRIVER
        self.boundaries = boundaries
        self.directory = pathlib.Path(directory)
        self.features, self.targets = training_data()
        for feature in self.active:
            feature.prepare_data(self)
        self.model = None
        self.frozen = False
        self.records = []
        self.lookahead_callback = None
        self.reference_callback = None
        if not with_lookahead:
            self.reference_callback = MatrixReferenceCallback(
                SYNC_PERIOD,
                SLOW_STEP_SIZE,
                **{"finalize_with_slow_weights": False, **self.lookahead_kwargs()},
            )
        self.state_before_error = None

    # Settings merged from the features.

    def inner_kwargs(self):
        kwargs = {}
        for feature in self.active:
            kwargs.update(feature.inner_kwargs)
        return kwargs

    def lookahead_kwargs(self):
        kwargs = {}
        for feature in self.active:
            kwargs.update(feature.lookahead_kwargs)
        return kwargs

    def compile_kwargs(self):
        kwargs = dict(base_compile_kwargs(self.active))
        for feature in self.active:
            kwargs.update(feature.compile_kwargs(self))
        return kwargs

    def inner_optimizer(self):
        classes = [f.inner_class for f in self.active if f.inner_class is not None]
        inner_class = classes[0] if classes else keras.optimizers.Adam
        inner = inner_class(LEARNING_RATE, **self.inner_kwargs())
        for feature in self.active:
            inner = feature.wrap_inner(self, inner)
        return inner

    def new_lookahead(self):
        classes = [f.lookahead_class for f in self.active if f.lookahead_class]
        if classes:
            return classes[0](
                LEARNING_RATE,
                sync_period=SYNC_PERIOD,
                slow_step_size=SLOW_STEP_SIZE,
                **self.inner_kwargs(),
                **self.lookahead_kwargs(),
            )
        return Lookahead(
            self.inner_optimizer(),
            SYNC_PERIOD,
            SLOW_STEP_SIZE,
            **self.lookahead_kwargs(),
        )

    def trained_optimizer(self, with_lookahead):
        if with_lookahead and self.with_lookahead:
            trained = self.new_lookahead()
        else:
            trained = self.inner_optimizer()
        for feature in self.active:
            trained = feature.wrap_trained(self, trained)
        return trained

    # Steps.

    def new_model(self):
        return two_layer_model()

    def compile(self, optimizer):
        self.model.compile(optimizer=optimizer, loss="mse", **self.compile_kwargs())

    def set_frozen(self, frozen):
        self.frozen = frozen
        self.model.layers[0].trainable = not frozen
        self.compile(self.model.optimizer)

    def lookahead(self):
        return self.driver.lookahead(self)

    def checkpoint_path(self, file_format):
        suffix = ".keras" if file_format == KERAS_FILE else ".weights.h5"
        return self.directory / f"checkpoint{suffix}"

    def save(self, file_format):
        path = self.checkpoint_path(file_format)
        if file_format == KERAS_FILE:
            self.model.save(path)
        else:
            self.model.save_weights(path)

    def resume(self, file_format):
        """Continues from the file as a new process would."""
        path = self.checkpoint_path(file_format)
        if file_format == KERAS_FILE:
            # The training script sets its policy before loading.
            self.model = keras.models.load_model(path)
            if keras.mixed_precision.global_policy().name != "float32":
                # A process that only loads the file (to evaluate or export
                # it) need not set the policy first, and gets the same state.
                with global_dtype_policy("float32"):
                    loaded = keras.models.load_model(path)
                assert_same_lookahead_state(loaded, self.model)
            if self.driver.name == "callback":
                self.lookahead_callback = LookaheadCallback(
                    SYNC_PERIOD, SLOW_STEP_SIZE, **self.lookahead_kwargs()
                )
            return
        # A new model: trainable as when the optimizer was built, which it
        # must be before load_weights; then frozen as the saved one was.
        frozen = self.frozen
        self.model = self.new_model()
        self.driver.prepare_resumed(self)
        if not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self.model.load_weights(path)
        if frozen:
            self.set_frozen(True)

    def snapshot(self):
        model = self.model
        optimizer_variables = []
        if model is not None and getattr(model, "optimizer", None) is not None:
            optimizer_variables = numpy_values(model.optimizer.variables)
        files = {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.directory.iterdir())
            if path.is_file()
        }
        return Snapshot(
            [] if model is None else numpy_values(model.weights),
            optimizer_variables,
            files,
        )

    def step(self, function, *args):
        """Runs one step; keeps the state before it if it raises."""
        if not self.keep_state:
            return function(*args)
        before = self.snapshot()
        try:
            return function(*args)
        except Exception:
            # The innermost step that raised.
            if self.state_before_error is None:
                self.state_before_error = before
            raise

    def execute(self):
        """Trains; returns the `Outcome`."""

        def train():
            self.model = self.new_model()
            self.step(self.driver.setup, self)
            events = sorted(
                (e for f in self.active for e in f.events()),
                key=lambda e: (e.step, e.rank),
            )
            for first, last in zip(self.boundaries, self.boundaries[1:]):
                for feature in self.active:
                    self.step(feature.before_segment, self)
                checkpoint = next(
                    (e.checkpoint for e in events if e.step == last and e.checkpoint),
                    None,
                )
                self.step(self.driver.train, self, first, last, checkpoint)
                for event in events:
                    if event.step == last:
                        self.step(event.action, self)
            self.step(self.driver.finish, self)
            return self.outcome()

        for feature in reversed(self.active):
            train = functools.partial(feature.around, self, train)
        return train()

    # The result.

    def outcome(self):
        model = self.model
        positions = {id(v): i for i, v in enumerate(model.weights)}
        if self.with_lookahead:
            lookahead = self.lookahead()
            if lookahead is None:
                raise AssertionError(
                    f"The model trains with {type(model.optimizer).__name__}: "
                    "its Lookahead was lost."
                )
            pairs = lookahead.slow_and_fast_pairs()
            slow_weights = {
                positions[id(fast)]: numpy_values([slow])[0] for slow, fast in pairs
            }
            inner = innermost_optimizer(lookahead)
            cached_momentums = (
                len(inner.momentums)
                if "caches_momentums" in properties_of(self.active)
                else 0
            )
            return Outcome(
                optimizers=optimizer_classes(model.optimizer),
                weights=numpy_values(model.weights),
                slow_weights=slow_weights,
                inner_state=numpy_values(inner.variables),
                iterations=as_int(inner.iterations),
                syncs=as_int(lookahead.sync_count),
                records=self.records,
                lookahead_variable_count=len(lookahead.variables),
                expected_variable_count=1
                + len(pairs)
                + len(lookahead.inner_optimizer.variables)
                + cached_momentums,
            )
        reference = self.reference_callback.reference
        inner = innermost_optimizer(model.optimizer)
        return Outcome(
            optimizers=optimizer_classes(model.optimizer),
            weights=numpy_values(model.weights),
            slow_weights={
                i: np.asarray(w, np.float32)
                for i, w in enumerate(reference.slow_weights)
            },
            inner_state=numpy_values(inner.variables),
            iterations=as_int(inner.iterations),
            syncs=self.reference_callback.syncs,
            records=self.records,
        )


def boundaries_of(cell):
    """The steps after which a fit ends: 0, every event's step, STEPS."""
    steps = {e.step for f in cell for e in f.events()}
    return tuple(sorted({0, STEPS} | steps))


@functools.lru_cache(maxsize=None)
def reference_outcome(reference_names, boundaries):
    """The reference run of the features named, with these fit boundaries.

    Shared by the cells whose features change the reference in the same way.
    """
    features = [FEATURES_BY_NAME[name] for name in reference_names]
    with tempfile.TemporaryDirectory() as directory:
        return Run(features, False, boundaries, directory).execute()


def reference_for(cell):
    """The reference outcome for `cell`.

    A fit that ends where a file is written matters to the reference only
    when something happens or is recorded at the end of each fit (EMA,
    finalize, SwapSlowWeights).
    """
    in_reference = [f for f in cell if f.joins_reference(cell)]
    fit_ends_matter = bool(
        {"writes_weights_at_fit_end", "records_each_fit"} & properties_of(in_reference)
    )
    boundaries = boundaries_of(cell if fit_ends_matter else in_reference)
    names = tuple(sorted(f.name for f in in_reference))
    return reference_outcome(names, boundaries)


# ----------------------------------------------------------------------------
# What each cell must do.
# ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A combination Lookahead refuses with an error naming the cause."""

    applies: Callable
    error: type
    match: str
    because: str


@dataclasses.dataclass(frozen=True)
class Defect:
    """A known defect and the cells it makes fail.

    Attributes:
        issue: Where it is tracked, e.g. "issue 20 item 7", or "new".
        summary: What goes wrong.
        applies: Predicate on a cell.
    """

    issue: str
    summary: str
    applies: Callable


def properties_of(cell):
    return frozenset().union(*(f.properties for f in cell))


def has(*properties):
    """Predicate: the cell has every one of `properties`."""
    return lambda cell: set(properties) <= properties_of(cell)


def driver_of(cell):
    drivers = [f for f in cell if isinstance(f, Driver)]
    return drivers[0] if drivers else FIT_DRIVER


def named(*names):
    return lambda cell: set(names) <= {f.name for f in cell}


def splits_training(cell):
    return len(boundaries_of(cell)) > 2


def loads_keras_file_while_frozen(cell):
    """A `.keras` file is loaded while a layer is frozen."""
    freezes = [f for f in cell if "changes_trainable_variables" in f.properties]
    reloads = [
        (e.step, e.rank)
        for f in cell
        if "reloads_keras_file" in f.properties
        for e in f.events()
    ]
    return any(
        (freeze.step, freeze.rank) < reload < (unfreeze.step, unfreeze.rank)
        for f in freezes
        for freeze, unfreeze in [f.events()]
        for reload in reloads
    )


REFUSALS = [
    Refusal(
        has("loss_scale_optimizer_inside_lookahead"),
        ValueError,
        "cannot wrap a LossScaleOptimizer",
        "Lookahead would count the steps the loss scaler skips; it belongs "
        "outside, as compile puts it under mixed_float16",
    ),
    Refusal(
        lambda cell: sum("writes_weights_at_fit_end" in f.properties for f in cell) > 1,
        ValueError,
        "use_ema",
        "inner EMA and finalize_with_slow_weights both write the model at the "
        "end of fit (Lookahead's documented rule)",
    ),
    Refusal(
        lambda cell: "attaches_lookahead_for_fit" in properties_of(cell)
        and bool(properties_of(cell) & {"model_holds_lookahead", "reloads_keras_file"}),
        ValueError,
        "already",
        "the callback does not wrap a Lookahead the model was compiled with "
        "(injected, or loaded from a .keras file): it would sync twice",
    ),
    Refusal(
        loads_keras_file_while_frozen,
        ValueError,
        "optimizer variables",
        "load_model builds the optimizer on the trainable variables only, "
        "fewer than the file's state is for; Keras' own optimizers then skip "
        "their state with a warning, Lookahead loads nothing and says so",
    ),
]

# Things the inner optimizer alone cannot do either: no reference.
KERAS_LIMITATIONS = [
    (
        lambda cell, backend: has("inner_ema", "changes_trainable_variables")(cell),
        "Keras' EMA cannot end a fit with a frozen layer: finalize_variable_values "
        "pairs the trained variables with the averages of all of them (the "
        "inner optimizer alone raises)",
    ),
    (
        lambda cell, backend: backend == "tensorflow"
        and named("compiled", "distributed")(cell),
        "XLA cannot use MirroredStrategy's per-replica variables (the inner "
        "optimizer alone fails; jit_compile='auto' is off under a strategy)",
    ),
    (
        lambda cell, backend: backend == "jax"
        and has("inner_ema")(cell)
        and base_compile_kwargs(cell) == COMPILED
        and splits_training(cell),
        "the inner optimizer alone with use_ema fails in its second jitted fit "
        "on JAX (the fit's end put the averages into the model's buffers)",
    ),
    (
        lambda cell, backend: backend == "jax"
        and named("custom_loop")(cell)
        and has("loss_scale_optimizer_around_lookahead")(cell),
        "LossScaleOptimizer.apply outside a trainer leaks a JAX tracer from its "
        "cond (for the inner optimizer alone too)",
    ),
    (
        lambda cell, backend: backend == "torch"
        and named("compiled")(cell)
        and len(cell) > 1,
        "torch.compile takes about 12 s per model here: on torch, compiled runs "
        "alone (lookahead_backends_test also covers it)",
    ),
]

# Defects not fixed yet; each makes the cells it applies to xfail(strict=True).
KNOWN_DEFECTS = []

# Triples a sweep over random triples found failing where no pair does (the
# LossScaleOptimizer lost by a .keras file of an injected model, fixed by
# ec9f528); they run with the pairs.
TRIPLES = [("inject", "loss_scale_optimizer", "keras_file_after_2")]


@dataclasses.dataclass(frozen=True)
class Expectation:
    """What a cell must do: skip, raise, or match the reference."""

    skip_because: str = ""
    refusal: Optional[Refusal] = None
    defects: tuple = ()


def incompatibility(cell, backend):
    """Why the cell cannot be expressed (or has no reference) on `backend`."""
    for feature in cell:
        if backend not in feature.backends:
            return f"{feature.name}: {feature.unavailable_because}"
    for first, second in itertools.permutations(cell, 2):
        shared = first.slots & second.slots
        if shared:
            return f"{first.name} and {second.name} both set the {min(shared)}"
        missing = first.needs & second.removes
        if missing:
            return f"{first.name} needs {min(missing)}, which {second.name} removes"
    for applies, because in KERAS_LIMITATIONS:
        if applies(cell, backend):
            return because
    return ""


def expected_outcome(cell, backend):
    skip_because = incompatibility(cell, backend)
    if skip_because:
        return Expectation(skip_because=skip_because)
    refusal = next((r for r in REFUSALS if r.applies(cell)), None)
    if refusal is not None:
        return Expectation(refusal=refusal)
    return Expectation(defects=tuple(d for d in KNOWN_DEFECTS if d.applies(cell)))


def split_point_meets(split, partner):
    """Whether the pair (split, partner) is a cell; see `cells`."""
    if not isinstance(split, SaveAndLoad):
        return True
    if isinstance(partner, SaveAndLoad):
        return False
    rotation = FEATURES_IN_ORDER.index(partner) + FILE_FORMATS.index(split.file_format)
    return split.step == SPLIT_STEPS[rotation % len(SPLIT_STEPS)]


def cells(backend):
    """Every feature available on `backend` alone, every pair, and `TRIPLES`.

    A file is saved and loaded at each point of a cycle when alone; in pairs
    the point rotates with the partner (and differs between the two
    formats), so that each partner meets each format at one point and each
    point meets a third of the partners: a covering of the 3 points that
    keeps the matrix within its time budget.
    """
    available = [f for f in FEATURES_IN_ORDER if backend in f.backends]
    for feature in available:
        yield (feature,)
    for first, second in itertools.combinations(available, 2):
        if split_point_meets(first, second) and split_point_meets(second, first):
            yield (first, second)
    for names in TRIPLES:
        triple = tuple(FEATURES_BY_NAME[name] for name in names)
        if all(f in available for f in triple):
            yield triple
