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
"""Test harness: device placements, strategies and the default device.

Used by `tests/conftest.py`. A test asks for the `device` fixture and marks
itself with `@pytest.mark.with_device([...])`, whose values are `"cpu"`,
`"gpu"` or `tf.distribute.Strategy` subclasses; it then runs once per value,
under `tf.device(...)` or inside `strategy.scope()`, with ids such as
`[cpu]`, `[gpu]` and `[MirroredStrategy]`. Strategies get two replicas: two
virtual GPUs where a GPU exists, else two logical CPUs, configured once per
process before TensorFlow initialises its devices.
"""

import contextlib
import functools
import threading

import keras
import pytest
import tensorflow as tf

NUMBER_OF_REPLICAS = 2
ALL_DEVICES = ["cpu", "gpu", tf.distribute.MirroredStrategy]
VIRTUAL_GPU_MEMORY_MB = 1024


def has_gpu():
    """Whether TensorFlow sees a physical GPU."""
    return bool(tf.config.list_physical_devices("GPU"))


def configure_logical_devices():
    """Splits the first GPU (or else the first CPU) into two logical devices.

    Must run before TensorFlow initialises its devices (before the first op);
    later calls leave an already initialised runtime as it is.
    """
    device_type = "GPU" if has_gpu() else "CPU"
    physical = tf.config.list_physical_devices(device_type)[0]
    configured = tf.config.get_logical_device_configuration(physical)
    if configured and len(configured) >= NUMBER_OF_REPLICAS:
        return
    memory_limit = VIRTUAL_GPU_MEMORY_MB if device_type == "GPU" else None
    try:
        tf.config.set_logical_device_configuration(
            physical,
            [tf.config.LogicalDeviceConfiguration(memory_limit=memory_limit)]
            * NUMBER_OF_REPLICAS,
        )
    except RuntimeError as error:
        raise RuntimeError(
            "The logical devices must be configured before TensorFlow "
            "initialises its devices: call configure_logical_devices() from "
            "pytest_configure, before any test module runs an op."
        ) from error


def replica_devices():
    """The two devices a multi-replica strategy runs on."""
    device_type = "GPU" if has_gpu() else "CPU"
    return [
        device.name
        for device in tf.config.list_logical_devices(device_type)[:NUMBER_OF_REPLICAS]
    ]


@functools.lru_cache(maxsize=None)
def create_strategy(strategy_class):
    """The instance of `strategy_class` on this machine's test devices.

    One instance per class and process: collective all-reduce instance keys
    of separate MirroredStrategy objects collide ("Shape mismatch in the
    collective instance"), so tests share it.
    """
    devices = replica_devices()
    if strategy_class is tf.distribute.OneDeviceStrategy:
        return strategy_class(devices[0])
    if strategy_class is tf.distribute.experimental.CentralStorageStrategy:
        return strategy_class(compute_devices=devices, parameter_device="/cpu:0")
    return strategy_class(devices)


def device_id(device):
    """The test id of a `with_device` value: `cpu`, `gpu` or the class name."""
    return device if isinstance(device, str) else device.__name__


@contextlib.contextmanager
def device_context(device):
    """Runs the body on `device` ("cpu", "gpu" or a strategy class).

    Yields the device string, or the strategy instance for a strategy class.
    """
    if device == "cpu":
        with tf.device("/cpu:0"):
            yield device
    elif device == "gpu":
        if not has_gpu():
            pytest.skip("no GPU available")
        with tf.device("/gpu:0"):
            yield device
    else:
        strategy = create_strategy(device)
        with strategy.scope():
            yield strategy


def strategy_of(device):
    """The strategy a test on `device` runs under (the default one for devices)."""
    if isinstance(device, tf.distribute.Strategy):
        return device
    return tf.distribute.get_strategy()


def run_on_default_device(fn, *args, **kwargs):
    """Runs `fn` outside every device and strategy scope; returns its result.

    TensorFlow's device and strategy scopes and Keras' dtype policy are
    thread-local, so `fn` runs in a new thread; the caller's global Keras
    dtype policy is carried over. Reference computations use it to run on one
    plain device while the test body is inside `strategy.scope()`.

    Args:
        fn: The function to run.
        *args: Its positional arguments.
        **kwargs: Its keyword arguments.

    Returns:
        What `fn` returns; what it raises is raised again here.
    """
    policy = keras.mixed_precision.global_policy()
    outcome = {}

    def target():
        try:
            keras.mixed_precision.set_global_policy(policy)
            outcome["result"] = fn(*args, **kwargs)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def parametrize_devices(metafunc):
    """Parametrizes the `device` fixture from the test's `with_device` marker."""
    if "device" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("with_device")
    devices = marker.args[0] if marker else ["cpu"]
    parameters = [
        pytest.param(
            device,
            id=device_id(device),
            marks=[pytest.mark.needs_gpu] if device == "gpu" else [],
        )
        for device in devices
    ]
    metafunc.parametrize("device", parameters, indirect=True)


def skip_gpu_tests_without_gpu(items):
    """Adds a skip to every `needs_gpu` test when no GPU is present."""
    if has_gpu():
        return
    skip = pytest.mark.skip(reason="needs a GPU; none is available")
    for item in items:
        if "needs_gpu" in item.keywords:
            item.add_marker(skip)
