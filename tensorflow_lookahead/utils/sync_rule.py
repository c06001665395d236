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
"""Lookahead's synchronization, written once for every implementation.

The new values are computed here, on whatever the caller passes (variables or
tensors of TensorFlow, JAX, PyTorch or NumPy); how and when they are written
is the caller's: `tf.cond`, `where` masks, in place.
"""


def interpolated(slow, fast, slow_step_size):
    """The slow weight after a sync: `slow + slow_step_size * (fast - slow)`.

    >>> float(interpolated(1.0, 0.0, 0.25))
    0.75

    Args:
        slow: The slow weight.
        fast: The model's weight after k inner updates.
        slow_step_size: alpha.

    Returns:
        The new slow weight, also the model's new weight.
    """
    return slow + slow_step_size * (fast - slow)


def is_sync_step(applied_updates, updates_per_sync):
    """Whether the update just counted ends a Lookahead cycle."""
    return applied_updates % updates_per_sync == 0


def value_of(source):
    """The update `target = source`."""
    return source


def sync_updates(pairs, slow_step_size, constraint_of):
    """The sync as `(variable, new_value, args)` updates, written in order.

    First every slow weight moves towards its fast weight, then every fast
    weight takes the new slow value.

    Args:
        pairs: `(slow, fast)` variable pairs.
        slow_step_size: alpha.
        constraint_of: Returns a fast weight's constraint, or None.

    Returns:
        A list of updates for a backend's `write_if`.
    """

    def new_slow_value(constraint):
        def new_value(slow, fast):
            value = interpolated(slow, fast, slow_step_size)
            return value if constraint is None else constraint(value)

        return new_value

    return [
        (slow, new_slow_value(constraint_of(fast)), (slow, fast))
        for slow, fast in pairs
    ] + [(fast, value_of, (slow,)) for slow, fast in pairs]
