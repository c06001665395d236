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
"""One worker of the multi-worker test (lookahead_multi_worker_test.py).

Run with TF_CONFIG set, from the directory that holds `tests`:
`python -m tests.multi_worker_training OUTPUT_DIR`. Trains the
recipe below under MultiWorkerMirroredStrategy, each worker on its half of
every global batch, then writes its weights (`worker_<i>.npz`) and, from the
chief, a checkpoint (`checkpoint/`).
"""

import json
import os
import sys
import tempfile

import numpy as np
import tensorflow as tf

from tests.backend_neutral import linear_problem
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.distributed_training import distributed_train_step
from tests.fit_helpers import mlp

GLOBAL_BATCH = 8
STEPS = 8
SYNC_PERIOD = 3
SLOW_STEP_SIZE = 0.5


def global_batches():
    return linear_problem.data(STEPS * GLOBAL_BATCH, seed=21)


def new_model():
    return mlp(seed=8)


def worker_dataset(input_context):
    """This worker's half of every global batch, in order."""
    features, targets = global_batches()
    per_worker = GLOBAL_BATCH // input_context.num_input_pipelines
    start = input_context.input_pipeline_id * per_worker
    rows = np.concatenate(
        [
            np.arange(s + start, s + start + per_worker)
            for s in range(0, len(features), GLOBAL_BATCH)
        ]
    )
    return tf.data.Dataset.from_tensor_slices((features[rows], targets[rows])).batch(
        per_worker
    )


def main(output_dir):
    from tensorflow_lookahead import Lookahead

    task = json.loads(os.environ["TF_CONFIG"])["task"]
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    with strategy.scope():
        model = new_model()
        optimizer = Lookahead(sgd_momentum(), SYNC_PERIOD, SLOW_STEP_SIZE)
        optimizer.build(model.trainable_variables)

    train_step = distributed_train_step(strategy, model, optimizer, GLOBAL_BATCH)
    options = tf.distribute.InputOptions(experimental_fetch_to_device=False)
    dataset = strategy.distribute_datasets_from_function(worker_dataset, options)
    for batch in dataset:
        train_step(batch)

    np.savez(
        os.path.join(output_dir, f"worker_{task['index']}.npz"),
        *[v.numpy() for v in model.trainable_variables],
        *[s.numpy() for s in optimizer.slow_weights],
        np.array(int(optimizer.iterations.numpy())),
    )
    # Every worker saves (it is a collective); only the chief's copy is kept.
    is_chief = task["index"] == 0
    directory = (
        os.path.join(output_dir, "checkpoint") if is_chief else tempfile.mkdtemp()
    )
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    checkpoint.write(os.path.join(directory, "ckpt"))


if __name__ == "__main__":
    main(sys.argv[1])
