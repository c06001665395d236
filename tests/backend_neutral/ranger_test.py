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
"""Ranger against Lookahead(RectifiedAdam) and a NumPy Ranger with NumPy GC.

The reference is the NumPy RAdam of `rectified_adam_reference` with gradient
centralization written out here (each gradient minus its mean over every axis
but the last) inside the NumPy Lookahead of the same module.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from tensorflow_lookahead.callbacks import LookaheadDiagnostics
from tensorflow_lookahead.callbacks import SwapSlowWeights
from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.optimizers import Ranger
from tensorflow_lookahead.optimizers import RectifiedAdam
from tests.backend_neutral import linear_problem
from tests.backend_neutral.rectified_adam_reference import NumpyRanger
from tests.backend_neutral.rectified_adam_reference import NumpyRectifiedAdam
from tests.backend_neutral.rectified_adam_reference import constant

BACKEND = keras.backend.backend()
# A Conv2D, a Conv1D and a Dense kernel, and a bias: ranks 4, 3, 2 and 1.
SHAPES = [(2, 2, 3, 4), (3, 2, 4), (5, 4), (4,)]
# The arguments of the trajectories compared with the reference: a learning
# rate at which centralization changes them visibly, and a beta_2 whose
# rectification float32 computes to 1e-5 (see rectified_adam_test).
ARGUMENTS = dict(learning_rate=0.05, beta_2=0.99)
STEPS = 14  # Two syncs (k = 6) and two fast steps after the second.


def numpy_centralized(gradient, lowest_rank):
    """Gradient centralization in NumPy: the mean over all axes but the last."""
    gradient = np.asarray(gradient, np.float64)
    if gradient.ndim < lowest_rank:
        return gradient
    axes = tuple(range(gradient.ndim - 1))
    return gradient - gradient.mean(axis=axes, keepdims=True)


class NumpyCentralizedRectifiedAdam(NumpyRectifiedAdam):
    """The NumPy RAdam, applied to centralized gradients (None: no GC)."""

    def __init__(self, lowest_rank=None, **kwargs):
        super().__init__(**kwargs)
        self.lowest_rank = lowest_rank

    def apply(self, weights, gradients):
        if self.lowest_rank is not None:
            gradients = [numpy_centralized(g, self.lowest_rank) for g in gradients]
        return super().apply(weights, gradients)


def numpy_ranger(weights, lowest_rank, learning_rate=0.001, beta_2=0.999, **kwargs):
    """The NumPy Ranger with Ranger's defaults (beta_1 0.95, epsilon 1e-5)."""
    radam = NumpyCentralizedRectifiedAdam(
        lowest_rank,
        learning_rate=constant(learning_rate),
        beta_1=0.95,
        beta_2=beta_2,
        epsilon=1e-5,
        **kwargs,
    )
    return NumpyRanger(radam, 6, 0.5, weights=weights)


def lowest_centralized_rank(use_gc, gc_conv_only):
    if not use_gc:
        return None
    return 4 if gc_conv_only else 2


def initial_weights(shapes=SHAPES, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape).astype("float32") for shape in shapes]


def step_gradients(step, shapes=SHAPES):
    """Gradients with a mean far from zero, so that centralization matters."""
    rng = np.random.default_rng(100 + step)
    return [rng.normal(loc=0.5, size=shape).astype("float32") for shape in shapes]


def apply_trajectory(optimizer, steps=STEPS, shapes=SHAPES):
    """The variables after each `optimizer.apply` of `step_gradients`."""
    variables = [keras.Variable(w) for w in initial_weights(shapes)]
    trajectory = []
    for step in range(steps):
        optimizer.apply(
            [keras.ops.convert_to_tensor(g) for g in step_gradients(step, shapes)],
            variables,
        )
        trajectory.append([keras.ops.convert_to_numpy(v) for v in variables])
    return trajectory


def reference_trajectory(lowest_rank, steps=STEPS, shapes=SHAPES, **arguments):
    weights = [w.astype(np.float64) for w in initial_weights(shapes)]
    algorithm = numpy_ranger(weights, lowest_rank, **arguments)
    trajectory = []
    for step in range(steps):
        weights = algorithm.apply(weights, step_gradients(step, shapes))
        trajectory.append(weights)
    return trajectory


