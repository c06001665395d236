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
"""tf_keras Lookahead against Algorithm 1 written out (tf_keras_helpers)."""

import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead import Lookahead
from tensorflow_lookahead.utils import test_utils
from tests.tf_keras import tf_keras_helpers as helpers

STEPS = 11

INNER_OPTIMIZERS = {
    "sgd_momentum": lambda: tf.keras.optimizers.SGD(0.1, momentum=0.9),
    "legacy_sgd_momentum": lambda: tf.keras.optimizers.legacy.SGD(0.1, momentum=0.9),
    "adam": lambda: tf.keras.optimizers.Adam(0.02),
    "legacy_adam": lambda: tf.keras.optimizers.legacy.Adam(0.02),
}
SYNC_SETTINGS = [(1, 0.5), (3, 0.5), (5, 0.8)]


def trajectory(optimizer, compile_fit, steps=STEPS):
    arrays = helpers.data()
    net = helpers.model()
    if compile_fit:
        net.compile(optimizer=optimizer, loss="mse")
    else:
        step_fn = helpers.train_step_function(net, optimizer)
    weights = []
    for step in range(steps):
        inputs, targets = helpers.batch(arrays, step)
        if compile_fit:
            net.train_on_batch(inputs, targets)
        else:
            step_fn(inputs, targets)
        weights.append(net.get_weights())
    return weights, net


def test_switch_gives_the_tf_keras_optimizer():
    import tensorflow_lookahead
    from tensorflow_lookahead import tf_keras

    assert tensorflow_lookahead.Lookahead is tf_keras.Lookahead
    assert tensorflow_lookahead.optimizers.RectifiedAdam is tf_keras.RectifiedAdam
    assert isinstance(
        Lookahead(tf.keras.optimizers.Adam()), tf.keras.optimizers.legacy.Optimizer
    )


# Every (k, alpha) in a custom tf.function loop; compile/fit with one.
CASES = [(k, alpha, False) for k, alpha in SYNC_SETTINGS] + [(3, 0.5, True)]


@pytest.mark.parametrize("sync_period,slow_step_size,compile_fit", CASES)
@pytest.mark.parametrize("inner_name", sorted(INNER_OPTIMIZERS))
def test_matches_reference(inner_name, sync_period, slow_step_size, compile_fit):
    make_inner = INNER_OPTIMIZERS[inner_name]
    expected = helpers.reference_trajectory(
        make_inner(), sync_period, slow_step_size, STEPS, compile_fit
    )
    tf.keras.backend.clear_session()
    optimizer = Lookahead(
        make_inner(), sync_period=sync_period, slow_step_size=slow_step_size
    )
    actual, _ = trajectory(optimizer, compile_fit)
    helpers.assert_trajectories_close(actual, expected)
    assert int(optimizer.iterations.numpy()) == STEPS


@pytest.mark.parametrize("inner_name", ["adam", "legacy_adam"])
def test_fit_epochs_match_reference(inner_name):
    """model.fit over epochs (4 batches each, k = 3 syncs across epochs)."""
    make_inner = INNER_OPTIMIZERS[inner_name]
    expected = helpers.reference_trajectory(make_inner(), 3, 0.5, 12, True)
    net = helpers.model()
    net.compile(optimizer=Lookahead(make_inner(), sync_period=3), loss="mse")
    net.fit(*helpers.data(), batch_size=8, epochs=3, shuffle=False, verbose=0)
    helpers.assert_trajectories_close([net.get_weights()], expected[-1:])


def test_slow_weights_start_at_initial_weights_and_follow_syncs():
    optimizer = Lookahead(tf.keras.optimizers.legacy.SGD(0.1), sync_period=4)
    _, net = trajectory(optimizer, compile_fit=False, steps=2)
    for initial, variable in zip(helpers.initial_weights(), net.trainable_variables):
        np.testing.assert_array_equal(
            optimizer.get_slot(variable, "slow").numpy(), initial
        )
    assert not any(
        np.array_equal(w, i)
        for w, i in zip(net.get_weights(), helpers.initial_weights())
    )


@pytest.mark.parametrize("inner_name", ["adam", "legacy_adam"])
def test_mixed_precision_matches_reference(inner_name, float16_policy):
    """Under mixed_float16, compile wraps Lookahead in a LossScaleOptimizer."""
    make_inner = INNER_OPTIMIZERS[inner_name]
    expected = helpers.reference_trajectory(make_inner(), 3, 0.5, 7, True)
    tf.keras.backend.clear_session()
    optimizer = Lookahead(make_inner(), sync_period=3)
    actual, net = trajectory(optimizer, compile_fit=True, steps=7)
    assert isinstance(net.optimizer, tf.keras.mixed_precision.LossScaleOptimizer)
    assert net.optimizer.inner_optimizer is optimizer
    helpers.assert_trajectories_close(actual, expected)
    slow = optimizer.get_slot(net.trainable_variables[0], "slow")
    assert slow.dtype == tf.float32
    # After the sync at step 6 the slow weights are the weights of step 6.
    np.testing.assert_allclose(slow.numpy(), expected[5][0], rtol=0, atol=1e-6)


@pytest.mark.with_device([tf.distribute.MirroredStrategy])
@pytest.mark.parametrize("inner_name", ["sgd_momentum", "legacy_adam"])
def test_mirrored_strategy_matches_reference(device, inner_name):
    make_inner = INNER_OPTIMIZERS[inner_name]
    expected = test_utils.run_on_default_device(
        lambda: helpers.reference_trajectory(make_inner(), 3, 0.5, 7, True)
    )
    net = helpers.model()
    optimizer = Lookahead(make_inner(), sync_period=3)
    net.compile(optimizer=optimizer, loss="mse")
    actual = []
    arrays = helpers.data()
    for step in range(7):
        net.train_on_batch(*helpers.batch(arrays, step))
        actual.append(net.get_weights())
    helpers.assert_trajectories_close(actual, expected, atol=1e-5)


@pytest.mark.with_device([tf.distribute.MirroredStrategy])
def test_mirrored_strategy_custom_loop(device):
    make_inner = INNER_OPTIMIZERS["adam"]
    expected = test_utils.run_on_default_device(
        lambda: helpers.reference_trajectory(make_inner(), 2, 0.5, 5, False)
    )
    net = helpers.model()
    optimizer = Lookahead(make_inner(), sync_period=2)
    loss_fn = tf.keras.losses.MeanSquaredError(reduction=tf.keras.losses.Reduction.NONE)

    def replica_step(inputs, targets):
        with tf.GradientTape() as tape:
            per_example = loss_fn(targets, net(inputs, training=True))
            loss = tf.nn.compute_average_loss(
                per_example, global_batch_size=helpers.BATCH_SIZE
            )
        grads = tape.gradient(loss, net.trainable_variables)
        optimizer.apply_gradients(zip(grads, net.trainable_variables))

    @tf.function
    def step(dataset_inputs):
        device.run(replica_step, args=dataset_inputs)

    arrays = helpers.data()
    actual = []
    for index in range(5):
        dataset = tf.data.Dataset.from_tensor_slices(
            tuple(helpers.batch(arrays, index))
        ).batch(helpers.BATCH_SIZE)
        distributed = device.experimental_distribute_dataset(dataset)
        step(next(iter(distributed)))
        actual.append(net.get_weights())
    helpers.assert_trajectories_close(actual, expected, atol=1e-5)
