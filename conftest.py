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
"""What pytest collects under the current Keras backend and Keras version.

- `tests/backend_neutral/` and the package's backend-neutral modules (their
  doctests): every backend (`KERAS_BACKEND` = tensorflow, jax or torch).
- `tests/tf_keras/` and `tensorflow_lookahead/tf_keras/`: only in a process
  started with `TF_USE_LEGACY_KERAS=1` (Keras 2 as tf_keras).
- Everything else: the TensorFlow backend of Keras 3.
"""

import os

if os.environ.get("KERAS_BACKEND") == "jax":
    # Two CPU devices for the DataParallel tests; read when JAX starts.
    os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")

import keras  # noqa: E402

BACKEND = keras.backend.backend()
LEGACY_KERAS = os.environ.get("TF_USE_LEGACY_KERAS", "0").lower() in ("1", "true")

# Paths (relative to this file) whose modules import TensorFlow.
TENSORFLOW_ONLY = [
    "tests",
    "tensorflow_lookahead/optimizers/step_backends/tensorflow_step.py",
    "tensorflow_lookahead/utils/test_utils.py",
    "tensorflow_lookahead/callbacks/tensorboard_scalars.py",
]
BACKEND_NEUTRAL = ["tests/backend_neutral"]
LEGACY_KERAS_ONLY = ["tests/tf_keras", "tensorflow_lookahead/tf_keras"]

HERE = os.path.dirname(os.path.abspath(__file__))


def _relative(path):
    return os.path.relpath(str(path), HERE)


def _under(relative, prefixes):
    return any(
        relative == prefix or relative.startswith(prefix + os.sep)
        for prefix in prefixes
    )


def pytest_ignore_collect(collection_path, config):
    relative = _relative(collection_path)
    if _under(relative, LEGACY_KERAS_ONLY):
        return not LEGACY_KERAS
    if BACKEND == "tensorflow" or not _under(relative, TENSORFLOW_ONLY):
        return None
    holds_neutral_tests = any(
        _under(neutral, [relative]) for neutral in BACKEND_NEUTRAL
    )
    return not (holds_neutral_tests or _under(relative, BACKEND_NEUTRAL))
