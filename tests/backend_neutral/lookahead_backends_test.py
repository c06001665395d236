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
"""Lookahead on the current Keras backend against Algorithm 1 in NumPy.

Runs unchanged with `KERAS_BACKEND` = tensorflow, jax or torch (no TensorFlow
needed for the last two): custom loops, `stateless_apply` (what Keras' JAX
trainer calls), `fit` eager and compiled (`jit_compile=True`: XLA on
TensorFlow and JAX, `torch.compile` on torch), `steps_per_execution`, mixed
precision, the callback and `inject`, slow-weight evaluation and `.keras`
resume mid-cycle, also from files written on the other backends.
"""

import pathlib

import keras
import numpy as np
import pytest

from tensorflow_lookahead import Lookahead
from tensorflow_lookahead import compat
from tensorflow_lookahead.callbacks import LookaheadCallback
from tensorflow_lookahead.callbacks import LookaheadDiagnostics
from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.linear_problem import COMPILED
from tests.backend_neutral.linear_problem import EAGER
from tests.backend_neutral.linear_problem import FEATURES
from tests.backend_neutral.linear_problem import SYNC_SETTINGS
from tests.backend_neutral.linear_problem import assert_weights
from tests.backend_neutral.linear_problem import batch_gradients
from tests.backend_neutral.linear_problem import compile_and_fit
from tests.backend_neutral.linear_problem import linear_model
from tests.backend_neutral.linear_problem import problem
from tests.backend_neutral.linear_problem import reference
from tests.backend_neutral.reference_lookahead import ReferenceLookaheadCallback

BACKEND = keras.backend.backend()
CROSS_BACKEND_FILES = pathlib.Path(__file__).parent / "data"


@pytest.mark.parametrize("inner", sorted(INNERS))
@pytest.mark.parametrize("sync_period,slow_step_size", SYNC_SETTINGS)
def test_apply_follows_algorithm_1_at_every_step(inner, sync_period, slow_step_size):
    steps = 2 * sync_period + 2
    expected = reference(inner, sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS[inner](), sync_period, slow_step_size)
    variables = model.trainable_variables
    for step in range(steps):
        optimizer.apply(batch_gradients(variables, step, inner), variables)
        weights, slow_weights = expected[step]
        assert_weights(variables, weights)
        assert_weights(optimizer.slow_weights, slow_weights)
        assert int(optimizer.sync_count) == (step + 1) // sync_period


@pytest.mark.skipif(
    BACKEND == "tensorflow",
    reason="Keras' TensorFlow optimizers have no stateless_apply (tf.distribute)",
)
@pytest.mark.parametrize("inner", sorted(INNERS))
def test_stateless_apply_follows_algorithm_1(inner):
    sync_period, slow_step_size, steps = 3, 0.5, 7
    _, _, kernel, bias = problem(steps)
    expected = reference(inner, sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS[inner](), sync_period, slow_step_size)
    optimizer.build(model.trainable_variables)
    weights = [keras.ops.convert_to_tensor(w) for w in (kernel, bias)]
    state = [keras.ops.convert_to_tensor(v) for v in optimizer.variables]
    for step in range(steps):
        weights, state = optimizer.stateless_apply(
            state, batch_gradients(weights, step, inner), weights
        )
        assert_weights(weights, expected[step][0])
    # Stateless: the optimizer's own variables did not move.
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == 0
    assert_weights(model.trainable_variables, [kernel, bias])


@pytest.mark.parametrize("mode", [EAGER, COMPILED])
@pytest.mark.parametrize("inner", sorted(INNERS))
def test_fit_follows_algorithm_1(mode, inner):
    if BACKEND == "torch" and mode == COMPILED and inner != "adam":
        pytest.skip(
            "torch.compile takes about 40 s per model here; the compiled "
            "sync does not depend on the inner optimizer (adam covers it)"
        )
    sync_period, slow_step_size, steps = 3, 0.5, 8
    expected = reference(inner, sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS[inner](), sync_period, slow_step_size)
    compile_and_fit(model, optimizer, steps, mode)
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(optimizer.slow_weights, expected[-1][1])
    assert int(optimizer.sync_count) == steps // sync_period


