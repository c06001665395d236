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
"""`Lookahead(..., inner_state_at_sync=...)` on every backend, against NumPy."""

import keras
import numpy as np
import pytest

from tensorflow_lookahead import Lookahead
from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.linear_problem import BACKEND
from tests.backend_neutral.linear_problem import BATCH
from tests.backend_neutral.linear_problem import COMPILED
from tests.backend_neutral.linear_problem import EAGER
from tests.backend_neutral.linear_problem import MODES
from tests.backend_neutral.linear_problem import assert_weights
from tests.backend_neutral.linear_problem import compile_and_fit
from tests.backend_neutral.linear_problem import linear_model
from tests.backend_neutral.linear_problem import problem
from tests.backend_neutral.reference_lookahead import NumpyLinearRegression

INNER_STATE_MODES = ["keep", "reset", "pullback"]


class NumpyInnerStateAtSync(NumpyLinearRegression):
    """Algorithm 1 around SGD with momentum, with the momentum rule at a sync.

    "reset": the momentum becomes zero; "pullback": it becomes
    `alpha * momentum + (1 - alpha) * cached`, and `cached` (zeros at first)
    takes that value.
    """

    def __init__(self, kernel, bias, sync_period, slow_step_size, mode):
        super().__init__(kernel, bias, "sgd_momentum", sync_period, slow_step_size)
        self.mode = mode
        self.cached = [np.zeros_like(w) for w in self.weights]

    def step(self, features, targets):
        grads = self.gradients(features.astype(np.float64), targets)
        fast = [
            w + self._inner_delta(i, g)
            for i, (w, g) in enumerate(zip(self.weights, grads))
        ]
        if not self.count_update():
            self.weights = fast
            return
        self.weights = self.sync(fast)
        momentums = self.moments[0]
        alpha = self.slow_step_size
        for index, momentum in enumerate(momentums):
            if self.mode == "reset":
                momentums[index] = np.zeros_like(momentum)
            elif self.mode == "pullback":
                momentums[index] = alpha * momentum + (1 - alpha) * self.cached[index]
                self.cached[index] = momentums[index].copy()


def reference(sync_period, slow_step_size, steps, mode):
    """(weights, slow weights, momentums) after `steps` batches."""
    features, targets, kernel, bias = problem(steps)
    algorithm = NumpyInnerStateAtSync(kernel, bias, sync_period, slow_step_size, mode)
    for step in range(steps):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        algorithm.step(features[batch], targets[batch])
    return algorithm.weights, algorithm.slow_weights, algorithm.moments[0]


def lookahead(sync_period, slow_step_size, mode):
    return Lookahead(
        INNERS["sgd_momentum"](),
        sync_period,
        slow_step_size,
        inner_state_at_sync=mode,
    )


def assert_state(model, optimizer, expected):
    weights, slow_weights, momentums = expected
    assert_weights(model.trainable_variables, weights)
    assert_weights(optimizer.slow_weights, slow_weights)
    assert_weights(optimizer.inner_optimizer.momentums, momentums)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sync_period,slow_step_size", [(1, 0.5), (3, 0.5), (2, 0.8)])
@pytest.mark.parametrize("inner_state_at_sync", INNER_STATE_MODES)
def test_fit_matches_reference(inner_state_at_sync, sync_period, slow_step_size, mode):
    steps = 7
    expected = reference(sync_period, slow_step_size, steps, inner_state_at_sync)
    model = linear_model(steps)
    optimizer = lookahead(sync_period, slow_step_size, inner_state_at_sync)
    compile_and_fit(model, optimizer, steps, mode)
    assert_state(model, optimizer, expected)


@pytest.mark.skipif(BACKEND != "torch", reason="MODES covers the others")
@pytest.mark.parametrize("inner_state_at_sync", ["reset", "pullback"])
def test_torch_compiled_fit_matches_reference(inner_state_at_sync):
    steps = 7
    expected = reference(3, 0.5, steps, inner_state_at_sync)
    model = linear_model(steps)
    optimizer = lookahead(3, 0.5, inner_state_at_sync)
    compile_and_fit(model, optimizer, steps, COMPILED)
    assert_state(model, optimizer, expected)


