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
"""RAdam and Ranger written from the papers in NumPy (float64).

Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond",
Algorithm 2, with the additions tfa's RectifiedAdam documents: epsilon in the
denominator, a configurable threshold on the SMA length (the paper uses 4),
AMSGrad, decoupled weight decay and a linear warmup/decay of the step size.
Ranger adds Lookahead (Zhang et al. 2019, Algorithm 1, from
reference_lookahead) on top.
"""

import numpy as np

from tests.backend_neutral.reference_lookahead import Algorithm1


def constant(value):
    return lambda iteration: value


class NumpyRectifiedAdam:
    """RAdam state and update for a list of float64 arrays.

    `learning_rate` and `weight_decay` are functions of the number of
    updates applied before the current one (as Keras evaluates schedules).
    """

    def __init__(
        self,
        learning_rate=constant(0.001),
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        weight_decay=constant(0.0),
        amsgrad=False,
        sma_threshold=5.0,
        total_steps=0,
        warmup_proportion=0.1,
        min_lr=0.0,
        clipnorm=None,
    ):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.weight_decay = weight_decay
        self.amsgrad = amsgrad
        self.sma_threshold = sma_threshold
        self.total_steps = total_steps
        self.warmup_proportion = warmup_proportion
        self.min_lr = min_lr
        self.clipnorm = clipnorm
        self.t = 0
        self.m = self.v = self.v_max = None

    def step_size(self, t):
        """The learning rate of step t (from 1), with the optional warmup."""
        lr = self.learning_rate(t - 1)
        if self.total_steps <= 0:
            return lr
        warmup = self.total_steps * self.warmup_proportion
        if t <= warmup:
            return lr * t / warmup
        decay_steps = max(self.total_steps - warmup, 1)
        progress = min(t - warmup, decay_steps) / decay_steps
        return lr + (self.min_lr - lr) * progress

    def rectification(self, t):
        """r_t, or None while the SMA length is below the threshold."""
        rho_inf = 2 / (1 - self.beta_2) - 1
        rho_t = rho_inf - 2 * t * self.beta_2**t / (1 - self.beta_2**t)
        if rho_t < self.sma_threshold:
            return None
        return np.sqrt(
            (rho_t - 4)
            * (rho_t - 2)
            * rho_inf
            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        )

    def apply(self, weights, gradients):
        """Returns the weights after one update with `gradients`."""
        gradients = [np.asarray(g, np.float64) for g in gradients]
        if self.clipnorm is not None:
            gradients = [
                g * min(1.0, self.clipnorm / max(np.linalg.norm(g), 1e-300))
                for g in gradients
            ]
        if self.m is None:
            self.m = [np.zeros_like(g) for g in gradients]
            self.v = [np.zeros_like(g) for g in gradients]
            self.v_max = [np.zeros_like(g) for g in gradients]
        self.t += 1
        t = self.t
        r_t = self.rectification(t)
        lr = self.step_size(t)
        weight_decay = self.weight_decay(t - 1)
        updated = []
        for i, (w, g) in enumerate(zip(weights, gradients)):
            self.m[i] = self.beta_1 * self.m[i] + (1 - self.beta_1) * g
            self.v[i] = self.beta_2 * self.v[i] + (1 - self.beta_2) * g * g
            self.v_max[i] = np.maximum(self.v_max[i], self.v[i])
            v = self.v_max[i] if self.amsgrad else self.v[i]
            m_hat = self.m[i] / (1 - self.beta_1**t)
            if r_t is None:
                direction = m_hat
            else:
                v_hat = np.sqrt(v / (1 - self.beta_2**t))
                direction = r_t * m_hat / (v_hat + self.epsilon)
            updated.append(w - lr * (direction + weight_decay * w))
        return updated


class NumpyRanger(Algorithm1):
    """Lookahead's `Algorithm1` around `NumpyRectifiedAdam`."""

    def __init__(self, radam, sync_period, slow_step_size, weights):
        super().__init__(weights, sync_period, slow_step_size)
        self.radam = radam

    def apply(self, weights, gradients):
        return self.after_update(self.radam.apply(weights, gradients))
