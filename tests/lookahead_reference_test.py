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
"""Lookahead's trajectories against the paper's Algorithm 1, step by step."""

import numpy as np
import pytest
import tensorflow as tf
import keras

from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.utils import test_utils
from tests.backend_neutral.reference_lookahead import ReferenceLookahead

STEPS = 12
INNER_OPTIMIZERS = {
    "sgd": lambda: keras.optimizers.SGD(learning_rate=0.1),
    "momentum": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "adam": lambda: keras.optimizers.Adam(learning_rate=0.05),
    "adamw": lambda: keras.optimizers.AdamW(learning_rate=0.05, weight_decay=0.1),
}
# (inner, k, alpha): every inner, and k=1, alpha=0, alpha=1 among them.
CASES = [
    ("sgd", 3, 0.5),
    ("sgd", 1, 0.5),
    ("momentum", 4, 0.8),
    ("momentum", 5, 0.0),
    ("adam", 5, 0.5),
    ("adam", 2, 1.0),
    ("adamw", 3, 0.3),
]
MODES = ["eager", "function", "xla"]


def problem_data():
    rng = np.random.default_rng(7)
    features = rng.normal(size=(8, 4)).astype("float32")
    targets = rng.normal(size=(8, 2)).astype("float32")
    ids = np.array([0, 3, 3, 5, 1, 5, 0, 2], dtype="int32")
    return features, targets, ids


def initial_values():
    rng = np.random.default_rng(11)
    return [
        rng.normal(scale=0.5, size=(4, 3)).astype("float32"),
        rng.normal(scale=0.1, size=(3,)).astype("float32"),
        rng.normal(scale=0.5, size=(3, 2)).astype("float32"),
        rng.normal(scale=0.5, size=(6, 4)).astype("float32"),
    ]


def make_variables():
    names = ["kernel", "bias", "output", "embedding"]
    return [
        keras.Variable(value, name=name) for value, name in zip(initial_values(), names)
    ]


def loss_fn(variables, features, targets, ids, replicas=1):
    """A two-layer tanh network whose input rows are shifted by embeddings.

    tf.gather on the embedding table gives an IndexedSlices gradient.
    """
    kernel, bias, output, embedding = variables
    inputs = features + tf.gather(embedding, ids)
    hidden = tf.tanh(tf.matmul(inputs, kernel) + bias)
    loss = tf.reduce_mean(tf.square(tf.matmul(hidden, output) - targets))
    return loss / replicas


def gradients(variables, replicas=1, dense=False):
    features, targets, ids = problem_data()
    with tf.GradientTape() as tape:
        loss = loss_fn(variables, features, targets, ids, replicas)
    grads = tape.gradient(loss, variables)
    return [tf.convert_to_tensor(g) for g in grads] if dense else grads


def needs_dense_gradients(inner_name, replicas):
    """Whether the sparse gradient must be densified for a fair comparison.

    Keras' Adam squares each slice of an IndexedSlices before summing
    repeated indices, and across replicas the slices are all-reduced by
    concatenation, so plain Adam itself differs between one device and two.
    Dense gradients (in both runs) compare like with like; SGD is linear in
    the gradient and keeps the sparse path.
    """
    return replicas > 1 and inner_name in ("adam", "adamw")


def reference_trajectory(
    inner_name, sync_period, slow_step_size, steps=STEPS, dense=False
):
    variables = make_variables()
    reference = ReferenceLookahead(
        INNER_OPTIMIZERS[inner_name](), sync_period, slow_step_size
    )
    trajectory = []
    for _ in range(steps):
        reference.apply(gradients(variables, dense=dense), variables)
        trajectory.append([v.numpy() for v in variables])
    return trajectory


def lookahead_trajectory(device, mode, inner_name, sync_period, slow_step_size):
    strategy = test_utils.strategy_of(device)
    replicas = strategy.num_replicas_in_sync
    variables = make_variables()
    optimizer = Lookahead(
        INNER_OPTIMIZERS[inner_name](),
        sync_period=sync_period,
        slow_step_size=slow_step_size,
    )

    optimizer.build(variables)

    dense = needs_dense_gradients(inner_name, replicas)

    def replica_step():
        optimizer.apply(gradients(variables, replicas, dense), variables)

    def step():
        strategy.run(replica_step)

    if mode != "eager":
        step = tf.function(step, jit_compile=mode == "xla")
    trajectory = []
    for _ in range(STEPS):
        step()
        trajectory.append([v.numpy() for v in variables])
    return trajectory, optimizer, variables


def replicas_of(device):
    return test_utils.strategy_of(device).num_replicas_in_sync


def skip_unsupported(device, mode):
    if mode == "xla" and isinstance(device, tf.distribute.MirroredStrategy):
        pytest.skip("XLA inside MirroredStrategy is unsupported by TensorFlow")
    if mode == "eager" and isinstance(device, tf.distribute.MirroredStrategy):
        pytest.skip("eager strategy.run is covered in graph mode; too slow here")


