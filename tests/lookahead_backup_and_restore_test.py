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
"""keras.callbacks.BackupAndRestore with Lookahead: interrupted fits resume."""

import keras
import numpy as np
import pytest

from tensorflow_lookahead.optimizers import Lookahead
from tests.backend_neutral import linear_problem
from tests.fit_helpers import BATCH, fit_in_order, mlp

STEPS_PER_EPOCH = 4
EPOCHS = 4
SYNC_PERIOD = 3


class Interrupt(keras.callbacks.Callback):
    """Raises after the `at_step`-th training batch of this fit."""

    def __init__(self, at_step):
        super().__init__()
        self.at_step = at_step
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.steps == self.at_step:
            raise RuntimeError("simulated preemption")


def epoch_data():
    return linear_problem.data(BATCH * STEPS_PER_EPOCH, seed=2)


def compiled_model(optimizer):
    model = mlp(seed=4)
    model.compile(optimizer=optimizer, loss="mse")
    return model


def lookahead():
    return Lookahead(keras.optimizers.Adam(0.02), sync_period=SYNC_PERIOD)


def interrupted_then_resumed(make_optimizer, backup_dir, save_freq, at_step):
    features, targets = epoch_data()
    backup = keras.callbacks.BackupAndRestore(str(backup_dir), save_freq=save_freq)
    model = compiled_model(make_optimizer())
    with pytest.raises(RuntimeError, match="preemption"):
        fit_in_order(model, features, targets, EPOCHS, [backup, Interrupt(at_step)])
    resumed = compiled_model(make_optimizer())
    backup = keras.callbacks.BackupAndRestore(str(backup_dir), save_freq=save_freq)
    fit_in_order(resumed, features, targets, EPOCHS, [backup])
    return resumed


def test_interrupted_mid_epoch_ends_like_uninterrupted(tmp_path):
    features, targets = epoch_data()
    uninterrupted = compiled_model(lookahead())
    fit_in_order(uninterrupted, features, targets, EPOCHS)
    # Step 6 is mid-epoch (epoch 2, batch 2) and not a multiple of k = 3;
    # the last backup is from the end of epoch 1 (step 4, mid-cycle).
    resumed = interrupted_then_resumed(lookahead, tmp_path, "epoch", at_step=6)
    for got, want in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert int(resumed.optimizer.iterations.numpy()) == EPOCHS * STEPS_PER_EPOCH
    for got, want in zip(
        resumed.optimizer.slow_weights, uninterrupted.optimizer.slow_weights
    ):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)


def test_batch_backups_replay_the_epoch_as_for_plain_optimizers(tmp_path):
    # With save_freq=3 and an interruption after step 7, Keras restores the
    # state of step 6 and restarts epoch 2 from its first batch: the run sees
    # epoch 1, batches 1-2 of epoch 2, then epochs 2, 3 and 4 in full.
    plain = interrupted_then_resumed(
        lambda: keras.optimizers.Adam(0.02), tmp_path / "plain", 3, at_step=7
    )
    resumed = interrupted_then_resumed(lookahead, tmp_path / "lookahead", 3, 7)
    replayed_steps = int(plain.optimizer.iterations.numpy())
    assert replayed_steps == 6 + 3 * STEPS_PER_EPOCH
    assert int(resumed.optimizer.iterations.numpy()) == replayed_steps

    features, targets = epoch_data()
    batches_seen = np.concatenate(
        [np.arange(STEPS_PER_EPOCH), np.arange(2)]
        + [np.arange(STEPS_PER_EPOCH)] * (EPOCHS - 1)
    )
    rows = np.concatenate([np.arange(b * BATCH, (b + 1) * BATCH) for b in batches_seen])
    uninterrupted = compiled_model(lookahead())
    fit_in_order(uninterrupted, features[rows], targets[rows], epochs=1)
    for got, want in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


class KilledDuringSecondBackup(keras.callbacks.Callback):
    """The process dies while BackupAndRestore writes its second backup.

    The model's `save_weights` writes the first half of the file, then raises
    (as if killed in the middle of the write): BackupAndRestore's metadata
    still names the previous epoch.
    """

    def __init__(self, scratch_dir):
        super().__init__()
        self.scratch_dir = scratch_dir
        self.saves = 0

    def set_model(self, model):
        super().set_model(model)
        save_weights = model.save_weights

        def save_weights_then_die(filepath, *args, **kwargs):
            self.saves += 1
            if self.saves < 2:
                return save_weights(filepath, *args, **kwargs)
            complete = self.scratch_dir / "complete.weights.h5"
            save_weights(str(complete), *args, **kwargs)
            content = complete.read_bytes()
            with open(filepath, "wb") as partial:
                partial.write(content[: len(content) // 2])
            raise RuntimeError("killed while writing the backup")

        model.save_weights = save_weights_then_die


def killed_while_writing_a_backup(tmp_path, **backup_kwargs):
    """A fit killed while writing its epoch-2 backup; returns the backup dir."""
    features, targets = epoch_data()
    backup_dir = str(tmp_path / "backup")
    model = compiled_model(lookahead())
    backup = keras.callbacks.BackupAndRestore(backup_dir, **backup_kwargs)
    killer = KilledDuringSecondBackup(tmp_path)
    with pytest.raises(RuntimeError, match="killed while writing"):
        # The killer first: it wraps save_weights before BackupAndRestore saves.
        fit_in_order(model, features, targets, EPOCHS, [killer, backup])
    return backup_dir


def test_double_checkpoint_resumes_from_the_previous_backup_and_ends_exactly(
    tmp_path,
):
    features, targets = epoch_data()
    uninterrupted = compiled_model(lookahead())
    fit_in_order(uninterrupted, features, targets, EPOCHS)
    backup_dir = killed_while_writing_a_backup(tmp_path, double_checkpoint=True)
    # The epoch-2 backup is unreadable; the epoch-1 one (step 4, mid-cycle)
    # is restored and the fit continues from there.
    resumed = compiled_model(lookahead())
    backup = keras.callbacks.BackupAndRestore(backup_dir, double_checkpoint=True)
    history = fit_in_order(resumed, features, targets, EPOCHS, [backup])
    assert history.epoch == [1, 2, 3]
    for got, want in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert int(resumed.optimizer.iterations.numpy()) == EPOCHS * STEPS_PER_EPOCH
    for got, want in zip(
        resumed.optimizer.slow_weights, uninterrupted.optimizer.slow_weights
    ):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)


def test_without_double_checkpoint_a_kill_during_the_write_loses_the_backup(
    tmp_path,
):
    # Keras' own behaviour, for plain optimizers too: the one backup file is
    # overwritten in place, and a half-written one cannot be loaded.
    backup_dir = killed_while_writing_a_backup(tmp_path)
    resumed = compiled_model(lookahead())
    backup = keras.callbacks.BackupAndRestore(backup_dir)
    features, targets = epoch_data()
    with pytest.raises(OSError):
        fit_in_order(resumed, features, targets, EPOCHS, [backup])
