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
"""Evaluating with the slow weights: slow_weights_in_model, swap_weights and
finalize_with_slow_weights against the reference run."""

import keras
import numpy as np
import pytest

from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.utils import test_utils
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.fit_helpers import assert_weights_close, fit, linear_data, mlp, reference_fit

DEVICES = test_utils.ALL_DEVICES
# 12 updates with k=5: the last sync was at update 10, so fast != slow.
SYNC_PERIOD = 5


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