@pytest.mark.with_device(test_utils.ALL_DEVICES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("inner_name,sync_period,slow_step_size", CASES)
def test_trajectory_matches_reference(
    device, mode, inner_name, sync_period, slow_step_size
):
    skip_unsupported(device, mode)
    expected = test_utils.run_on_default_device(
        reference_trajectory,
        inner_name,
        sync_period,
        slow_step_size,
        dense=needs_dense_gradients(inner_name, replicas_of(device)),
    )
    actual, _, _ = lookahead_trajectory(
        device, mode, inner_name, sync_period, slow_step_size
    )
    for step, (want, got) in enumerate(zip(expected, actual), start=1):
        for want_value, got_value in zip(want, got):
            np.testing.assert_allclose(
                got_value, want_value, rtol=1e-5, atol=1e-6, err_msg=f"step {step}"
            )


def test_reference_syncs_change_the_trajectory():
    """Guards the comparison: Lookahead differs from its inner optimizer."""
    with_sync = reference_trajectory("adam", 3, 0.5, steps=4)
    without_sync = reference_trajectory("adam", 3, 1.0, steps=4)
    np.testing.assert_allclose(with_sync[1][0], without_sync[1][0], rtol=1e-6)
    assert not np.allclose(with_sync[2][0], without_sync[2][0], rtol=1e-3)


def test_embedding_gradient_is_sparse():
    grads = gradients(make_variables())
    assert isinstance(grads[3], tf.IndexedSlices)
    assert not isinstance(grads[0], tf.IndexedSlices)


@pytest.mark.with_device(test_utils.ALL_DEVICES)
@pytest.mark.parametrize("mode", MODES)
def test_slow_weights_hold_the_weights_before_each_cycle(device, mode):
    skip_unsupported(device, mode)
    _, optimizer, variables = lookahead_trajectory(device, mode, "adam", 5, 0.5)
    # 12 steps with k=5: the last sync was after step 10, so the slow weights
    # equal the model's weights after step 10 of the reference.
    expected = test_utils.run_on_default_device(
        reference_trajectory,
        "adam",
        5,
        0.5,
        dense=needs_dense_gradients("adam", replicas_of(device)),
    )
    for slow, want in zip(optimizer.slow_weights, expected[9]):
        np.testing.assert_allclose(slow.numpy(), want, rtol=1e-5, atol=1e-6)
    assert int(optimizer.iterations.numpy()) == STEPS
    assert int(optimizer.inner_optimizer.iterations.numpy()) == STEPS


@pytest.mark.with_device(test_utils.ALL_DEVICES)
@pytest.mark.parametrize("mode", MODES)
def test_slow_weights_start_at_the_initial_weights(device, mode):
    skip_unsupported(device, mode)
    strategy = test_utils.strategy_of(device)
    variables = make_variables()
    optimizer = Lookahead(keras.optimizers.SGD(learning_rate=0.1), sync_period=3)
    if replicas_of(device) > 1:
        optimizer.build(variables)  # TensorFlow cannot build inside strategy.run

    def step():
        strategy.run(
            lambda: optimizer.apply(
                gradients(variables, strategy.num_replicas_in_sync), variables
            )
        )

    if mode != "eager":
        step = tf.function(step, jit_compile=mode == "xla")
    step()  # builds inside the first trace in graph and XLA modes
    for slow, initial in zip(optimizer.slow_weights, initial_values()):
        np.testing.assert_array_equal(slow.numpy(), initial)


@pytest.mark.with_device([tf.distribute.MirroredStrategy])
def test_building_inside_strategy_run_is_a_clear_error(device):
    variables = make_variables()
    optimizer = Lookahead(keras.optimizers.SGD(learning_rate=0.1))

    @tf.function
    def step():
        device.run(lambda: optimizer.apply(gradients(variables, 2), variables))

    with pytest.raises(ValueError, match=r"optimizer\.build\(model\.trainable"):
        step()


def test_slow_weights_are_copies_not_aliases():
    variables = make_variables()
    optimizer = Lookahead(keras.optimizers.SGD(learning_rate=0.1), sync_period=3)
    optimizer.build(variables)
    for slow, initial in zip(optimizer.slow_weights, initial_values()):
        np.testing.assert_array_equal(slow.numpy(), initial)
    variables[0].assign(variables[0] + 1.0)
    np.testing.assert_array_equal(
        optimizer.slow_weights[0].numpy(), initial_values()[0]
    )


def test_slow_weights_follow_weights_set_after_build():
    """Weights loaded after build but before the first update are the anchor."""
    variables = make_variables()
    optimizer = Lookahead(keras.optimizers.SGD(learning_rate=0.1), sync_period=2)
    optimizer.build(variables)
    shifted = [value + 1.0 for value in initial_values()]
    for variable, value in zip(variables, shifted):
        variable.assign(value)
    optimizer.apply(gradients(variables), variables)
    for slow, value in zip(optimizer.slow_weights, shifted):
        np.testing.assert_array_equal(slow.numpy(), value)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_a_step_traced_before_the_weights_change_anchors_when_it_runs(jit_compile):
    """Lookahead built while a step traces, weights loaded, then the step runs.

    The build anchors to the weights at trace time; the step, run later, must
    start the slow weights from the weights it updates (as after warming up a
    step with `get_concrete_function()`, then loading pretrained weights).
    """
    variables = make_variables()
    optimizer = Lookahead(keras.optimizers.SGD(learning_rate=0.1), sync_period=2)

    @tf.function(jit_compile=jit_compile)
    def step():
        optimizer.apply(gradients(variables), variables)

    step.get_concrete_function()
    assert optimizer.built
    shifted = [value + 1.0 for value in initial_values()]
    for variable, value in zip(variables, shifted):
        variable.assign(value)
    step()
    for slow, value in zip(optimizer.slow_weights, shifted):
        np.testing.assert_array_equal(slow.numpy(), value)


def test_inner_state_carries_across_syncs():
    variables = make_variables()
    inner = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    optimizer = Lookahead(inner, sync_period=2)
    for _ in range(2):
        optimizer.apply(gradients(variables), variables)
    momentum_after_sync = [m.numpy() for m in inner.momentums]
    assert all(np.any(m != 0) for m in momentum_after_sync[:3])
    reference_variables = make_variables()
    reference_inner = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    for _ in range(2):
        reference_inner.apply(gradients(reference_variables), reference_variables)
    for got, want in zip(momentum_after_sync, reference_inner.momentums):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)


