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
"""Files written by tensorflow-addons 0.23 resume exactly under tf_keras.

tests/data/tfa_files/ comes from tools/make_tfa_files.py run with tfa on
TensorFlow 2.15: a model trained with tfa's Lookahead(Adam) or Ranger
(Lookahead(RectifiedAdam)) saved mid-cycle as .h5 and as a
tf.train.Checkpoint, and the weights tfa reached in the steps after.
"""

import json
import pathlib

import numpy as np
import pytest
import tensorflow as tf

import tensorflow_lookahead  # noqa: F401 (registers Addons>Lookahead)
from tensorflow_lookahead.tf_keras import Lookahead
from tensorflow_lookahead.tf_keras import RectifiedAdam

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "tfa_files"
DESCRIPTION = json.loads((DATA / "description.json").read_text())
CASES = sorted(DESCRIPTION["cases"])
INNER_CLASSES = {
    "lookahead_adam": tf.keras.optimizers.legacy.Adam,
    "ranger": RectifiedAdam,
}
# tfa ran on TensorFlow 2.15, we on 2.21: matmuls may round differently.
ATOL = 1e-6


def recorded(case):
    return np.load(DATA / f"{case}.npz")


def batch(record, step):
    size = DESCRIPTION["batch_size"]
    count = len(record["inputs"]) // size
    start = (step % count) * size
    return (
        record["inputs"][start : start + size],
        record["targets"][start : start + size],
    )


def continue_and_compare(net, record):
    saved = DESCRIPTION["saved_steps"]
    for step in range(saved, saved + DESCRIPTION["continued_steps"]):
        net.train_on_batch(*batch(record, step))
        for index, value in enumerate(net.get_weights()):
            np.testing.assert_allclose(
                value,
                record[f"continued_{step}_{index}"],
                rtol=0,
                atol=ATOL,
                err_msg=f"step {step + 1}, weight {index}",
            )


def test_files_are_saved_mid_cycle():
    assert DESCRIPTION["saved_steps"] % DESCRIPTION["sync_period"] != 0
    assert DESCRIPTION["continued_steps"] > DESCRIPTION["sync_period"]


@pytest.mark.parametrize("case", CASES)
def test_h5_loads_without_custom_objects_and_continues_as_tfa(case):
    record = recorded(case)
    net = tf.keras.models.load_model(DATA / f"{case}.h5")
    optimizer = net.optimizer
    assert isinstance(optimizer, Lookahead)
    assert isinstance(optimizer.inner_optimizer, INNER_CLASSES[case])
    assert optimizer.sync_period == DESCRIPTION["sync_period"]
    assert int(optimizer.iterations.numpy()) == DESCRIPTION["saved_steps"]
    saved_state = optimizer.get_weights()
    assert len(saved_state) == len(DESCRIPTION["cases"][case]["optimizer_weight_names"])
    for index, value in enumerate(saved_state):
        np.testing.assert_array_equal(value, record[f"saved_optimizer_{index}"])
    continue_and_compare(net, record)


@pytest.mark.parametrize("case", CASES)
def test_checkpoint_restores_into_our_optimizers_and_continues_as_tfa(case):
    record = recorded(case)
    config = DESCRIPTION["cases"][case]["optimizer_config"]
    optimizer = tf.keras.optimizers.deserialize(config)
    assert isinstance(optimizer, Lookahead)
    net = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(record["inputs"].shape[1],)),
            tf.keras.layers.Dense(8, activation="tanh"),
            tf.keras.layers.Dense(1),
        ]
    )
    net.compile(optimizer=optimizer, loss="mse")
    status = tf.train.Checkpoint(model=net, optimizer=optimizer).read(
        str(DATA / f"{case}_checkpoint")
    )
    for index, value in enumerate(net.get_weights()):
        np.testing.assert_array_equal(value, record[f"saved_{index}"])
    continue_and_compare(net, record)
    # Everything in tfa's checkpoint found its variable (slots are created,
    # and restored, at the first step).
    status.assert_consumed()
