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
"""Save, load and resume: an interrupted run continues exactly.

Every format is checked the same way: train n steps, save, load into a new
model (or a new process), train m more steps, and compare with n + m
uninterrupted steps, for n before, at and after a synchronization.
"""

import os
import pathlib
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.utils import test_utils
from tests import golden_files
from tests.backend_neutral import linear_problem
from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.reference_lookahead import ReferenceLookahead
from tests.fit_helpers import mlp

SYNC_PERIOD = 3
BATCH = 8
MORE_STEPS = 5
HERE = pathlib.Path(__file__).resolve().parent
# n with n mod k in {0, 1, k - 1}: at, just after and just before a sync.
STEPS_BEFORE_SAVE = [2 * SYNC_PERIOD, 2 * SYNC_PERIOD + 1, SYNC_PERIOD - 1]


def data(steps):
    return linear_problem.data(steps * BATCH, seed=7)


def new_model():
    return mlp(seed=3)


def compiled_model(inner, run_eagerly=False):
    model = new_model()
    model.compile(
        optimizer=Lookahead(INNERS[inner](), sync_period=SYNC_PERIOD),
        loss="mse",
        run_eagerly=run_eagerly,
    )
    return model


def train(model, first_step, last_step):
    """Fits on batches [first_step, last_step) of the fixed data."""
    features, targets = data(last_step)
    model.fit(
        features[first_step * BATCH :],
        targets[first_step * BATCH :],
        batch_size=BATCH,
        shuffle=False,
        verbose=0,
    )


def uninterrupted_weights(inner, steps, run_eagerly=False):
    model = compiled_model(inner, run_eagerly)
    train(model, 0, steps)
    return model.get_weights()


def assert_same_weights(got, want, rtol=1e-6):
    assert len(got) == len(want)
    for got_value, want_value in zip(got, want):
        np.testing.assert_allclose(got_value, want_value, rtol=rtol, atol=1e-7)


def optimizer_state(optimizer):
    return [v.numpy() for v in optimizer.variables]


def save_keras(model, inner, directory):
    path = os.path.join(directory, "model.keras")
    model.save(path)
    return keras.models.load_model(path)


def save_weights(model, inner, directory):
    path = os.path.join(directory, "model.weights.h5")
    model.save_weights(path)
    restored = compiled_model(inner)
    restored.optimizer.build(restored.trainable_variables)
    restored.load_weights(path)
    return restored


def save_checkpoint(model, inner, directory):
    manager = tf.train.CheckpointManager(
        tf.train.Checkpoint(model=model, optimizer=model.optimizer),
        directory,
        max_to_keep=1,
    )
    manager.save()
    restored = compiled_model(inner)
    restored.optimizer.build(restored.trainable_variables)
    checkpoint = tf.train.Checkpoint(model=restored, optimizer=restored.optimizer)
    checkpoint.restore(manager.latest_checkpoint).assert_consumed()
    return restored


def save_checkpoint_restore_before_build(model, inner, directory):
    path = tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(
        os.path.join(directory, "ckpt")
    )
    restored = compiled_model(inner)
    assert not restored.optimizer.built
    status = tf.train.Checkpoint(model=restored, optimizer=restored.optimizer).restore(
        path
    )
    # The optimizer is built (and restored) by the next fit.
    restored.deferred_status = status
    return restored


SAVE_AND_LOAD = {
    "keras_file": save_keras,
    "weights_file": save_weights,
    "checkpoint": save_checkpoint,
    "checkpoint_deferred": save_checkpoint_restore_before_build,
}


@pytest.mark.parametrize("run_eagerly", [False, True], ids=["graph", "eager"])
@pytest.mark.parametrize("steps", STEPS_BEFORE_SAVE, ids=lambda n: f"n{n}")
@pytest.mark.parametrize("inner", sorted(INNERS))
@pytest.mark.parametrize("save_and_load", sorted(SAVE_AND_LOAD))
def test_resume_equals_uninterrupted(
    save_and_load, inner, steps, run_eagerly, tmp_path
):
    expected = uninterrupted_weights(inner, steps + MORE_STEPS, run_eagerly)
    model = compiled_model(inner, run_eagerly)
    train(model, 0, steps)
    state = optimizer_state(model.optimizer)

    restored = SAVE_AND_LOAD[save_and_load](model, inner, str(tmp_path))
    restored.run_eagerly = run_eagerly
    assert isinstance(restored.optimizer, Lookahead)
    if restored.optimizer.built:
        assert_same_weights(optimizer_state(restored.optimizer), state, rtol=0)
    train(restored, steps, steps + MORE_STEPS)

    assert_same_weights(restored.get_weights(), expected)
    assert int(restored.optimizer.iterations.numpy()) == steps + MORE_STEPS
    if hasattr(restored, "deferred_status"):
        restored.deferred_status.assert_consumed()


