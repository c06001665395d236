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
"""The TensorFlow backend operations: distribution strategies and XLA.

`tensorflow_lookahead/optimizers/step_backends/tensorflow_step.py` on its own; the
trajectories it gives under strategies are tested in lookahead_distribution_test.py.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.optimizers.step_backends import tensorflow_step
from tensorflow_lookahead.utils import sync_rule
from tensorflow_lookahead.utils import test_utils


def test_inner_optimizer_from_another_strategy_is_rejected():
    strategy = test_utils.create_strategy(tf.distribute.MirroredStrategy)
    inner = keras.optimizers.Adam()
    with strategy.scope():
        with pytest.raises(ValueError, match="`optimizer` was created under"):
            Lookahead(inner)
        # A name or a config is created in the current scope instead.
        assert Lookahead("adam").inner_optimizer._distribution_strategy is strategy


def test_building_inside_strategy_run_is_rejected():
    strategy = test_utils.create_strategy(tf.distribute.MirroredStrategy)
    with strategy.scope():
        optimizer = Lookahead("sgd")

    @tf.function
    def check_in_replica_context():
        strategy.run(lambda: tensorflow_step.check_can_build_here(optimizer))

    with pytest.raises(ValueError, match="Build it first"):
        check_in_replica_context()
    with strategy.scope():
        tensorflow_step.check_can_build_here(optimizer)


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
@pytest.mark.parametrize("due", [False, True])
def test_write_if_writes_only_when_the_condition_holds(jit_compile, due):
    optimizer = keras.optimizers.SGD()
    target = keras.Variable(np.zeros(3, "float32"))
    source = keras.Variable(np.arange(3, dtype="float32"))

    @tf.function(jit_compile=jit_compile)
    def step(condition):
        tensorflow_step.write_if(
            optimizer,
            condition,
            lambda: [(target, sync_rule.value_of, (source,))],
        )

    step(tf.constant(due))
    expected = np.arange(3) if due else np.zeros(3)
    np.testing.assert_array_equal(target.numpy(), expected)


def test_write_if_with_false_does_not_ask_for_the_updates():
    def updates():
        raise AssertionError("asked for updates that are not due")

    tensorflow_step.write_if(keras.optimizers.SGD(), False, updates)
