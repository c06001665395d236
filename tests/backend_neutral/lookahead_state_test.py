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
"""Nothing lost, nothing silently wrong: loading, set_weights and bad input.

On every backend: a load that raises leaves the optimizer as it was, another
inner optimizer's state is rejected, the inner optimizer's state is stored
once, `set_weights` sets all or nothing, and mismatched gradients, variables
or cycle lengths raise clear errors. An interrupted `fit` keeps the fast
weights also with `finalize_with_slow_weights` (Keras' JAX trainer finalizes
interrupted fits too).
"""

import copy
import pickle
import warnings

import h5py
import keras
import numpy as np
import pytest

from tensorflow_lookahead import Lookahead
from tensorflow_lookahead.optimizers.saved_state import METADATA_KEYS
from tensorflow_lookahead.utils.arguments import MAX_APPLIED_UPDATES_PER_SYNC
from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.linear_problem import COMPILED
from tests.backend_neutral.linear_problem import BATCH
from tests.backend_neutral.linear_problem import EAGER
from tests.backend_neutral.linear_problem import assert_weights
from tests.backend_neutral.linear_problem import compile_and_fit
from tests.backend_neutral.linear_problem import linear_model
from tests.backend_neutral.linear_problem import problem
from tests.backend_neutral.linear_problem import reference
from tests.backend_neutral.reference_lookahead import NumpyLinearRegression

STEPS = 5


def trained(inner, steps=STEPS):
    model = linear_model(2 * STEPS)
    optimizer = Lookahead(inner, sync_period=3)
    compile_and_fit(model, optimizer, steps, EAGER)
    return model, optimizer


def values(variables):
    return [keras.ops.convert_to_numpy(v).copy() for v in variables]


def assert_unchanged(variables, before):
    for variable, value in zip(variables, before):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), value)


@pytest.mark.parametrize(
    "saved_inner,loading_inner,message",
    [
        # Same count and shapes of variables: only the class tells them apart.
        (
            lambda: keras.optimizers.SGD(0.05, momentum=0.9),
            keras.optimizers.Adagrad,
            "SGD",
        ),
        (keras.optimizers.Adam, keras.optimizers.Adamax, "Adam"),
        # Another count of variables.
        (
            lambda: keras.optimizers.SGD(0.05, momentum=0.9),
            keras.optimizers.Adam,
            "SGD",
        ),
    ],
)
def test_rejected_load_leaves_the_optimizer_as_it_was(
    tmp_path, saved_inner, loading_inner, message
):
    saved_model, _ = trained(saved_inner())
    path = tmp_path / "saved.weights.h5"
    saved_model.save_weights(path)
    model, optimizer = trained(loading_inner(), steps=STEPS + 1)
    before = values(optimizer.variables)
    with pytest.raises(ValueError, match=message) as error:
        model.load_weights(path)
    assert "Nothing of the optimizer was loaded" in str(error.value)
    assert_unchanged(optimizer.variables, before)


def test_weights_file_holds_the_inner_state_once(tmp_path):
    model, optimizer = trained(keras.optimizers.Adam(0.02))
    path = tmp_path / "model.weights.h5"
    model.save_weights(path)
    with h5py.File(path, "r") as saved:
        assert "inner_optimizer" not in saved["optimizer"]
        stored = set(saved["optimizer/vars"].keys())
    assert stored == {str(i) for i in range(len(optimizer.variables))} | METADATA_KEYS


def test_state_saved_with_another_sync_period_is_refused(tmp_path):
    saved_model, _ = trained(keras.optimizers.Adam(0.02))
    path = tmp_path / "saved.weights.h5"
    saved_model.save_weights(path)
    model = linear_model(2 * STEPS)
    optimizer = Lookahead(keras.optimizers.Adam(0.02), sync_period=5)
    compile_and_fit(model, optimizer, 1, EAGER)
    before = values(optimizer.variables)
    with pytest.raises(ValueError, match="saved with sync_period=3, but this"):
        model.load_weights(path)
    assert_unchanged(optimizer.variables, before)


def reference_resumed_from_slow_weights(steps_before, steps_after):
    """Algorithm 1 whose fast weights are set to the slow ones after a step."""
    features, targets, kernel, bias = problem(steps_before + steps_after)
    algorithm = NumpyLinearRegression(kernel, bias, "adam", 3, 0.5)
    for step in range(steps_before + steps_after):
        if step == steps_before:
            algorithm.weights = [slow.copy() for slow in algorithm.slow_weights]
        batch = slice(step * BATCH, (step + 1) * BATCH)
        algorithm.step(features[batch], targets[batch])
    return algorithm.weights, algorithm.slow_weights


