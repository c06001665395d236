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
"""The demo's outputs: results tables, a CSV file and a PNG figure."""

import csv

import numpy as np

# (metric, title) of the printed tables.
METRICS = [("test_accuracy", "Test accuracy"), ("final_train_loss", "Final train loss")]
COLORS = ["tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown"]


def metric_value(result, metric):
    """`result`'s test accuracy or final train loss."""
    if metric == "final_train_loss":
        return result.epoch_losses[-1]
    return getattr(result, metric)


def runs_of(results, name, learning_rate):
    return [
        r for r in results if r.optimizer == name and r.learning_rate == learning_rate
    ]


def mean_std(values):
    """`"mean +- std"` of `values`, or `"diverged"` if one is not finite."""
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        return "diverged"
    return f"{values.mean():.4f} +- {values.std():.4f}"


def results_table(results, learning_rates, names, metric):
    """A printed table: one row per learning rate, one column per optimizer.

    Args:
        results: `RunResult`s of all runs.
        learning_rates: The learning rates, in row order.
        names: The optimizer names, in column order.
        metric: A metric of `METRICS`, e.g. `"test_accuracy"`.

    Returns:
        The table as a string.
    """
    rows = [["learning rate"] + list(names)]
    for learning_rate in learning_rates:
        rows.append(
            [f"{learning_rate:g}"]
            + [
                mean_std(
                    [
                        metric_value(r, metric)
                        for r in runs_of(results, name, learning_rate)
                    ]
                )
                for name in names
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
        for row in rows
    ]
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


def line_style(name, index):
    """Matplotlib keywords of optimizer `names[index]`: Lookahead solid."""
    alone = index % 2 == 0
    return {
        "color": COLORS[index % len(COLORS)],
        "linestyle": "--" if alone else "-",
        "label": name,
    }


def plot_against_learning_rate(axes, results, learning_rates, names, metric):
    for index, name in enumerate(names):
        values = [
            [metric_value(r, metric) for r in runs_of(results, name, learning_rate)]
            for learning_rate in learning_rates
        ]
        axes.errorbar(
            learning_rates,
            [np.mean(v) for v in values],
            yerr=[np.std(v) for v in values],
            marker="o",
            capsize=3,
            **line_style(name, index),
        )
    axes.set(xscale="log", xlabel="learning rate")
    axes.legend(fontsize=8)


def write_figure(results, learning_rates, names, sync_period, traced_lr, path):
    """Accuracy and loss against the learning rate, loss curves, distances.

    Args:
        results: `RunResult`s of all runs.
        learning_rates: The learning rates tried.
        names: The optimizer names, each inner optimizer followed by Lookahead
            over it.
        sync_period: k, for the distance panel's title.
        traced_lr: The learning rate of the loss curves and distances.
        path: Where to write the PNG.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, ((accuracy, loss), (curves, distance)) = pyplot.subplots(
        2, 2, figsize=(13, 9), constrained_layout=True
    )
    plot_against_learning_rate(
        accuracy, results, learning_rates, names, "test_accuracy"
    )
    accuracy.set(ylabel="test accuracy")
    accuracy.set_title("Test accuracy vs learning rate (mean +- std over seeds)")
    plot_against_learning_rate(loss, results, learning_rates, names, "final_train_loss")
    loss.set(yscale="log", ylabel="final train loss")
    loss.set_title("Final train loss vs learning rate (mean +- std over seeds)")

    for index, name in enumerate(names):
        losses = np.array([r.epoch_losses for r in runs_of(results, name, traced_lr)])
        curves.plot(
            np.arange(1, losses.shape[1] + 1),
            losses.mean(axis=0),
            **line_style(name, index),
        )
    curves.set(yscale="log", xlabel="epoch", ylabel="train loss (mean over seeds)")
    curves.set_title(f"Training loss, lr={traced_lr:g}")
    curves.legend(fontsize=8)

    for index, name in enumerate(names):
        traced = [r for r in results if r.optimizer == name and r.distances]
        if traced:
            shown = traced[0].distances[: 12 * sync_period]
            distance.plot(
                np.arange(1, len(shown) + 1), shown, **line_style(name, index)
            )
    distance.set(xlabel="step", ylabel="||fast - slow||")
    distance.set_title(
        f"Fast-to-slow distance, k={sync_period}, lr={traced_lr:g}, first seed"
    )
    distance.legend(fontsize=8)
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
