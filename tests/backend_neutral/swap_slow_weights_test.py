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
"""SwapSlowWeights: validation, evaluate, predict and checkpoints on slow weights.

The reference is Algorithm 1 around the plain inner optimizer
(`ReferenceLookaheadCallback`) in the same fit, on every backend: the
validation loss during `fit` must be the mean squared error at its slow
weights (computed in NumPy), callbacks after a `SwapSlowWeights(
swap_on_epoch=True)` must see its slow weights, and training must end where
it ends, with the same Lookahead state as the same fit without the callback.
"""

import functools

import keras
import numpy as np
import pytest

from tensorflow_lookahead import Lookahead
from tensorflow_lookahead import compat
from tensorflow_lookahead.callbacks import LookaheadCallback
from tensorflow_lookahead.callbacks import SwapSlowWeights
from tensorflow_lookahead.callbacks.model_attachment import find_lookahead
from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.linear_problem import BATCH
from tests.backend_neutral.linear_problem import COMPILED
from tests.backend_neutral.linear_problem import EAGER
from tests.backend_neutral.linear_problem import MODES
from tests.backend_neutral.linear_problem import linear_model
from tests.backend_neutral.linear_problem import problem
from tests.backend_neutral.reference_lookahead import ReferenceLookaheadCallback

SYNC_PERIOD = 3
SLOW_STEP_SIZE = 0.5
STEPS_PER_EPOCH = 4
# The epochs end after steps 4 and 8, mid-cycle (syncs after 3 and 6), where
# the fast weights differ from the slow ones.
EPOCHS = 2
# How Lookahead gets into the model: compiled with it, LookaheadCallback,
# inject, and compiled under mixed_float16 (LossScaleOptimizer(Lookahead)).
SETUPS = ["compiled", "callback", "inject", "mixed_float16"]
# The loss of the float16 model at weights within float32 precision of the
# reference's, against NumPy's loss in float64.
LOSS_RTOL = {"float32": 1e-5, "mixed_float16": 1e-3}


def policy_of(setup):
    return "mixed_float16" if setup == "mixed_float16" else "float32"


class GlobalPolicy:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.previous = keras.mixed_precision.global_policy()
        keras.mixed_precision.set_global_policy(self.name)

    def __exit__(self, *exc_info):
        keras.mixed_precision.set_global_policy(self.previous)


def training_data():
    features, targets, _, _ = problem(STEPS_PER_EPOCH)
    return features, targets


def validation_data():
    features, targets, _, _ = problem(2, seed=1)
    return features, targets


def numpy_values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def as_int(value):
    return int(keras.ops.convert_to_numpy(value))


def sync_state(model):
    if hasattr(model, "jax_state_sync"):
        model.jax_state_sync()


def mean_squared_error(weights, features, targets):
    kernel, bias = [np.asarray(w, np.float64) for w in weights]
    return float(np.mean((features.astype(np.float64) @ kernel + bias - targets) ** 2))


def assert_close(got, want, rtol=1e-5, atol=2e-6):
    assert len(got) == len(want)
    for got_value, want_value in zip(got, want):
        np.testing.assert_allclose(got_value, want_value, rtol=rtol, atol=atol)


def assert_loss_at(loss, weights, other_weights, policy):
    """`loss` is the validation loss at `weights`, not at `other_weights`."""
    features, targets = validation_data()
    want = mean_squared_error(weights, features, targets)
    other = mean_squared_error(other_weights, features, targets)
    rtol = LOSS_RTOL[policy]
    # The two candidates are far apart compared with the tolerance.
    assert abs(want - other) > 20 * rtol * want
    np.testing.assert_allclose(loss, want, rtol=rtol)


class EpochEnds(keras.callbacks.Callback):
    """Records the model's trainable weights at each epoch end.

    With `reference`, a `ReferenceLookaheadCallback`, also its slow weights.
    """

    def __init__(self, reference=None):
        super().__init__()
        self.reference = reference
        self.weights = []
        self.slow_weights = []
        self.iterations = []

    def on_epoch_end(self, epoch, logs=None):
        sync_state(self.model)
        self.weights.append(numpy_values(self.model.trainable_variables))
        self.iterations.append(as_int(self.model.optimizer.iterations))
        if self.reference is not None:
            slow = self.reference.reference.slow_weights
            self.slow_weights.append([np.array(w, np.float32) for w in slow])


