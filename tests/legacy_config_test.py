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
"""Configs written by tfa and Keras 2 deserialize into our Lookahead."""

import keras
import pytest

from tensorflow_lookahead.optimizers import Lookahead


def tfa_config(inner_config, inner_class="Adam", **lookahead_config):
    """A config as tfa 0.2x saved it with tf.keras 2 (legacy optimizers)."""
    return {
        "class_name": "Addons>Lookahead",
        "config": {
            "name": "Lookahead",
            "optimizer": {"class_name": inner_class, "config": inner_config},
            "sync_period": 6,
            "slow_step_size": 0.5,
            "is_legacy_optimizer": True,
            **lookahead_config,
        },
    }


KERAS2_ADAM = {
    "name": "Adam",
    "learning_rate": 0.002,
    "decay": 0.0,
    "beta_1": 0.8,
    "beta_2": 0.99,
    "epsilon": 1e-7,
    "amsgrad": False,
    "is_legacy_optimizer": True,
}


def test_tfa_config_with_keras2_adam_deserializes():
    optimizer = keras.optimizers.deserialize(tfa_config(KERAS2_ADAM))
    assert isinstance(optimizer, Lookahead)
    assert (optimizer.sync_period, optimizer.slow_step_size) == (6, 0.5)
    inner = optimizer.inner_optimizer
    assert isinstance(inner, keras.optimizers.Adam)
    assert float(inner.learning_rate.numpy()) == pytest.approx(0.002)
    assert (inner.beta_1, inner.beta_2) == (0.8, 0.99)


def test_lr_key_becomes_learning_rate():
    config = {"name": "SGD", "lr": 0.3, "momentum": 0.9, "decay": 0.0}
    optimizer = keras.optimizers.deserialize(tfa_config(config, "SGD"))
    assert float(optimizer.inner_optimizer.learning_rate.numpy()) == pytest.approx(0.3)
    assert optimizer.inner_optimizer.momentum == 0.9


def test_keras2_decay_becomes_the_same_inverse_time_decay():
    config = dict(KERAS2_ADAM, decay=0.01)
    optimizer = keras.optimizers.deserialize(tfa_config(config))
    schedule = optimizer.inner_optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.InverseTimeDecay)
    # Keras 2: lr_t = lr / (1 + decay * iterations).
    for step in (0, 1, 10, 1000):
        assert float(schedule(step)) == pytest.approx(0.002 / (1 + 0.01 * step))


def test_decay_with_a_schedule_has_no_keras3_meaning():
    schedule = keras.optimizers.schedules.serialize(
        keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    )
    config = dict(KERAS2_ADAM, learning_rate=schedule, decay=0.01)
    with pytest.raises(ValueError, match="decay"):
        keras.optimizers.deserialize(tfa_config(config))


def test_clipnorm_on_the_tfa_wrapper_is_an_error_not_dropped():
    with pytest.raises(ValueError, match="clipnorm.*inner optimizer"):
        keras.optimizers.deserialize(tfa_config(KERAS2_ADAM, clipnorm=1.0))


def test_keras2_schedule_without_a_name_runs():
    schedule = {
        "class_name": "ExponentialDecay",
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.5,
            "staircase": False,
            "name": None,
        },
        "module": "keras.optimizers.schedules",
        "registered_name": None,
    }
    config = dict(KERAS2_ADAM, learning_rate=schedule)
    optimizer = keras.optimizers.deserialize(tfa_config(config))
    weight = keras.Variable([1.0])
    optimizer.apply([keras.ops.ones((1,))], [weight])
    assert float(optimizer.learning_rate) == pytest.approx(0.1 * 0.5**0.1)


def test_tfa_only_inner_optimizer_names_the_class():
    with pytest.raises(ValueError, match="Addons>NovoGrad"):
        keras.optimizers.deserialize(
            tfa_config({"name": "NovoGrad"}, "Addons>NovoGrad")
        )


def test_new_style_keras2_optimizer_keys_are_accepted():
    config = {
        "name": "Adam",
        "learning_rate": 0.001,
        "weight_decay": None,
        "clipnorm": 1.0,
        "global_clipnorm": None,
        "clipvalue": None,
        "use_ema": False,
        "ema_momentum": 0.99,
        "ema_overwrite_frequency": None,
        "jit_compile": True,
        "is_legacy_optimizer": False,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-07,
        "amsgrad": False,
    }
    optimizer = keras.optimizers.deserialize(tfa_config(config))
    assert optimizer.inner_optimizer.clipnorm == 1.0


def test_tfa_config_warns_that_tfa_state_cannot_be_loaded():
    with pytest.warns(UserWarning, match=r"tfa's saved optimizer state.*cannot"):
        Lookahead.from_config(tfa_config(KERAS2_ADAM)["config"])


def test_own_config_does_not_warn(recwarn):
    Lookahead.from_config(Lookahead("adam").get_config())
    assert not [w for w in recwarn if "tfa" in str(w.message)]
