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
"""Attaching a Lookahead to a compiled model and detaching it (model_attachment).

The plumbing of the callbacks and of `compat.Lookahead.inject`, on its own;
the trajectories they give are tested in lookahead_callback_test.py.
"""

import keras
import pytest

from tensorflow_lookahead.callbacks import model_attachment
from tensorflow_lookahead.optimizers import Lookahead
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.backend_neutral.linear_problem import linear_model


def compiled_model(optimizer):
    model = linear_model(steps=1)
    model.compile(optimizer=optimizer, loss="mse")
    return model


def test_find_lookahead_follows_the_inner_optimizers():
    lookahead = Lookahead(sgd_momentum())
    scaled = keras.optimizers.LossScaleOptimizer(lookahead)
    assert model_attachment.find_lookahead(scaled) is lookahead
    assert model_attachment.find_lookahead(lookahead.inner_optimizer) is None
    assert model_attachment.find_lookahead(None) is None


def test_trained_optimizer_is_inside_the_loss_scale_optimizer():
    inner = sgd_momentum()
    model = compiled_model(keras.optimizers.LossScaleOptimizer(inner))
    assert model_attachment.trained_optimizer(model) is inner
    with pytest.raises(ValueError, match="compile"):
        model_attachment.trained_optimizer(linear_model(steps=1))


@pytest.mark.parametrize("loss_scaled", [False, True], ids=["plain", "loss_scaled"])
def test_attach_then_detach_gives_the_model_its_optimizer_back(loss_scaled):
    inner = sgd_momentum()
    optimizer = keras.optimizers.LossScaleOptimizer(inner) if loss_scaled else inner
    model = compiled_model(optimizer)
    lookahead = Lookahead(inner)
    model_attachment.attach_lookahead(model, lookahead)
    assert model_attachment.trained_optimizer(model) is lookahead
    assert lookahead.built  # slow weights from the model's current weights
    model_attachment.detach_lookahead(model, lookahead)
    assert model.optimizer is optimizer
    assert model_attachment.trained_optimizer(model) is inner


def test_attach_rejects_another_optimizer_and_a_second_lookahead():
    inner = sgd_momentum()
    model = compiled_model(inner)
    with pytest.raises(ValueError, match="must wrap the model's own optimizer"):
        model_attachment.attach_lookahead(model, Lookahead(sgd_momentum()))
    model_attachment.attach_lookahead(model, Lookahead(inner))
    with pytest.raises(ValueError, match="already is a Lookahead"):
        model_attachment.attach_lookahead(model, Lookahead(model.optimizer))


def test_only_a_lookahead_attached_for_a_fit_is_continued():
    inner = sgd_momentum()
    model = compiled_model(inner)
    settings = {"k": ("sync_period", 6)}
    assert model_attachment.continued_lookahead(model, settings) is None
    for_fit = Lookahead(inner, sync_period=6)
    model_attachment.attach_lookahead(model, for_fit, for_fit=True)
    assert model_attachment.continued_lookahead(model, settings) is for_fit
    with pytest.raises(ValueError, match="other settings.*Received: k=5"):
        model_attachment.continued_lookahead(model, {"k": ("sync_period", 5)})
    # Continued for good, it no longer counts as left by a fit.
    assert model_attachment.continued_lookahead(model, settings, False) is for_fit
    with pytest.raises(ValueError, match="already is a Lookahead"):
        model_attachment.continued_lookahead(model, settings)
