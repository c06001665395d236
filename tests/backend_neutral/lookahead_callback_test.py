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
"""LookaheadCallback and inject through interrupted fits, on every backend.

An interrupted `fit` resumed with `BackupAndRestore` (in either callback
order) or from a `ModelCheckpoint`, or simply run again after an exception or
Ctrl-C, must end where Algorithm 1 in NumPy ends on the same batches, and
where one uninterrupted `fit` ends.
"""

import warnings

import keras
import numpy as np
import pytest

from tensorflow_lookahead import Lookahead
from tensorflow_lookahead import compat
from tensorflow_lookahead.callbacks import LookaheadCallback
from tensorflow_lookahead.callbacks import LookaheadDiagnostics
from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.linear_problem import BATCH
from tests.backend_neutral.linear_problem import COMPILED
from tests.backend_neutral.linear_problem import EAGER
from tests.backend_neutral.linear_problem import MODES
from tests.backend_neutral.linear_problem import assert_weights
from tests.backend_neutral.linear_problem import compile_and_fit
from tests.backend_neutral.linear_problem import linear_model
from tests.backend_neutral.linear_problem import problem
from tests.backend_neutral.linear_problem import reference
from tests.backend_neutral.reference_lookahead import NumpyLinearRegression

SYNC_PERIOD = 3
SLOW_STEP_SIZE = 0.5
STEPS_PER_EPOCH = 4
EPOCHS = 4
# Step 6 is epoch 2, batch 2: mid-epoch and mid-cycle (k = 3 syncs at 3, 6, 9).
INTERRUPT_AT = 7


class Interrupt(keras.callbacks.Callback):
    """Raises `error` at the end of the `at_step`-th training batch of a fit."""

    def __init__(self, at_step, error=RuntimeError("simulated preemption")):
        super().__init__()
        self.at_step = at_step
        self.error = error
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.steps == self.at_step:
            raise self.error


def compiled_linear_model(mode):
    model = linear_model(STEPS_PER_EPOCH)
    model.compile(
        optimizer=INNERS["adam"](),
        loss="mse",
        run_eagerly=mode == EAGER,
        jit_compile=mode == COMPILED,
    )
    return model


def fit_epochs(model, callbacks, **fit_kwargs):
    features, targets, _, _ = problem(STEPS_PER_EPOCH)
    return model.fit(
        features,
        targets,
        batch_size=BATCH,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=callbacks,
        **fit_kwargs,
    )


def algorithm_1(batches):
    """Algorithm 1 in NumPy after the given sequence of batch indices."""
    features, targets, kernel, bias = problem(STEPS_PER_EPOCH)
    algorithm = NumpyLinearRegression(kernel, bias, "adam", SYNC_PERIOD, SLOW_STEP_SIZE)
    for index in batches:
        rows = slice(index * BATCH, (index + 1) * BATCH)
        algorithm.step(features[rows], targets[rows])
    return algorithm


def uninterrupted(batches, mode):
    """One fit with a LookaheadCallback over the given sequence of batches."""
    features, targets, _, _ = problem(STEPS_PER_EPOCH)
    rows = np.concatenate([np.arange(b * BATCH, (b + 1) * BATCH) for b in batches])
    model = compiled_linear_model(mode)
    callback = LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)
    model.fit(
        features[rows],
        targets[rows],
        batch_size=BATCH,
        shuffle=False,
        verbose=0,
        callbacks=[callback],
    )
    return model, callback


def assert_resumed_exactly(model, callback, batches, mode):
    """`model` and `callback` ended where Algorithm 1 and one fit end."""
    expected = algorithm_1(batches)
    assert_weights(model.trainable_variables, expected.weights)
    assert_weights(callback.optimizer.slow_weights, expected.slow_weights)
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == len(batches)
    assert int(callback.optimizer.sync_count) == len(batches) // SYNC_PERIOD
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    one_fit, one_fit_callback = uninterrupted(batches, mode)
    for got, want in zip(model.get_weights(), one_fit.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    for got, want in zip(
        callback.optimizer.variables, one_fit_callback.optimizer.variables
    ):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(got),
            keras.ops.convert_to_numpy(want),
            rtol=1e-6,
            atol=1e-7,
        )


def in_order(order, backup, lookahead):
    return [backup, lookahead] if order == "backup_first" else [lookahead, backup]