def compile_model(model, optimizer, mode):
    model.compile(
        optimizer=optimizer,
        loss="mse",
        run_eagerly=mode == EAGER,
        jit_compile=mode == COMPILED,
    )


def fit(model, callbacks, epochs=EPOCHS, **fit_kwargs):
    features, targets = training_data()
    return model.fit(
        features,
        targets,
        batch_size=BATCH,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        callbacks=list(callbacks),
        **fit_kwargs,
    )


@functools.lru_cache(maxsize=None)
def reference(policy, mode, restart_from_slow_after=None):
    """Algorithm 1 around plain Adam over EPOCHS epochs: `EpochEnds`.

    With `restart_from_slow_after`, the model's weights are set to the slow
    weights after that many epochs (a resume from a file saved there in the
    slow weights); the slow weights and Adam's state carry on.
    """
    with GlobalPolicy(policy):
        model = linear_model(STEPS_PER_EPOCH)
        compile_model(model, INNERS["adam"](), mode)
        algorithm = ReferenceLookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)
        ends = EpochEnds(algorithm)
        if restart_from_slow_after is None:
            fit(model, [algorithm, ends])
        else:
            fit(model, [algorithm, ends], epochs=restart_from_slow_after)
            sync_state(model)
            slow = algorithm.reference.slow_weights
            for variable, value in zip(model.trainable_variables, slow):
                variable.assign(value.astype(variable.dtype))
            fit(model, [algorithm, ends], epochs=EPOCHS - restart_from_slow_after)
    return ends


class LookaheadRun:
    """A model trained with Lookahead as `setup` says, and its Lookahead."""

    def __init__(self, setup, mode, finalize_with_slow_weights=False):
        self.setup = setup
        self.policy = policy_of(setup)
        self.lookahead_callback = None
        with GlobalPolicy(self.policy):
            self.model = linear_model(STEPS_PER_EPOCH)
            inner = INNERS["adam"]()
            if setup in ("compiled", "mixed_float16"):
                optimizer = Lookahead(
                    inner,
                    SYNC_PERIOD,
                    SLOW_STEP_SIZE,
                    finalize_with_slow_weights=finalize_with_slow_weights,
                )
                compile_model(self.model, optimizer, mode)
            else:
                compile_model(self.model, inner, mode)
            if setup == "callback":
                self.lookahead_callback = LookaheadCallback(
                    SYNC_PERIOD,
                    SLOW_STEP_SIZE,
                    finalize_with_slow_weights=finalize_with_slow_weights,
                )
            if setup == "inject":
                assert not finalize_with_slow_weights  # inject has no such option
                compat.Lookahead(k=SYNC_PERIOD, alpha=SLOW_STEP_SIZE).inject(
                    self.model, verbose=False
                )

    def fit(self, callbacks, **fit_kwargs):
        # The LookaheadCallback comes last: SwapSlowWeights works before it.
        if self.lookahead_callback is not None:
            callbacks = list(callbacks) + [self.lookahead_callback]
        with GlobalPolicy(self.policy):
            return fit(self.model, callbacks, **fit_kwargs)

    @property
    def lookahead(self):
        if self.lookahead_callback is not None:
            return self.lookahead_callback.optimizer
        return find_lookahead(self.model.optimizer)


def assert_trained_as_without_callback(run, without, expected_weights):
    """`run` ended where the fit `without` SwapSlowWeights and the reference end."""
    assert not run.lookahead.weights_swapped
    weights = numpy_values(run.model.trainable_variables)
    assert_close(weights, expected_weights)
    assert_close(weights, numpy_values(without.model.trainable_variables), 1e-6, 1e-7)
    assert_close(
        numpy_values(run.lookahead.variables),
        numpy_values(without.lookahead.variables),
        1e-6,
        1e-7,
    )
    assert type(run.model.optimizer) is type(without.model.optimizer)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("setup", SETUPS)
