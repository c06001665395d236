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
"""Times Lookahead(inner) against the inner optimizer alone, side by side.

In one process, for each workload and mode, two identical models (one with
the inner optimizer, one with Lookahead over it) are warmed up, then timed
in alternating rounds (ABBA order) of `fit` over the same data. Printed per
row: ms/step of both (best round), the median of the paired per-round
ratios with its 95% confidence interval, the median ratio of process CPU
time (which, unlike wall time, excludes time the VM's vCPUs were stolen);
also the time to the first finished step (tracing, compilation), and
optimizer-state bytes.

    python benchmarks/overhead_benchmark.py                 # this package
    python benchmarks/overhead_benchmark.py --implementation tfa   # in .venv-tfa

`--implementation tfa` uses tensorflow-addons' Lookahead with a legacy Keras 2
inner optimizer (TensorFlow 2.15); see benchmarks/run_all.sh.
"""

import argparse
import contextlib

import numpy as np
import tensorflow as tf

import workloads
from benchmark_timing import alternating_rounds
from benchmark_timing import median_interval  # noqa: F401 (tests use it here)
from benchmark_timing import ratio_summary
from benchmark_timing import report_rows
from benchmark_timing import wall_and_cpu_seconds

MODES = ("graph", "xla", "eager", "mirrored")
ROUND_SECONDS = 0.4
FIRST_STEPS = 4  # fresh models per optimizer whose first step is timed


