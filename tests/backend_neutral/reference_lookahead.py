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
"""An independent reference for Lookahead: the paper's Algorithm 1 written out.

Nothing here uses tensorflow_lookahead. The fast weights are updated by a plain
Keras optimizer; the slow weights are NumPy arrays, synchronized in Python:
after every k-th inner update, `slow += alpha * (fast - slow)`, then
`fast = slow`. Slow weights start at the weights before the first update.
"""

import keras
import numpy as np


class ReferenceLookahead:
    """Algorithm 1 of Zhang et al. (2019) around a plain Keras optimizer.

    Runs eagerly; each call to `apply` is one inner update.

    Args:
        inner_optimizer: A plain `keras.optimizers.Optimizer`.
        sync_period: k.
        slow_step_size: alpha.
    """

    def __init__(self, inner_optimizer, sync_period, slow_step_size):
        self.inner_optimizer = inner_optimizer
        self.sync_period = sync_period
        self.slow_step_size = slow_step_size
        self.slow_weights = None
        self.updates = 0

    def apply(self, grads, variables):
        if self.slow_weights is None:
            self.slow_weights = [
                np.array(v.numpy(), dtype=np.float64) for v in variables
            ]
        self.inner_optimizer.apply(grads, variables)
        self.updates += 1
        if self.updates % self.sync_period == 0:
            self.synchronize(variables)

    def synchronize(self, variables):
        for index, variable in enumerate(variables):
            slow = self.slow_weights[index]
            slow = slow + self.slow_step_size * (variable.numpy() - slow)
            self.slow_weights[index] = slow
            variable.assign(slow.astype(variable.dtype))


class ReferenceLookaheadCallback(keras.callbacks.Callback):
    """The same algorithm as a callback around `fit` with a plain optimizer.

    Needs `steps_per_execution=1` so that every batch end is one step; a step
    counts when the optimizer's `iterations` advanced (a loss-scaled step with
    non-finite gradients is skipped and does not count).

    Args:
        sync_period: k.
        slow_step_size: alpha.
    """

    def __init__(self, sync_period, slow_step_size):
        super().__init__()
        self.sync_period = sync_period
        self.slow_step_size = slow_step_size
        self.reference = None

    def on_train_begin(self, logs=None):
        if self.reference is None:
            self.reference = ReferenceLookahead(
                None, self.sync_period, self.slow_step_size
            )
            self.reference.slow_weights = [
                np.array(v.numpy(), dtype=np.float64)
                for v in self.model.trainable_variables
            ]
            # Updates applied before the first fit with this callback (e.g.
            # by an earlier fit without Lookahead) do not count.
            self.updates_before = int(self.model.optimizer.iterations.numpy())

    def on_train_batch_end(self, batch, logs=None):
        # Count applied updates: under a loss scale, skipped steps do not count.
        applied = int(self.model.optimizer.iterations.numpy()) - self.updates_before
        if applied == self.reference.updates:
            return
        self.reference.updates = applied
        if applied % self.sync_period == 0:
            self.reference.synchronize(self.model.trainable_variables)
