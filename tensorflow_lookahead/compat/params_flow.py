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
"""The params-flow API: `LookaheadOptimizerCallback(k, alpha)`."""

import numbers

from tensorflow_lookahead.callbacks.lookahead_callback import LookaheadCallback
from tensorflow_lookahead.utils import arguments
from tensorflow_lookahead.utils.typechecking import typechecked


class LookaheadOptimizerCallback(LookaheadCallback):
    """params-flow's callback name and arguments over `LookaheadCallback`.

    Unlike params-flow's version, the slow weights start at the weights
    before the first update (not after it), are separate copies (not the
    model's variables themselves), and are updated on the weights' devices.

    Args:
        k: The number of inner updates between two synchronizations; an
            integer >= 1.
        alpha: The slow weights' step size; a real number in [0, 1].

    Raises:
        TypeError: An argument has the wrong type.
        ValueError: An argument is out of range.

    >>> from tensorflow_lookahead import compat
    >>> callback = compat.LookaheadOptimizerCallback(k=5, alpha=0.5)
    >>> callback.sync_period, callback.slow_step_size
    (5, 0.5)
    """

    @typechecked
    def __init__(self, k: numbers.Integral = 5, alpha: numbers.Real = 0.5):
        super().__init__(
            sync_period=arguments.validated_sync_period(k, "k"),
            slow_step_size=arguments.validated_slow_step_size(alpha, "alpha"),
        )
