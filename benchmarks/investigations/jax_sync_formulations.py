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
"""Two ways to write the sync under `jax.jit`, side by side: masks or `lax.cond`.

The shipped form writes a due update as `where(due, new, old)` when compiled
(slow weights read and written on every step). The candidate runs the sync
in a value-returning `jax.lax.cond` (slow weights untouched on steps without
a sync, but XLA copies the fast weights out of the conditional on every
step). Both are written in prototype_lookahead.py; this runs
compiled_floor.py with those two forms on `wide_mlp`, with their census.
Extra arguments go to compiled_floor.py.

    KERAS_BACKEND=jax python benchmarks/investigations/jax_sync_formulations.py
"""

import sys

import compiled_floor

if __name__ == "__main__":
    sys.argv[1:1] = ["--forms", "where,cond", "--workloads", "wide_mlp", "--census"]
    compiled_floor.main()
