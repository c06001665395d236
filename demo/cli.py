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
"""Command line of the demo: parses flags, runs the grid, reports."""

import argparse
import os
import pathlib
import sys
import time

from demo import experiment
from demo import report
from tensorflow_lookahead.optimizers import inner_state

DEFAULT_INNER = "adam,radam"
DEFAULT_LEARNING_RATES = "0.001,0.003,0.01,0.03,0.1"


def positive_int(text):
    """An integer >= 1, for argparse."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def unit_interval(text):
    """A real number in [0, 1], for argparse."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {value}")
    return value


def inner_optimizers(text):
    """Comma-separated names of `experiment.INNER_OPTIMIZERS`, for argparse."""
    names = text.split(",")
    known = ", ".join(sorted(experiment.INNER_OPTIMIZERS))
    if not all(name in experiment.INNER_OPTIMIZERS for name in names):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names from {known}, got {text!r}"
        )
    return list(dict.fromkeys(names))


def learning_rates(text):
    """Comma-separated positive learning rates, for argparse."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive numbers, got {text!r}"
        )
    if not all(value > 0 for value in values):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive numbers, got {text!r}"
        )
    return sorted(set(values))


def argument_parser():
    """The demo's flags."""
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description=(
            "Trains a small MLP on scikit-learn's digits with each inner optimizer "
            "alone and with Lookahead over it, across learning rates and seeds, "
            "then prints tables and writes a figure (results.png) and a CSV."
        ),
    )
    parser.add_argument(
        "--inner",
        type=inner_optimizers,
        default=DEFAULT_INNER,
        help=(
            "comma-separated inner optimizers from "
            f"{', '.join(sorted(experiment.INNER_OPTIMIZERS))} (sgd is SGD with "
            "momentum 0.9, radam is RectifiedAdam; Lookahead over radam is "
            f"Ranger); default: {DEFAULT_INNER}"
        ),
    )
    parser.add_argument(
        "-k",
        "--sync-period",
        type=positive_int,
        default=5,
        help="Lookahead's k; default: 5",
    )
    parser.add_argument(
        "--alpha",
        "--slow-step-size",
        dest="slow_step_size",
        type=unit_interval,
        default=0.5,
        help="Lookahead's alpha; default: 0.5",
    )
    parser.add_argument(
        "--inner-state-at-sync",
        choices=inner_state.MODES,
        default="keep",
        help=(
            "what each sync does to SGD's momentum (Lookahead's "
            "inner_state_at_sync; reset and pullback need --inner sgd); "
            "default: keep"
        ),
    )
    parser.add_argument(
        "--learning-rates",
        type=learning_rates,
        default=DEFAULT_LEARNING_RATES,
        help=f"comma-separated inner learning rates; default: {DEFAULT_LEARNING_RATES}",
    )
    parser.add_argument("--epochs", type=positive_int, default=12, help="default: 12")
    parser.add_argument(
        "--seeds",
        type=positive_int,
        default=3,
        help="runs per optimizer and learning rate; default: 3",
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=32, help="default: 32"
    )
    parser.add_argument(
        "--output-dir",
        type=pathlib.Path,
        default=pathlib.Path("demo_output"),
        help="where results.png and results.csv go; default: ./demo_output",
    )
    return parser


def main(argv=None):
    """Runs the demo; returns the process exit code."""
    parser = argument_parser()
    settings = parser.parse_args(argv)
    if settings.inner_state_at_sync != "keep" and settings.inner != ["sgd"]:
        parser.error(
            f"argument --inner-state-at-sync: {settings.inner_state_at_sync!r} "
            "is defined for SGD's momentum: use it with --inner sgd, got "
            f"--inner {','.join(settings.inner)}"
        )
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    settings.output_dir.mkdir(parents=True, exist_ok=True)
    data = experiment.load_digits()
    names = [
        experiment.optimizer_name(inner, use_lookahead)
        for inner in settings.inner
        for use_lookahead in (False, True)
    ]
    grid = [
        (learning_rate, seed, inner, use_lookahead)
        for learning_rate in settings.learning_rates
        for seed in range(settings.seeds)
        for inner in settings.inner
        for use_lookahead in (False, True)
    ]
    print(
        f"digits: {len(data.train_labels)} training and {len(data.test_labels)} "
        f"test images; {len(grid)} runs of {settings.epochs} epochs; "
        f"Lookahead k={settings.sync_period}, alpha={settings.slow_step_size}"
        + (
            ""
            if settings.inner_state_at_sync == "keep"
            else f", inner_state_at_sync={settings.inner_state_at_sync}"
        )
    )
    traced_learning_rate = settings.learning_rates[len(settings.learning_rates) // 2]
    results = []
    started = time.perf_counter()
    for index, (learning_rate, seed, inner, use_lookahead) in enumerate(grid, start=1):
        result = experiment.train(
            data,
            settings,
            inner,
            learning_rate,
            seed,
            use_lookahead,
            record_distances=use_lookahead
            and seed == 0
            and learning_rate == traced_learning_rate,
        )
        results.append(result)
        elapsed = time.perf_counter() - started
        remaining = elapsed / index * (len(grid) - index)
        print(
            f"[{index:>3}/{len(grid)}] {result.optimizer:<20} "
            f"lr={learning_rate:<7g} seed={seed}  "
            f"loss {result.epoch_losses[-1]:.4f}  "
            f"test accuracy {result.test_accuracy:.4f}  "
            f"({result.seconds:.1f}s, about {remaining:.0f}s left)",
            flush=True,
        )
    if "radam" in settings.inner:
        print("\nranger is lookahead(radam)")
    for metric, title in report.METRICS:
        print(f"\n{title}, mean +- std over {settings.seeds} seeds:")
        print(report.results_table(results, settings.learning_rates, names, metric))
    report.write_csv(results, settings.output_dir / "results.csv")
    figure_path = settings.output_dir / "results.png"
    report.write_figure(
        results,
        settings.learning_rates,
        names,
        settings.sync_period,
        traced_learning_rate,
        figure_path,
    )
    print(
        f"\nwrote {figure_path} and {settings.output_dir / 'results.csv'} "
        f"in {time.perf_counter() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
