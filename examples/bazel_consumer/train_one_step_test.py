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
"""A consumer's test: tensorflow_lookahead imports and trains one step."""

import unittest

import keras
import numpy as np

import tensorflow_lookahead


class TrainOneStepTest(unittest.TestCase):
    def test_one_step_with_a_sync_moves_half_way(self):
        rng = np.random.default_rng(0)
        features = rng.normal(size=(8, 3)).astype("float32")
        targets = rng.normal(size=(8, 1)).astype("float32")
        initial = rng.normal(size=(3, 1)).astype("float32")
        model = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(1, use_bias=False)]
        )
        model.set_weights([initial])
        learning_rate = 0.1
        optimizer = tensorflow_lookahead.Lookahead(
            keras.optimizers.SGD(learning_rate), sync_period=1, slow_step_size=0.5
        )
        model.compile(optimizer=optimizer, loss="mse")

        model.train_on_batch(features, targets)

        # Mean squared error gradient; with k = 1 the first step syncs at once:
        # slow = initial + 0.5 * (fast - initial).
        gradient = 2 / len(features) * features.T @ (features @ initial - targets)
        fast = initial - learning_rate * gradient
        expected = initial + 0.5 * (fast - initial)
        np.testing.assert_allclose(model.get_weights()[0], expected, rtol=1e-5)
        self.assertEqual(int(optimizer.sync_count), 1)


if __name__ == "__main__":
    unittest.main()
