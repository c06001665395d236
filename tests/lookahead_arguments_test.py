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
"""Bad constructor input: the error type, and a message naming the argument."""

import math

import numpy as np
import pytest

from tensorflow_lookahead.optimizers import Lookahead


@pytest.mark.parametrize(
    "sync_period,error",
    [
        (0, ValueError),
        (-1, ValueError),
        (1.5, TypeError),
        ("6", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
)
def test_bad_sync_period(sync_period, error):
    with pytest.raises(error, match="sync_period"):
        Lookahead("sgd", sync_period=sync_period)


@pytest.mark.parametrize(
    "slow_step_size,error",
    [
        (-0.1, ValueError),
        (1.1, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        ("0.5", TypeError),
        (True, TypeError),
        (None, TypeError),
    ],
)
def test_bad_slow_step_size(slow_step_size, error):
    with pytest.raises(error, match="slow_step_size"):
        Lookahead("sgd", slow_step_size=slow_step_size)


@pytest.mark.parametrize(
    "optimizer,error",
    [
        (42, TypeError),
        (None, TypeError),
        ("no_such_optimizer", ValueError),
        ({"class_name": "NoSuchOptimizer", "config": {}}, ValueError),
        ({"config": {}}, ValueError),
    ],
)
def test_bad_optimizer(optimizer, error):
    with pytest.raises(error, match="optimizer"):
        Lookahead(optimizer)


def test_unknown_keyword_is_rejected():
    with pytest.raises(TypeError, match="sync_perod") as raised:
        Lookahead("sgd", sync_perod=5)
    assert "sync_period" in str(raised.value)


@pytest.mark.parametrize("argument", ["clipnorm", "learning_rate", "weight_decay"])
def test_base_optimizer_keyword_points_to_the_inner_optimizer(argument):
    with pytest.raises(ValueError, match=f"{argument}.*inner optimizer"):
        Lookahead("sgd", **{argument: 1.0})


def test_bad_name():
    with pytest.raises(TypeError, match="name"):
        Lookahead("sgd", name=3)


@pytest.mark.parametrize(
    "sync_period,slow_step_size",
    [(1, 0.0), (1, 1.0), (np.int64(3), np.float32(0.25)), (7, 1)],
)
def test_accepted_values_are_stored_as_python_numbers(sync_period, slow_step_size):
    optimizer = Lookahead("sgd", sync_period=sync_period, slow_step_size=slow_step_size)
    assert optimizer.sync_period == int(sync_period)
    assert type(optimizer.sync_period) is int
    assert optimizer.slow_step_size == float(slow_step_size)
    assert type(optimizer.slow_step_size) is float