def test_file_saved_inside_slow_weights_in_model_holds_true_slow_weights(tmp_path):
    """The file resumes from its slow weights; the saving run goes on exactly."""
    steps_before, steps_after = 4, 4
    expected = reference("adam", 3, 0.5, steps_before + steps_after)
    model = linear_model(steps_before + steps_after)
    optimizer = Lookahead(INNERS["adam"](), sync_period=3)
    compile_and_fit(model, optimizer, steps_before, EAGER)
    path = tmp_path / "slow.keras"
    with optimizer.slow_weights_in_model():
        model.save(path)
    compile_and_fit(model, optimizer, steps_after, EAGER, first_step=steps_before)
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(optimizer.slow_weights, expected[-1][1])

    restored = keras.models.load_model(path)
    slow_after_save = expected[steps_before - 1][1]
    assert_weights(restored.trainable_variables, slow_after_save)
    compile_and_fit(
        restored, restored.optimizer, steps_after, EAGER, first_step=steps_before
    )
    fast, slow = reference_resumed_from_slow_weights(steps_before, steps_after)
    assert_weights(restored.trainable_variables, fast)
    assert_weights(restored.optimizer.slow_weights, slow)


def test_state_without_the_inner_class_name_still_loads():
    """What tensorflow_lookahead 0.1.0 wrote: the variables, keyed by index."""
    _, saved = trained(keras.optimizers.Adam(0.02))
    store = {str(i): v for i, v in enumerate(values(saved.variables))}
    model, optimizer = trained(keras.optimizers.Adam(0.02), steps=1)
    optimizer.load_own_variables(store)
    for variable, value in zip(optimizer.variables, store.values()):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable), value)


def test_set_weights_sets_all_variables_and_training_continues_exactly():
    expected = reference("adam", 3, 0.5, 2 * STEPS)
    _, trained_optimizer = trained(keras.optimizers.Adam(0.02))
    model = linear_model(2 * STEPS)
    model.set_weights(
        [keras.ops.convert_to_numpy(v) for v in trained_optimizer._trainable_variables]
    )
    optimizer = Lookahead(keras.optimizers.Adam(0.02), sync_period=3)
    optimizer.build(model.trainable_variables)
    optimizer.set_weights(values(trained_optimizer.variables))
    assert_unchanged(optimizer.variables, values(trained_optimizer.variables))
    compile_and_fit(model, optimizer, STEPS, EAGER, first_step=STEPS)
    assert_weights(model.trainable_variables, expected[-1][0])


def test_set_weights_that_do_not_fit_set_nothing():
    _, optimizer = trained(keras.optimizers.Adam(0.02))
    before = values(optimizer.variables)
    with pytest.raises(ValueError, match="step counter"):
        optimizer.set_weights(before[:-1])
    wrong_shape = before[:1] + [np.zeros((2, 2))] + before[2:]
    with pytest.raises(ValueError, match="shape"):
        optimizer.set_weights(wrong_shape)
    assert_unchanged(optimizer.variables, before)


def test_set_weights_before_build_raises():
    with pytest.raises(ValueError, match="not built"):
        Lookahead("adam").set_weights([])


@pytest.mark.parametrize("gradient_count", [1, 3])
def test_gradients_must_match_the_variables(gradient_count):
    variables = [keras.Variable([1.0]), keras.Variable([2.0])]
    optimizer = Lookahead(keras.optimizers.SGD(0.1), sync_period=2)
    grads = [keras.ops.ones((1,))] * gradient_count
    with pytest.raises(ValueError, match=f"{gradient_count} gradients for 2"):
        optimizer.apply(grads, variables)
    optimizer.build(variables)
    with pytest.raises(ValueError, match=f"{gradient_count} gradients for 2"):
        optimizer.apply(grads)
    assert_unchanged(variables, [np.array([1.0]), np.array([2.0])])


def test_unknown_variables_raise():
    known, unknown = keras.Variable([1.0]), keras.Variable([2.0])
    optimizer = Lookahead(keras.optimizers.SGD(0.1), sync_period=2)
    optimizer.build([known])
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply([keras.ops.ones((1,))], [unknown])


def test_inner_optimizer_built_on_other_variables_raises():
    first, second = keras.Variable([1.0]), keras.Variable([2.0])
    inner = keras.optimizers.SGD(0.1)
    inner.build([first, second])
    optimizer = Lookahead(inner, sync_period=2)
    with pytest.raises(ValueError, match="already built on 2 variables"):
        optimizer.apply([keras.ops.ones((1,))], [first])


def test_inner_optimizer_built_on_the_same_variables_is_kept():
    variable = keras.Variable([1.0])
    inner = keras.optimizers.SGD(0.1)
    inner.build([variable])
    optimizer = Lookahead(inner, sync_period=2, slow_step_size=0.5)
    for _ in range(2):
        optimizer.apply([keras.ops.ones((1,))], [variable])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), [0.9], 1e-6)


