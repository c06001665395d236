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
"""Files written by released versions, which later versions must load.

`python tests/golden_files.py` writes `data/lookahead_0_1_0.keras`; commit
it once per release that changes nothing else and never regenerate an old
one. The recipe below is also what lookahead_saving_test replays with the reference
implementation to check the loaded values.
"""

import pathlib

import keras
import numpy as np

KERAS_FILE = "lookahead_0_1_0.keras"
SYNC_PERIOD = 3
SLOW_STEP_SIZE = 0.5
STEPS = 7
BATCH = 4


def new_model():
    keras.utils.set_random_seed(11)
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dense(1),
        ]
    )


def new_inner_optimizer():
    return keras.optimizers.SGD(0.1, momentum=0.9)


def batches():
    rng = np.random.default_rng(5)
    features = rng.normal(size=(STEPS * BATCH, 3)).astype("float32")
    targets = (features @ np.array([[0.5], [-1.0], [2.0]])).astype("float32")
    return [
        (features[i * BATCH : (i + 1) * BATCH], targets[i * BATCH : (i + 1) * BATCH])
        for i in range(STEPS)
    ]


def write(directory):
    from tensorflow_lookahead import Lookahead

    model = new_model()
    model.compile(Lookahead(new_inner_optimizer(), SYNC_PERIOD, SLOW_STEP_SIZE), "mse")
    for features, targets in batches():
        model.train_on_batch(features, targets)
    model.save(pathlib.Path(directory) / KERAS_FILE)


if __name__ == "__main__":
    write(pathlib.Path(__file__).resolve().parent / "data")
