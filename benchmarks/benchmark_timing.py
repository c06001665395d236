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
"""Timers and statistics shared by the benchmarks, on any backend.

Imports neither TensorFlow nor Keras, so that the JAX and torch benchmarks
run in environments without TensorFlow.
"""

import json
import math
import resource
import statistics
import time


def wall_and_cpu_seconds(fn):
    """(wall, process CPU) seconds taken by `fn()`."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def median_interval(values, confidence=0.95):
    """Distribution-free confidence interval of the median (sign test).

    The k-th smallest and k-th largest values, for the largest k with
    P(Binomial(n, 1/2) <= k) <= (1 - confidence) / 2.
    """
    ordered = sorted(values)
    n = len(ordered)

    def at_most(k):
        return sum(math.comb(n, i) for i in range(k + 1)) / 2**n

    k = 0
    while k + 1 <= (n - 1) // 2 and 2 * at_most(k + 1) <= 1 - confidence:
        k += 1
    return ordered[k], ordered[n - 1 - k]


def alternating_rounds(train_inner, train_wrapped, rounds, steps):
    """Per-step (wall, CPU) seconds of both, timed in ABBA-ordered rounds.

    Args:
        train_inner: `train(steps)` returning (wall, CPU) seconds.
        train_wrapped: The same for the wrapped optimizer.
        rounds: The number of rounds; each runs both once.
        steps: Steps per call.

    Returns:
        `{"inner": (walls, cpus), "wrapped": (walls, cpus)}`, lists of
        seconds per step, one entry per round.
    """
    trains = {"inner": train_inner, "wrapped": train_wrapped}
    times = {name: ([], []) for name in trains}
    for round_index in range(rounds):
        order = ("inner", "wrapped") if round_index % 2 == 0 else ("wrapped", "inner")
        for name in order:
            wall_seconds, cpu_seconds = trains[name](steps)
            times[name][0].append(wall_seconds / steps)
            times[name][1].append(cpu_seconds / steps)
    return times


def ratio_summary(times):
    """Row fields comparing the rounds of `alternating_rounds`.

    Ratios are wrapped / inner of the same round: their median with its 95%
    interval, in wall and in process CPU time (which, unlike wall time,
    excludes time the VM's vCPUs were stolen), and the ratio of the best
    rounds.
    """
    (inner_wall, inner_cpu), (wrapped_wall, wrapped_cpu) = (
        times["inner"],
        times["wrapped"],
    )
    ratios = [w / i for w, i in zip(wrapped_wall, inner_wall)]
    cpu_ratios = [w / i for w, i in zip(wrapped_cpu, inner_cpu)]
    return {
        "inner_ms": 1000 * min(inner_wall),
        "wrapped_ms": 1000 * min(wrapped_wall),
        "ratio_median": statistics.median(ratios),
        "ratio_interval": median_interval(ratios),
        "ratio_min": min(wrapped_wall) / min(inner_wall),
        "cpu_ratio_median": statistics.median(cpu_ratios),
        "cpu_ratio_interval": median_interval(cpu_ratios),
    }


def report_rows(rows, output=None):
    """Prints the process's peak RSS; writes `rows` and it as JSON to `output`."""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak_mb:.0f} MB")
    if output:
        with open(output, "w") as handle:
            json.dump({"rows": rows, "peak_rss_mb": peak_mb}, handle, indent=1)