class SetWeightsOnTrainBegin(keras.callbacks.Callback):
    def __init__(self, weights):
        super().__init__()
        self.weights_to_set = weights

    def on_train_begin(self, logs=None):
        self.model.set_weights(self.weights_to_set)


@pytest.mark.parametrize("mode", [EAGER, COMPILED])
@pytest.mark.parametrize("set_when", ["after_build", "on_train_begin"])
def test_weights_set_after_the_build_are_the_first_slow_weights(mode, set_when):
    """The first update, compiled too, starts the slow weights from the model's.

    The model's weights change after Lookahead is built (by the user, or by a
    callback after `fit` built it) and before its first update.
    """
    sync_period, slow_step_size, steps = 3, 0.5, 4
    expected = reference("adam", sync_period, slow_step_size, steps)
    model = linear_model(steps)
    weights = model.get_weights()
    model.set_weights([np.full_like(w, 3.0) for w in weights])
    optimizer = Lookahead(INNERS["adam"](), sync_period, slow_step_size)
    callbacks = []
    if set_when == "after_build":
        optimizer.build(model.trainable_variables)
        model.set_weights(weights)
    else:
        callbacks.append(SetWeightsOnTrainBegin(weights))
    compile_and_fit(model, optimizer, steps, mode, callbacks=callbacks)
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(optimizer.slow_weights, expected[-1][1])


@pytest.mark.skipif(
    BACKEND == "torch", reason="Keras' torch trainer runs one step per execution"
)
@pytest.mark.parametrize("mode", [EAGER, COMPILED])
def test_steps_per_execution(mode):
    sync_period, slow_step_size, steps = 3, 0.5, 8
    expected = reference("adam", sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS["adam"](), sync_period, slow_step_size)
    compile_and_fit(
        model, optimizer, steps, mode, compile_kwargs={"steps_per_execution": 3}
    )
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(optimizer.slow_weights, expected[-1][1])


@pytest.mark.parametrize("mode", [EAGER, COMPILED])
def test_mixed_precision_matches_the_reference_callback(mode, float16_policy):
    """Under mixed_float16, fit wraps Lookahead in a LossScaleOptimizer.

    The reference is the same inner optimizer alone, under the same policy
    and mode, with the syncs done in NumPy by a callback.
    """
    sync_period, slow_step_size, steps = 3, 0.5, 8

    def mixed_model():
        model = keras.Sequential(
            [keras.Input((FEATURES,)), keras.layers.Dense(4), keras.layers.Dense(1)]
        )
        keras.utils.set_random_seed(5)
        model.set_weights(
            [
                np.random.default_rng(5).normal(size=w.shape).astype("float32")
                for w in model.get_weights()
            ]
        )
        return model

    reference_model = mixed_model()
    callback = ReferenceLookaheadCallback(sync_period, slow_step_size)
    compile_and_fit(
        reference_model, INNERS["adam"](), steps, mode, callbacks=[callback]
    )
    model = mixed_model()
    optimizer = Lookahead(INNERS["adam"](), sync_period, slow_step_size)
    compile_and_fit(model, optimizer, steps, mode)
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    # Steps with non-finite scaled gradients are skipped by both.
    applied = int(keras.ops.convert_to_numpy(reference_model.optimizer.iterations))
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == applied
    assert int(optimizer.sync_count) == applied // sync_period
    assert_weights(
        model.trainable_variables,
        [v.numpy() for v in reference_model.trainable_variables],
        rtol=1e-3,
    )


