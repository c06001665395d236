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
"""What the first-update check costs a compiled step, timed side by side.

The package's Lookahead sets the slow weights to the model's weights before
the first update, also inside a compiled step (a `where` mask on the first
update's counter), so that weights changed between the build and the first
step are anchored. This script runs overhead_benchmark.py's rows with one
more trainer: the same Lookahead without that check in the step (it
overrides the package's private `_anchor_before_first_update` during
`apply`; the slow weights are then those of the build, which is exact here
because nothing changes the weights in between). Printed besides the
runner's ratios: "no in-step check / floor" and "Lookahead / no in-step check".

    python benchmarks/investigations/first_update_check_cost.py \\
        --workloads wide_mlp --modes compiled --rounds 20 --first-steps 0
    KERAS_BACKEND=jax python benchmarks/investigations/first_update_check_cost.py ...
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import overhead_benchmark as overhead  # noqa: E402
from tensorflow_lookahead import Lookahead  # noqa: E402

WITHOUT_CHECK = "no in-step check"


class LookaheadWithoutInStepCheck(Lookahead):
    """Lookahead whose `apply` skips the first-update check (build still sets it)."""

    def apply(self, grads, trainable_variables=None):
        self._skip_check = self.built
        try:
            super().apply(grads, trainable_variables)
        finally:
            self._skip_check = False

    def _anchor_before_first_update(self):
        if not getattr(self, "_skip_check", False):
            super()._anchor_before_first_update()


def trainer_factories(args, workload, mode, sync_period, strategy):
    factories = runner_factories(args, workload, mode, sync_period, strategy)
    factories[WITHOUT_CHECK] = lambda: overhead.KerasTrainer(
        workload,
        mode,
        lambda: LookaheadWithoutInStepCheck(
            overhead.adam(), sync_period, overhead.SLOW_STEP_SIZE
        ),
        strategy,
    )
    return factories


def ratio_pairs(names):
    return runner_pairs(names) + [
        (WITHOUT_CHECK, "floor"),
        ("Lookahead", WITHOUT_CHECK),
    ]


runner_factories = overhead.trainer_factories
runner_pairs = overhead.ratio_pairs
overhead.trainer_factories = trainer_factories
overhead.ratio_pairs = ratio_pairs

if __name__ == "__main__":
    overhead.main()
