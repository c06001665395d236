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
"""What Lookahead's steps cost, next to one update of the inner optimizer.

On a workload's weights, side by side in one process, times `tf.function`s
of: one inner Adam update; one Lookahead(Adam) update on a step that does not
sync (Adam plus Lookahead's fixed per-step work: its step counter and two
conditionals), on a copy of the weights; the sync as the TensorFlow backend
writes it (`slow.assign(slow + alpha * (fast - slow))`, then
`fast.assign(slow)`, written out here); and
the alternatives it was chosen over: the fused `ResourceApplyGradientDescent`
with `delta = slow - fast`, and the same sync compiled by XLA. Prints the
median wall and process-CPU milliseconds of each over alternating rounds,
then, as shares of the Adam update's CPU time, the fixed per-step cost and
the sync's cost per step at sync period k (sync / k), all less the time of
an empty `tf.function` call, which dominates on small models.

    python benchmarks/investigations/sync_cost.py [--workload wide_mlp] \
        [--sync-period 5]
"""

import argparse
import pathlib
import statistics
import sys

import tensorflow as tf

from tensorflow_lookahead import Lookahead

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import overhead_benchmark as overhead  # noqa: E402
import benchmark_timing as timing  # noqa: E402

ROUNDS = 25
CALLS_PER_ROUND = 10
ALPHA = 0.5


def sync_variants(slow_weights, fast_weights):
    """Name -> zero-argument function that runs one sync of all weights."""

    def lookaheads_sync():
        for slow, fast in zip(slow_weights, fast_weights):
            slow.assign(slow + ALPHA * (fast - slow))
        for slow, fast in zip(slow_weights, fast_weights):
            fast.assign(slow)

    def fused_gradient_descent():
        for slow, fast in zip(slow_weights, fast_weights):
            tf.raw_ops.ResourceApplyGradientDescent(
                var=slow.handle, alpha=tf.constant(ALPHA), delta=slow - fast
            )
        for slow, fast in zip(slow_weights, fast_weights):
            fast.assign(slow)

    return {
        "sync (ours)": tf.function(lookaheads_sync),
        "sync, fused": tf.function(fused_gradient_descent),
        "sync, xla": tf.function(lookaheads_sync, jit_compile=True),
    }


def timings(functions):
    """Name -> (median wall ms, median CPU ms) per call, in alternating rounds."""
    for function in functions.values():
        function()
        function()
    samples = {name: [] for name in functions}
    for _ in range(ROUNDS):
        for name, function in functions.items():
            seconds = timing.wall_and_cpu_seconds(
                lambda: [function() for _ in range(CALLS_PER_ROUND)]
            )
            samples[name].append(
                tuple(1000 * value / CALLS_PER_ROUND for value in seconds)
            )
    return {
        name: tuple(statistics.median(column) for column in zip(*rows))
        for name, rows in samples.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", default="wide_mlp", choices=overhead.WORKLOADS)
    parser.add_argument("--sync-period", type=int, default=5)
    args = parser.parse_args()
    model, (features, _), batch_size = overhead.WORKLOADS[args.workload]()
    model(features[:batch_size])
    fast_weights = model.trainable_variables
    slow_weights = [tf.Variable(weight + 1.0) for weight in fast_weights]
    grads = [tf.ones_like(weight) for weight in fast_weights]
    adam = overhead.adam()
    adam.build(fast_weights)
    lookahead_weights = [tf.Variable(weight) for weight in fast_weights]
    never_syncing = Lookahead(overhead.adam(), 2**30)
    never_syncing.build(lookahead_weights)
    syncs = sync_variants(slow_weights, fast_weights)
    functions = {
        "empty function call": tf.function(lambda: None),
        "Adam update": tf.function(lambda: adam.apply(grads, fast_weights)),
        "Lookahead update, no sync": tf.function(
            lambda: never_syncing.apply(grads, lookahead_weights)
        ),
        **syncs,
    }
    results = timings(functions)
    call_cpu = results["empty function call"][1]
    adam_cpu = results["Adam update"][1] - call_cpu
    print(f"{args.workload}, medians of {ROUNDS} rounds")
    print(f"{'':<26} {'wall ms':>8} {'CPU ms':>8}")
    for name, (wall, cpu) in results.items():
        print(f"{name:<26} {wall:>8.3f} {cpu:>8.3f}")
    print("per step, as a share of the Adam update's CPU time (less a call's):")
    fixed = (results["Lookahead update, no sync"][1] - call_cpu) / adam_cpu - 1
    print(f"  fixed cost of a step without sync: {fixed:.3f}")
    for name in syncs:
        share = (results[name][1] - call_cpu) / adam_cpu / args.sync_period
        print(f"  {name} at k = {args.sync_period}: {share:.3f}")


if __name__ == "__main__":
    main()
