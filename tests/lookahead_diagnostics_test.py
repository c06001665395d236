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
"""LookaheadDiagnostics: fast-to-slow distances against the reference run."""

import glob
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead.callbacks import LookaheadCallback, LookaheadDiagnostics
from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.utils import test_utils
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.backend_neutral.reference_lookahead import ReferenceLookahead
from tests.fit_helpers import TF_KERAS_MODEL_ERROR, compiled_tf_keras_model
from tests.fit_helpers import fit, linear_data, mlp

DEVICES = test_utils.ALL_DEVICES
SYNC_PERIOD = 5


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


def test_diagnostics_take_numpy_integers_and_paths(tmp_path):
    log_dir = pathlib.Path(tmp_path) / "diagnostics"
    diagnostics = LookaheadDiagnostics(every_n_steps=np.int64(2), log_dir=log_dir)
    fit(mlp(), Lookahead(sgd_momentum(), sync_period=3), callbacks=[diagnostics])
    # Three epochs of four batches, recorded at every second step.
    assert diagnostics.history["step"] == [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    assert glob.glob(str(log_dir / "events.out.tfevents.*"))


@pytest.mark.parametrize("every_n_steps", [True, False])
def test_diagnostics_reject_a_bool_every_n_steps(every_n_steps):
    with pytest.raises(
        TypeError,
        match=(
            "`every_n_steps` must be None or an integer >= 1, not a bool. "
            f"Received: every_n_steps={every_n_steps}"
        ),
    ):
        LookaheadDiagnostics(every_n_steps=every_n_steps)


def test_diagnostics_reject_a_tf_keras_model_and_name_the_tf_keras_optimizer():
    model = compiled_tf_keras_model()
    features, targets, _ = linear_data()
    error = TF_KERAS_MODEL_ERROR.format(user="LookaheadDiagnostics")
    with pytest.raises(TypeError, match=error):
        model.fit(features, targets, callbacks=[LookaheadDiagnostics()], verbose=0)
