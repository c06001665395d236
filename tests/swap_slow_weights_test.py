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
"""SwapSlowWeights with TensorFlow: a tf_keras model gets a clear error.

Its behaviour on every backend, distribution included (the interaction
matrix), is tested in `tests/backend_neutral/swap_slow_weights_test.py`.
"""

import pytest

from tensorflow_lookahead.callbacks import SwapSlowWeights
from tests.fit_helpers import TF_KERAS_MODEL_ERROR, compiled_tf_keras_model
from tests.fit_helpers import linear_data


def test_a_tf_keras_model_gets_a_clear_error():
    model = compiled_tf_keras_model()
    features, targets, _ = linear_data()
    error = TF_KERAS_MODEL_ERROR.format(user="SwapSlowWeights")
    with pytest.raises(TypeError, match=error):
        model.fit(features, targets, callbacks=[SwapSlowWeights()], verbose=0)
    with pytest.raises(TypeError, match=error):
        model.evaluate(features, targets, callbacks=[SwapSlowWeights()], verbose=0)