def test_resume_in_a_new_process(tmp_path):
    steps = 2 * SYNC_PERIOD + 1
    expected = uninterrupted_weights("adam", steps + MORE_STEPS)
    model = compiled_model("adam")
    train(model, 0, steps)
    model.save(tmp_path / "model.keras")
    features, targets = data(steps + MORE_STEPS)
    np.savez(
        tmp_path / "data.npz",
        features=features[steps * BATCH :],
        targets=targets[steps * BATCH :],
    )
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.resume_in_new_process",
            str(tmp_path / "model.keras"),
            str(tmp_path / "data.npz"),
            str(tmp_path / "weights.npz"),
            str(BATCH),
        ],
        cwd=HERE.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    with np.load(tmp_path / "weights.npz") as saved:
        got = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    assert_same_weights(got, expected)


def test_keras_file_restores_config_slow_weights_and_iterations(tmp_path):
    model = compiled_model("adam")
    train(model, 0, 4)
    restored = save_keras(model, "adam", str(tmp_path))
    assert restored.optimizer.get_config() == model.optimizer.get_config()
    assert int(restored.optimizer.iterations.numpy()) == 4
    for got, want in zip(restored.optimizer.slow_weights, model.optimizer.slow_weights):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    # After 4 steps with k=3 the slow weights are those of step 3, not the
    # model's weights and not zero.
    assert not np.allclose(
        restored.optimizer.slow_weights[0].numpy(), restored.get_weights()[0]
    )


def test_saved_model_keeps_the_optimizer_variables(tmp_path):
    model = compiled_model("sgd_momentum")
    train(model, 0, 4)
    tf.saved_model.save(model, str(tmp_path / "saved_model"))
    loaded = tf.saved_model.load(str(tmp_path / "saved_model"))
    assert int(loaded.optimizer._iterations.numpy()) == 4
    for got, want in zip(loaded.optimizer._slow_weights, model.optimizer.slow_weights):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    inner_iterations = loaded.optimizer.inner_optimizer._iterations.numpy()
    assert int(inner_iterations) == 4


def test_export_for_serving_predicts_like_the_model(tmp_path):
    model = compiled_model("adam")
    train(model, 0, 4)
    model.export(str(tmp_path / "served"), verbose=False)
    served = tf.saved_model.load(str(tmp_path / "served"))
    features, _ = data(1)
    np.testing.assert_allclose(
        served.serve(features).numpy(), model.predict(features, verbose=0), rtol=1e-6
    )


def test_load_weights_into_an_unbuilt_lookahead_warns_loudly(tmp_path):
    model = compiled_model("adam")
    train(model, 0, 4)
    model.save_weights(tmp_path / "model.weights.h5")
    restored = compiled_model("adam")
    with pytest.warns(UserWarning, match="were NOT loaded"):
        restored.load_weights(tmp_path / "model.weights.h5")
    assert_same_weights(restored.get_weights(), model.get_weights(), rtol=0)


def test_weights_of_another_inner_optimizer_raise(tmp_path):
    model = compiled_model("sgd_momentum")
    train(model, 0, 4)
    model.save_weights(tmp_path / "model.weights.h5")
    restored = compiled_model("adam")
    restored.optimizer.build(restored.trainable_variables)
    with pytest.raises(
        ValueError, match=r"the state of an inner SGD, but this optimizer wraps a"
    ):
        restored.load_weights(tmp_path / "model.weights.h5")


