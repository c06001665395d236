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
"""Keras callbacks for Lookahead."""

from tensorflow_lookahead.callbacks.lookahead_callback import LookaheadCallback
from tensorflow_lookahead.callbacks.lookahead_diagnostics import LookaheadDiagnostics
from tensorflow_lookahead.callbacks.swap_slow_weights import SwapSlowWeights

__all__ = ["LookaheadCallback", "LookaheadDiagnostics", "SwapSlowWeights"]