def test_validation_evaluate_and_predict_run_on_the_slow_weights(setup, mode):
    expected = reference(policy_of(setup), mode)
    run = LookaheadRun(setup, mode)
    history = run.fit([SwapSlowWeights()], validation_data=validation_data())
    for epoch, loss in enumerate(history.history["val_loss"]):
        assert_loss_at(
            loss,
            expected.slow_weights[epoch],
            expected.weights[epoch],
            run.policy,
        )
    without = LookaheadRun(setup, mode)
    without.fit([], validation_data=validation_data())
    assert_trained_as_without_callback(run, without, expected.weights[-1])
    assert_close(numpy_values(run.lookahead.slow_weights), expected.slow_weights[-1])

    features, targets = validation_data()
    if setup == "callback":
        # The model has its own optimizer back; the callback says where the
        # Lookahead is.
        with pytest.raises(ValueError, match="slow_weights_in_model.*optimizer=Adam$"):
            run.model.evaluate(features, targets, callbacks=[SwapSlowWeights()])
        return
    loss = run.model.evaluate(
        features, targets, batch_size=BATCH, verbose=0, callbacks=[SwapSlowWeights()]
    )
    assert_loss_at(loss, expected.slow_weights[-1], expected.weights[-1], run.policy)
    predictions = run.model.predict(
        features, batch_size=BATCH, verbose=0, callbacks=[SwapSlowWeights()]
    )
    kernel, bias = expected.slow_weights[-1]
    np.testing.assert_allclose(
        predictions, features @ kernel + bias, rtol=LOSS_RTOL[run.policy], atol=1e-3
    )
    # Evaluating and predicting gave the model its fast weights back.
    assert_trained_as_without_callback(run, without, expected.weights[-1])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("setup", SETUPS)
def test_swap_on_epoch_checkpoints_the_slow_weights_and_resumes_from_them(
    setup, mode, tmp_path
):
    expected = reference(policy_of(setup), mode)
    run = LookaheadRun(setup, mode)
    before, after = EpochEnds(), EpochEnds()
    swapped_files = str(tmp_path / "swapped_{epoch}.keras")
    history = run.fit(
        [
            before,
            SwapSlowWeights(swap_on_epoch=True),
            after,
            keras.callbacks.ModelCheckpoint(swapped_files),
        ],
        validation_data=validation_data(),
    )
    for epoch in range(EPOCHS):
        assert_close(before.weights[epoch], expected.weights[epoch])
        assert_close(after.weights[epoch], expected.slow_weights[epoch])
        assert_loss_at(
            history.history["val_loss"][epoch],
            expected.slow_weights[epoch],
            expected.weights[epoch],
            run.policy,
        )
    without = LookaheadRun(setup, mode)
    files = str(tmp_path / "fast_{epoch}.keras")
    without.fit([keras.callbacks.ModelCheckpoint(files)])
    assert_trained_as_without_callback(run, without, expected.weights[-1])

    # The file of epoch 1 holds the slow weights as the model's weights, and
    # the optimizer's state (true slow weights, counter, Adam's moments) as
    # the file written without the callback.
    with GlobalPolicy(run.policy):
        resumed = keras.models.load_model(swapped_files.format(epoch=1))
        unswapped = keras.models.load_model(files.format(epoch=1))
    assert_close(numpy_values(resumed.trainable_variables), expected.slow_weights[0])
    lookahead = find_lookahead(resumed.optimizer)
    assert not lookahead.weights_swapped
    assert_close(
        numpy_values(lookahead.variables),
        numpy_values(find_lookahead(unswapped.optimizer).variables),
        1e-6,
        1e-7,
    )
    assert_close(numpy_values(lookahead.slow_weights), expected.slow_weights[0])
    # Applied updates (mixed_float16's loss scale skips the first ones).
    assert as_int(lookahead.iterations) == expected.iterations[0]

    # Resumed, it continues from the slow weights with Lookahead's state.
    restarted = reference(policy_of(setup), mode, restart_from_slow_after=1)
    with GlobalPolicy(run.policy):
        fit(resumed, [], epochs=EPOCHS - 1)
    assert_close(numpy_values(resumed.trainable_variables), restarted.weights[-1])
    assert_close(numpy_values(lookahead.slow_weights), restarted.slow_weights[-1])


