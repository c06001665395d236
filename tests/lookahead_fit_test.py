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
"""Lookahead in model.fit: learning, callbacks, schedules, mixed precision."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.utils import test_utils
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.backend_neutral.reference_lookahead import Algorithm1
from tests.backend_neutral.reference_lookahead import ReferenceLookaheadCallback
from tests.fit_helpers import (
    BATCH,
    SAMPLES,
    assert_weights_close,
    fit,
    linear_data,
    mlp,
)
from tests.fit_helpers import reference_fit_weights

DEVICES = test_utils.ALL_DEVICES


@pytest.mark.with_device(DEVICES)
def test_linear_model_is_learned(device):
    features, targets, true_kernel = linear_data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    fit(model, Lookahead(keras.optimizers.Adam(0.1), sync_period=5), epochs=60)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel, true_kernel, atol=1e-3)
    np.testing.assert_allclose(bias, [0.75], atol=1e-3)


@pytest.mark.with_device(DEVICES)
@pytest.mark.parametrize("mode", ["graph", "eager", "xla"])
def test_fit_matches_reference(device, mode):
    if mode == "xla" and test_utils.strategy_of(device).num_replicas_in_sync > 1:
        pytest.skip("Keras does not support jit_compile under MirroredStrategy")
    inner = sgd_momentum
    expected = test_utils.run_on_default_device(reference_fit_weights, inner, 3, 0.5)
    model = mlp()
    optimizer = Lookahead(inner(), sync_period=3, slow_step_size=0.5)
    fit(
        model,
        optimizer,
        run_eagerly=mode == "eager",
        jit_compile=mode == "xla",
    )
    assert_weights_close(model, expected)
    assert int(optimizer.iterations.numpy()) == 3 * SAMPLES // BATCH


@pytest.mark.with_device(DEVICES)
def test_steps_per_execution_matches_reference(device):
    if test_utils.strategy_of(device).num_replicas_in_sync > 1:
        pytest.skip(
            "steps_per_execution > 1 under MirroredStrategy fails in TF 2.21 / "
            "Keras 3.15 for plain Keras optimizers too"
        )
    inner = lambda: keras.optimizers.Adam(0.05)  # noqa: E731
    expected = test_utils.run_on_default_device(reference_fit_weights, inner, 3, 0.5)
    model = mlp()
    fit(model, Lookahead(inner(), sync_period=3), steps_per_execution=4)
    assert_weights_close(model, expected)


@pytest.mark.with_device(DEVICES)
def test_reduce_lr_on_plateau_lowers_the_inner_learning_rate(device):
    optimizer = Lookahead(keras.optimizers.SGD(0.1))
    plateau = keras.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=0, min_delta=1e9
    )
    # The first epoch sets the best loss; each later one is a plateau.
    fit(mlp(), optimizer, epochs=3, callbacks=[plateau])
    assert float(optimizer.inner_optimizer.learning_rate.numpy()) == pytest.approx(
        0.025
    )
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(0.025)


@pytest.mark.with_device(DEVICES)
def test_learning_rate_scheduler_sets_the_inner_learning_rate(device):
    optimizer = Lookahead(keras.optimizers.SGD(0.1))
    seen = []
    scheduler = keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: seen.append(lr) or 0.1 / (epoch + 1)
    )
    fit(mlp(), optimizer, epochs=3, callbacks=[scheduler])
    assert seen == pytest.approx([0.1, 0.1, 0.05])
    assert float(optimizer.inner_optimizer.learning_rate.numpy()) == pytest.approx(
        0.1 / 3
    )


@pytest.mark.with_device(DEVICES)
def test_learning_rate_schedule_inner_matches_reference(device):
    def inner():
        schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 4, 0.5)
        return keras.optimizers.SGD(schedule)

    expected = test_utils.run_on_default_device(reference_fit_weights, inner, 4, 0.5)
    model = mlp()
    fit(model, Lookahead(inner(), sync_period=4))
    assert_weights_close(model, expected)


def test_learning_rate_is_delegated_for_reading_and_writing():
    optimizer = Lookahead(keras.optimizers.Adam(0.01))
    optimizer.learning_rate = 0.5
    assert float(optimizer.inner_optimizer.learning_rate.numpy()) == 0.5
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 4, 0.5)
    scheduled = Lookahead(keras.optimizers.Adam(schedule))
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        scheduled.learning_rate = 0.5


@pytest.mark.with_device(DEVICES)
def test_mixed_float16_trains_finite_and_matches_reference(device, float16_policy):
    inner = sgd_momentum
    # The reference runs on the same placement and policy: which steps the
    # loss scale skips depends on both, for plain Keras optimizers too.
    reference_model = mlp()
    fit(reference_model, inner(), callbacks=[ReferenceLookaheadCallback(3, 0.5)])
    model = mlp()
    optimizer = Lookahead(inner(), sync_period=3)
    history = fit(model, optimizer)
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert model.optimizer.inner_optimizer is optimizer
    assert_weights_close(
        model, [v.numpy() for v in reference_model.trainable_variables]
    )
    assert int(model.optimizer.iterations.numpy()) == int(
        reference_model.optimizer.iterations.numpy()
    )
    if test_utils.strategy_of(device).num_replicas_in_sync == 1:
        # With two replicas, Keras' LossScaleOptimizer checks only the first
        # replica's (unreduced) gradients, lets a non-finite step through and
        # reports an infinite loss, for plain optimizers too (TF 2.21).
        assert np.all(np.isfinite(history.history["loss"]))
        assert all(np.all(np.isfinite(w)) for w in model.get_weights())


@pytest.mark.with_device(DEVICES)
def test_reduce_lr_on_plateau_under_mixed_float16(device, float16_policy):
    optimizer = Lookahead(keras.optimizers.SGD(0.1))
    plateau = keras.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=0, min_delta=1e9
    )
    fit(mlp(), optimizer, epochs=3, callbacks=[plateau])
    assert float(optimizer.inner_optimizer.learning_rate.numpy()) == pytest.approx(
        0.025
    )


@pytest.mark.parametrize("mode", ["eager", "function", "xla"])
def test_skipped_non_finite_steps_do_not_count_towards_a_sync(mode):
    variable = keras.Variable([1.0])
    inner = keras.optimizers.SGD(0.1)
    scaled = keras.optimizers.LossScaleOptimizer(
        Lookahead(inner, sync_period=2, slow_step_size=0.5)
    )
    finite, infinite = tf.constant([1.0]), tf.constant([np.inf])
    scaled.build([variable])

    def apply(grad):
        scaled.apply([grad * scaled.dynamic_scale], [variable])

    if mode != "eager":
        apply = tf.function(apply, jit_compile=mode == "xla")
    for grad in [finite, infinite, infinite]:
        apply(grad)
    # One applied update (1.0 -> 0.9) and no sync: two inf steps were skipped.
    np.testing.assert_allclose(variable.numpy(), [0.9], rtol=1e-6)
    apply(finite)
    # Second applied update (0.9 -> 0.8), then the sync: 1 + 0.5 * (0.8 - 1).
    np.testing.assert_allclose(variable.numpy(), [0.9], rtol=1e-6)
    assert int(scaled.iterations.numpy()) == 2


def test_loss_scale_factor_is_forwarded_through_loss_scale_optimizer():
    variable = keras.Variable([1.0])
    inner = keras.optimizers.SGD(0.1, loss_scale_factor=8.0)
    lookahead = Lookahead(inner, sync_period=10)
    assert lookahead.loss_scale_factor == 8.0
    assert float(lookahead.scale_loss(tf.constant(2.0))) == 16.0
    scaled = keras.optimizers.LossScaleOptimizer(lookahead)
    assert inner.loss_scale_factor is None
    scaled.build([variable])
    scaled.apply([tf.constant([1.0]) * scaled.dynamic_scale], [variable])
    np.testing.assert_allclose(variable.numpy(), [0.9], rtol=1e-6)


def test_iterations_counts_each_applied_step_once():
    variable = keras.Variable([1.0])
    optimizer = Lookahead(keras.optimizers.Adam(0.1), sync_period=3)
    for step in range(1, 8):
        optimizer.apply([tf.constant([1.0])], [variable])
        assert int(optimizer.iterations.numpy()) == step
        assert optimizer.iterations is optimizer.inner_optimizer.iterations


def test_gradient_accumulation_syncs_after_k_applied_updates():
    def run(optimizer_fn, syncs):
        variable = keras.Variable([1.0])
        optimizer = optimizer_fn()
        for step in range(12):
            optimizer.apply([tf.constant([1.0 + step])], [variable])
        return variable.numpy(), optimizer

    accumulated, optimizer = run(
        lambda: Lookahead(
            keras.optimizers.SGD(0.1, gradient_accumulation_steps=2),
            sync_period=3,
            slow_step_size=0.5,
        ),
        syncs=True,
    )
    # Reference: 6 applied SGD updates with the mean of each pair of gradients,
    # a sync after the 3rd and the 6th.
    reference = Algorithm1([1.0], sync_period=3, slow_step_size=0.5)
    weight = 1.0
    for update in range(6):
        mean_gradient = ((1.0 + 2 * update) + (2.0 + 2 * update)) / 2
        [weight] = reference.after_update([weight - 0.1 * mean_gradient])
    np.testing.assert_allclose(accumulated, [weight], rtol=1e-6)
    assert int(optimizer.iterations.numpy()) == 6


def test_weight_decay_and_clipping_work_through_the_wrapper():
    for inner_fn in [
        lambda: keras.optimizers.AdamW(0.1, weight_decay=0.5),
        lambda: keras.optimizers.SGD(0.1, clipnorm=0.5),
        lambda: keras.optimizers.SGD(0.1, clipvalue=0.2),
        lambda: keras.optimizers.SGD(0.1, global_clipnorm=0.3),
    ]:
        expected = keras.Variable([1.0, -2.0])
        reference = keras.optimizers.SGD  # silence linters on unused names
        del reference
        plain = inner_fn()
        got = keras.Variable([1.0, -2.0])
        wrapped = Lookahead(inner_fn(), sync_period=100)
        for _ in range(3):
            plain.apply([tf.constant([3.0, 4.0])], [expected])
            wrapped.apply([tf.constant([3.0, 4.0])], [got])
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
        assert not np.allclose(got.numpy(), [1.0 - 0.9, -2.0 - 1.2])


def test_exclude_from_weight_decay_is_delegated():
    inner = keras.optimizers.AdamW(0.1, weight_decay=0.5)
    optimizer = Lookahead(inner)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    bias = keras.Variable([1.0], name="bias")
    optimizer.build([bias])
    assert not inner._use_weight_decay(bias)


def test_ema_inner_and_finalize_variable_values():
    model = mlp()
    inner = keras.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.5)
    optimizer = Lookahead(inner, sync_period=3)
    fit(model, optimizer, epochs=2)
    averages = [v.numpy() for v in inner._model_variables_moving_average]
    # fit ends with finalize_variable_values: the model holds the EMA weights.
    assert_weights_close(model, averages, rtol=1e-6)


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
def test_weight_constraints_hold_after_syncs_and_match_reference(jit_compile):
    def constrained_model(initializer=keras.initializers.RandomUniform(0.0, 0.5)):
        keras.utils.set_random_seed(2)
        non_negative = keras.constraints.NonNeg()
        return keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(
                    3,
                    kernel_constraint=non_negative,
                    kernel_initializer=initializer,
                    activation="tanh",
                ),
                keras.layers.Dense(
                    1, kernel_constraint=non_negative, kernel_initializer=initializer
                ),
            ]
        )

    inner = lambda: keras.optimizers.SGD(0.1, momentum=0.9)  # noqa: E731
    reference_model = constrained_model()
    # From non-negative initial weights, interpolating two non-negative
    # weights stays non-negative: the paper's algorithm needs no projection.
    fit(
        reference_model,
        inner(),
        callbacks=[ReferenceLookaheadCallback(3, 0.5)],
        jit_compile=jit_compile,
    )
    model = constrained_model()
    fit(model, Lookahead(inner(), sync_period=3), jit_compile=jit_compile)
    assert_weights_close(
        model, [v.numpy() for v in reference_model.trainable_variables]
    )
    for layer in model.layers:
        assert np.all(layer.kernel.numpy() >= 0)
    # From negative initial weights, a sync is projected like any update.
    model = constrained_model(initializer="glorot_uniform")
    assert np.any(model.layers[0].kernel.numpy() < 0)
    fit(model, Lookahead(inner(), sync_period=3), jit_compile=jit_compile)
    for layer in model.layers:
        assert np.all(layer.kernel.numpy() >= 0)
