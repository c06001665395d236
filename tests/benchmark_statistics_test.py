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
"""The statistics behind the README's performance table (benchmarks/)."""

import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))

import benchmark_timing  # noqa: E402
import make_table  # noqa: E402


@pytest.mark.parametrize(
    "count, lower_rank",
    # Ranks of the 95% sign-test interval of the median, from published
    # tables (Conover, Practical Nonparametric Statistics, Table A3).
    [(10, 2), (12, 3), (20, 6), (30, 10)],
)
def test_median_interval_uses_the_sign_test_ranks(count, lower_rank):
    values = list(np.random.default_rng(count).permutation(count) * 0.5)
    low, high = benchmark_timing.median_interval(values)
    assert low == (lower_rank - 1) * 0.5
    assert high == (count - lower_rank) * 0.5


def test_median_interval_covers_the_median_in_95_percent_of_samples():
    rng = np.random.default_rng(0)
    trials = 4000
    covered = 0
    for _ in range(trials):
        low, high = benchmark_timing.median_interval(rng.standard_cauchy(20))
        covered += low <= 0.0 <= high
    assert covered / trials >= 0.945


def test_median_interval_of_few_values_is_their_range():
    assert benchmark_timing.median_interval([3.0, 1.0, 2.0]) == (1.0, 3.0)


def test_rounds_alternate_the_order_of_the_trainers():
    calls = []

    def trainer(name):
        def train(steps):
            calls.append((name, steps))
            return 2.0 * steps, 1.0 * steps

        return train

    times = benchmark_timing.alternating_rounds(
        {name: trainer(name) for name in "ABC"}, rounds=3, steps=4
    )
    assert [name for name, _ in calls] == list("ABCCBAABC")
    assert {steps for _, steps in calls} == {4}
    assert times["B"] == ([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])  # seconds per step


def test_ratios_pair_the_rounds():
    # The machine's speed changes between rounds: the median of the per-round
    # ratios is 1.1, the ratio of the medians (3.0 / 3.0) would be 1.0.
    baseline = [1.0, 3.0, 2.0, 8.0, 4.0]
    ratios = [1.1, 1.0, 1.3, 1.2, 1.1]
    times = {
        "baseline": (baseline, baseline),
        "wrapped": (
            [r * t for r, t in zip(ratios, baseline)],
            [2 * r * t for r, t in zip(ratios, baseline)],
        ),
    }
    summary = benchmark_timing.ratio_summary(times, "wrapped", "baseline")
    assert summary["ratio_median"] == pytest.approx(1.1)
    assert summary["cpu_ratio_median"] == pytest.approx(2.2)
    assert summary["ratio_interval"] == pytest.approx((1.0, 1.3))
    assert summary["ratio_min"] == pytest.approx(1.1)  # the best rounds: 1.1 / 1.0


def test_added_cost_is_taken_round_by_round():
    times = {
        "Adam": ([2.0, 4.0], [1.0, 1.0]),
        "JAX floor": ([1.5, 9.0], [1.0, 2.0]),
        "JAX Adam": ([1.0, 8.0], [0.5, 1.5]),
    }
    walls, cpus = benchmark_timing.with_added_cost(
        times, "Adam", "JAX floor", "JAX Adam"
    )
    assert walls == pytest.approx([2.5, 5.0])
    assert cpus == pytest.approx([1.5, 1.5])


def summary(median):
    return {
        "ratio_median": median,
        "ratio_interval": (median - 0.1, median + 0.1),
        "ratio_min": median,
        "cpu_ratio_median": median,
        "cpu_ratio_interval": (median - 0.1, median + 0.1),
    }


def test_ratio_text_gives_wall_and_cpu_medians_with_their_intervals():
    assert benchmark_timing.ratio_text(summary(1.25)) == (
        "wall 1.250 [1.150, 1.350]  CPU 1.250 [1.150, 1.350]"
    )


def test_table_joins_tfa_to_its_line_and_reports_failures():
    key = {"backend": "tensorflow", "workload": "w", "sync_period": 5}
    rows = [
        {
            **key,
            "implementation": "ours",
            "mode": "graph",
            "ms": {"Adam": 2.0, "Lookahead": 2.5},
            "ratios": {"Lookahead / Adam": summary(1.25)},
        },
        {
            **key,
            "implementation": "tfa",
            "mode": "graph",
            "ms": {"Adam": 9.0, "tfa Lookahead": 18.0},
            "ratios": {"tfa Lookahead / Adam": summary(2.0)},
        },
        {**key, "implementation": "tfa", "mode": "mirrored", "error": "E: x"},
        {
            **key,
            "implementation": "ours",
            "mode": "mirrored",
            "ms": {"Adam": 3.0, "Lookahead": 3.0},
            "ratios": {"Lookahead / Adam": summary(1.0)},
        },
    ]
    lines = make_table.table(rows).splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    cells = {
        line.split("|")[3].strip(): dict(
            zip(header, (cell.strip() for cell in line.strip("|").split("|")))
        )
        for line in lines[2:]
    }
    assert len(cells) == 2
    assert cells["graph"]["Adam ms/step"] == "2.00"  # not tfa's Keras 2 Adam
    assert cells["graph"]["Lookahead / Adam, CPU"] == "1.250 [1.150, 1.350]"
    assert cells["graph"]["tfa Lookahead / its Adam, CPU"] == "2.000 [1.900, 2.100]"
    assert cells["mirrored"]["tfa Lookahead / its Adam, CPU"] == "fails"
