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
"""Lookahead under tf.distribute strategies: custom loops, placement, counts.

`model.fit` under MirroredStrategy against the reference is covered in
lookahead_fit_test.py; here a custom training loop (`strategy.run` +
`apply_gradients`) must give the weights of one device on the same global
batches, and the slow weights must be mirrored like the model's weights.
"""

import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.utils import test_utils
from tests.backend_neutral import linear_problem
from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.reference_lookahead import ReferenceLookahead
from tests.distributed_training import distributed_train_step, reference_run
from tests.fit_helpers import mlp

GLOBAL_BATCH = 8
STEPS = 10
SYNC_PERIOD = 3
STRATEGIES = [
    tf.distribute.MirroredStrategy,
    tf.distribute.OneDeviceStrategy,
    tf.distribute.experimental.CentralStorageStrategy,
]


def data():
    return linear_problem.data(STEPS * GLOBAL_BATCH, seed=9)


def global_batches():
    return tf.data.Dataset.from_tensor_slices(data()).batch(GLOBAL_BATCH)


def new_model():
    return mlp(seed=5)


def reference_weights(inner):
    """One device, the paper's algorithm, the same global batches."""
    reference = ReferenceLookahead(INNERS[inner](), SYNC_PERIOD, 0.5)
    return reference_run(new_model(), reference, *data(), GLOBAL_BATCH)


def train_with_custom_loop(strategy, inner):
    with strategy.scope():
        model = new_model()
        optimizer = Lookahead(INNERS[inner](), sync_period=SYNC_PERIOD)
        # Variables cannot be created inside strategy.run: build first.
        optimizer.build(model.trainable_variables)

    train_step = distributed_train_step(strategy, model, optimizer, GLOBAL_BATCH)
    for batch in strategy.experimental_distribute_dataset(global_batches()):
        train_step(batch)
    return model, optimizer


@pytest.mark.with_device(STRATEGIES)
@pytest.mark.parametrize("inner", sorted(INNERS))
def test_custom_loop_matches_one_device(device, inner):
    expected_fast, expected_slow = test_utils.run_on_default_device(
        reference_weights, inner
    )
    model, optimizer = train_with_custom_loop(device, inner)
    for got, want in zip(model.trainable_variables, expected_fast):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)
    for got, want in zip(optimizer.slow_weights, expected_slow):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-6)
    # One count per global step, not per replica.
    assert int(optimizer.iterations.numpy()) == STEPS
    assert int(optimizer.sync_count.numpy()) == STEPS // SYNC_PERIOD


@pytest.mark.with_device([tf.distribute.MirroredStrategy])
def test_slow_weights_are_mirrored_on_every_replica(device):
    model, optimizer = train_with_custom_loop(device, "adam")
    replica_devices = [
        tf.DeviceSpec.from_string(name) for name in device.extended.worker_devices
    ]
    assert len(replica_devices) == 2
    for slow, fast in zip(optimizer.slow_weights, model.trainable_variables):
        copies = device.experimental_local_results(slow.value)
        assert len(copies) == 2
        placed = [tf.DeviceSpec.from_string(copy.device) for copy in copies]
        assert [(d.device_type, d.device_index) for d in placed] == [
            (d.device_type, d.device_index) for d in replica_devices
        ]
        np.testing.assert_array_equal(copies[0].numpy(), copies[1].numpy())
        fast_copies = device.experimental_local_results(fast.value)
        assert [c.device for c in copies] == [
            c.device.replace(fast.value.name.split(":")[0], "") or c.device
            for c in fast_copies
        ]