def test_modes_give_different_trajectories():
    """The reference is not blind to the mode: each one changes training."""
    finals = [reference(2, 0.5, 7, mode)[0][0] for mode in INNER_STATE_MODES]
    for index, weights in enumerate(finals):
        for other in finals[index + 1 :]:
            assert np.abs(weights - other).max() > 1e-3


@pytest.mark.parametrize("steps_before_save", [2, 4, 5])
def test_keras_file_mid_cycle_resumes_pullback_exactly(tmp_path, steps_before_save):
    sync_period, slow_step_size, more_steps = 3, 0.5, 4
    total = steps_before_save + more_steps
    expected = reference(sync_period, slow_step_size, total, "pullback")
    model = linear_model(total)
    optimizer = lookahead(sync_period, slow_step_size, "pullback")
    compile_and_fit(model, optimizer, steps_before_save, EAGER)
    path = tmp_path / "model.keras"
    model.save(path)
    keras.backend.clear_session()
    restored = keras.models.load_model(path)
    assert restored.optimizer.inner_state_at_sync == "pullback"
    compile_and_fit(
        restored, restored.optimizer, more_steps, EAGER, first_step=steps_before_save
    )
    assert_state(restored, restored.optimizer, expected)


def test_pullback_keeps_one_cached_momentum_per_variable():
    model = linear_model(1)
    keep = lookahead(3, 0.5, "keep")
    pullback = lookahead(3, 0.5, "pullback")
    keep.build(model.trainable_variables)
    pullback.build(model.trainable_variables)
    extra = len(pullback.variables) - len(keep.variables)
    assert extra == len(model.trainable_variables)


def test_file_of_another_mode_is_refused_and_nothing_loads(tmp_path):
    model = linear_model(4)
    compile_and_fit(model, lookahead(3, 0.5, "keep"), 4, EAGER)
    path = tmp_path / "model.weights.h5"
    model.save_weights(path)
    other = linear_model(4)
    optimizer = lookahead(3, 0.5, "pullback")
    optimizer.build(other.trainable_variables)
    before = [keras.ops.convert_to_numpy(v) for v in optimizer.variables]
    other.compile(optimizer=optimizer, loss="mse")
    with pytest.raises(ValueError, match="Cannot restore Lookahead"):
        other.load_weights(path)
    for variable, value in zip(optimizer.variables, before):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), value)


@pytest.mark.parametrize("inner_state_at_sync", ["reset", "pullback"])
def test_sgd_without_momentum_has_no_state_to_change(inner_state_at_sync):
    steps = 7
    trajectories = []
    for mode in ["keep", inner_state_at_sync]:
        model = linear_model(steps)
        optimizer = Lookahead(
            keras.optimizers.SGD(0.05), 3, 0.5, inner_state_at_sync=mode
        )
        compile_and_fit(model, optimizer, steps, EAGER)
        trajectories.append([keras.ops.convert_to_numpy(v) for v in model.weights])
    for keep, other in zip(*trajectories):
        np.testing.assert_array_equal(keep, other)


def test_config_round_trip_and_configs_without_the_key_keep():
    optimizer = lookahead(3, 0.5, "pullback")
    config = optimizer.get_config()
    assert config["inner_state_at_sync"] == "pullback"
    assert Lookahead.from_config(config).inner_state_at_sync == "pullback"
    del config["inner_state_at_sync"]
    assert Lookahead.from_config(config).inner_state_at_sync == "keep"


@pytest.mark.parametrize("value", ["pull_back", "Reset", ""])
def test_unknown_mode_raises_naming_the_argument(value):
    with pytest.raises(ValueError, match=r"`inner_state_at_sync` must be one of"):
        Lookahead("sgd", inner_state_at_sync=value)


@pytest.mark.parametrize("inner", ["adam", "rmsprop"])
@pytest.mark.parametrize("inner_state_at_sync", ["reset", "pullback"])
def test_modes_other_than_keep_refuse_inner_optimizers_other_than_sgd(
    inner, inner_state_at_sync
):
    with pytest.raises(ValueError, match="defined for an inner keras.optimizers.SGD"):
        Lookahead(inner, inner_state_at_sync=inner_state_at_sync)
    assert Lookahead(inner, inner_state_at_sync="keep").inner_state_at_sync == "keep"
