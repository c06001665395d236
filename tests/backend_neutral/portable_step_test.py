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
"""The portable backend operations (JAX, PyTorch and other backends).

`tensorflow_lookahead/optimizers/step_backends/portable_step.py` on its own, written
with `keras.ops` and so importable on every backend; the trajectories it gives
under `fit` are tested in lookahead_backends_test.py.
"""

import keras
import numpy as np
import pytest

from tensorflow_lookahead.optimizers.step_backends import portable_step
from tensorflow_lookahead.utils import sync_rule


def variable(values):
    return keras.Variable(np.asarray(values, dtype="float32"))


def test_write_if_with_false_does_not_ask_for_the_updates():
    def updates():
        raise AssertionError("asked for updates that are not due")

    portable_step.write_if(None, False, updates)


@pytest.mark.parametrize(
    "condition, expected",
    [(True, [0.0, 1.0, 2.0]), (keras.ops.convert_to_tensor(False), [5.0] * 3)],
    ids=["python_true", "tensor_false"],
)
def test_write_if_writes_only_when_the_condition_holds(condition, expected):
    target = variable([5.0, 5.0, 5.0])
    source = variable([0.0, 1.0, 2.0])
    portable_step.write_if(
        None, condition, lambda: [(target, sync_rule.value_of, (source,))]
    )
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(target.value), expected)


def test_copy_update_shares_no_buffer_with_the_source():
    target = variable([0.0, 0.0])
    source = variable([1.0, 2.0])
    portable_step.write_if(
        None, True, lambda: [(target, sync_rule.value_of, (source,))]
    )
    source.assign([3.0, 4.0])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(target.value), [1, 2])


@pytest.mark.parametrize("mask", [None, True, False])
def test_sync_updates_move_slow_towards_fast_then_constrain(mask):
    slow = variable([0.0, 4.0])
    fast = variable([2.0, 0.0])
    constraint = keras.constraints.NonNeg() if mask is None else None
    fast.assign([2.0, -6.0] if mask is None else [2.0, 0.0])
    portable_step.write_if(
        None,
        True if mask is None else keras.ops.convert_to_tensor(mask),
        lambda: sync_rule.sync_updates([(slow, fast)], 0.5, lambda _: constraint),
    )
    if mask is None:
        expected = [1.0, 0.0]  # (4 + -6) / 2 = -1, constrained to 0.
    elif mask:
        expected = [1.0, 2.0]
    else:
        expected = [0.0, 4.0]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(slow.value), expected)
    expected_fast = expected if mask in (None, True) else [2.0, 0.0]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(fast.value), expected_fast)


def test_counter_value_is_a_python_int_when_eager():
    counter = keras.Variable(3, dtype="int64", trainable=False)
    portable_step.increment(counter)
    value = portable_step.counter_value(counter)
    assert type(value) is int and value == 4
