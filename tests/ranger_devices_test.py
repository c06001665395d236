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
"""Ranger's `fit` on CPU, GPU and MirroredStrategy against the NumPy Ranger.

Under MirroredStrategy each replica centralizes its own share of the gradient
before the replicas' gradients are summed; centralization is linear, so the
weights are those of one device (dense and `tf.IndexedSlices` gradients).
"""

import numpy as np
import pytest

from tensorflow_lookahead.optimizers import Ranger
from tensorflow_lookahead.utils import test_utils
from tests.backend_neutral import linear_problem
from tests.backend_neutral.ranger_test import ARGUMENTS
from tests.backend_neutral.ranger_test import EMBEDDING_BATCH
from tests.backend_neutral.ranger_test import embedding_problem
from tests.backend_neutral.ranger_test import embedding_reference
from tests.backend_neutral.ranger_test import linear_reference


@pytest.mark.with_device(test_utils.ALL_DEVICES)
def test_fit_equals_numpy_reference(device):
    steps = 16
    model = linear_problem.linear_model(steps)
    optimizer = Ranger(**ARGUMENTS)
    linear_problem.compile_and_fit(model, optimizer, steps, "graph")
    expected = linear_reference(steps, 2, **ARGUMENTS)
    linear_problem.assert_weights(model.trainable_variables, expected[-1])
    linear_problem.assert_weights(optimizer.slow_weights, expected[11])
    assert int(optimizer.iterations.numpy()) == steps


@pytest.mark.with_device(test_utils.ALL_DEVICES)
def test_embedding_fit_equals_numpy_reference(device):
    model, table, tokens, targets = embedding_problem()
    model.compile(optimizer=Ranger(learning_rate=0.1, beta_2=0.95), loss="mse")
    model.fit(tokens, targets, batch_size=EMBEDDING_BATCH, shuffle=False, verbose=0)
    expected = embedding_reference(table, tokens, EMBEDDING_BATCH, table.shape[1], 2)
    np.testing.assert_allclose(model.get_weights()[0], expected, rtol=2e-5, atol=1e-6)
