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
"""

import argparse
import resource
import statistics
import subprocess
import sys

import overhead_benchmark as overhead

REPEATS = 5


def child(implementation, which, workload):
    """Trains 20 steps in graph mode; prints peak RSS (MB) and weight bytes."""
    factory = (
        overhead.adam
        if which == "inner"
        else overhead.lookahead_factory(implementation, 5)
    )
    trainer = overhead.KerasTrainer(workload, "graph", factory)
    trainer.train(20)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak_mb:.1f} {trainer.trainable_bytes() / 2**20:.1f}")


def child_output(implementation, workload, which):
    """(peak RSS MB, weights MB) of one child process."""
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--implementation",
            implementation,
            "--workload",
            workload,
            "--child",
            which,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout.split()
    return float(output[-2]), float(output[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--implementation", choices=["ours", "tfa"], default="ours")
    parser.add_argument(
        "--workload", choices=sorted(overhead.WORKLOADS), default="wide_mlp"
    )
    parser.add_argument("--child", choices=["inner", "wrapped"])
    args = parser.parse_args()
    if args.child:
        child(args.implementation, args.child, args.workload)
        return
    peaks = {}
    for which in ("inner", "wrapped"):
        runs = [
            child_output(args.implementation, args.workload, which)
            for _ in range(REPEATS)
        ]
        peaks[which] = statistics.median(peak for peak, _ in runs)
        weights_mb = runs[0][1]
    print(
        f"{args.implementation} {args.workload}: median peak RSS inner "
        f"{peaks['inner']:.0f} MB, Lookahead {peaks['wrapped']:.0f} MB, difference "
        f"{peaks['wrapped'] - peaks['inner']:.0f} MB; weights {weights_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