def assert_trajectories_close(actual, expected, rtol=2e-5, atol=2e-6):
    for step, (got, want) in enumerate(zip(actual, expected)):
        for index, (value, reference) in enumerate(zip(got, want)):
            np.testing.assert_allclose(
                value,
                reference,
                rtol=rtol,
                atol=atol,
                err_msg=f"variable {index} after step {step + 1}",
            )


def test_is_a_registered_lookahead_around_rectified_adam():
    optimizer = Ranger()
    assert isinstance(optimizer, Lookahead)
    assert type(optimizer.inner_optimizer) is RectifiedAdam
    assert keras.saving.get_registered_name(Ranger) == "tensorflow_lookahead>Ranger"
    assert (optimizer.sync_period, optimizer.slow_step_size) == (6, 0.5)
    assert (optimizer.use_gc, optimizer.gc_conv_only) == (True, False)
    assert optimizer.name == "Ranger"
    inner = optimizer.inner_optimizer.get_config()
    expected = RectifiedAdam(1e-3, beta_1=0.95, epsilon=1e-5).get_config()
    assert inner == expected


def test_without_gc_is_exactly_lookahead_of_rectified_adam():
    ranger = apply_trajectory(Ranger(use_gc=False))
    lookahead = apply_trajectory(
        Lookahead(RectifiedAdam(1e-3, beta_1=0.95, epsilon=1e-5), 6, 0.5)
    )
    for got, want in zip(ranger, lookahead):
        for value, reference in zip(got, want):
            np.testing.assert_array_equal(value, reference)
    # Both follow Ranger without GC, and GC would change the trajectory.
    assert_trajectories_close(ranger, reference_trajectory(None), rtol=1e-5)
    centralized = reference_trajectory(2)
    assert np.max(np.abs(ranger[-1][2] - centralized[-1][2])) > 1e-4


@pytest.mark.parametrize("gc_conv_only", [False, True])
def test_apply_equals_numpy_reference(gc_conv_only):
    actual = apply_trajectory(Ranger(gc_conv_only=gc_conv_only, **ARGUMENTS))
    lowest_rank = lowest_centralized_rank(True, gc_conv_only)
    assert_trajectories_close(actual, reference_trajectory(lowest_rank, **ARGUMENTS))
    # The kernels that are centralized leave the plain trajectory, the
    # others follow it.
    plain = reference_trajectory(None, **ARGUMENTS)[-1]
    for index, shape in enumerate(SHAPES):
        moved = np.max(np.abs(actual[-1][index] - plain[index]))
        if len(shape) >= lowest_rank:
            assert moved > 1e-2, shape
        else:
            assert moved < 1e-5, shape


def test_clipnorm_clips_the_centralized_gradients():
    """Clipping (in RectifiedAdam) sees the centralized gradient's norm."""
    actual = apply_trajectory(Ranger(clipnorm=0.5, **ARGUMENTS))
    expected = reference_trajectory(2, clipnorm=0.5, **ARGUMENTS)
    assert_trajectories_close(actual, expected)
    unclipped = reference_trajectory(2, **ARGUMENTS)
    assert np.max(np.abs(unclipped[-1][0] - expected[-1][0])) > 1e-3


