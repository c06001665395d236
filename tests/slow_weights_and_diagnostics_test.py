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
"""Evaluating with the slow weights, and the diagnostics callback."""

import glob

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.util import event_pb2

from tensorflow_lookahead.callbacks import LookaheadCallback, LookaheadDiagnostics
from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.utils import test_utils
from fit_helpers import assert_weights_close, fit, linear_data, mlp, reference_fit
from reference_lookahead import ReferenceLookahead

DEVICES = test_utils.ALL_DEVICES
# 12 updates with k=5: the last sync was at update 10, so fast != slow.
SYNC_PERIOD = 5


def sgd_momentum():
    return keras.optimizers.SGD(0.05, momentum=0.9)


def mse_with_weights(weights):
    model = mlp()
    model.set_weights([np.asarray(w, dtype="float32") for w in weights])
    features, targets, _ = linear_data()
    predictions = model.predict(features, verbose=0)
    return float(np.mean((predictions - targets) ** 2))


@pytest.mark.with_device(DEVICES)
def test_slow_weights_in_model_swaps_in_and_out(device):
    expected_fast, expected_slow = test_utils.run_on_default_device(
        reference_fit, sgd_momentum, SYNC_PERIOD, 0.5
    )
    model = mlp()
    optimizer = Lookahead(sgd_momentum(), sync_period=SYNC_PERIOD)
    fit(model, optimizer)
    features, targets, _ = linear_data()
    with optimizer.slow_weights_in_model():
        assert_weights_close(model, expected_slow)
        slow_loss = model.evaluate(features, targets, batch_size=64, verbose=0)
    assert_weights_close(model, expected_fast)
    for slow, want in zip(optimizer.slow_weights, expected_slow):
        np.testing.assert_allclose(slow.numpy(), want, rtol=1e-5, atol=1e-6)
    reference_loss = test_utils.run_on_default_device(mse_with_weights, expected_slow)
    assert slow_loss == pytest.approx(reference_loss, rel=1e-5)
    assert not np.allclose(expected_fast[0], expected_slow[0])


