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
"""Writes `data/lookahead_adam_written_on_<backend>.keras` on the current backend.

Run once per backend from the repository root, e.g.
`KERAS_BACKEND=jax python -m tests.backend_neutral.make_cross_backend_files`.
Each file holds a linear model trained with `Lookahead(Adam(0.02),
sync_period=3, slow_step_size=0.5)` for 4 steps (one step after a sync) of
`linear_problem`'s data; `lookahead_backends_test.py` loads every file on
every backend and checks that training continues exactly as Algorithm 1 in
NumPy says.
"""

import pathlib

import keras

from tensorflow_lookahead import Lookahead
from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.linear_problem import EAGER
from tests.backend_neutral.linear_problem import compile_and_fit
from tests.backend_neutral.linear_problem import linear_model

STEPS_BEFORE_SAVE = 4


def main():
    model = linear_model(STEPS_BEFORE_SAVE)
    optimizer = Lookahead(INNERS["adam"](), sync_period=3, slow_step_size=0.5)
    compile_and_fit(model, optimizer, STEPS_BEFORE_SAVE, EAGER)
    backend = keras.backend.backend()
    path = pathlib.Path(__file__).parent / "data"
    path.mkdir(exist_ok=True)
    model.save(path / f"lookahead_adam_written_on_{backend}.keras")


if __name__ == "__main__":
    main()
