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
"""tf_keras Lookahead: save mid-cycle and resume exactly; config; arguments."""

import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead import Lookahead
from tensorflow_lookahead.tf_keras import RectifiedAdam
from tests.tf_keras import tf_keras_helpers as helpers

SAVED_STEPS = 4
TOTAL_STEPS = 10
SYNC_PERIOD = 3

INNER_OPTIMIZERS = {
    "adam": lambda: tf.keras.optimizers.Adam(0.02),
    "legacy_adam": lambda: tf.keras.optimizers.legacy.Adam(0.02),
    "ranger": lambda: RectifiedAdam(0.02),
}


def compiled_model(make_inner):
    net = helpers.model()
    optimizer = Lookahead(make_inner(), sync_period=SYNC_PERIOD)
    net.compile(optimizer=optimizer, loss="mse")
    return net


def train(net, first, last):
    arrays = helpers.data()
    for step in range(first, last):
        net.train_on_batch(*helpers.batch(arrays, step))


def uninterrupted(make_inner):
    net = compiled_model(make_inner)
    train(net, 0, TOTAL_STEPS)
    return net.get_weights()


def save_h5(net, directory):
    path = str(directory / "model.h5")
    net.save(path)
    tf.keras.backend.clear_session()
    return tf.keras.models.load_model(path)


def save_saved_model(net, directory):
    path = directory / "saved_model"
    net.save(str(path), save_format="tf")
    tf.keras.backend.clear_session()
    restored = tf.keras.models.load_model(str(path))
    # tf_keras 2.21's load_model of a SavedModel leaves every optimizer's
    # state fresh (plain Adam too); the state is in the SavedModel's
    # checkpoint, which load_weights restores.
    restored.load_weights(str(path / "variables" / "variables"))
    return restored


def save_checkpoint(net, directory, make_inner):
    path = tf.train.Checkpoint(model=net, optimizer=net.optimizer).write(
        str(directory / "checkpoint")
    )
    tf.keras.backend.clear_session()
    restored = compiled_model(make_inner)
    tf.train.Checkpoint(model=restored, optimizer=restored.optimizer).read(path)
    return restored


@pytest.mark.parametrize("inner_name", sorted(INNER_OPTIMIZERS))
@pytest.mark.parametrize("format_name", ["h5", "saved_model", "checkpoint"])
def test_save_mid_cycle_and_resume_exactly(tmp_path, inner_name, format_name):
    make_inner = INNER_OPTIMIZERS[inner_name]
    expected = uninterrupted(make_inner)
    tf.keras.backend.clear_session()
    net = compiled_model(make_inner)
    train(net, 0, SAVED_STEPS)
    if format_name == "h5":
        restored = save_h5(net, tmp_path)
    elif format_name == "saved_model":
        restored = save_saved_model(net, tmp_path)
    else:
        restored = save_checkpoint(net, tmp_path, make_inner)
    assert isinstance(restored.optimizer, Lookahead)
    train(restored, SAVED_STEPS, TOTAL_STEPS)
    assert int(restored.optimizer.iterations.numpy()) == TOTAL_STEPS
    for got, want in zip(restored.get_weights(), expected):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("inner_name", sorted(INNER_OPTIMIZERS))
def test_config_round_trip(inner_name):
    optimizer = Lookahead(
        INNER_OPTIMIZERS[inner_name](), sync_period=4, slow_step_size=0.3
    )
    serialized = tf.keras.optimizers.serialize(optimizer)
    assert serialized["registered_name"] == "Addons>Lookahead"
    restored = tf.keras.optimizers.deserialize(serialized)
    assert isinstance(restored, Lookahead)
    assert type(restored.inner_optimizer) is type(optimizer.inner_optimizer)
    assert restored.get_config() == optimizer.get_config()


