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
"""What a sync does to the inner optimizer's state: `inner_state_at_sync`.

"keep" (the paper, tfa): nothing; the state carries on. For
`keras.optimizers.SGD`, whose only state is its momentum (a constant-lr
rescaling of PyTorch's momentum buffer), the modes of the authors' code:
"reset" sets the momentum to zero at each sync; "pullback" sets it to
`alpha * momentum + (1 - alpha) * cached`, where `cached` is the value it got
at the previous sync (zeros at the start), then caches the new value. SGD
without momentum has no state: both are then no-ops. Other inner optimizers
are refused for "reset" and "pullback": Adam's moments are bias-corrected
with a step counter that Lookahead also counts with, so zeroing or pulling
them back has no single meaning.
"""

import keras
from keras import ops

from tensorflow_lookahead.utils import sync_rule

MODES = ("keep", "reset", "pullback")


def validated_mode(mode, inner_optimizer):
    """`mode`, checked to be one of `MODES` and defined for the inner optimizer."""
    if mode not in MODES:
        raise ValueError(
            f"`inner_state_at_sync` must be one of {', '.join(map(repr, MODES))}. "
            f"Received: inner_state_at_sync={mode!r}"
        )
    if mode != "keep" and not isinstance(inner_optimizer, keras.optimizers.SGD):
        raise ValueError(
            f"`inner_state_at_sync={mode!r}` is defined for an inner "
            "keras.optimizers.SGD (its momentum); use 'keep' for other inner "
            f"optimizers. Received: optimizer={type(inner_optimizer).__name__}"
        )
    return mode


def cached_momentums(optimizer, momentums):
    """The cache "pullback" keeps: one zero variable per momentum, by key.

    Args:
        optimizer: The Lookahead, which owns the cache.
        momentums: The inner SGD's momentums, by the key of their variable.
    """
    if optimizer.inner_state_at_sync != "pullback":
        return {}
    return {
        key: optimizer.add_variable_from_reference(momentum, name="cached_momentum")
        for key, momentum in momentums.items()
    }


def sync_updates(mode, slow_step_size, momentums, cached, keys):
    """The updates of the inner state at a sync, for `write_if`.

    Args:
        mode: `inner_state_at_sync`.
        slow_step_size: alpha.
        momentums: The inner SGD's momentums, by the key of their variable.
        cached: The "pullback" cache, by the same keys.
        keys: The keys of the variables the sync moves.
    """
    keys = [key for key in keys if key in momentums]
    if mode == "reset":
        return [(momentums[key], ops.zeros_like, (momentums[key],)) for key in keys]
    if mode != "pullback":
        return []

    def pulled_back(momentum, cached_momentum):
        return sync_rule.interpolated(cached_momentum, momentum, slow_step_size)

    return [
        (momentums[key], pulled_back, (momentums[key], cached[key])) for key in keys
    ] + [(cached[key], sync_rule.value_of, (momentums[key],)) for key in keys]