def conv_and_dense_model():
    model = keras.Sequential(
        [
            keras.Input((4, 4, 2)),
            keras.layers.Conv2D(3, 2),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    return model


@pytest.mark.parametrize("gc_conv_only", [False, True])
def test_gc_conv_only_centralizes_the_conv2d_kernel_not_the_dense_one(gc_conv_only):
    """The first step (not rectified) moves each weight by lr times its gradient."""
    model = conv_and_dense_model()
    variables = model.trainable_variables
    shapes = [tuple(v.shape) for v in variables]
    assert [len(shape) for shape in shapes] == [4, 1, 2, 1]
    before = [keras.ops.convert_to_numpy(v) for v in variables]
    gradients = step_gradients(0, shapes)
    optimizer = Ranger(learning_rate=0.1, gc_conv_only=gc_conv_only)
    optimizer.apply([keras.ops.convert_to_tensor(g) for g in gradients], variables)
    lowest_rank = lowest_centralized_rank(True, gc_conv_only)
    for variable, start, gradient in zip(variables, before, gradients):
        step = (start - keras.ops.convert_to_numpy(variable)) / 0.1
        np.testing.assert_allclose(
            step, numpy_centralized(gradient, lowest_rank), rtol=1e-5, atol=1e-5
        )
    conv_step = (before[0] - keras.ops.convert_to_numpy(variables[0])) / 0.1
    # Each output channel's gradient has zero mean.
    np.testing.assert_allclose(conv_step.mean(axis=(0, 1, 2)), 0.0, atol=1e-5)
    dense_step = (before[2] - keras.ops.convert_to_numpy(variables[2])) / 0.1
    assert bool(np.all(np.abs(dense_step.mean(axis=0)) > 0.1)) == gc_conv_only


def linear_gradients(weights, features, targets):
    """The mean squared error's gradients of a `Dense(1)` in NumPy."""
    kernel, bias = weights
    residual = 2.0 * (features @ kernel + bias - targets) / len(features)
    return [features.T @ residual, residual.sum(axis=0)]


def linear_reference(steps, lowest_rank, **arguments):
    """Weights after each batch of `linear_problem.problem(steps)`."""
    features, targets, kernel, bias = linear_problem.problem(steps)
    weights = [kernel.astype(np.float64), bias.astype(np.float64)]
    algorithm = numpy_ranger(weights, lowest_rank, **arguments)
    trajectory = []
    for step in range(steps):
        batch = slice(step * linear_problem.BATCH, (step + 1) * linear_problem.BATCH)
        grads = linear_gradients(
            weights, features[batch].astype(np.float64), targets[batch]
        )
        weights = algorithm.apply(weights, grads)
        trajectory.append(weights)
    return trajectory


@pytest.mark.parametrize("mode", linear_problem.MODES)
def test_fit_equals_numpy_reference(mode):
    steps = 16
    model = linear_problem.linear_model(steps)
    optimizer = Ranger(**ARGUMENTS)
    linear_problem.compile_and_fit(model, optimizer, steps, mode)
    expected = linear_reference(steps, 2, **ARGUMENTS)
    linear_problem.assert_weights(model.trainable_variables, expected[-1])
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == steps
    # The slow weights are the weights right after the last sync, step 12.
    linear_problem.assert_weights(optimizer.slow_weights, expected[11])
    with optimizer.slow_weights_in_model():
        linear_problem.assert_weights(model.trainable_variables, expected[11])
    plain = linear_reference(steps, None, **ARGUMENTS)[-1]
    assert np.max(np.abs(plain[0] - expected[-1][0])) > 1e-2


@pytest.mark.parametrize("mode", linear_problem.MODES)
def test_swap_slow_weights_validates_on_the_slow_weights(mode):
    steps = 16
    features, targets, _, _ = linear_problem.problem(steps, seed=1)
    validation = (features[:32], targets[:32])
    final_weights, validation_losses = [], []
    for callbacks in [[SwapSlowWeights()], []]:
        model = linear_problem.linear_model(steps)
        history = linear_problem.compile_and_fit(
            model,
            Ranger(**ARGUMENTS),
            steps,
            mode,
            validation_data=validation,
            callbacks=callbacks,
        )
        final_weights.append([keras.ops.convert_to_numpy(w) for w in model.weights])
        validation_losses.append(history.history["val_loss"][-1])
    for got, want in zip(*final_weights):
        np.testing.assert_array_equal(got, want)
    # The slow weights after 16 steps are the weights right after step 12.
    kernel, bias = linear_reference(steps, 2, **ARGUMENTS)[11]
    expected = np.mean((validation[0] @ kernel + bias - validation[1]) ** 2)
    np.testing.assert_allclose(validation_losses[0], expected, rtol=1e-5)
    # Without the callback, validation sees the fast weights.
    assert abs(validation_losses[1] - expected) > 1e-3 * expected


def test_lookahead_diagnostics_measure_a_ranger():
    steps = 16
    model = linear_problem.linear_model(steps)
    history = linear_problem.compile_and_fit(
        model,
        Ranger(**ARGUMENTS),
        steps,
        linear_problem.EAGER,
        callbacks=[LookaheadDiagnostics()],
    )
    expected = linear_reference(steps, 2, **ARGUMENTS)
    distance = np.sqrt(
        sum(np.sum((f - s) ** 2) for f, s in zip(expected[-1], expected[11]))
    )
    assert history.history["lookahead_syncs"] == [2]
    np.testing.assert_allclose(
        history.history["lookahead_distance"], [distance], rtol=1e-4
    )


@pytest.mark.parametrize("mode", linear_problem.MODES)
def test_fit_without_gc_is_exactly_lookahead_of_rectified_adam(mode):
    steps = 14
    weights = []
    for optimizer in [
        Ranger(use_gc=False),
        Lookahead(RectifiedAdam(1e-3, beta_1=0.95, epsilon=1e-5), 6, 0.5),
    ]:
        model = linear_problem.linear_model(steps)
        linear_problem.compile_and_fit(model, optimizer, steps, mode)
        weights.append([keras.ops.convert_to_numpy(w) for w in model.weights])
    for got, want in zip(*weights):
        np.testing.assert_array_equal(got, want)


def test_mixed_float16_fit_equals_numpy_reference(float16_policy):
    steps = 16
    model = linear_problem.linear_model(steps)
    assert model.layers[0].compute_dtype == "float16"
    ranger = Ranger(**ARGUMENTS)
    # A small initial loss scale: no step is skipped for overflow, as in the
    # reference, yet the gradients are unscaled before centralization.
    optimizer = keras.optimizers.LossScaleOptimizer(ranger, initial_scale=4.0)
    linear_problem.compile_and_fit(model, optimizer, steps, linear_problem.EAGER)
    assert int(keras.ops.convert_to_numpy(ranger.iterations)) == steps
    expected = linear_reference(steps, 2, **ARGUMENTS)[-1]
    # The float16 forward pass rounds the gradients to about 1e-3.
    linear_problem.assert_weights(model.trainable_variables, expected, rtol=1e-2)
    plain = linear_reference(steps, None, **ARGUMENTS)[-1]
    assert np.max(np.abs(plain[0] - expected[0])) > 0.1


@pytest.mark.skipif(BACKEND != "jax", reason="Keras' JAX trainer calls it")
def test_jitted_stateless_apply_equals_numpy_reference():
    import jax

    variables = [keras.Variable(w) for w in initial_weights()]
    optimizer = Ranger(**ARGUMENTS)
    optimizer.build(variables)
    state = [v.value for v in optimizer.variables]
    weights = [v.value for v in variables]
    stateless_apply = jax.jit(optimizer.stateless_apply)
    actual = []
    for step in range(STEPS):
        grads = [keras.ops.convert_to_tensor(g) for g in step_gradients(step)]
        weights, state = stateless_apply(state, grads, weights)
        actual.append([np.asarray(w) for w in weights])
    assert_trajectories_close(actual, reference_trajectory(2, **ARGUMENTS))


def test_overwrite_with_gradient_variable_takes_its_gradient_as_is():
    variables = [keras.Variable(w) for w in initial_weights()]
    scale = keras.Variable(np.zeros((3, 2), "float32"), name="scale")
    scale.overwrite_with_gradient = True
    optimizer = Ranger(**ARGUMENTS)
    for step in range(7):
        new_scale = np.arange(6, dtype="float32").reshape(3, 2) + step
        grads = [keras.ops.convert_to_tensor(g) for g in step_gradients(step)]
        optimizer.apply(
            grads + [keras.ops.convert_to_tensor(new_scale)], variables + [scale]
        )
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(scale), new_scale)
    actual = [keras.ops.convert_to_numpy(v) for v in variables]
    expected = reference_trajectory(2, steps=7, **ARGUMENTS)[-1]
    for got, want in zip(actual, expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


EMBEDDING_BATCH = 4


def embedding_problem():
    """An Embedding(5, 2) model with its table, tokens and targets.

    Token 1 is in every batch twice, tokens 0 and 2 in turns, tokens 3 and 4
    never.
    """
    rows, width = 5, 2
    table = np.linspace(-1.0, 1.0, rows * width).reshape(rows, width)
    table = table.astype("float32")
    tokens = np.array([[1], [1], [0], [2], [1], [1], [2], [2]] * 4, dtype="int32")
    targets = np.full((len(tokens), 1, width), 0.5, dtype="float32")
    model = keras.Sequential(
        [keras.Input((1,), dtype="int32"), keras.layers.Embedding(rows, width)]
    )
    model.set_weights([table])
    return model, table, tokens, targets


def embedding_reference(table, tokens, batch_size, width, lowest_rank):
    """The NumPy Ranger on an Embedding table, mean squared error to 0.5."""
    weights = [table.astype(np.float64)]
    algorithm = numpy_ranger(weights, lowest_rank, learning_rate=0.1, beta_2=0.95)
    for start in range(0, len(tokens), batch_size):
        gradient = np.zeros_like(weights[0])
        for row in tokens[start : start + batch_size, 0]:
            gradient[row] += 2 * (weights[0][row] - 0.5) / (batch_size * width)
        weights = algorithm.apply(weights, [gradient])
    return weights[0]


@pytest.mark.parametrize("mode", linear_problem.MODES)
def test_embedding_gradient_is_centralized_as_the_dense_gradient(mode):
    """On TensorFlow the gradient is a tf.IndexedSlices of the batch's rows.

    Token 1 is in every batch twice, tokens 0 and 2 in turns, tokens 3 and 4
    never: their rows move only by the centralization (and the moments).
    """
    steps = 8
    model, table, tokens, targets = embedding_problem()
    model.compile(
        optimizer=Ranger(learning_rate=0.1, beta_2=0.95),
        loss="mse",
        run_eagerly=mode == linear_problem.EAGER,
        jit_compile=mode == linear_problem.COMPILED,
    )
    model.fit(tokens, targets, batch_size=EMBEDDING_BATCH, shuffle=False, verbose=0)
    assert len(tokens) == EMBEDDING_BATCH * steps
    expected = embedding_reference(table, tokens, EMBEDDING_BATCH, table.shape[1], 2)
    actual = model.get_weights()[0]
    np.testing.assert_allclose(actual, expected, rtol=2e-5, atol=1e-6)
    assert np.max(np.abs(actual[3:] - table[3:])) > 1e-2


@pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.IndexedSlices")
def test_indexed_slices_are_centralized_as_the_dense_gradient():
    import tensorflow as tf

    table = initial_weights([(4, 3)])[0]
    indices = np.array([0, 2, 0], dtype="int32")

    def run(sparse):
        variable = keras.Variable(table)
        optimizer = Ranger(learning_rate=0.1)
        for step in range(7):
            values = step_gradients(step, [(3, 3)])[0]
            if sparse:
                gradient = tf.IndexedSlices(
                    tf.constant(values), tf.constant(indices), tf.constant((4, 3))
                )
            else:
                dense = np.zeros((4, 3), "float32")
                np.add.at(dense, indices, values)
                gradient = tf.constant(dense)
            optimizer.apply([gradient], [variable])
        return variable.numpy()

    np.testing.assert_allclose(run(sparse=True), run(sparse=False), atol=1e-7)


def custom_objects_schedule():
    class HalvingSchedule(keras.optimizers.schedules.LearningRateSchedule):
        """Not registered: found only through `custom_objects`."""

        def __init__(self, initial):
            self.initial = initial

        def __call__(self, step):
            return self.initial * 0.5 ** keras.ops.cast(step, "float32")

        def get_config(self):
            return {"initial": self.initial}

    return HalvingSchedule


CONFIG_CASES = {
    "defaults": {},
    "everything": dict(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.9),
        beta_1=0.9,
        beta_2=0.99,
        epsilon=1e-6,
        sync_period=5,
        slow_step_size=0.8,
        use_gc=False,
        gc_conv_only=True,
        name="my_ranger",
        finalize_with_slow_weights=True,
        weight_decay=0.01,
        amsgrad=True,
        sma_threshold=4.5,
        total_steps=100,
        warmup_proportion=0.2,
        min_lr=1e-5,
        clipnorm=1.0,
        gradient_accumulation_steps=2,
    ),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_round_trip(case):
    optimizer = Ranger(**CONFIG_CASES[case])
    config = optimizer.get_config()
    json.dumps(config)
    for name, value in CONFIG_CASES[case].items():
        if name != "learning_rate":
            assert config[name] == value, name
    assert Ranger.from_config(config).get_config() == config
    for restored in [
        keras.optimizers.deserialize(keras.optimizers.serialize(optimizer)),
        keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(optimizer)
        ),
        keras.optimizers.get(
            {"class_name": "tensorflow_lookahead>Ranger", "config": config}
        ),
    ]:
        assert type(restored) is Ranger
        assert restored.get_config() == config


def test_from_config_passes_custom_objects_to_the_schedules():
    schedule = custom_objects_schedule()
    optimizer = Ranger(learning_rate=schedule(0.1), weight_decay=schedule(0.01))
    config = json.loads(json.dumps(optimizer.get_config()))
    restored = Ranger.from_config(config, {"HalvingSchedule": schedule})
    assert type(restored.inner_optimizer.weight_decay) is schedule
    assert restored.get_config() == optimizer.get_config()


def keras_file_model(steps):
    model = linear_problem.linear_model(steps)
    model.compile(optimizer=Ranger(gc_conv_only=False, **ARGUMENTS), loss="mse")
    return model


def test_keras_file_mid_cycle_continues_exactly(tmp_path):
    """Saved after 8 steps (2 into the second cycle), loaded, 8 more steps."""
    steps, saved_at = 16, 8
    uninterrupted = linear_problem.linear_model(steps)
    linear_problem.compile_and_fit(
        uninterrupted, Ranger(**ARGUMENTS), steps, linear_problem.EAGER
    )
    interrupted = linear_problem.linear_model(steps)
    linear_problem.compile_and_fit(
        interrupted, Ranger(**ARGUMENTS), saved_at, linear_problem.EAGER
    )
    path = tmp_path / "ranger.keras"
    interrupted.save(path)
    restored = keras.saving.load_model(path)
    optimizer = restored.optimizer
    assert type(optimizer) is Ranger
    assert optimizer.get_config() == interrupted.optimizer.get_config()
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == saved_at
    restored.compile(optimizer=optimizer, loss="mse", run_eagerly=True)
    linear_problem.compile_and_fit(
        restored,
        optimizer,
        steps - saved_at,
        linear_problem.EAGER,
        first_step=saved_at,
    )
    for got, want in zip(
        restored.weights + optimizer.variables,
        uninterrupted.weights + uninterrupted.optimizer.variables,
    ):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(got), keras.ops.convert_to_numpy(want)
        )
    linear_problem.assert_weights(
        restored.trainable_variables, linear_reference(steps, 2, **ARGUMENTS)[-1]
    )


