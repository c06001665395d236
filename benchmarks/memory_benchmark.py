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
"""Peak process memory of training with the inner optimizer vs Lookahead.

Each configuration trains in its own process (so peaks do not mix), five
times; prints the median peak RSS of each and the difference next to the size
of the weights, which is what Lookahead should add (one copy of the trainable
variables).

    python benchmarks/memory_benchmark.py [--implementation tfa] [--workload wide_mlp]
    python benchmarks/memory_benchmark.py --inner sgd_momentum \
        --inner-state-at-sync keep,pullback

With several `--inner-state-at-sync` modes, each is its own configuration.
Also prints the optimizer state per byte of trainable weights (from the
optimizer's variables, so exact).
"""

import argparse
import resource
import statistics
import subprocess
import sys

import overhead_benchmark as overhead

REPEATS = 5


def child(implementation, which, workload, inner):
    """Trains 20 steps in graph mode; prints peak RSS (MB), weight MB, state MB.

    `which` is "inner" or a mode of `inner_state_at_sync` ("wrapped": "keep").
    """
    inner_factory = overhead.INNERS[inner][1]
    if which == "inner":
        factory = inner_factory
    else:
        inner_state = "keep" if which == "wrapped" else which
        factory = overhead.lookahead_factory(
            implementation, 5, inner_factory, inner_state
        )
    trainer = overhead.KerasTrainer(workload, "graph", factory)
    trainer.train(20)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{peak_mb:.1f} {trainer.trainable_bytes() / 2**20:.3f} "
        f"{trainer.optimizer_state_bytes() / 2**20:.3f}"
    )


def child_output(implementation, workload, which, inner):
    """(peak RSS MB, weights MB, optimizer state MB) of one child process."""
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--implementation",
            implementation,
            "--workload",
            workload,
            "--inner",
            inner,
            "--child",
            which,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout.split()
    return tuple(float(value) for value in output[-3:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--implementation", choices=["ours", "tfa"], default="ours")
    parser.add_argument(
        "--workload", choices=sorted(overhead.WORKLOADS), default="wide_mlp"
    )
    parser.add_argument("--inner", choices=sorted(overhead.INNERS), default="adam")
    parser.add_argument(
        "--inner-state-at-sync",
        help="comma-separated modes, each a configuration (default: keep only)",
    )
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.implementation, args.child, args.workload, args.inner)
        return
    if args.inner_state_at_sync is None:
        configurations = {"inner": "inner", "Lookahead": "wrapped"}
    else:
        configurations = {"inner": "inner"}
        for mode in args.inner_state_at_sync.split(","):
            configurations[f"Lookahead {mode}"] = mode
    peaks, state = {}, {}
    for label, which in configurations.items():
        runs = [
            child_output(args.implementation, args.workload, which, args.inner)
            for _ in range(REPEATS)
        ]
        peaks[label] = statistics.median(run[0] for run in runs)
        weights_mb, state[label] = runs[0][1], runs[0][2]
    print(
        f"{args.implementation} {args.inner} {args.workload}: median peak RSS "
        + ", ".join(
            f"{label} {peak:.0f} MB (+{peak - peaks['inner']:.0f})"
            for label, peak in peaks.items()
        )
        + f"; weights {weights_mb:.1f} MB; optimizer state / weights: "
        + ", ".join(f"{label} {mb / weights_mb:.4f}" for label, mb in state.items())
    )


if __name__ == "__main__":
    main()
