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
"""compat.Lookahead (keras_lookahead's `inject`) gives the optimizer's trajectory."""

import pytest

from tensorflow_lookahead import compat
from tensorflow_lookahead.utils import test_utils
from tests.backend_neutral.inner_optimizers import sgd_momentum
from tests.backend_neutral.reference_lookahead import ReferenceLookaheadCallback
from tests.fit_helpers import assert_weights_close, fit, linear_data, mlp
from tests.fit_helpers import TF_KERAS_MODEL_ERROR, compiled_tf_keras_model
from tests.fit_helpers import reference_fit_weights

DEVICES = test_utils.ALL_DEVICES


@pytest.mark.with_device(DEVICES)
def test_inject_before_fit_matches_reference(device, capsys):
    expected = test_utils.run_on_default_device(
        reference_fit_weights, sgd_momentum, 3, 0.5
    )
    model = mlp()
    model.compile(optimizer=sgd_momentum(), loss="mse")
    optimizer = compat.Lookahead(k=3, alpha=0.5).inject(model)
    assert "now wraps the model's SGD optimizer" in capsys.readouterr().out
    assert model.optimizer is optimizer
    fit(model, optimizer)
    assert_weights_close(model, expected)


def test_inject_after_a_first_fit_syncs_from_there():
    def reference_after_plain_epoch():
        model = mlp()
        fit(model, sgd_momentum(), epochs=1)
        # The reference callback counts updates from its first fit on.
        model.fit(
            *_data(),
            batch_size=16,
            epochs=2,
            shuffle=False,
            verbose=0,
            callbacks=[ReferenceLookaheadCallback(3, 0.5)],
        )
        return [v.numpy() for v in model.trainable_variables]

    expected = reference_after_plain_epoch()
    model = mlp()
    fit(model, sgd_momentum(), epochs=1)
    optimizer = compat.Lookahead(k=3, alpha=0.5).inject(model, verbose=False)
    model.fit(*_data(), batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert_weights_close(model, expected)
    assert int(optimizer.sync_count) == 2


def test_inject_twice_keeps_or_raises_and_needs_compile():
    model = mlp()
    with pytest.raises(ValueError, match="compile"):
        compat.Lookahead().inject(model)
    model.compile(optimizer="adam", loss="mse")
    optimizer = compat.Lookahead().inject(model, verbose=False)
    # Again with the same settings keeps it; other settings raise.
    assert compat.Lookahead().inject(model, verbose=False) is optimizer
    with pytest.raises(
        ValueError, match="already in the model has other settings.*Received: k=6"
    ):
        compat.Lookahead(k=6).inject(model)


def test_inject_rejects_a_tf_keras_model_and_names_the_tf_keras_optimizer():
    model = compiled_tf_keras_model()
    optimizer = model.optimizer
    error = TF_KERAS_MODEL_ERROR.format(user=r"compat\.Lookahead\.inject")
    with pytest.raises(TypeError, match=error):
        compat.Lookahead(k=3).inject(model, verbose=False)
    assert model.optimizer is optimizer


@pytest.mark.parametrize(
    "kwargs, error, argument",
    [
        ({"k": 0}, ValueError, "`k`"),
        ({"k": True}, TypeError, "`k`"),
        ({"alpha": -0.1}, ValueError, "`alpha`"),
        ({"alpha": None}, TypeError, "Argument `alpha`"),
    ],
)
def test_rejects_bad_arguments(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        compat.Lookahead(**kwargs)


def _data():
    features, targets, _ = linear_data()
    return features, targets
