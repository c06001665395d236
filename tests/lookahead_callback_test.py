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
"""LookaheadCallback (TensorFlow backend): the optimizer's trajectory under fit.

On every device and under MirroredStrategy; the backend-neutral behaviour is
tested in tests/backend_neutral/lookahead_callback_test.py.
"""

import keras
import numpy as np
import pytest

from tensorflow_lookahead.callbacks import LookaheadCallback, model_attachment
from tensorflow_lookahead.utils import test_utils
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.fit_helpers import assert_weights_close, fit, linear_data, mlp
from tests.fit_helpers import TF_KERAS_MODEL_ERROR, compiled_tf_keras_model
from tests.fit_helpers import reference_fit, reference_fit_weights

DEVICES = test_utils.ALL_DEVICES


class OptimizerProbe(keras.callbacks.Callback):
    """Records the model's optimizer as seen by the batches of `fit`."""

    def __init__(self):
        super().__init__()
        self.seen = set()

    def on_train_batch_end(self, batch, logs=None):
        lookahead = model_attachment.find_lookahead(self.model.optimizer)
        self.seen.add(None if lookahead is None else id(lookahead))


@pytest.mark.with_device(DEVICES)
def test_callback_matches_reference(device):
    expected = test_utils.run_on_default_device(
        reference_fit_weights, sgd_momentum, 3, 0.5
    )
    model = mlp()
    inner = sgd_momentum()
    callback = LookaheadCallback(sync_period=3, slow_step_size=0.5)
    probe = OptimizerProbe()
    fit(model, inner, callbacks=[callback, probe])
    assert_weights_close(model, expected)
    assert probe.seen == {id(callback.optimizer)}
    assert model.optimizer is inner
    assert int(callback.optimizer.sync_count) == 4


def test_callback_with_steps_per_execution_matches_reference():
    expected = reference_fit_weights(sgd_momentum, 3, 0.5)
    model = mlp()
    callback = LookaheadCallback(sync_period=3, slow_step_size=0.5)
    fit(model, sgd_momentum(), callbacks=[callback], steps_per_execution=4)
    assert_weights_close(model, expected)


def test_callback_continues_across_fits_and_after_a_plain_fit():
    expected_fast, _ = reference_fit(sgd_momentum, 5, 0.5, epochs=4)
    model = mlp()
    inner = sgd_momentum()
    callback = LookaheadCallback(sync_period=5, slow_step_size=0.5)
    fit(model, inner, epochs=2, callbacks=[callback])
    # 8 updates so far: the state at update 8 must carry into the next fit.
    model.fit(
        *_data(),
        batch_size=16,
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[callback],
    )
    assert_weights_close(model, expected_fast)
    assert int(callback.optimizer.iterations) == 16


def test_callback_under_mixed_float16_wraps_the_loss_scaled_optimizer(
    float16_policy,
):
    expected = reference_fit_weights(sgd_momentum, 3, 0.5)
    model = mlp()
    callback = LookaheadCallback(sync_period=3)
    probe = OptimizerProbe()
    fit(model, sgd_momentum(), callbacks=[callback, probe])
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert probe.seen == {id(callback.optimizer)}
    assert model.optimizer.inner_optimizer is callback.optimizer.inner_optimizer
    for got, want in zip(model.trainable_variables, expected):
        assert np.all(np.isfinite(got.numpy()))
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-2, atol=1e-3)


def test_callback_finalize_with_slow_weights_ends_on_the_slow_weights():
    _, expected_slow = reference_fit(sgd_momentum, 5, 0.5)
    model = mlp()
    callback = LookaheadCallback(sync_period=5, finalize_with_slow_weights=True)
    fit(model, sgd_momentum(), callbacks=[callback])
    assert_weights_close(model, expected_slow)


def test_callback_needs_a_compiled_model():
    model = mlp()
    callback = LookaheadCallback()
    callback.set_model(model)
    with pytest.raises(ValueError, match="compile"):
        callback.on_train_begin()


def test_callback_rejects_a_tf_keras_model_and_names_the_tf_keras_optimizer():
    model = compiled_tf_keras_model()
    weights = model.get_weights()
    callback = LookaheadCallback(sync_period=3)
    error = TF_KERAS_MODEL_ERROR.format(user="LookaheadCallback")
    with pytest.raises(TypeError, match=error):
        model.fit(*_data(), batch_size=16, epochs=1, callbacks=[callback], verbose=0)
    with pytest.raises(TypeError, match=error):
        callback.attach(model)
    # Raised before anything changed.
    assert type(model.optimizer).__name__ == "SGD"
    assert int(model.optimizer.iterations.numpy()) == 0
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "kwargs, error, argument",
    [
        ({"sync_period": 0}, ValueError, "sync_period"),
        ({"sync_period": 1.5}, TypeError, "sync_period"),
        ({"slow_step_size": 2.0}, ValueError, "slow_step_size"),
        ({"slow_step_size": "half"}, TypeError, "slow_step_size"),
        ({"finalize_with_slow_weights": 1}, TypeError, "finalize_with_slow_weights"),
    ],
)
def test_callback_rejects_bad_arguments(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        LookaheadCallback(**kwargs)


def _data():
    features, targets, _ = linear_data()
    return features, targets