def test_keras_file_loads_in_a_new_process_after_importing_the_package(tmp_path):
    model = linear_problem.linear_model(7)
    linear_problem.compile_and_fit(
        model, Ranger(gc_conv_only=True, sync_period=4), 7, linear_problem.EAGER
    )
    path = tmp_path / "ranger.keras"
    model.save(path)
    script = (
        "import sys, keras, tensorflow_lookahead\n"
        "model = keras.saving.load_model(sys.argv[1])\n"
        "optimizer = model.optimizer\n"
        "print(type(optimizer).__name__, optimizer.gc_conv_only, "
        "optimizer.sync_period, int(keras.ops.convert_to_numpy("
        "optimizer.iterations)))\n"
    )
    environment = dict(os.environ, KERAS_BACKEND=BACKEND, TF_CPP_MIN_LOG_LEVEL="3")
    output = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    ).stdout
    assert output.split() == ["Ranger", "True", "4", "7"]


def test_numpy_scalars_and_0d_arrays_as_arguments():
    optimizer = Ranger(
        learning_rate=np.float32(0.5),
        beta_2=np.array(0.99),
        sync_period=np.int64(4),
        use_gc=np.bool_(True),
        gc_conv_only=np.array(True),
        weight_decay=np.float64(0.25),
    )
    expected = Ranger(
        learning_rate=0.5,
        beta_2=0.99,
        sync_period=4,
        gc_conv_only=True,
        weight_decay=0.25,
    )
    assert optimizer.get_config() == expected.get_config()
    assert type(optimizer.gc_conv_only) is bool