def conditional_ops_in_step(jit_compile):
    variables = make_variables()
    optimizer = Lookahead(keras.optimizers.SGD(learning_rate=0.1), sync_period=3)
    optimizer.build(variables)

    @tf.function(jit_compile=jit_compile)
    def step():
        optimizer.apply(gradients(variables), variables)

    graph = step.get_concrete_function().graph
    return [op.type for op in graph.get_operations() if op.type.endswith("If")]


def test_syncs_are_conditional_outside_xla_and_masked_under_xla():
    # Under XLA a conditional that writes variables copies all of them on
    # every step; the masked form fuses with the inner update instead.
    assert conditional_ops_in_step(jit_compile=False)
    assert conditional_ops_in_step(jit_compile=True) == []


@pytest.mark.parametrize("mode", ["function", "xla"])
def test_building_while_tracing_runs_eagerly(mode):
    """Optimizer variables are created and filled outside the traced step.

    Created inside it, they would get traced initializers under conditionals,
    which makes the first step slower, and would stay zero until a step runs.
    """
    variables = make_variables()
    optimizer = Lookahead(keras.optimizers.Adam(learning_rate=0.05), sync_period=3)

    @tf.function(jit_compile=mode == "xla")
    def step():
        optimizer.apply(gradients(variables), variables)

    step.get_concrete_function()
    assert optimizer.built and optimizer.inner_optimizer.built
    assert int(optimizer.iterations.numpy()) == 0
    for slow, initial in zip(optimizer.slow_weights, initial_values()):
        np.testing.assert_array_equal(slow.numpy(), initial)


def assert_steps_follow(step, variables, expected):
    """Runs `step` STEPS times; `variables` must follow `expected` at each."""
    for want_step in expected:
        step()
        for variable, want in zip(variables, want_step):
            np.testing.assert_allclose(variable.numpy(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["function", "xla"])
def test_model_variables_created_in_the_same_trace(mode):
    """Slow weights start at model weights that exist only after the trace."""
    variables = []

    def step():
        if not variables:
            variables.extend(make_variables())
        optimizer.apply(gradients(variables), variables)

    optimizer = Lookahead(keras.optimizers.Adam(learning_rate=0.05), 5, 0.5)
    step = tf.function(step, jit_compile=mode == "xla")
    expected = reference_trajectory("adam", 5, 0.5)
    assert_steps_follow(step, variables, expected)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kinds", [("tf",) * 4, ("tf", "keras", "tf", "keras")])
def test_plain_tf_variables_match_reference(mode, kinds):
    """Custom loops with `tf.Variable`s, alone or mixed with Keras variables."""

    def variables_of_kinds():
        return [
            tf.Variable(value) if kind == "tf" else keras.Variable(value)
            for value, kind in zip(initial_values(), kinds)
        ]

    variables = variables_of_kinds()
    optimizer = Lookahead(keras.optimizers.Adam(learning_rate=0.05), 5, 0.5)

    def step():
        optimizer.apply_gradients(zip(gradients(variables), variables))

    if mode != "eager":
        step = tf.function(step, jit_compile=mode == "xla")
    expected = reference_trajectory("adam", 5, 0.5)
    assert_steps_follow(step, variables, expected)
    with optimizer.slow_weights_in_model():
        for variable, want in zip(variables, expected[9]):
            np.testing.assert_allclose(variable.numpy(), want, rtol=1e-5, atol=1e-6)
    for variable, want in zip(variables, expected[-1]):
        np.testing.assert_allclose(variable.numpy(), want, rtol=1e-5, atol=1e-6)
