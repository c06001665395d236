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
"""Ways to bring a compiled Lookahead step to the floor, timed side by side.

With `jit_compile=True` on JAX (`jax.jit` by Keras' trainer) or torch
(`torch.compile`), one process trains identical models in alternating rounds
(overhead_benchmark.py's method): Adam alone; the package's Lookahead(Adam); the floor
(Adam plus the sync as its own program only when due: pure JAX on JAX, a
callback on torch); and `PrototypeLookahead(Adam)` with each way of writing
the compiled sync (prototype_lookahead.py). Printed: each one's ratio to
Adam; before timing, each prototype's weights after 12 steps against the
package's Lookahead (same Algorithm 1, so they must agree), and with
`--census`, the compiled step's census (backend_step_census.py). On a busy
machine, `--threads 1` keeps torch's intra-op threads from spinning against
other processes.

    KERAS_BACKEND=jax python benchmarks/investigations/compiled_floor.py
    KERAS_BACKEND=torch python benchmarks/investigations/compiled_floor.py \\
        --forms where,disable,outside
"""

import argparse
import pathlib
import sys

import keras
import numpy as np

import backend_step_census
import prototype_lookahead

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import overhead_benchmark as overhead  # noqa: E402
import benchmark_timing as timing  # noqa: E402

DEFAULT_FORMS = {
    "jax": "where,cond,cond_slow,outside",
    "torch": "where,disable,outside",
}


def prototype_factory(form, sync_period):
    return lambda: prototype_lookahead.PrototypeLookahead(
        overhead.adam(), sync_period, overhead.SLOW_STEP_SIZE, form
    )


def keras_trainer(workload, factory, form=None):
    trainer = overhead.KerasTrainer(workload, "compiled", factory)
    if form == "outside":
        trainer.callbacks = [prototype_lookahead.OutsideSync(trainer.model.optimizer)]
    return trainer


def factories(workload, forms, sync_period):
    """Name -> trainer factory; the first is the baseline."""
    result = {
        "Adam": lambda: keras_trainer(workload, overhead.adam),
        "Lookahead": lambda: keras_trainer(
            workload, overhead.lookahead_factory("ours", sync_period)
        ),
    }
    if overhead.BACKEND == "jax":
        result["JAX Adam"] = lambda: overhead.PureJaxTrainer(
            workload, "adam", sync_period
        )
        result["JAX floor"] = lambda: overhead.PureJaxTrainer(
            workload, "floor", sync_period
        )
    else:
        result["floor"] = lambda: overhead.KerasTrainer(
            workload, "compiled", overhead.adam, floor_sync_period=sync_period
        )
    for form in forms:
        result[form] = lambda form=form: keras_trainer(
            workload, prototype_factory(form, sync_period), form
        )
    return result


def largest_difference(trainer, reference):
    return max(
        float(
            np.max(
                np.abs(keras.ops.convert_to_numpy(a) - keras.ops.convert_to_numpy(b))
            )
        )
        for a, b in zip(
            trainer.model.trainable_variables, reference.model.trainable_variables
        )
    )


def check_exactness(workload, forms, k):
    """Prints each form's largest weight difference from the package's."""
    overhead.clear_compilation_caches()
    reference = keras_trainer(workload, overhead.lookahead_factory("ours", k))
    reference.train(12)
    for form in forms:
        prototype = keras_trainer(workload, prototype_factory(form, k), form)
        prototype.train(12)
        print(
            f"{workload} {form}: largest difference from Lookahead after 12 "
            f"steps {largest_difference(prototype, reference):.2e}",
            flush=True,
        )


def print_census(workload, forms, k):
    if overhead.BACKEND == "jax":
        census = backend_step_census.jax_census
    else:
        census = backend_step_census.torch_census
    for form in forms:
        counts = census(workload, prototype_factory(form, k))
        details = ", ".join(f"{key} {value}" for key, value in counts.items())
        print(f"{workload} census, {form}: {details}", flush=True)


def time_forms(workload, forms, k, rounds, round_seconds):
    """Prints each trainer's ratio to Adam, from alternating rounds."""
    overhead.clear_compilation_caches()
    trainers = {
        name: factory() for name, factory in factories(workload, forms, k).items()
    }
    steps, times = overhead.timed_rounds(trainers, k, rounds, round_seconds)
    ms = timing.best_milliseconds(times)
    print(f"{workload}, {steps} steps per round, {rounds} rounds; ms/step:")
    print("  " + ", ".join(f"{name} {value:.3f}" for name, value in ms.items()))
    for name in times:
        baseline = "JAX Adam" if name == "JAX floor" else "Adam"
        if name == baseline:
            continue
        summary = timing.ratio_summary(times, name, baseline)
        print(
            f"  {name + ' / ' + baseline:<24} {timing.ratio_text(summary)}", flush=True
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="wide_mlp,small_mlp")
    parser.add_argument("--forms", default=DEFAULT_FORMS.get(overhead.BACKEND))
    parser.add_argument("--sync-period", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--round-seconds", type=float, default=overhead.ROUND_SECONDS)
    parser.add_argument("--census", action="store_true")
    parser.add_argument(
        "--threads", type=int, help="torch's intra-op threads (default: torch's)"
    )
    args = parser.parse_args()
    if args.threads and overhead.BACKEND == "torch":
        import torch

        torch.set_num_threads(args.threads)
    forms = args.forms.split(",")
    for workload in args.workloads.split(","):
        check_exactness(workload, forms, args.sync_period)
        if args.census:
            print_census(workload, forms, args.sync_period)
        time_forms(workload, forms, args.sync_period, args.rounds, args.round_seconds)


if __name__ == "__main__":
    main()
