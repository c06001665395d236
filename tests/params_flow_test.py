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
"""compat.LookaheadOptimizerCallback (params-flow's callback) gives the trajectory."""

import pytest

from tensorflow_lookahead import compat
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.fit_helpers import assert_weights_close, fit, mlp, reference_fit_weights


def test_params_flow_callback_matches_reference():
    expected = reference_fit_weights(sgd_momentum, 3, 0.5)
    model = mlp()
    fit(
        model,
        sgd_momentum(),
        callbacks=[compat.LookaheadOptimizerCallback(k=3, alpha=0.5)],
    )
    assert_weights_close(model, expected)


@pytest.mark.parametrize(
    "kwargs, error, argument",
    # The checks of compat.Lookahead (keras_lookahead_test.py), named by the
    # callback's own arguments.
    [({"k": 1.5}, TypeError, "Argument `k`"), ({"alpha": 2.0}, ValueError, "`alpha`")],
)
def test_rejects_bad_arguments(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        compat.LookaheadOptimizerCallback(**kwargs)
