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

`tensorflow_lookahead/optimizers/backend/portable_ops.py` on its own, written
with `keras.ops` and so importable on every backend; the trajectories it gives
under `fit` are tested in lookahead_backends_test.py.
"""

import keras
import numpy as np
import pytest

from tensorflow_lookahead.optimizers.backend import portable_ops


def variable(values):
    return keras.Variable(np.asarray(values, dtype="float32"))


def test_apply_if_with_false_does_not_ask_for_the_updates():
    def updates():
        raise AssertionError("asked for updates that are not due")

    portable_ops.apply_if(None, False, updates)


@pytest.mark.parametrize(
    "condition, expected",
    [(True, [0.0, 1.0, 2.0]), (keras.ops.convert_to_tensor(False), [5.0] * 3)],
    ids=["python_true", "tensor_false"],
)
def test_apply_if_writes_only_when_the_condition_holds(condition, expected):
    target = variable([5.0, 5.0, 5.0])
    source = variable([0.0, 1.0, 2.0])
    portable_ops.apply_if(
        None, condition, lambda: [(target, portable_ops.assign_copy, (source,))]
    )
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(target.value), expected)


def test_assign_copy_shares_no_buffer_with_the_source():
    target = variable([0.0, 0.0])
    source = variable([1.0, 2.0])
    portable_ops.assign_copy(target, source)
    source.assign([3.0, 4.0])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(target.value), [1, 2])


@pytest.mark.parametrize("mask", [None, True, False])
def test_interpolation_moves_slow_towards_fast_then_constrains(mask):
    slow = variable([0.0, 4.0])
    fast = variable([2.0, 0.0])
    interpolate = portable_ops.interpolation(
        0.5, keras.constraints.NonNeg() if mask is None else None
    )
    portable_ops.apply_if(
        None,
        True if mask is None else keras.ops.convert_to_tensor(mask),
        lambda: [(slow, interpolate, (fast,))],
    )
    expected = [1.0, 2.0] if mask in (None, True) else [0.0, 4.0]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(slow.value), expected)


def test_counter_value_is_a_python_int_when_eager():
    counter = keras.Variable(3, dtype="int64", trainable=False)
    portable_ops.increment(counter)
    value = portable_ops.counter_value(counter)
    assert type(value) is int and value == 4
