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
"""MultiWorkerMirroredStrategy: two worker processes on 127.0.0.1.

Both workers must end with identical weights equal to one process training
on the same global batches, and the chief's checkpoint must restore into a
single-process model.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead.optimizers import Lookahead
from tests import multi_worker_training as recipe
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.backend_neutral.reference_lookahead import ReferenceLookahead
from tests.distributed_training import reference_run

# The directory that holds the `tests` package: the workers run there.
ROOT = pathlib.Path(__file__).absolute().parents[1]
WORKERS = 2
TIMEOUT_SECONDS = 240


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def run_workers(output_dir):
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(WORKERS)]}
    processes = []
    try:
        for index in range(WORKERS):
            environment = dict(
                os.environ,
                TF_CONFIG=json.dumps(
                    {"cluster": cluster, "task": {"type": "worker", "index": index}}
                ),
                TF_CPP_MIN_LOG_LEVEL="3",
                CUDA_VISIBLE_DEVICES="",
            )
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tests.multi_worker_training",
                        output_dir,
                    ],
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for index, process in enumerate(processes):
            _, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
            assert process.returncode == 0, f"worker {index} failed:\n{stderr[-4000:]}"
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def single_process_reference():
    reference = ReferenceLookahead(
        sgd_momentum(), recipe.SYNC_PERIOD, recipe.SLOW_STEP_SIZE
    )
    return reference_run(
        recipe.new_model(), reference, *recipe.global_batches(), recipe.GLOBAL_BATCH
    )


@pytest.mark.slow
def test_two_workers_match_one_process_and_share_a_checkpoint(tmp_path):
    run_workers(str(tmp_path))
    results = []
    for index in range(WORKERS):
        with np.load(tmp_path / f"worker_{index}.npz") as saved:
            results.append([saved[f"arr_{i}"] for i in range(len(saved.files))])
    for got, want in zip(results[1], results[0]):
        np.testing.assert_array_equal(got, want)

    expected_fast, expected_slow = single_process_reference()
    count = len(expected_fast)
    fast, slow, iterations = results[0][:count], results[0][count:-1], results[0][-1]
    for got, want in zip(fast + slow, expected_fast + expected_slow):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert int(iterations) == recipe.STEPS

    model = recipe.new_model()
    optimizer = Lookahead(sgd_momentum(), recipe.SYNC_PERIOD, recipe.SLOW_STEP_SIZE)
    optimizer.build(model.trainable_variables)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    checkpoint.read(str(tmp_path / "checkpoint" / "ckpt")).assert_consumed()
    restored = [v.numpy() for v in model.trainable_variables] + [
        s.numpy() for s in optimizer.slow_weights
    ]
    for got, want in zip(restored, fast + slow):
        np.testing.assert_array_equal(got, want)
    assert int(optimizer.iterations.numpy()) == recipe.STEPS