def replayed_batches(save_freq):
    """The batches a run interrupted after INTERRUPT_AT steps sees in all.

    Keras restores the last backup and starts again at the beginning of the
    epoch it was saved in: with epoch backups the run sees every epoch once;
    with a backup every 3 batches (the last one after step 6, epoch 2
    batch 2) it sees epoch 1, batches 1-3 of epoch 2, then epochs 2 to 4.
    """
    epoch = list(range(STEPS_PER_EPOCH))
    if save_freq == "epoch":
        return epoch * EPOCHS
    return epoch + epoch[:2] + epoch * (EPOCHS - 1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("save_freq", ["epoch", 3])
def test_backup_and_restore_resumes_exactly_in_either_callback_order(
    tmp_path, save_freq, mode
):
    for order in ["backup_first", "lookahead_first"]:
        backup_dir = str(tmp_path / order)
        model = compiled_linear_model(mode)
        callbacks = in_order(
            order,
            keras.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq),
            LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE),
        )
        with pytest.raises(RuntimeError, match="preemption"):
            fit_epochs(model, callbacks + [Interrupt(INTERRUPT_AT)])

        # A new process: new model, new callbacks.
        resumed = compiled_linear_model(mode)
        callback = LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)
        callbacks = in_order(
            order,
            keras.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq),
            callback,
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*Skipping variable loading")
            fit_epochs(resumed, callbacks)
        assert_resumed_exactly(resumed, callback, replayed_batches(save_freq), mode)


@pytest.mark.parametrize("mode", MODES)
def test_backup_and_restore_resumes_in_the_same_process(tmp_path, mode):
    # The interrupted fit leaves its Lookahead in the model; a new callback
    # continues it and the backup then rewinds it to the end of epoch 1.
    for order in ["backup_first", "lookahead_first"]:
        backup_dir = str(tmp_path / order)
        model = compiled_linear_model(mode)
        callbacks = in_order(
            order,
            keras.callbacks.BackupAndRestore(backup_dir),
            LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE),
        )
        with pytest.raises(RuntimeError, match="preemption"):
            fit_epochs(model, callbacks + [Interrupt(INTERRUPT_AT)])
        callback = LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)
        fit_epochs(
            model,
            in_order(order, keras.callbacks.BackupAndRestore(backup_dir), callback),
        )
        assert_resumed_exactly(model, callback, replayed_batches("epoch"), mode)


@pytest.mark.parametrize("mode", MODES)
def test_model_checkpoint_resumes_after_attach(tmp_path, mode):
    checkpoint = str(tmp_path / "checkpoint.weights.h5")
    model = compiled_linear_model(mode)
    with pytest.raises(RuntimeError, match="preemption"):
        fit_epochs(
            model,
            [
                keras.callbacks.ModelCheckpoint(checkpoint, save_weights_only=True),
                LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE),
                Interrupt(INTERRUPT_AT),
            ],
        )

    resumed = compiled_linear_model(mode)
    callback = LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)
    callback.attach(resumed)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Skipping variable loading")
        resumed.load_weights(checkpoint)
    fit_epochs(
        resumed,
        [
            keras.callbacks.ModelCheckpoint(checkpoint, save_weights_only=True),
            callback,
        ],
        initial_epoch=1,
    )
    assert_resumed_exactly(resumed, callback, replayed_batches("epoch"), mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "error", [KeyboardInterrupt(), ValueError("bad batch")], ids=["ctrl_c", "error"]
)
@pytest.mark.parametrize("next_callback", ["same", "new"])
def test_fit_after_an_interrupted_fit_continues(mode, error, next_callback):
    steps, interrupted_at = 8, 4
    expected = reference("adam", SYNC_PERIOD, SLOW_STEP_SIZE, steps)
    model = linear_model(steps)
    first = LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)
    with pytest.raises(type(error)):
        compile_and_fit(
            model,
            INNERS["adam"](),
            steps,
            mode,
            callbacks=[first, Interrupt(interrupted_at, error)],
        )
    assert_weights(model.trainable_variables, expected[interrupted_at - 1][0])

    second = first if next_callback == "same" else LookaheadCallback(3, 0.5)
    compile_and_fit(
        model,
        model.optimizer,
        steps - interrupted_at,
        mode,
        first_step=interrupted_at,
        callbacks=[second],
    )
    assert second.optimizer is first.optimizer
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(second.optimizer.slow_weights, expected[-1][1])
    assert int(second.optimizer.sync_count) == steps // SYNC_PERIOD
    assert isinstance(model.optimizer, keras.optimizers.Adam)

    # Evaluating with the callback leaves the model's optimizer alone.
    features, targets, _, _ = problem(steps)
    model.evaluate(features, targets, verbose=0, callbacks=[second])
    assert isinstance(model.optimizer, keras.optimizers.Adam)


@pytest.mark.parametrize(
    "settings, argument",
    [
        ({"sync_period": 4, "slow_step_size": 0.5}, "sync_period"),
        ({"sync_period": 3, "slow_step_size": 0.8}, "slow_step_size"),
    ],
)
def test_new_callback_with_other_settings_keeps_the_interrupted_lookahead(
    settings, argument
):
    steps, interrupted_at = 8, 4
    model = linear_model(steps)
    first = LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)
    with pytest.raises(KeyboardInterrupt):
        compile_and_fit(
            model,
            INNERS["adam"](),
            steps,
            EAGER,
            callbacks=[first, Interrupt(interrupted_at, KeyboardInterrupt())],
        )
    slow_weights = [keras.ops.convert_to_numpy(w) for w in first.optimizer.slow_weights]
    with pytest.raises(ValueError, match=f"interrupted.*Received: {argument}="):
        compile_and_fit(
            model,
            model.optimizer,
            1,
            EAGER,
            callbacks=[LookaheadCallback(**settings)],
        )
    # Nothing was trained and nothing lost: the first callback continues.
    assert model.optimizer is first.optimizer
    assert_weights(first.optimizer.slow_weights, slow_weights)
    expected = reference("adam", SYNC_PERIOD, SLOW_STEP_SIZE, steps)
    compile_and_fit(
        model,
        model.optimizer,
        steps - interrupted_at,
        EAGER,
        first_step=interrupted_at,
        callbacks=[first],
    )
    assert_weights(model.trainable_variables, expected[-1][0])