BAD_ARGUMENTS = [
    ("learning_rate", -1.0, ValueError),
    ("beta_1", 1.0, ValueError),
    ("beta_2", -0.1, ValueError),
    ("epsilon", 0.0, ValueError),
    ("sync_period", 0, ValueError),
    ("sync_period", 2.5, TypeError),
    ("slow_step_size", 1.5, ValueError),
    ("use_gc", "yes", TypeError),
    ("gc_conv_only", 1, TypeError),
    ("name", None, TypeError),
    ("finalize_with_slow_weights", "no", TypeError),
    ("weight_decay", -0.1, ValueError),
    ("sma_threshold", 3.0, ValueError),
    ("total_steps", -1, ValueError),
    ("clipnorm", float("nan"), ValueError),
    ("momentum", 0.9, TypeError),
    ("optimizer", "adam", TypeError),
]


@pytest.mark.parametrize("argument, value, error", BAD_ARGUMENTS)
def test_bad_argument_raises_naming_it(argument, value, error):
    with pytest.raises(error, match=argument):
        Ranger(**{argument: value})


def test_finalize_with_slow_weights_and_ema_is_refused():
    with pytest.raises(ValueError, match="finalize_with_slow_weights"):
        Ranger(finalize_with_slow_weights=True, use_ema=True)