@pytest.mark.parametrize("mode", [EAGER, COMPILED])
def test_callback_and_inject_follow_algorithm_1(mode):
    sync_period, slow_step_size, steps = 3, 0.5, 7
    expected = reference("adam", sync_period, slow_step_size, steps)

    model = linear_model(steps)
    callback = LookaheadCallback(sync_period, slow_step_size)
    compile_and_fit(model, INNERS["adam"](), steps, mode, callbacks=[callback])
    assert_weights(model.trainable_variables, expected[-1][0])
    assert isinstance(model.optimizer, keras.optimizers.Adam)

    model = linear_model(steps)
    model.compile(
        optimizer=INNERS["adam"](),
        loss="mse",
        run_eagerly=mode == EAGER,
        jit_compile=mode == COMPILED,
    )
    compat.Lookahead(k=sync_period, alpha=slow_step_size).inject(model)
    compile_and_fit(model, model.optimizer, steps, mode)
    assert_weights(model.trainable_variables, expected[-1][0])


def test_slow_weight_evaluation_and_diagnostics():
    sync_period, slow_step_size, steps = 3, 0.5, 7
    expected = reference("adam", sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS["adam"](), sync_period, slow_step_size)
    diagnostics = LookaheadDiagnostics(every_n_steps=1)
    history = compile_and_fit(model, optimizer, steps, EAGER, callbacks=[diagnostics])
    fast, slow = expected[-1]
    with optimizer.slow_weights_in_model():
        assert_weights(model.trainable_variables, slow)
    assert_weights(model.trainable_variables, fast)
    distance = np.sqrt(sum(np.sum((f - s) ** 2) for f, s in zip(fast, slow)))
    np.testing.assert_allclose(
        history.history["lookahead_distance"][-1], distance, 1e-4
    )
    assert history.history["lookahead_syncs"] == [steps // sync_period]
    optimizer.swap_weights()
    assert_weights(model.trainable_variables, slow)
    assert_weights(optimizer.slow_weights, fast)


@pytest.mark.parametrize("mode", [EAGER, COMPILED])
def test_finalize_with_slow_weights_then_train_again(mode):
    """fit ends on the slow weights; a second compiled fit still runs.

    On JAX, a slow weight and a model weight sharing one buffer made the next
    jitted step fail ("Attempt to donate the same buffer twice").
    """
    sync_period, slow_step_size, steps = 3, 0.5, 7
    expected = reference("adam", sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(
        INNERS["adam"](), sync_period, slow_step_size, finalize_with_slow_weights=True
    )
    compile_and_fit(model, optimizer, steps, mode)
    assert_weights(model.trainable_variables, expected[-1][1])
    compile_and_fit(model, optimizer, 2, mode)
    assert int(optimizer.iterations) == steps + 2


@pytest.mark.parametrize("finalize_with_slow_weights", [False, True])
def test_finalize_swaps_swapped_weights_back_first(finalize_with_slow_weights):
    """fit's end (finalize) after `swap_weights()` leaves what it would without."""
    sync_period, slow_step_size, steps = 3, 0.5, 7
    expected = reference("adam", sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS["adam"](), sync_period, slow_step_size)
    compile_and_fit(model, optimizer, steps, EAGER)
    fast, slow = expected[-1]
    optimizer.finalize_with_slow_weights = finalize_with_slow_weights
    optimizer.swap_weights()
    assert optimizer.weights_swapped
    optimizer.finalize_variable_values(model.trainable_variables)
    assert not optimizer.weights_swapped
    expected_model = slow if finalize_with_slow_weights else fast
    assert_weights(model.trainable_variables, expected_model)
    assert_weights(optimizer.slow_weights, slow)


def test_finalize_with_slow_weights_in_an_except_block():
    """A fit that ends normally while an earlier error is handled (a retry)."""
    sync_period, slow_step_size, steps = 3, 0.5, 7
    expected = reference("adam", sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(
        INNERS["adam"](), sync_period, slow_step_size, finalize_with_slow_weights=True
    )
    try:
        raise RuntimeError("a failed first attempt")
    except RuntimeError:
        compile_and_fit(model, optimizer, steps, EAGER)
    assert_weights(model.trainable_variables, expected[-1][1])


@pytest.mark.parametrize("steps_before_save,builds", [(2, 0), (3, 0), (4, 0), (2, 2)])
def test_keras_file_resumes_mid_cycle(tmp_path, steps_before_save, builds):
    """Also after `build` called twice, which must not add slow weights."""
    sync_period, slow_step_size, more_steps = 3, 0.5, 4
    total = steps_before_save + more_steps
    expected = reference("adam", sync_period, slow_step_size, total)
    model = linear_model(total)
    optimizer = Lookahead(INNERS["adam"](), sync_period, slow_step_size)
    for _ in range(builds):
        optimizer.build(model.trainable_variables)
        assert len(optimizer.slow_weights) == len(model.trainable_variables)
    compile_and_fit(model, optimizer, steps_before_save, EAGER)
    path = tmp_path / "model.keras"
    model.save(path)
    keras.backend.clear_session()
    restored = keras.models.load_model(path)
    assert isinstance(restored.optimizer, Lookahead)
    compile_and_fit(
        restored, restored.optimizer, more_steps, EAGER, first_step=steps_before_save
    )
    assert_weights(restored.trainable_variables, expected[-1][0])
    assert_weights(restored.optimizer.slow_weights, expected[-1][1])


@pytest.mark.parametrize("written_on", ["tensorflow", "jax", "torch"])
def test_keras_file_from_each_backend_resumes_exactly(written_on):
    """Files written by `make_cross_backend_files.py` on each backend."""
    path = CROSS_BACKEND_FILES / f"lookahead_adam_written_on_{written_on}.keras"
    steps_before_save, more_steps = 4, 4
    expected = reference("adam", 3, 0.5, steps_before_save + more_steps)
    model = keras.models.load_model(path)
    assert_weights(model.trainable_variables, expected[steps_before_save - 1][0])
    compile_and_fit(
        model, model.optimizer, more_steps, EAGER, first_step=steps_before_save
    )
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(model.optimizer.slow_weights, expected[-1][1])


def jax_cpu_devices():
    if BACKEND != "jax":
        return []
    import jax

    return jax.devices("cpu")


@pytest.mark.skipif(
    len(jax_cpu_devices()) < 2,
    reason="needs JAX with two CPU devices "
    "(XLA_FLAGS=--xla_force_host_platform_device_count=2, set by conftest.py)",
)
@pytest.mark.parametrize("inner", sorted(INNERS))
def test_data_parallel_on_two_devices_follows_algorithm_1(inner):
    sync_period, slow_step_size, steps = 3, 0.5, 7
    expected = reference(inner, sync_period, slow_step_size, steps)
    devices = jax_cpu_devices()[:2]
    keras.distribution.set_distribution(
        keras.distribution.DataParallel(devices=devices)
    )
    try:
        model = linear_model(steps)
        optimizer = Lookahead(INNERS[inner](), sync_period, slow_step_size)
        compile_and_fit(model, optimizer, steps, COMPILED)
    finally:
        keras.distribution.set_distribution(None)
    assert len(model.trainable_variables[0].value.sharding.device_set) == 2
    assert len(optimizer.slow_weights[0].value.sharding.device_set) == 2
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(optimizer.slow_weights, expected[-1][1])


@pytest.mark.parametrize("nested", [False, True])
def test_loss_scale_optimizer_inside_is_refused(nested):
    """It skips steps with non-finite gradients that Lookahead would count."""
    inner = keras.optimizers.LossScaleOptimizer(INNERS["adam"]())
    if nested:
        inner = Lookahead(INNERS["adam"]())
        inner.inner_optimizer = keras.optimizers.LossScaleOptimizer(
            inner.inner_optimizer
        )
    with pytest.raises(ValueError, match=r"LossScaleOptimizer\(Lookahead\(inner\)\)"):
        Lookahead(inner)
    config = keras.optimizers.serialize(inner)
    with pytest.raises(ValueError, match="cannot wrap a LossScaleOptimizer"):
        Lookahead(config)