def two_cpu_mirrored_strategy():
    """Splits the CPU into two logical devices and mirrors over them."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    return tf.distribute.MirroredStrategy(
        [device.name for device in tf.config.list_logical_devices("CPU")[:2]]
    )


def optimizer_factories(implementation, sync_period):
    """(inner factory, wrapped factory) for `implementation`."""
    keras = workloads.keras
    if implementation == "tfa":
        import tensorflow_addons as tfa

        def inner():
            return keras.optimizers.legacy.Adam(1e-3)

        def wrapped():
            return tfa.optimizers.Lookahead(inner(), sync_period, 0.5)

    else:
        from tensorflow_lookahead import Lookahead

        def inner():
            return keras.optimizers.Adam(1e-3)

        def wrapped():
            return Lookahead(inner(), sync_period, 0.5)

    return inner, wrapped


class Trainer:
    """A compiled model of `workload` in `mode`, trained `steps` at a time."""

    def __init__(self, workload, mode, optimizer_factory, strategy):
        scope = strategy.scope() if mode == "mirrored" else contextlib.nullcontext()
        with scope:
            tf.keras.utils.set_random_seed(0)
            self.model, data, batch_size = workloads.WORKLOADS[workload]()
            self.model.compile(
                optimizer=optimizer_factory(),
                loss=workloads.keras.losses.SparseCategoricalCrossentropy(
                    from_logits=True
                ),
                jit_compile=mode == "xla",
                run_eagerly=mode == "eager",
            )
        self.dataset = (
            tf.data.Dataset.from_tensor_slices(data)
            .batch(batch_size, drop_remainder=True)
            .repeat()
        )

    def train(self, steps):
        """(wall, process CPU) seconds taken by `fit` over `steps` batches."""
        return wall_and_cpu_seconds(
            lambda: self.model.fit(
                self.dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False
            )
        )

    def optimizer_state_bytes(self):
        optimizer = self.model.optimizer
        variables = optimizer.variables
        if callable(variables):
            variables = optimizer.weights
        return sum(variable_bytes(v) for v in variables)

    def trainable_bytes(self):
        return sum(variable_bytes(v) for v in self.model.trainable_variables)


def variable_bytes(variable):
    return int(np.prod(tuple(variable.shape))) * tf.as_dtype(variable.dtype).size


def time_to_first_step(workload, mode, factory, strategy):
    return wall_and_cpu_seconds(
        lambda: Trainer(workload, mode, factory, strategy).train(1)
    )[0]


def measure(workload, mode, inner, wrapped, strategy, rounds, sync_period):
    """One row: paired timings of inner and wrapped in `workload`, `mode`."""
    first = {"inner": [], "wrapped": []}
    for name, factory in [("inner", inner), ("wrapped", wrapped)] * FIRST_STEPS:
        first[name].append(time_to_first_step(workload, mode, factory, strategy))
    first_inner, first_wrapped = min(first["inner"]), min(first["wrapped"])
    trainers = {
        "inner": Trainer(workload, mode, inner, strategy),
        "wrapped": Trainer(workload, mode, wrapped, strategy),
    }
    for trainer in trainers.values():
        trainer.train(3)
    per_step = trainers["inner"].train(10)[0] / 10
    trainers["wrapped"].train(10)
    # Whole sync periods per round, so that every round has as many syncs.
    steps = sync_period * max(1, round(ROUND_SECONDS / per_step / sync_period))
    times = alternating_rounds(
        trainers["inner"].train, trainers["wrapped"].train, rounds, steps
    )
    return {
        "workload": workload,
        "mode": mode,
        "steps_per_round": steps,
        "rounds": rounds,
        **ratio_summary(times),
        "first_step_inner_s": first_inner,
        "first_step_wrapped_s": first_wrapped,
        "first_step_ratio": first_wrapped / first_inner,
        "state_bytes_inner": trainers["inner"].optimizer_state_bytes(),
        "state_bytes_wrapped": trainers["wrapped"].optimizer_state_bytes(),
        "trainable_bytes": trainers["inner"].trainable_bytes(),
    }


def print_row(row):
    extra = row["state_bytes_wrapped"] - row["state_bytes_inner"]
    low, high = row["ratio_interval"]
    print(
        f"{row['implementation']:<8} {row['workload']:<10} {row['mode']:<9} "
        f"{row['sync_period']:>3} {row['inner_ms']:>9.3f} "
        f"{row['wrapped_ms']:>9.3f} {row['ratio_median']:>7.3f} "
        f"[{low:.3f}, {high:.3f}] {row['cpu_ratio_median']:>7.3f} "
        f"{row['ratio_min']:>7.3f} {row['first_step_ratio']:>8.3f} "
        f"{extra / row['trainable_bytes']:.4f} x weights",
        flush=True,
    )


def argument_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--implementation", choices=["ours", "tfa"], default="ours")
    parser.add_argument(
        "--workloads",
        default=",".join(workloads.WORKLOADS),
        help="comma-separated; default: all",
    )
    parser.add_argument(
        "--modes", default=",".join(MODES), help="comma-separated; default: all"
    )
    parser.add_argument("--sync-periods", default="5", help="comma-separated k")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--output", help="write the rows as JSON here")
    return parser


def main():
    args = argument_parser().parse_args()
    strategy = two_cpu_mirrored_strategy()
    rows = []
    print(
        f"{'implementation':<8} {'workload':<10} {'mode':<9} {'k':>3} "
        f"{'inner ms':>9} {'LA ms':>9} {'median':>7} {'95% interval':>16} "
        f"{'cpu':>7} {'best':>7} {'1st step':>8} "
        "extra state"
    )
    for sync_period in [int(k) for k in args.sync_periods.split(",")]:
        inner, wrapped = optimizer_factories(args.implementation, sync_period)
        for workload in args.workloads.split(","):
            for mode in args.modes.split(","):
                try:
                    row = measure(
                        workload,
                        mode,
                        inner,
                        wrapped,
                        strategy,
                        args.rounds,
                        sync_period,
                    )
                except Exception as error:  # reported in the table, not fatal
                    message = str(error).strip().splitlines()[0][:120]
                    row = {"workload": workload, "mode": mode, "error": message}
                    print(
                        f"{args.implementation:<8} {workload:<10} {mode:<9} "
                        f"{sync_period:>3} failed: {type(error).__name__}: {message}"
                    )
                row.update(implementation=args.implementation, sync_period=sync_period)
                rows.append(row)
                if "error" not in row:
                    print_row(row)
    report_rows(rows, args.output)


if __name__ == "__main__":
    main()
