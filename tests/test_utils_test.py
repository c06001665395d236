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
"""The device harness itself: ids, strategies, skips, the default device."""

import subprocess
import sys

import pytest
import tensorflow as tf

from tensorflow_lookahead.utils import test_utils


def test_device_ids_are_readable():
    ids = [test_utils.device_id(device) for device in test_utils.ALL_DEVICES]
    assert ids == ["cpu", "gpu", "MirroredStrategy"]


def test_strategies_run_on_two_logical_devices_and_are_shared():
    strategy = test_utils.create_strategy(tf.distribute.MirroredStrategy)
    assert strategy is test_utils.create_strategy(tf.distribute.MirroredStrategy)
    assert strategy.num_replicas_in_sync == 2
    assert len(set(test_utils.replica_devices())) == 2
    one_device = test_utils.create_strategy(tf.distribute.OneDeviceStrategy)
    assert one_device.num_replicas_in_sync == 1


@pytest.mark.with_device(test_utils.ALL_DEVICES)
def test_device_fixture_places_the_body(device):
    value = tf.constant(1.0) + 1.0
    if device == "cpu":
        assert "CPU:0" in value.device
    elif device == "gpu":
        assert "GPU:0" in value.device
    else:
        assert tf.distribute.get_strategy() is device
        assert device.num_replicas_in_sync == 2


def run_pytest(*arguments):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *arguments],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_collected_ids_and_gpu_skip_reason():
    completed = run_pytest(
        "-q", "-rs", f"{__file__}::test_device_fixture_places_the_body"
    )
    output = completed.stdout
    assert completed.returncode == 0, output[-3000:]
    if test_utils.has_gpu():
        assert "3 passed" in output
    else:
        assert "2 passed, 1 skipped" in output
        assert "needs a GPU; none is available" in output


def test_gpu_cases_carry_the_needs_gpu_marker():
    completed = run_pytest("--collect-only", "-q", "-m", "needs_gpu", __file__)
    selected = [line for line in completed.stdout.splitlines() if "::" in line]
    assert len(selected) == 1, completed.stdout[-3000:]
    assert selected[0].endswith("test_device_fixture_places_the_body[gpu]")


def test_run_on_default_device_leaves_the_strategy_scope():
    strategy = test_utils.create_strategy(tf.distribute.MirroredStrategy)
    with strategy.scope():
        inner = test_utils.run_on_default_device(tf.distribute.get_strategy)
    assert inner is not strategy
    assert inner.num_replicas_in_sync == 1
    with pytest.raises(ZeroDivisionError):
        test_utils.run_on_default_device(lambda: 1 / 0)
