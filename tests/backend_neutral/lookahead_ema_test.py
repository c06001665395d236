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
"""Lookahead around an inner optimizer with `use_ema=True`, on every backend.

`keras.callbacks.SwapEMAWeights` evaluates on the inner optimizer's moving
averages, also when `compile` wraps Lookahead in a `LossScaleOptimizer`
(`mixed_float16`). The reference is the same inner optimizer alone with
Algorithm 1 as a callback and the same `SwapEMAWeights`.
"""

import keras
import numpy as np
import pytest

from tensorflow_lookahead import Lookahead
from tests.backend_neutral.linear_problem import BATCH
from tests.backend_neutral.linear_problem import COMPILED
from tests.backend_neutral.linear_problem import EAGER
from tests.backend_neutral.linear_problem import MODES
from tests.backend_neutral.linear_problem import assert_weights
from tests.backend_neutral.linear_problem import linear_model
from tests.backend_neutral.linear_problem import problem
from tests.backend_neutral.reference_lookahead import ReferenceLookaheadCallback

SYNC_PERIOD = 3
SLOW_STEP_SIZE = 0.5
STEPS_PER_EPOCH = 4
EPOCHS = 3


def ema_adam():
    return keras.optimizers.Adam(0.02, use_ema=True, ema_momentum=0.9)


def fit_with_swap_ema_weights(optimizer, mode, swap_on_epoch, callbacks=()):
    """`fit` with `SwapEMAWeights` and validation data; returns model, losses."""
    features, targets, _, _ = problem(STEPS_PER_EPOCH)
    validation_features, validation_targets, _, _ = problem(STEPS_PER_EPOCH, seed=1)
    model = linear_model(STEPS_PER_EPOCH)
    model.compile(
        optimizer=optimizer,
        loss="mse",
        run_eagerly=mode == EAGER,
        jit_compile=mode == COMPILED,
    )
    history = model.fit(
        features,
        targets,
        batch_size=BATCH,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
        validation_data=(validation_features, validation_targets),
        callbacks=list(callbacks)
        + [keras.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)],
    )
    return model, history.history["val_loss"]


@pytest.mark.parametrize("swap_on_epoch", [False, True], ids=["test", "epoch"])
@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])
@pytest.mark.parametrize("mode", MODES)
def test_swap_ema_weights_validates_on_the_inner_averages(mode, policy, swap_on_epoch):
    keras.mixed_precision.set_global_policy(policy)
    reference_model, reference_losses = fit_with_swap_ema_weights(
        ema_adam(),
        mode,
        swap_on_epoch,
        callbacks=[ReferenceLookaheadCallback(SYNC_PERIOD, SLOW_STEP_SIZE)],
    )
    optimizer = Lookahead(ema_adam(), SYNC_PERIOD, SLOW_STEP_SIZE)
    model, losses = fit_with_swap_ema_weights(optimizer, mode, swap_on_epoch)
    if policy == "mixed_float16":
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
        assert model.optimizer.inner_optimizer is optimizer
    rtol = 1e-3 if policy == "mixed_float16" else 2e-5
    np.testing.assert_allclose(losses, reference_losses, rtol=rtol)
    # Both models end on the moving averages (fit's finalize_variable_values).
    assert_weights(
        model.trainable_variables,
        [keras.ops.convert_to_numpy(v) for v in reference_model.trainable_variables],
        rtol=rtol,
    )


def test_swapped_in_averages_pair_with_model_variables_if_inner_was_built_first():
    # The inner optimizer built on the variables in another order: kernel
    # (4, 1) and bias (1,) must not be swapped with each other's average.
    model = linear_model(1)
    variables = model.trainable_variables
    inner = ema_adam()
    inner.build(variables[::-1])
    for average, variable in zip(
        inner._model_variables_moving_average, inner._trainable_variables
    ):
        average.assign(keras.ops.add(variable, 1.0))
    weights = model.get_weights()
    model.compile(
        optimizer=keras.optimizers.LossScaleOptimizer(Lookahead(inner)), loss="mse"
    )
    model.optimizer.build(variables)
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_test_batch_begin=lambda batch, logs: seen.append(model.get_weights())
    )
    features, targets, _, _ = problem(1)
    model.evaluate(
        features,
        targets,
        verbose=0,
        callbacks=[keras.callbacks.SwapEMAWeights(), record],
    )
    assert_weights(seen[0], [w + 1.0 for w in weights])
    assert_weights(variables, weights)


def test_lookahead_without_inner_ema_is_rejected_by_swap_ema_weights(float16_policy):
    # As with the inner optimizer alone: Keras' own error, naming use_ema.
    with pytest.raises(ValueError, match="use_ema=False"):
        fit_with_swap_ema_weights(
            Lookahead(keras.optimizers.Adam(0.02)), EAGER, swap_on_epoch=False
        )
