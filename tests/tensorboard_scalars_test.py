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
"""The TensorBoard scalars LookaheadDiagnostics writes with `log_dir`."""

import glob

import tensorflow as tf
from tensorflow.core.util import event_pb2

from tensorflow_lookahead.callbacks import LookaheadDiagnostics
from tensorflow_lookahead.optimizers import Lookahead
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.fit_helpers import fit, mlp


def test_diagnostics_write_tensorboard_scalars(tmp_path):
    model = mlp()
    diagnostics = LookaheadDiagnostics(every_n_steps=2, log_dir=str(tmp_path))
    fit(model, Lookahead(sgd_momentum(), sync_period=3), callbacks=[diagnostics])
    steps_by_tag = {}
    for path in glob.glob(str(tmp_path / "events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(path):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                steps_by_tag.setdefault(value.tag, []).append(event.step)
    assert steps_by_tag["lookahead_distance"] == [2, 4, 6, 8, 10, 12]
    assert steps_by_tag["lookahead_syncs"] == [2, 4, 6, 8, 10, 12]
    assert any(tag.startswith("lookahead_distance/") for tag in steps_by_tag)
