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


def alternating_rounds(trains, rounds, steps):
    """Per-step (wall, CPU) seconds of each trainer, timed in alternating rounds.

    Every round runs each trainer once, in the given order in even rounds and
    in the reverse order in odd ones (ABBA for two), so that a slow drift of
    the machine's speed affects all alike.

    Args:
        trains: Name -> `train(steps)` returning (wall, CPU) seconds.
        rounds: The number of rounds.
        steps: Steps per call.

    Returns:
        Name -> (walls, cpus): lists of seconds per step, one entry per round.
    """
    names = list(trains)
    times = {name: ([], []) for name in names}
    for round_index in range(rounds):
        for name in names if round_index % 2 == 0 else reversed(names):
            wall_seconds, cpu_seconds = trains[name](steps)
            times[name][0].append(wall_seconds / steps)
            times[name][1].append(cpu_seconds / steps)
    return times


def ratio_summary(times, name, baseline):
    """Compares `name`'s rounds with `baseline`'s rounds of `alternating_rounds`.

    Ratios are name / baseline of the same round: their median with its 95%
    interval, in wall and in process CPU time (which, unlike wall time,
    excludes time the VM's vCPUs were stolen), and the ratio of the best
    rounds.
    """
    (walls, cpus), (baseline_walls, baseline_cpus) = times[name], times[baseline]
    ratios = [w / b for w, b in zip(walls, baseline_walls)]
    cpu_ratios = [w / b for w, b in zip(cpus, baseline_cpus)]
    return {
        "ratio_median": statistics.median(ratios),
        "ratio_interval": median_interval(ratios),
        "ratio_min": min(walls) / min(baseline_walls),
        "cpu_ratio_median": statistics.median(cpu_ratios),
        "cpu_ratio_interval": median_interval(cpu_ratios),
    }


def with_added_cost(times, name, added, baseline):
    """`times[name]` plus, round by round, what `added` took beyond `baseline`.

    For a floor measured next to another baseline: Keras' Adam plus what a
    pure JAX sync added to pure JAX Adam in the same round.
    """
    return tuple(
        [value + extra - base for value, extra, base in zip(*columns)]
        for columns in zip(times[name], times[added], times[baseline])
    )


def ratio_text(summary):
    """A `ratio_summary` as "wall M [low, high]  CPU M [low, high]"."""
    low, high = summary["ratio_interval"]
    cpu_low, cpu_high = summary["cpu_ratio_interval"]
    return (
        f"wall {summary['ratio_median']:.3f} [{low:.3f}, {high:.3f}]  "
        f"CPU {summary['cpu_ratio_median']:.3f} [{cpu_low:.3f}, {cpu_high:.3f}]"
    )


def best_milliseconds(times):
    """Name -> wall milliseconds per step of its fastest round."""
    return {name: 1000 * min(walls) for name, (walls, _) in times.items()}


def report_rows(rows, output=None):
    """Prints the process's peak RSS; writes `rows` and it as JSON to `output`."""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak_mb:.0f} MB")
    if output:
        with open(output, "w") as handle:
            json.dump({"rows": rows, "peak_rss_mb": peak_mb}, handle, indent=1)
