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
"""Compares two ways to write the sync under `jax.jit`, side by side.

Lookahead's `apply_if` writes a due update as `where(due, new, old)` when
compiled (the shipped form: slow weights read and written on every step).
The candidate here runs the updates in a `jax.lax.cond` branch that returns
the new values (slow weights untouched on steps without a sync, but XLA
copies the fast weights out of the conditional on every step). In one
process, Adam alone and Lookahead(Adam, k=5) in both forms are `fit` with
`jit_compile=True` in ABBA rounds; printed: each pair's ratios and each
form's compiled-step census (backend_step_census.py).

    KERAS_BACKEND=jax python benchmarks/jax_sync_formulations.py
"""

import argparse
import contextlib

import keras

import backend_overhead
import backend_step_census
from benchmark_timing import alternating_rounds
from benchmark_timing import ratio_summary
from tensorflow_lookahead.optimizers import backend


def apply_if_under_cond(optimizer, condition, variable_updates_fn):
    """`apply_if` with a traced condition as a value-returning `lax.cond`."""
    import jax
    from keras.src.backend.common.stateless_scope import StatelessScope

    if isinstance(condition, bool):
        shipped_apply_if(optimizer, condition, variable_updates_fn)
        return
    updates = variable_updates_fn()
    read, written = [], []
    for variable, _, args in updates:
        if not any(variable is seen for seen in written):
            written.append(variable)
        for candidate in (variable, *args):
            if not any(candidate is seen for seen in read):
                read.append(candidate)

    def branch(run_updates):
        def values_after(values):
            with StatelessScope(state_mapping=list(zip(read, values))) as scope:
                if run_updates:
                    for variable, fn, args in updates:
                        fn(variable, *args)
            return [scope.get_current_value(variable) for variable in written]

        return values_after

    new_values = jax.lax.cond(
        condition, branch(True), branch(False), [v.value for v in read]
    )
    for variable, value in zip(written, new_values):
        variable.assign(value)


shipped_apply_if = backend.apply_if


@contextlib.contextmanager
def sync_written_as(apply_if):
    """Lookahead steps traced inside the block use `apply_if`."""
    backend.apply_if = apply_if
    try:
        yield
    finally:
        backend.apply_if = shipped_apply_if


def print_ratio(workload, label, row):
    low, high = row["ratio_interval"]
    cpu_low, cpu_high = row["cpu_ratio_interval"]
    print(
        f"{workload} {label:<17} wall {row['ratio_median']:.3f} "
        f"[{low:.3f}, {high:.3f}]  CPU {row['cpu_ratio_median']:.3f} "
        f"[{cpu_low:.3f}, {cpu_high:.3f}]",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", default="wide_mlp")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if keras.backend.backend() != "jax":
        raise SystemExit("Run with KERAS_BACKEND=jax.")
    forms = {"where masks": shipped_apply_if, "lax.cond": apply_if_under_cond}
    for label, apply_if in forms.items():
        with sync_written_as(apply_if):
            counts = backend_step_census.jax_census(args.workload, "wrapped")
        details = ", ".join(f"{key} {value}" for key, value in counts.items())
        print(f"{args.workload} compiled step, sync as {label}: {details}")
    inner, wrapped = backend_overhead.optimizer_factories(5)
    trainers = {"adam": backend_overhead.KerasTrainer(args.workload, "compiled", inner)}
    for label, apply_if in forms.items():
        with sync_written_as(apply_if):
            trainers[label] = backend_overhead.KerasTrainer(
                args.workload, "compiled", wrapped
            )
            trainers[label].train(5)  # traced and compiled here
    per_step = trainers["adam"].train(10)[0] / 10
    steps = 5 * max(1, round(backend_overhead.ROUND_SECONDS / per_step / 5))
    for first, second in (
        ("adam", "where masks"),
        ("adam", "lax.cond"),
        ("where masks", "lax.cond"),
    ):
        times = alternating_rounds(
            trainers[first].train, trainers[second].train, args.rounds, steps
        )
        print_ratio(args.workload, f"{second} / {first}", ratio_summary(times))


if __name__ == "__main__":
    main()
