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
"""Continues a saved training run in a fresh process (used by lookahead_saving_test).

Usage, from the directory that holds `tests`:
`python -m tests.resume_in_new_process MODEL.keras DATA.npz OUT.npz BATCH_SIZE`
"""

import sys

import keras
import numpy as np

import tensorflow_lookahead  # noqa: F401  Registers "Addons>Lookahead".


def main(model_path, data_path, output_path, batch_size):
    model = keras.models.load_model(model_path)
    with np.load(data_path) as batches:
        model.fit(
            batches["features"],
            batches["targets"],
            batch_size=int(batch_size),
            shuffle=False,
            verbose=0,
        )
    np.savez(output_path, *model.get_weights())


if __name__ == "__main__":
    main(*sys.argv[1:])