@pytest.mark.parametrize(
    "optimizer",
    ["adam", {"class_name": "SGD", "config": {"learning_rate": 0.5}}],
)
def test_inner_optimizer_from_name_or_config(optimizer):
    lookahead = Lookahead(optimizer)
    assert isinstance(
        lookahead.inner_optimizer,
        (tf.keras.optimizers.Optimizer, tf.keras.optimizers.legacy.Optimizer),
    )


def test_learning_rate_is_the_inner_optimizers():
    inner = tf.keras.optimizers.legacy.Adam(0.02)
    optimizer = Lookahead(inner)
    optimizer.learning_rate = 0.5
    assert float(inner.learning_rate) == pytest.approx(0.5)
    assert float(optimizer.lr) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "arguments,error,message",
    [
        ({"sync_period": 0}, ValueError, "sync_period"),
        ({"sync_period": True}, TypeError, "sync_period"),
        ({"sync_period": 2.5}, TypeError, "sync_period"),
        ({"slow_step_size": 1.5}, ValueError, "slow_step_size"),
        ({"slow_step_size": float("nan")}, ValueError, "slow_step_size"),
        ({"slow_step_size": "0.5"}, TypeError, "slow_step_size"),
        ({"learning_rate": 0.1}, ValueError, "inner optimizer"),
        ({"clipnorm": 1.0}, ValueError, "inner optimizer"),
        ({"unknown": 1}, TypeError, "unexpected keyword"),
    ],
)
def test_bad_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        Lookahead(tf.keras.optimizers.SGD(), **arguments)


@pytest.mark.parametrize("optimizer", ["no_such_optimizer", {"class_name": "Nope"}])
def test_bad_inner_optimizer(optimizer):
    with pytest.raises(ValueError, match="`optimizer` must be"):
        Lookahead(optimizer)


MOVING_AVERAGES_ERROR = (
    r"^Lookahead for tf_keras cannot wrap an optimizer with `use_ema=True` \(got "
    r"Adam with use_ema=True\): tf_keras' fit writes the moving averages into the "
    r"model only for a tf\.keras\.optimizers\.Optimizer, and this Lookahead is a "
    r"tf\.keras\.optimizers\.legacy\.Optimizer \(tfa's layout\), so fit would end "
    r"on the trained weights instead\. Use an inner optimizer with use_ema=False, "
    r"or Keras 3 and tensorflow_lookahead\.optimizers\.Lookahead, which supports "
    r"EMA\.$"
)


def ema_adam():
    return tf.keras.optimizers.Adam(0.02, use_ema=True)


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: Lookahead(ema_adam()),
        lambda: Lookahead(tf.keras.optimizers.serialize(ema_adam())),
        lambda: Lookahead.from_config(
            {
                "name": "Lookahead",
                "optimizer": tf.keras.optimizers.serialize(ema_adam()),
                "sync_period": SYNC_PERIOD,
                "slow_step_size": 0.5,
            }
        ),
    ],
    ids=["instance", "config", "from_config"],
)
def test_inner_optimizer_with_moving_averages_is_rejected(make_optimizer):
    with pytest.raises(ValueError, match=MOVING_AVERAGES_ERROR):
        make_optimizer()


def test_why_moving_averages_are_rejected():
    # The inner optimizer alone ends fit on its moving averages; tf_keras'
    # fit does that only for a tf.keras.optimizers.Optimizer, which
    # Lookahead (an OptimizerV2, as tfa's) is not.
    net = helpers.model()
    net.compile(optimizer=ema_adam(), loss="mse")
    net.fit(*helpers.data(), batch_size=helpers.BATCH_SIZE, verbose=0)
    averages = net.optimizer._model_variables_moving_average
    for got, want in zip(net.get_weights(), averages):
        np.testing.assert_array_equal(got, want.numpy())
    assert not isinstance(
        Lookahead(tf.keras.optimizers.Adam()), tf.keras.optimizers.Optimizer
    )


def test_keras_3_optimizer_is_rejected():
    import keras

    with pytest.raises(TypeError, match="optimizer"):
        Lookahead(keras.optimizers.SGD())
