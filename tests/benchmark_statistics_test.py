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

import make_table  # noqa: E402
import overhead_benchmark  # noqa: E402


@pytest.mark.parametrize(
    "count, lower_rank",
    # Ranks of the 95% sign-test interval of the median, from published
    # tables (Conover, Practical Nonparametric Statistics, Table A3).
    [(10, 2), (12, 3), (20, 6), (30, 10)],
)
def test_median_interval_uses_the_sign_test_ranks(count, lower_rank):
    values = list(np.random.default_rng(count).permutation(count) * 0.5)
    low, high = overhead_benchmark.median_interval(values)
    assert low == (lower_rank - 1) * 0.5
    assert high == (count - lower_rank) * 0.5


def test_median_interval_covers_the_median_in_95_percent_of_samples():
    rng = np.random.default_rng(0)
    trials = 4000
    covered = 0
    for _ in range(trials):
        low, high = overhead_benchmark.median_interval(rng.standard_cauchy(20))
        covered += low <= 0.0 <= high
    assert covered / trials >= 0.945


def test_median_interval_of_few_values_is_their_range():
    assert overhead_benchmark.median_interval([3.0, 1.0, 2.0]) == (1.0, 3.0)


@pytest.mark.parametrize(
    "mode, interval, expected",
    [
        ("graph", (0.99, 1.02), "met"),
        ("graph", (1.021, 1.05), "missed"),
        ("graph", (0.95, 1.06), "unresolved"),
        ("xla", (1.00, 1.05), "met"),
        ("eager", (1.04, 1.06), "unresolved"),
    ],
)
def test_verdict_compares_the_whole_interval_with_the_target(mode, interval, expected):
    row = {"mode": mode, "cpu_ratio_interval": interval}
    assert make_table.verdict(row).startswith(expected)
