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
"""Turns the JSON outputs of overhead_benchmark.py into one Markdown table.

One line per backend, workload, mode and k; the rows of tfa's run join the
TensorFlow lines.

    python benchmarks/make_table.py benchmarks/results/*.json
"""

import json
import platform
import sys

COLUMNS = (
    ("Lookahead / Adam, CPU", "Lookahead / Adam", "cpu_ratio"),
    ("floor / Adam, CPU", "floor / Adam", "cpu_ratio"),
    ("Lookahead / floor, CPU", "Lookahead / floor", "cpu_ratio"),
    ("JAX floor / JAX Adam, CPU", "JAX floor / JAX Adam", "cpu_ratio"),
    ("Lookahead / Adam, wall", "Lookahead / Adam", "ratio"),
    ("tfa Lookahead / its Adam, CPU", "tfa Lookahead / Adam", "cpu_ratio"),
    ("optax.lookahead / JAX Adam, CPU", "optax.lookahead / JAX Adam", "cpu_ratio"),
)
COMPILER = {"tensorflow": "XLA", "jax": "jax.jit", "torch": "torch.compile"}


def load_rows(paths):
    rows = []
    for path in paths:
        with open(path) as results:
            rows.extend(json.load(results)["rows"])
    return rows


def interval(summary, prefix):
    low, high = summary[f"{prefix}_interval"]
    return f"{summary[f'{prefix}_median']:.3f} [{low:.3f}, {high:.3f}]"


def merged(rows):
    """(backend, workload, mode, k) -> the row of ours with the others' ratios."""
    lines = {}
    for row in rows:
        key = (row["backend"], row["workload"], row["mode"], row["sync_period"])
        line = lines.setdefault(key, {"ratios": {}, "errors": {}})
        if "error" in row:
            line["errors"][row["implementation"]] = row["error"]
            continue
        line["ratios"].update(row["ratios"])
        if row["implementation"] == "ours":
            line["row"] = row
    return dict(sorted(lines.items(), key=lambda item: (item[0][0], item[0][3])))


def table(rows):
    lines = merged(rows)
    columns = [
        title
        for title, ratio, _ in COLUMNS
        if any(ratio in line["ratios"] for line in lines.values())
    ]
    text = [
        "| backend | workload | mode | k | Adam ms/step | "
        + " | ".join(columns)
        + " | first step, Lookahead / Adam | extra state |",
        "|---" * (7 + len(columns)) + "|",
    ]
    for (backend, workload, mode, k), line in lines.items():
        if mode == "compiled":
            mode = f"compiled ({COMPILER[backend]})"
        cells = [backend, workload, mode, str(k)]
        row = line.get("row", {})
        adam_ms = row.get("ms", {}).get("Adam")
        cells.append("" if adam_ms is None else f"{adam_ms:.2f}")
        for title, ratio, prefix in COLUMNS:
            if title in columns:
                summary = line["ratios"].get(ratio)
                implementation = "tfa" if ratio.startswith("tfa") else "ours"
                if summary is not None:
                    cells.append(interval(summary, prefix))
                elif implementation in line["errors"]:
                    cells.append("fails")
                else:
                    cells.append("")
        first = row.get("first_step_ratio")
        cells.append("" if first is None else f"{first:.2f}")
        if "trainable_bytes" in row:
            extra = row["state_bytes_wrapped"] - row["state_bytes_inner"]
            cells.append(f"{extra / row['trainable_bytes']:.4f} x weights")
        else:
            cells.append("")
        text.append("| " + " | ".join(cells) + " |")
    return "\n".join(text)


def main(paths):
    print(table(load_rows(paths)))
    print()
    print(
        f"Machine: {platform.machine()}, {platform.system()}, Python "
        f"{platform.python_version()}. Ratios: the median of the per-round "
        "ratios [95% interval]; CPU is process CPU time."
    )


if __name__ == "__main__":
    main(sys.argv[1:])
