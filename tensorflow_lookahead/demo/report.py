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
"""The demo's outputs: a results table, a CSV file and a PNG figure."""

import csv

import numpy as np


def mean_std(values):
    """`"mean +- std"` of `values`, or `"diverged"` if one is not finite."""
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        return "diverged"
    return f"{values.mean():.4f} +- {values.std():.4f}"


def results_table(results, learning_rates, names):
    """The table printed at the end: one row per learning rate.

    Args:
        results: `RunResult`s of all runs.
        learning_rates: The learning rates, in row order.
        names: The two optimizer names, in column order.

    Returns:
        The table as a string.
    """
    header = ["learning rate"]
    for name in names:
        header += [f"{name} test accuracy", f"{name} final train loss"]
    rows = [header]
    for learning_rate in learning_rates:
        row = [f"{learning_rate:g}"]
        for name in names:
            runs = [
                r
                for r in results
                if r.optimizer == name and r.learning_rate == learning_rate
            ]
            row.append(mean_std([r.test_accuracy for r in runs]))
            row.append(mean_std([r.epoch_losses[-1] for r in runs]))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def write_csv(results, path):
    """One line per run: optimizer, learning rate, seed and final numbers."""
    with open(path, "w", newline="") as output:
        writer = csv.writer(output)
        writer.writerow(
            [
                "optimizer",
                "learning_rate",
                "seed",
                "final_train_loss",
                "test_loss",
                "test_accuracy",
                "seconds",
            ]
        )
        for r in results:
            writer.writerow(
                [
                    r.optimizer,
                    r.learning_rate,
                    r.seed,
                    r.epoch_losses[-1],
                    r.test_loss,
                    r.test_accuracy,
                    round(r.seconds, 3),
                ]
            )


def write_figure(results, learning_rates, names, sync_period, path):
    """Loss curves, accuracy vs learning rate and the fast-to-slow distance.

    Args:
        results: `RunResult`s of all runs.
        learning_rates: The learning rates tried.
        names: The two optimizer names (inner alone, Lookahead).
        sync_period: k, for the distance panel's title.
        path: Where to write the PNG.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (curves, accuracy, distance) = pyplot.subplots(
        1, 3, figsize=(16, 4.5), constrained_layout=True
    )
    colors = dict(zip(names, ["tab:blue", "tab:red"]))
    for index, learning_rate in enumerate(learning_rates):
        for name in names:
            losses = np.array(
                [
                    r.epoch_losses
                    for r in results
                    if r.optimizer == name and r.learning_rate == learning_rate
                ]
            )
            curves.plot(
                np.arange(1, losses.shape[1] + 1),
                losses.mean(axis=0),
                color=colors[name],
                alpha=0.35 + 0.65 * (index + 1) / len(learning_rates),
                linestyle="-" if name == names[1] else "--",
                label=f"{name} lr={learning_rate:g}",
            )
    curves.set(yscale="log", xlabel="epoch", ylabel="train loss (mean over seeds)")
    curves.set_title("Training loss")
    curves.legend(fontsize=7, ncol=2)

    for name in names:
        means, stds = [], []
        for learning_rate in learning_rates:
            values = [
                r.test_accuracy
                for r in results
                if r.optimizer == name and r.learning_rate == learning_rate
            ]
            means.append(np.mean(values))
            stds.append(np.std(values))
        accuracy.errorbar(
            learning_rates,
            means,
            yerr=stds,
            marker="o",
            capsize=3,
            color=colors[name],
            label=name,
        )
    accuracy.set(xscale="log", xlabel="learning rate", ylabel="test accuracy")
    accuracy.set_title("Test accuracy vs learning rate (mean +- std)")
    accuracy.legend()

    traced = [r for r in results if r.distances]
    if traced:
        run = traced[0]
        shown = run.distances[: 12 * sync_period]
        distance.plot(np.arange(1, len(shown) + 1), shown, color=colors[names[1]])
        distance.set_title(
            f"Fast-to-slow distance, k={sync_period}, lr={run.learning_rate:g}"
        )
    distance.set(xlabel="step", ylabel="||fast - slow||")
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
