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

Nothing here uses tensorflow_lookahead. `Algorithm1` is the sync in NumPy
(float64), for weights from any framework (Keras 3 on every backend,
tf_keras): after every k-th inner update, `slow += alpha * (fast - slow)`,
then `fast = slow`; slow weights start at the weights before the first update.
The classes below run it around a plain Keras optimizer (`ReferenceLookahead`),
around `fit` (`ReferenceLookaheadCallback`) and around SGD with momentum or
Adam written out in NumPy (`NumpyLinearRegression`).
"""

import keras
import numpy as np


class Algorithm1:
    """The slow weights of Algorithm 1 of Zhang et al. (2019), in NumPy.

    Args:
        initial_weights: The weights before the first inner update (arrays).
        sync_period: k.
        slow_step_size: alpha.
    """

    def __init__(self, initial_weights, sync_period, slow_step_size):
        self.slow_weights = [np.array(w, dtype=np.float64) for w in initial_weights]
        self.sync_period = sync_period
        self.slow_step_size = slow_step_size
        self.updates = 0

    def after_update(self, fast_weights):
        """Counts one inner update; returns the weights the next one starts from.

        These are the new slow weights after every k-th update (see `sync`),
        else `fast_weights`.
        """
        if self.count_update():
            return self.sync(fast_weights)
        return list(fast_weights)

    def count_update(self):
        """Counts one inner update; returns whether a sync follows it."""
        self.updates += 1
        return self.updates % self.sync_period == 0

    def sync(self, fast_weights):
        """Moves the slow weights alpha of the way to `fast_weights`.

        Returns:
            Copies of the new slow weights: the fast weights from now on.
        """
        for index, fast in enumerate(fast_weights):
            slow = self.slow_weights[index]
            fast = np.asarray(fast, dtype=np.float64)
            self.slow_weights[index] = slow + self.slow_step_size * (fast - slow)
        return [slow.copy() for slow in self.slow_weights]


class ReferenceLookahead(Algorithm1):
    """`Algorithm1` around a plain Keras optimizer, on its variables.

    Runs eagerly; each call to `apply` is one inner update.

    Args:
        inner_optimizer: A plain `keras.optimizers.Optimizer`.
        sync_period: k.
        slow_step_size: alpha.
    """

    def __init__(self, inner_optimizer, sync_period, slow_step_size):
        super().__init__([], sync_period, slow_step_size)
        self.inner_optimizer = inner_optimizer
        self.slow_weights = None

    def apply(self, grads, variables):
        if self.slow_weights is None:
            self.slow_weights = [
                np.array(v.numpy(), dtype=np.float64) for v in variables
            ]
        self.inner_optimizer.apply(grads, variables)
        if self.count_update():
            self.synchronize(variables)

    def synchronize(self, variables):
        """Syncs with the values of `variables`; sets them to the slow weights."""
        slow_weights = self.sync([v.numpy() for v in variables])
        for variable, slow in zip(variables, slow_weights):
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
        if hasattr(self.model, "jax_state_sync"):
            self.model.jax_state_sync()
        # Count applied updates: under a loss scale, skipped steps do not count.
        applied = int(self.model.optimizer.iterations.numpy()) - self.updates_before
        if applied == self.reference.updates:
            return
        self.reference.updates = applied
        if applied % self.sync_period == 0:
            self.reference.synchronize(self.model.trainable_variables)


class NumpyLinearRegression(Algorithm1):
    """Algorithm 1 in NumPy (float64) on `Dense(1)` with the mean squared error.

    The inner optimizers are written out as Keras defines them (SGD with
    momentum, Adam), so nothing here runs on a Keras backend: it is the
    reference for every backend. One call to `step` is one batch.

    Args:
        kernel: The initial kernel, shape (features, 1).
        bias: The initial bias, shape (1,).
        inner: "sgd_momentum" (learning rate 0.05, momentum 0.9) or "adam"
            (learning rate 0.02, Keras' defaults otherwise).
        sync_period: k.
        slow_step_size: alpha.
    """

    def __init__(self, kernel, bias, inner, sync_period, slow_step_size):
        super().__init__([kernel, bias], sync_period, slow_step_size)
        self.weights = [w.copy() for w in self.slow_weights]
        self.inner = inner
        self.moments = [[np.zeros_like(w) for w in self.weights] for _ in range(2)]

    def gradients(self, features, targets):
        kernel, bias = self.weights
        residual = 2.0 * (features @ kernel + bias - targets) / len(features)
        return [features.T @ residual, residual.sum(axis=0)]

    def step(self, features, targets):
        grads = self.gradients(features.astype(np.float64), targets)
        fast = [
            w + self._inner_delta(i, g)
            for i, (w, g) in enumerate(zip(self.weights, grads))
        ]
        self.weights = self.after_update(fast)

    def _inner_delta(self, index, grad):
        first, second = self.moments[0], self.moments[1]
        if self.inner == "sgd_momentum":
            first[index] = 0.9 * first[index] - 0.05 * grad
            return first[index]
        beta_1, beta_2, epsilon = 0.9, 0.999, 1e-7
        t = self.updates + 1  # the update being computed
        learning_rate = 0.02 * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        first[index] += (grad - first[index]) * (1 - beta_1)
        second[index] += (grad**2 - second[index]) * (1 - beta_2)
        return -learning_rate * first[index] / (np.sqrt(second[index]) + epsilon)