@pytest.mark.parametrize("mode", MODES)
def test_early_stopping_after_it_restores_the_best_slow_weights(mode):
    expected = reference("float32", mode)
    run = LookaheadRun("compiled", mode)
    history = run.fit(
        [
            SwapSlowWeights(swap_on_epoch=True),
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=EPOCHS, restore_best_weights=True
            ),
        ],
        validation_data=validation_data(),
    )
    features, targets = validation_data()
    slow_losses = [
        mean_squared_error(w, features, targets) for w in expected.slow_weights
    ]
    best = int(np.argmin(slow_losses))
    np.testing.assert_allclose(history.history["val_loss"], slow_losses, rtol=1e-5)
    assert_close(
        numpy_values(run.model.trainable_variables), expected.slow_weights[best]
    )
    # The optimizer trained on as without the callbacks.
    without = LookaheadRun("compiled", mode)
    without.fit([])
    assert_close(
        numpy_values(run.lookahead.variables),
        numpy_values(without.lookahead.variables),
        1e-6,
        1e-7,
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("swap_on_epoch", [False, True])
@pytest.mark.parametrize("setup", ["compiled", "callback"])
def test_fit_ends_with_the_slow_weights_of_finalize_with_slow_weights(
    setup, swap_on_epoch, mode
):
    expected = reference("float32", mode)
    run = LookaheadRun(setup, mode, finalize_with_slow_weights=True)
    run.fit(
        [SwapSlowWeights(swap_on_epoch=swap_on_epoch)],
        validation_data=validation_data(),
    )
    without = LookaheadRun(setup, mode, finalize_with_slow_weights=True)
    without.fit([], validation_data=validation_data())
    assert_trained_as_without_callback(run, without, expected.slow_weights[-1])


class InterruptAtEpochEnd(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        raise RuntimeError("simulated preemption")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("next_callback", ["same", "new"])
def test_fit_after_a_fit_interrupted_while_swapped_continues(next_callback, mode):
    # The error comes after SwapSlowWeights put the slow weights in the model:
    # fit skips on_train_end, and on TensorFlow and torch the finalization.
    expected = reference("float32", mode)
    run = LookaheadRun("compiled", mode)
    first = SwapSlowWeights(swap_on_epoch=True)
    with pytest.raises(RuntimeError, match="preemption"):
        run.fit([first, InterruptAtEpochEnd()], epochs=1)
    second = first if next_callback == "same" else SwapSlowWeights()
    run.fit([second], epochs=EPOCHS - 1)
    assert not run.lookahead.weights_swapped
    assert_close(numpy_values(run.model.trainable_variables), expected.weights[-1])
    assert_close(numpy_values(run.lookahead.slow_weights), expected.slow_weights[-1])


def test_evaluate_before_training_and_after_a_swap_by_the_user():
    expected = reference("float32", EAGER)
    features, targets = validation_data()
    run = LookaheadRun("compiled", EAGER)
    initial = numpy_values(run.model.trainable_variables)
    # Not built yet: the slow weights will be the model's weights.
    loss = run.model.evaluate(
        features, targets, batch_size=BATCH, verbose=0, callbacks=[SwapSlowWeights()]
    )
    np.testing.assert_allclose(
        loss, mean_squared_error(initial, features, targets), rtol=1e-5
    )
    run.fit([], epochs=1)
    # Swapped by the user: the callback evaluates them and leaves the swap.
    run.lookahead.swap_weights()
    loss = run.model.evaluate(
        features, targets, batch_size=BATCH, verbose=0, callbacks=[SwapSlowWeights()]
    )
    assert_loss_at(loss, expected.slow_weights[0], expected.weights[0], "float32")
    assert run.lookahead.weights_swapped
    run.lookahead.swap_weights()
    assert_close(numpy_values(run.model.trainable_variables), expected.weights[0])


@pytest.mark.parametrize(
    "inner, policy, received",
    [
        ("sgd", "float32", "SGD"),
        ("adam", "mixed_float16", r"LossScaleOptimizer\(Adam\)"),
    ],
)
def test_a_model_without_lookahead_gets_a_clear_error(inner, policy, received):
    features, targets = training_data()
    with GlobalPolicy(policy):
        model = linear_model(STEPS_PER_EPOCH)
        optimizer = keras.optimizers.get(inner)
        compile_model(model, optimizer, EAGER)
        initial = numpy_values(model.trainable_variables)
        error = f"SwapSlowWeights needs .*Lookahead.* model.optimizer={received}$"
        with pytest.raises(ValueError, match=error):
            fit(model, [SwapSlowWeights()], validation_data=validation_data())
        with pytest.raises(ValueError, match=error):
            model.evaluate(features, targets, callbacks=[SwapSlowWeights()])
        with pytest.raises(ValueError, match=error):
            model.predict(features, callbacks=[SwapSlowWeights()])
    # Nothing was trained.
    assert_close(numpy_values(model.trainable_variables), initial, 0, 0)


def test_swap_on_epoch_must_be_a_bool():
    with pytest.raises(TypeError, match="swap_on_epoch"):
        SwapSlowWeights(swap_on_epoch="yes")
