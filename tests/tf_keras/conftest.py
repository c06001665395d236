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
"""pytest configuration of the tf_keras suite (run with TF_USE_LEGACY_KERAS=1).

The rootdir conftest collects this directory only when `TF_USE_LEGACY_KERAS`
is set; tests/conftest.py already configures two logical CPUs for
MirroredStrategy and provides the `device` fixture.
"""

import pytest
import tensorflow as tf

from tensorflow_lookahead.utils.keras_version import uses_tf_keras


def pytest_configure(config):
    if not uses_tf_keras():
        raise pytest.UsageError(
            "tests/tf_keras needs TF_USE_LEGACY_KERAS=1 (Keras 2 as tf_keras)."
        )


@pytest.fixture(autouse=True)
def fresh_tf_keras_session():
    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(0)
    yield
    tf.keras.mixed_precision.set_global_policy("float32")