@pytest.mark.skipif(
    keras.backend.backend() == "torch",
    reason="torch has no trainable integer tensors",
)
def test_integer_variables_get_no_slow_weight():
    weight = keras.Variable([1.0])
    count = keras.Variable(np.array([3], dtype="int32"), dtype="int32")
    optimizer = Lookahead(keras.optimizers.SGD(0.1), sync_period=2)
    optimizer.build([weight, count])
    assert optimizer.slow_weights[1] is None
    for _ in range(4):
        optimizer.apply([keras.ops.ones((1,)), keras.ops.zeros((1,), "int32")])
    # The float weight follows Algorithm 1: 1.0 -> 0.8 -> 0.9 -> 0.7 -> 0.8.
    np.testing.assert_allclose(keras.ops.convert_to_numpy(weight), [0.8], 1e-6)
    assert int(optimizer.sync_count) == 2


@pytest.mark.parametrize("sync_period", [MAX_APPLIED_UPDATES_PER_SYNC + 1, 2**63])
def test_sync_period_must_fit_the_step_counter(sync_period):
    with pytest.raises(ValueError, match=r"`sync_period` must be an integer in \[1"):
        Lookahead("sgd", sync_period=sync_period)


def test_longest_cycle_counts_syncs():
    optimizer = Lookahead("sgd", sync_period=MAX_APPLIED_UPDATES_PER_SYNC)
    optimizer.build([keras.Variable([1.0])])
    assert int(optimizer.sync_count) == 0


def test_cycle_with_gradient_accumulation_must_fit_the_step_counter():
    inner = keras.optimizers.SGD(gradient_accumulation_steps=4)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        Lookahead(inner, sync_period=2**30)


class StopAfterBatch(keras.callbacks.Callback):
    def __init__(self, batch):
        super().__init__()
        self.batch = batch

    def on_train_batch_end(self, batch, logs=None):
        if batch == self.batch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("mode", [EAGER, COMPILED])
def test_interrupted_fit_keeps_fast_weights_and_resumes_exactly(mode):
    if keras.backend.backend() == "torch" and mode == COMPILED:
        pytest.skip("torch.compile takes about 40 s per model; eager covers it")
    sync_period, steps, stopped_after = 3, 8, 4
    expected = reference("adam", sync_period, 0.5, steps)
    model = linear_model(steps)
    optimizer = Lookahead(
        INNERS["adam"](), sync_period, 0.5, finalize_with_slow_weights=True
    )
    with pytest.raises(KeyboardInterrupt):
        compile_and_fit(
            model, optimizer, steps, mode, callbacks=[StopAfterBatch(stopped_after - 1)]
        )
    assert_weights(model.trainable_variables, expected[stopped_after - 1][0])
    compile_and_fit(
        model, optimizer, steps - stopped_after, mode, first_step=stopped_after
    )
    # The uninterrupted run ends on the slow weights (finalize_with_slow_weights).
    assert_weights(model.trainable_variables, expected[-1][1])


def test_file_loaded_inside_slow_weights_in_model_is_in_place_on_exit(tmp_path):
    steps = 4
    expected = reference("adam", 3, 0.5, steps)
    saved_model, _ = trained(INNERS["adam"](), steps=steps)
    path = tmp_path / "mid_cycle.weights.h5"
    saved_model.save_weights(path)
    model, optimizer = trained(INNERS["adam"](), steps=2)
    with optimizer.slow_weights_in_model():
        model.load_weights(path)
        assert_weights(model.trainable_variables, expected[-1][1])
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(optimizer.slow_weights, expected[-1][1])


def test_file_saved_under_mixed_float16_loads_its_state_without_the_policy(tmp_path):
    keras.mixed_precision.set_global_policy("mixed_float16")
    model, optimizer = trained(INNERS["adam"]())
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    saved = values(optimizer.variables)
    path = tmp_path / "mixed.keras"
    model.save(path)
    keras.mixed_precision.set_global_policy("float32")
    with pytest.warns(UserWarning, match="saved inside a LossScaleOptimizer"):
        restored = keras.models.load_model(path)
    assert isinstance(restored.optimizer, Lookahead)
    assert_unchanged(restored.optimizer.variables, saved)


def test_file_saved_without_loss_scaling_under_mixed_float16_names_the_cause(
    tmp_path,
):
    model, _ = trained(INNERS["adam"]())
    path = tmp_path / "float32.keras"
    model.save(path)
    keras.mixed_precision.set_global_policy("mixed_float16")
    with pytest.raises(ValueError, match="dtype policy it was saved with"):
        keras.models.load_model(path)
    assert isinstance(keras.models.load_model(path, compile=False), keras.Sequential)


def pickle_round_trip(value):
    return pickle.loads(pickle.dumps(value))


@pytest.mark.parametrize("duplicate", [copy.deepcopy, pickle_round_trip])
def test_an_unbuilt_lookahead_copies_without_a_warning(duplicate):
    optimizer = Lookahead(keras.optimizers.Adam(0.01), sync_period=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        duplicated = duplicate(optimizer)
    assert duplicated.get_config() == optimizer.get_config()
    assert_unchanged(duplicated.variables, values(optimizer.variables))
