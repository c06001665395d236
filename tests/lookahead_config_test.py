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
"""get_config / from_config / serialize / deserialize round trips."""

import keras
import pytest

from tensorflow_lookahead.optimizers import Lookahead


class ScaledSGD(keras.optimizers.SGD):
    """A custom inner optimizer known only through `custom_objects`."""

    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def test_finalize_with_slow_weights_round_trips_through_the_config():
    optimizer = Lookahead("sgd", finalize_with_slow_weights=True)
    restored = Lookahead.from_config(optimizer.get_config())
    assert restored.finalize_with_slow_weights is True


def test_config_holds_the_tfa_arguments():
    optimizer = Lookahead(
        keras.optimizers.Adam(learning_rate=0.01),
        sync_period=4,
        slow_step_size=0.25,
        name="la",
    )
    config = optimizer.get_config()
    assert set(config) == {
        "name",
        "optimizer",
        "sync_period",
        "slow_step_size",
        "finalize_with_slow_weights",
        "inner_state_at_sync",
    }
    assert config["finalize_with_slow_weights"] is False
    assert config["inner_state_at_sync"] == "keep"
    assert config["name"] == "la"
    assert config["sync_period"] == 4
    assert config["slow_step_size"] == 0.25
    assert config["optimizer"]["class_name"] == "Adam"
    assert config["optimizer"]["config"]["learning_rate"] == pytest.approx(0.01)


@pytest.mark.parametrize(
    "inner",
    [
        lambda: keras.optimizers.SGD(learning_rate=0.3, momentum=0.9, nesterov=True),
        lambda: keras.optimizers.AdamW(weight_decay=0.05, clipnorm=1.0),
        lambda: keras.optimizers.Adam(
            learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
        ),
        lambda: "rmsprop",
    ],
    ids=["sgd", "adamw", "schedule", "string"],
)
def test_from_config_rebuilds_an_equal_optimizer(inner):
    optimizer = Lookahead(inner(), sync_period=3, slow_step_size=0.7)
    config = optimizer.get_config()
    rebuilt = Lookahead.from_config(config)
    assert rebuilt.get_config() == config
    assert type(rebuilt.inner_optimizer) is type(optimizer.inner_optimizer)


def test_serialize_deserialize_round_trip_uses_the_tfa_registered_name():
    optimizer = Lookahead("adam", sync_period=5, slow_step_size=0.4)
    serialized = keras.optimizers.serialize(optimizer)
    assert serialized["registered_name"] == "Addons>Lookahead"
    restored = keras.optimizers.deserialize(serialized)
    assert isinstance(restored, Lookahead)
    assert restored.get_config() == optimizer.get_config()


def test_deserialize_by_registered_name_alone():
    config = Lookahead("sgd").get_config()
    restored = keras.optimizers.deserialize(
        {"class_name": "Addons>Lookahead", "config": config}
    )
    assert isinstance(restored, Lookahead)
    assert restored.get_config() == config


def test_dict_inner_optimizer_is_deserialized():
    inner_config = keras.optimizers.serialize(keras.optimizers.Adam(0.02))
    optimizer = Lookahead(inner_config)
    assert isinstance(optimizer.inner_optimizer, keras.optimizers.Adam)
    assert float(optimizer.learning_rate.numpy()) == pytest.approx(0.02)


def test_nested_custom_inner_optimizer_needs_custom_objects():
    optimizer = Lookahead(ScaledSGD(scale=3.0, learning_rate=0.2), sync_period=2)
    serialized = keras.optimizers.serialize(optimizer)
    with pytest.raises(ValueError, match="ScaledSGD"):
        keras.optimizers.deserialize(serialized)
    restored = keras.optimizers.deserialize(
        serialized, custom_objects={"ScaledSGD": ScaledSGD}
    )
    assert isinstance(restored.inner_optimizer, ScaledSGD)
    assert restored.inner_optimizer.scale == 3.0
    assert restored.get_config() == optimizer.get_config()


def test_custom_object_scope_also_works():
    optimizer = Lookahead(ScaledSGD(scale=2.0))
    with keras.saving.custom_object_scope({"ScaledSGD": ScaledSGD}):
        restored = Lookahead.from_config(optimizer.get_config())
    assert restored.inner_optimizer.scale == 2.0


def test_nested_lookahead_round_trips():
    optimizer = Lookahead(Lookahead("sgd", sync_period=2), sync_period=3)
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert isinstance(restored.inner_optimizer, Lookahead)
    assert restored.get_config() == optimizer.get_config()
