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
"""Turns benchmark JSON outputs into the README's Markdown tables.

overhead_benchmark.py rows (TensorFlow) make the main table,
backend_overhead.py rows (one file per Keras backend) the backends table:

python benchmarks/make_table.py benchmarks/results/*.json
"""

import json
import platform
import sys


def load_rows(paths):
    rows = []
    for path in paths:
        with open(path) as results:
            rows.extend(json.load(results)["rows"])
    return rows


TARGETS = {
    "graph": 1.02,
    "mirrored": 1.02,
    "xla": 1.05,
    "eager": 1.05,
    "compiled": 1.05,
}


def interval(row, prefix="ratio"):
    low, high = row[f"{prefix}_interval"]
    return f"{row[f'{prefix}_median']:.3f} [{low:.3f}, {high:.3f}]"


def ratio(row):
    if row is None:
        return "n/a"
    if "error" in row:
        return "fails"
    return interval(row)


def tfa_ratio(row):
    if row is None or "error" in row:
        return ratio(row)
    return f"{interval(row)}; CPU {row['cpu_ratio_median']:.3f}"


def verdict(row):
    """Whether the 95% interval of the median CPU-time ratio is within the target.

    CPU time, because on a shared VM the wall-time interval is mostly too wide
    to decide.
    """
    target = TARGETS[row["mode"]]
    low, high = row["cpu_ratio_interval"]
    if high <= target:
        return f"met (<= {target})"
    if low > target:
        return f"missed (> {target})"
    return f"unresolved ({target} inside)"


def table(rows):
    ours = {
        (r["workload"], r["mode"], r["sync_period"]): r
        for r in rows
        if r["implementation"] == "ours"
    }
    tfa = {
        (r["workload"], r["mode"], r["sync_period"]): r
        for r in rows
        if r["implementation"] == "tfa"
    }
    lines = [
        "| workload | mode | k | ours: wall-time ratio, median [95% CI] "
        "| ours: CPU-time ratio | target (by CPU time) | tfa: wall-time ratio; CPU "
        "| inner ms/step (Keras 3) "
        "| ours first step | ours extra state |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, row in ours.items():
        if "error" in row:
            lines.append(f"| {key[0]} | {key[1]} | {key[2]} | fails | | | | | | |")
            continue
        extra = (row["state_bytes_wrapped"] - row["state_bytes_inner"]) / row[
            "trainable_bytes"
        ]
        lines.append(
            f"| {key[0]} | {key[1]} | {key[2]} | {ratio(row)} | "
            f"{interval(row, 'cpu_ratio')} | {verdict(row)} | "
            f"{tfa_ratio(tfa.get(key))} | {row['inner_ms']:.2f} | "
            f"{row['first_step_ratio']:.2f} | {extra:.4f} x weights |"
        )
    return "\n".join(lines)


def backend_table(rows):
    """Lookahead(Adam) / Adam per Keras backend, with optax's ratio on JAX."""
    optax = {
        (r["workload"], r["sync_period"]): r
        for r in rows
        if r["implementation"] == "optax"
    }
    lines = [
        "| backend | workload | mode | k | wall-time ratio, median [95% CI] "
        "| CPU-time ratio | target (by CPU time) "
        "| optax.lookahead / optax.adam: wall; CPU | Adam ms/step | first step "
        "(target <= 1.10) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row["implementation"] != "ours":
            continue
        key = f"| {row['backend']} | {row['workload']} | {row['mode']} | " + (
            f"{row['sync_period']} |"
        )
        if "error" in row:
            lines.append(f"{key} fails: {row['error']} | | | | | |")
            continue
        anchor = optax.get((row["workload"], row["sync_period"]))
        anchor = (
            tfa_ratio(anchor)
            if row["backend"] == "jax" and row["mode"] == "compiled"
            else ""
        )
        first = row.get("first_step_ratio")
        lines.append(
            f"{key} {ratio(row)} | {interval(row, 'cpu_ratio')} | {verdict(row)} | "
            f"{anchor} | {row['inner_ms']:.2f} | "
            + ("" if first is None else f"{first:.2f}")
            + " |"
        )
    return "\n".join(lines)


def main(paths):
    rows = load_rows(paths)
    tensorflow_rows = [row for row in rows if "backend" not in row]
    backend_rows = [row for row in rows if "backend" in row]
    if tensorflow_rows:
        print(table(tensorflow_rows))
    if backend_rows:
        if tensorflow_rows:
            print()
        print(backend_table(backend_rows))
    print()
    print(
        f"Machine: {platform.machine()}, {platform.system()}, Python "
        f"{platform.python_version()}; ratios are Lookahead time / inner time."
    )


if __name__ == "__main__":
    main(sys.argv[1:])