def test_params_flow_callback_continues_after_an_interrupted_fit():
    steps, interrupted_at = 8, 5
    expected = reference("sgd_momentum", SYNC_PERIOD, SLOW_STEP_SIZE, steps)
    model = linear_model(steps)
    with pytest.raises(RuntimeError, match="preemption"):
        compile_and_fit(
            model,
            INNERS["sgd_momentum"](),
            steps,
            EAGER,
            callbacks=[
                compat.LookaheadOptimizerCallback(k=SYNC_PERIOD, alpha=SLOW_STEP_SIZE),
                Interrupt(interrupted_at),
            ],
        )
    callback = compat.LookaheadOptimizerCallback(k=SYNC_PERIOD, alpha=SLOW_STEP_SIZE)
    compile_and_fit(
        model,
        model.optimizer,
        steps - interrupted_at,
        EAGER,
        first_step=interrupted_at,
        callbacks=[callback],
    )
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(callback.optimizer.slow_weights, expected[-1][1])
    assert isinstance(model.optimizer, keras.optimizers.SGD)


def test_inject_twice_keeps_one_lookahead():
    steps = 7
    expected = reference("adam", SYNC_PERIOD, SLOW_STEP_SIZE, steps)
    model = linear_model(steps)
    model.compile(optimizer=INNERS["adam"](), loss="mse", run_eagerly=True)
    first = compat.Lookahead(k=SYNC_PERIOD, alpha=SLOW_STEP_SIZE).inject(
        model, verbose=False
    )
    compile_and_fit(model, model.optimizer, 4, EAGER)
    # A re-run notebook cell: the same settings continue the same Lookahead.
    again = compat.Lookahead(k=SYNC_PERIOD, alpha=SLOW_STEP_SIZE).inject(
        model, verbose=False
    )
    assert again is first and model.optimizer is first
    assert isinstance(first.inner_optimizer, keras.optimizers.Adam)
    compile_and_fit(model, model.optimizer, steps - 4, EAGER, first_step=4)
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(first.slow_weights, expected[-1][1])
    # Other settings would silently drop the slow weights: they raise.
    with pytest.raises(ValueError, match="Received: k="):
        compat.Lookahead(k=SYNC_PERIOD + 1, alpha=SLOW_STEP_SIZE).inject(model)
    with pytest.raises(ValueError, match="Received: alpha="):
        compat.Lookahead(k=SYNC_PERIOD, alpha=0.9).inject(model)
    assert model.optimizer is first
    # The callback does not wrap a Lookahead that is not its own a second time.
    with pytest.raises(ValueError, match="already"):
        compile_and_fit(model, first, 1, EAGER, callbacks=[LookaheadCallback(3, 0.5)])
    assert model.optimizer is first


def test_diagnostics_may_come_before_the_callback():
    steps = 7
    expected = reference("adam", SYNC_PERIOD, SLOW_STEP_SIZE, steps)
    model = linear_model(steps)
    diagnostics = LookaheadDiagnostics()
    compile_and_fit(
        model,
        INNERS["adam"](),
        steps,
        EAGER,
        callbacks=[diagnostics, LookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)],
    )
    assert diagnostics.history["lookahead_syncs"] == [steps // SYNC_PERIOD]
    assert_weights(model.trainable_variables, expected[-1][0])


@pytest.mark.parametrize("mode", MODES)
def test_injected_model_saved_mid_cycle_loads_with_its_lookahead(tmp_path, mode):
    """The file names the injected Lookahead and holds its state."""
    steps, saved_after = 8, 4
    expected = reference("adam", SYNC_PERIOD, SLOW_STEP_SIZE, steps)
    model = compiled_linear_model(mode)
    compat.Lookahead(k=SYNC_PERIOD, alpha=SLOW_STEP_SIZE).inject(model, verbose=False)
    compile_and_fit(model, model.optimizer, saved_after, mode)
    path = tmp_path / "injected.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert isinstance(restored.optimizer, Lookahead)
    assert restored.optimizer.sync_period == SYNC_PERIOD
    compile_and_fit(
        restored, restored.optimizer, steps - saved_after, mode, first_step=saved_after
    )
    assert_weights(restored.trainable_variables, expected[-1][0])
    assert_weights(restored.optimizer.slow_weights, expected[-1][1])
