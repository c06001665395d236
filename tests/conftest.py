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
"""pytest configuration: the device harness of tensorflow_lookahead."""

import keras
import pytest

from tensorflow_lookahead.utils.keras_version import uses_tf_keras

if keras.backend.backend() == "tensorflow":
    from tensorflow_lookahead.utils import test_utils
else:
    test_utils = None


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "with_device(devices): run the test once per device: 'cpu', 'gpu' or a "
        "tf.distribute.Strategy class",
    )
    config.addinivalue_line("markers", "needs_gpu: the test needs a GPU")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    if test_utils is not None:
        test_utils.configure_logical_devices()


def pytest_generate_tests(metafunc):
    if test_utils is not None:
        test_utils.parametrize_devices(metafunc)


def pytest_collection_modifyitems(config, items):
    if test_utils is not None:
        test_utils.skip_gpu_tests_without_gpu(items)


@pytest.fixture
def device(request):
    with test_utils.device_context(request.param) as placement:
        yield placement


@pytest.fixture
def float16_policy():
    """mixed_float16 as the global policy (tf_keras' under TF_USE_LEGACY_KERAS).

    The session fixtures set float32 again after every test.
    """
    if uses_tf_keras():
        import tensorflow as tf

        tf.keras.mixed_precision.set_global_policy("mixed_float16")
    else:
        keras.mixed_precision.set_global_policy("mixed_float16")


@pytest.fixture(autouse=True)
def seeded_fresh_session():
    # Without a full garbage collection, which took about 0.5 s a test.
    keras.backend.clear_session(free_memory=False)
    keras.utils.set_random_seed(0)
    yield
    keras.mixed_precision.set_global_policy("float32")
