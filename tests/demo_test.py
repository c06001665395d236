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
"""The demo (demo/, outside the package): a short run, outputs, usage errors."""

import csv

import pytest

from demo import cli
from demo import experiment


def test_short_run_prints_tables_and_writes_the_figure_and_csv(tmp_path, capsys):
    exit_code = cli.main(
        [
            "--inner",
            "sgd,radam",
            "-k",
            "3",
            "--alpha",
            "0.8",
            "--learning-rates",
            "0.05,0.01",
            "--epochs",
            "2",
            "--seeds",
            "1",
            "--output-dir",
            str(tmp_path),
        ]
    )
    assert exit_code == 0
    output = capsys.readouterr().out
    assert "8 runs of 2 epochs; Lookahead k=3, alpha=0.8" in output
    assert "ranger is lookahead(radam)" in output
    tables = output.split("Test accuracy, mean +- std over 1 seeds:\n")[1]
    accuracy, loss = tables.split("Final train loss, mean +- std over 1 seeds:\n")
    for table in (accuracy, loss):
        header, rule, *rows = table.strip().splitlines()[:4]
        assert header.split() == [
            "learning", "rate", "|", "sgd", "|", "lookahead(sgd)", "|", "radam",
            "|", "ranger",
        ]  # fmt: skip
        assert [row.split()[0] for row in rows] == ["0.01", "0.05"]
        # One seed: each cell is "<value> +- 0.0000".
        assert [row.count("+- 0.0000") for row in rows] == [4, 4]
    assert (tmp_path / "results.png").read_bytes().startswith(b"\x89PNG")
    with open(tmp_path / "results.csv") as results:
        rows = list(csv.DictReader(results))
    assert sorted((r["optimizer"], r["learning_rate"]) for r in rows) == [
        (name, learning_rate)
        for name in ["lookahead(sgd)", "radam", "ranger", "sgd"]
        for learning_rate in ["0.01", "0.05"]
    ]
    # Digits has 10 classes: anything trained is far above chance.
    assert all(float(r["test_accuracy"]) > 0.5 for r in rows)


def test_inner_state_at_sync_reaches_lookahead(tmp_path, capsys, monkeypatch):
    modes = []
    lookahead_class = experiment.Lookahead

    def recording_lookahead(*args, **kwargs):
        modes.append(kwargs["inner_state_at_sync"])
        return lookahead_class(*args, **kwargs)

    monkeypatch.setattr(experiment, "Lookahead", recording_lookahead)
    flags = ["--inner", "sgd", "--inner-state-at-sync", "pullback", "--epochs", "1"]
    flags += ["--seeds", "1", "--learning-rates", "0.05", "--output-dir", str(tmp_path)]
    assert cli.main(flags) == 0
    assert modes == ["pullback"]
    output = capsys.readouterr().out
    assert "Lookahead k=5, alpha=0.5, inner_state_at_sync=pullback" in output


@pytest.mark.parametrize(
    "flags, message",
    [
        (["-k", "0"], "argument -k/--sync-period: expected an integer >= 1, got 0"),
        (["--alpha", "1.5"], "argument --alpha/--slow-step-size: expected a number"),
        (["--learning-rates", "0.1,x"], "argument --learning-rates: expected comma"),
        (["--inner", "adam,lion"], "argument --inner: expected comma-separated"),
        (["--epochs", "-1"], "argument --epochs: expected an integer >= 1"),
        (["--seeds", "two"], "argument --seeds: expected an integer >= 1, got 'two'"),
        (
            ["--inner-state-at-sync", "pullback"],
            "argument --inner-state-at-sync: 'pullback' is defined for SGD's "
            "momentum: use it with --inner sgd, got --inner adam,radam",
        ),
        (["--inner-state-at-sync", "drop"], "argument --inner-state-at-sync: invalid"),
    ],
)
def test_bad_flags_are_usage_errors(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(flags)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("usage: python -m demo")
    assert message in error