def test_training_continues_unchanged_after_evaluating_slow_weights():
    expected_fast, _ = reference_fit(sgd_momentum, SYNC_PERIOD, 0.5, epochs=4)
    model = mlp()
    optimizer = Lookahead(sgd_momentum(), sync_period=SYNC_PERIOD)
    fit(model, optimizer, epochs=2)
    with optimizer.slow_weights_in_model():
        pass
    model.fit(*linear_data()[:2], batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert_weights_close(model, expected_fast)


def test_fast_weights_come_back_when_the_block_raises():
    model = mlp()
    optimizer = Lookahead(sgd_momentum(), sync_period=SYNC_PERIOD)
    fit(model, optimizer)
    fast = [v.numpy() for v in model.trainable_variables]
    with pytest.raises(RuntimeError):
        with optimizer.slow_weights_in_model():
            raise RuntimeError("evaluation failed")
    assert_weights_close(model, fast, rtol=0)


def test_swap_weights_before_build_raises_and_before_training_is_identity():
    model = mlp()
    optimizer = Lookahead(sgd_momentum())
    with pytest.raises(ValueError, match="built"):
        optimizer.swap_weights()
    optimizer.build(model.trainable_variables)
    initial = [v.numpy() for v in model.trainable_variables]
    with optimizer.slow_weights_in_model():
        assert_weights_close(model, initial, rtol=0)


@pytest.mark.with_device(DEVICES)
def test_finalize_with_slow_weights_ends_fit_on_the_slow_weights(device):
    _, expected_slow = test_utils.run_on_default_device(
        reference_fit, sgd_momentum, SYNC_PERIOD, 0.5
    )
    model = mlp()
    optimizer = Lookahead(
        sgd_momentum(), sync_period=SYNC_PERIOD, finalize_with_slow_weights=True
    )
    fit(model, optimizer)
    assert_weights_close(model, expected_slow)


def test_finalize_with_slow_weights_rejects_an_ema_inner():
    with pytest.raises(ValueError, match="finalize_with_slow_weights"):
        Lookahead(keras.optimizers.SGD(use_ema=True), finalize_with_slow_weights=True)


def reference_distances(sync_period, updates):
    """Fast-to-slow distances after each update, from the reference run."""
    model = mlp()
    features, targets, _ = linear_data()
    reference = ReferenceLookahead(sgd_momentum(), sync_period, 0.5)
    loss_fn = keras.losses.MeanSquaredError()
    distances = []
    for step in range(updates):
        batch = slice(16 * (step % 4), 16 * (step % 4 + 1))
        with tf.GradientTape() as tape:
            loss = loss_fn(targets[batch], model(features[batch]))
        grads = tape.gradient(loss, model.trainable_variables)
        reference.apply(grads, model.trainable_variables)
        squared = sum(
            np.sum((v.numpy() - slow) ** 2)
            for v, slow in zip(model.trainable_variables, reference.slow_weights)
        )
        distances.append(np.sqrt(squared))
    return distances


@pytest.mark.with_device(DEVICES)
def test_diagnostics_distances_follow_the_reference(device):
    expected = test_utils.run_on_default_device(reference_distances, SYNC_PERIOD, 12)
    model = mlp()
    diagnostics = LookaheadDiagnostics(every_n_steps=1)
    history = fit(
        model,
        Lookahead(sgd_momentum(), sync_period=SYNC_PERIOD),
        callbacks=[diagnostics],
    )
    np.testing.assert_allclose(
        diagnostics.history["lookahead_distance"], expected, rtol=1e-4, atol=1e-6
    )
    assert diagnostics.history["step"] == list(range(1, 13))
    assert diagnostics.history["lookahead_syncs"] == [s // 5 for s in range(1, 13)]
    assert history.history["lookahead_syncs"] == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(
        history.history["lookahead_distance"],
        [expected[3], expected[7], expected[11]],
        rtol=1e-4,
    )


def test_per_layer_distances_add_up_to_the_global_distance():
    model = mlp()
    optimizer = Lookahead(sgd_momentum(), sync_period=SYNC_PERIOD)
    fit(model, optimizer, epochs=1)
    diagnostics = LookaheadDiagnostics()
    diagnostics.set_model(model)
    diagnostics.on_train_begin()
    values = diagnostics.distances()
    layers = [k for k in values if k.startswith("lookahead_distance/")]
    assert len(layers) == 2
    np.testing.assert_allclose(
        np.sqrt(sum(values[k] ** 2 for k in layers)), values["lookahead_distance"]
    )
    slow_norm = np.sqrt(sum(np.sum(s.numpy() ** 2) for s in optimizer.slow_weights))
    np.testing.assert_allclose(
        values["lookahead_relative_distance"],
        values["lookahead_distance"] / slow_norm,
        rtol=1e-6,
    )


def test_diagnostics_write_tensorboard_scalars(tmp_path):
    model = mlp()
    diagnostics = LookaheadDiagnostics(every_n_steps=2, log_dir=str(tmp_path))
    fit(model, Lookahead(sgd_momentum(), sync_period=3), callbacks=[diagnostics])
    steps_by_tag = {}
    for path in glob.glob(str(tmp_path / "events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(path):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                steps_by_tag.setdefault(value.tag, []).append(event.step)
    assert steps_by_tag["lookahead_distance"] == [2, 4, 6, 8, 10, 12]
    assert steps_by_tag["lookahead_syncs"] == [2, 4, 6, 8, 10, 12]
    assert any(tag.startswith("lookahead_distance/") for tag in steps_by_tag)


def test_diagnostics_work_with_the_callback_and_need_lookahead():
    model = mlp()
    diagnostics = LookaheadDiagnostics()
    with pytest.raises(ValueError, match="Lookahead"):
        fit(model, sgd_momentum(), callbacks=[diagnostics])
    history = fit(mlp(), sgd_momentum(), callbacks=[LookaheadCallback(3), diagnostics])
    assert history.history["lookahead_syncs"] == [1.0, 2.0, 4.0]


def test_diagnostics_reject_bad_arguments():
    with pytest.raises(ValueError, match="every_n_steps"):
        LookaheadDiagnostics(every_n_steps=0)
    with pytest.raises(TypeError, match="log_dir"):
        LookaheadDiagnostics(log_dir=3)
