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
"""Writing scalars to TensorBoard: needs TensorFlow, on any Keras backend.

Imported only when a callback is given a log directory, so the callbacks work
without TensorFlow (as Keras' own TensorBoard callback, this needs it).
"""

try:
    import tensorflow as tf
    from tensorflow.core.framework import summary_pb2
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "Writing to TensorBoard (`log_dir`) needs TensorFlow, as Keras' own "
        "TensorBoard callback does: `pip install tensorflow-cpu`, or pass "
        "`log_dir=None` and read the callback's `history`."
    ) from error

from tensorflow_lookahead.utils.typechecking import typechecked

# What `tf.summary.scalar` writes, without needing TensorBoard installed.
SCALAR_METADATA = summary_pb2.SummaryMetadata(
    plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
)


class ScalarWriter:
    """Writes named scalars at a step into a TensorBoard log directory.

    Args:
        log_dir: The TensorBoard log directory.
    """

    @typechecked
    def __init__(self, log_dir: str):
        self._writer = tf.summary.create_file_writer(log_dir)

    def write(self, step, values):
        """Writes `values` (a dict of floats) at `step`."""
        with self._writer.as_default(step=step):
            for name, value in values.items():
                tf.summary.write(name, value, metadata=SCALAR_METADATA)

    def flush(self):
        self._writer.flush()