def test_keras_file_with_a_different_variable_count_raises(tmp_path):
    model = compiled_model("sgd_momentum")
    train(model, 0, 4)
    model.save(tmp_path / "model.keras")
    # Simulates a file whose optimizer layout differs from this version's:
    # the config says "no momentum", so the rebuilt optimizer has fewer
    # variables than the file.
    with zipfile.ZipFile(tmp_path / "model.keras") as original:
        files = {name: original.read(name) for name in original.namelist()}
    files["config.json"] = files["config.json"].replace(
        b'"momentum": 0.9', b'"momentum": 0.0'
    )
    with zipfile.ZipFile(tmp_path / "edited.keras", "w") as edited:
        for name, content in files.items():
            edited.writestr(name, content)
    with pytest.raises(ValueError, match="1 step counter, 4 slow weights"):
        keras.models.load_model(tmp_path / "edited.keras")


def test_checkpoint_of_another_inner_optimizer_does_not_restore_quietly(tmp_path):
    model = compiled_model("adam")
    train(model, 0, 4)
    path = tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(
        str(tmp_path / "ckpt")
    )

    momentum_model = compiled_model("sgd_momentum")
    momentum_model.optimizer.build(momentum_model.trainable_variables)
    with pytest.raises(ValueError, match="incompatible"):
        tf.train.Checkpoint(
            model=momentum_model, optimizer=momentum_model.optimizer
        ).restore(path)

    plain_model = new_model()
    plain_model.compile(Lookahead(keras.optimizers.SGD(0.1)), "mse")
    plain_model.optimizer.build(plain_model.trainable_variables)
    status = tf.train.Checkpoint(
        model=plain_model, optimizer=plain_model.optimizer
    ).restore(path)
    with pytest.raises(AssertionError, match="inner_optimizer"):
        status.assert_consumed()


def test_variable_order_is_the_documented_contract():
    model = compiled_model("sgd_momentum")
    model.optimizer.build(model.trainable_variables)
    paths = [v.path for v in model.optimizer.variables]
    slow = [
        f"Lookahead/sequential_dense{suffix}_{kind}_slow"
        for suffix in ("", "_1")
        for kind in ("kernel", "bias")
    ]
    momentums = [name.replace("_slow", "_momentum") for name in slow]
    assert paths == (
        ["Lookahead/iteration"]
        + slow
        + ["sgd/iteration", "sgd/learning_rate"]
        + [name.replace("Lookahead/", "sgd/") for name in momentums]
    )


def test_file_written_by_version_0_1_0_still_loads():
    model = keras.models.load_model(HERE / "data" / golden_files.KERAS_FILE)
    reference_model = golden_files.new_model()
    reference = ReferenceLookahead(
        golden_files.new_inner_optimizer(),
        golden_files.SYNC_PERIOD,
        golden_files.SLOW_STEP_SIZE,
    )
    loss = keras.losses.MeanSquaredError()
    for features, targets in golden_files.batches():
        with tf.GradientTape() as tape:
            value = loss(targets, reference_model(features))
        grads = tape.gradient(value, reference_model.trainable_variables)
        reference.apply(grads, reference_model.trainable_variables)

    assert int(model.optimizer.iterations.numpy()) == golden_files.STEPS
    assert model.optimizer.sync_period == golden_files.SYNC_PERIOD
    assert_same_weights(model.get_weights(), reference_model.get_weights(), rtol=1e-5)
    assert_same_weights(
        [s.numpy() for s in model.optimizer.slow_weights],
        reference.slow_weights,
        rtol=1e-5,
    )


@pytest.mark.with_device(test_utils.ALL_DEVICES)
def test_model_trained_on_each_device_saves_and_resumes(device, tmp_path):
    steps = 2 * SYNC_PERIOD + 1
    expected = uninterrupted_weights("adam", steps + MORE_STEPS)
    model = compiled_model("adam")
    train(model, 0, steps)
    slow_before = [s.numpy() for s in model.optimizer.slow_weights]
    restored = save_keras(model, "adam", str(tmp_path))
    assert restored.optimizer._distribution_strategy is test_utils.strategy_of(device)
    for got, want in zip(restored.optimizer.slow_weights, slow_before):
        np.testing.assert_array_equal(got.numpy(), want)
    train(restored, steps, steps + MORE_STEPS)
    assert_same_weights(restored.get_weights(), expected, rtol=1e-5)
