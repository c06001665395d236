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
"""Times Lookahead(Adam) against Adam alone on the current Keras backend.

Runs unchanged with `KERAS_BACKEND` = jax, torch or tensorflow (no TensorFlow
needed for the first two). In one process, for each workload and mode, two
identical models (Adam alone, Lookahead over Adam) are warmed up, then `fit`
in alternating rounds (ABBA order) of whole sync periods; printed per row as
by overhead_benchmark.py: ms/step, the median ratio of the paired rounds with
its 95% interval, the median CPU-time ratio and the time to the first step.
Modes: `eager` (`run_eagerly=True`) and `compiled` (`jit_compile=True`: XLA
on TensorFlow and JAX, `torch.compile` on torch).

On JAX it also times `optax.lookahead(optax.adam)` against `optax.adam` on
the same model written in pure JAX (one jitted step with donated buffers):
the anchor for the compiled rows.

    KERAS_BACKEND=jax python benchmarks/backend_overhead.py --output jax.json
"""

import argparse

import keras
import numpy as np

import workloads
from benchmark_timing import alternating_rounds
from benchmark_timing import ratio_summary
from benchmark_timing import report_rows
from benchmark_timing import wall_and_cpu_seconds

MODES = ("eager", "compiled")
WORKLOADS = ("wide_mlp", "small_mlp")
ROUND_SECONDS = 0.4
LEARNING_RATE = 1e-3
SLOW_STEP_SIZE = 0.5


def optimizer_factories(sync_period):
    """(inner factory, wrapped factory): Adam, Lookahead over Adam."""
    from tensorflow_lookahead import Lookahead

    def inner():
        return keras.optimizers.Adam(LEARNING_RATE)

    def wrapped():
        return Lookahead(inner(), sync_period, SLOW_STEP_SIZE)

    return inner, wrapped


def repeated_batches(data, batch_size, steps):
    """`steps` batches of `data` (features, labels), cycling through it."""
    count = steps * batch_size
    return tuple(np.resize(array, (count, *array.shape[1:])) for array in data)


class KerasTrainer:
    """A compiled Keras model of `workload` in `mode`, trained with `fit`."""

    def __init__(self, workload, mode, optimizer_factory):
        keras.utils.set_random_seed(0)
        self.model, self.data, self.batch_size = workloads.WORKLOADS[workload]()
        self.model.compile(
            optimizer=optimizer_factory(),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile=mode == "compiled",
            run_eagerly=mode == "eager",
        )
        self._batches = {}

    def train(self, steps):
        """(wall, process CPU) seconds taken by `fit` over `steps` batches."""
        if steps not in self._batches:
            self._batches[steps] = repeated_batches(self.data, self.batch_size, steps)
        features, labels = self._batches[steps]
        return wall_and_cpu_seconds(
            lambda: self.model.fit(
                features,
                labels,
                batch_size=self.batch_size,
                epochs=1,
                verbose=0,
                shuffle=False,
            )
        )


class OptaxTrainer:
    """A Keras MLP workload rewritten in pure JAX, trained with optax.

    The same layer shapes and initial weights as the Keras model; one
    `jax.jit` step with donated parameter and optimizer-state buffers.
    """

    def __init__(self, workload, lookahead, sync_period):
        import jax
        import optax

        keras.utils.set_random_seed(0)
        model, (features, labels), batch_size = workloads.WORKLOADS[workload]()
        layers = [
            (
                keras.ops.convert_to_numpy(layer.kernel),
                keras.ops.convert_to_numpy(layer.bias),
                layer.activation is keras.activations.relu,
            )
            for layer in model.layers
        ]
        activations = [relu for _, _, relu in layers]
        params = [(jax.numpy.asarray(w), jax.numpy.asarray(b)) for w, b, _ in layers]

        def loss(params, x, y):
            for (kernel, bias), relu in zip(params, activations):
                x = x @ kernel + bias
                if relu:
                    x = jax.nn.relu(x)
            return optax.softmax_cross_entropy_with_integer_labels(x, y).mean()

        optimizer = optax.adam(LEARNING_RATE)
        if lookahead:
            optimizer = optax.lookahead(optimizer, sync_period, SLOW_STEP_SIZE)
            # Two buffers: a jitted step cannot donate one buffer twice.
            params = optax.LookaheadParams(params, jax.tree.map(jax.numpy.copy, params))

        def step(params, state, x, y):
            fast = params.fast if lookahead else params
            grads = jax.grad(loss)(fast, x, y)
            updates, state = optimizer.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        self._jax = jax
        self._step = jax.jit(step, donate_argnums=(0, 1))
        self._state = (params, optimizer.init(params))
        self._batches = [
            (
                jax.numpy.asarray(features[start : start + batch_size]),
                jax.numpy.asarray(labels[start : start + batch_size]),
            )
            for start in range(0, len(features), batch_size)
        ]

    def train(self, steps):
        """(wall, process CPU) seconds taken by `steps` steps, until done."""

        def run():
            params, state = self._state
            for index in range(steps):
                x, y = self._batches[index % len(self._batches)]
                params, state = self._step(params, state, x, y)
            self._jax.block_until_ready((params, state))
            self._state = (params, state)

        return wall_and_cpu_seconds(run)


def trainer_factories(implementation, workload, mode, sync_period):
    """(inner trainer factory, wrapped trainer factory) for one row."""
    if implementation == "optax":
        return (
            lambda: OptaxTrainer(workload, False, sync_period),
            lambda: OptaxTrainer(workload, True, sync_period),
        )
    inner, wrapped = optimizer_factories(sync_period)
    return (
        lambda: KerasTrainer(workload, mode, inner),
        lambda: KerasTrainer(workload, mode, wrapped),
    )


def clear_compilation_caches():
    """Forgets compiled steps, so that a first step pays as in a new process."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        jax.clear_caches()
    elif backend == "torch":
        import torch

        torch._dynamo.reset()


def time_to_first_step(factory):
    """Wall seconds to build a fresh model and finish its first step."""
    clear_compilation_caches()
    return wall_and_cpu_seconds(lambda: factory().train(1))[0]


def measure(implementation, workload, mode, sync_period, rounds, first_steps):
    """One row: paired timings of inner and wrapped in `workload`, `mode`."""
    inner, wrapped = trainer_factories(implementation, workload, mode, sync_period)
    first = {"inner": [], "wrapped": []}
    for name, factory in [("inner", inner), ("wrapped", wrapped)] * first_steps:
        first[name].append(time_to_first_step(factory))
    trainers = {"inner": inner(), "wrapped": wrapped()}
    for trainer in trainers.values():
        trainer.train(sync_period)
    per_step = trainers["inner"].train(2 * sync_period)[0] / (2 * sync_period)
    trainers["wrapped"].train(2 * sync_period)
    # Whole sync periods per round, so that every round has as many syncs.
    steps = sync_period * max(1, round(ROUND_SECONDS / per_step / sync_period))
    times = alternating_rounds(
        trainers["inner"].train, trainers["wrapped"].train, rounds, steps
    )
    row = {
        "backend": keras.backend.backend(),
        "implementation": implementation,
        "workload": workload,
        "mode": mode,
        "sync_period": sync_period,
        "steps_per_round": steps,
        "rounds": rounds,
        **ratio_summary(times),
    }
    if first_steps:
        row.update(
            first_step_inner_s=min(first["inner"]),
            first_step_wrapped_s=min(first["wrapped"]),
            first_step_ratio=min(first["wrapped"]) / min(first["inner"]),
        )
    return row


def print_row(row):
    low, high = row["ratio_interval"]
    cpu_low, cpu_high = row["cpu_ratio_interval"]
    first = row.get("first_step_ratio")
    print(
        f"{row['backend']:<10} {row['implementation']:<6} {row['workload']:<10} "
        f"{row['mode']:<9} {row['sync_period']:>3} {row['inner_ms']:>9.3f} "
        f"{row['wrapped_ms']:>9.3f} {row['ratio_median']:>7.3f} "
        f"[{low:.3f}, {high:.3f}] {row['cpu_ratio_median']:>7.3f} "
        f"[{cpu_low:.3f}, {cpu_high:.3f}] "
        + (f"{first:>8.3f}" if first is not None else f"{'-':>8}"),
        flush=True,
    )


def argument_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workloads", default=",".join(WORKLOADS), help="comma-separated"
    )
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated")
    parser.add_argument("--sync-periods", default="5", help="comma-separated k")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--first-steps",
        type=int,
        default=4,
        help="fresh models per optimizer whose first step is timed (0: none)",
    )
    parser.add_argument(
        "--no-optax", action="store_true", help="skip the optax rows on JAX"
    )
    parser.add_argument("--output", help="write the rows as JSON here")
    return parser


def main():
    args = argument_parser().parse_args()
    backend = keras.backend.backend()
    runs = [("ours", mode) for mode in args.modes.split(",")]
    if backend == "jax" and not args.no_optax:
        runs.append(("optax", "compiled"))
    print(
        f"{'backend':<10} {'impl':<6} {'workload':<10} {'mode':<9} {'k':>3} "
        f"{'inner ms':>9} {'LA ms':>9} {'median':>7} {'95% interval':>16} "
        f"{'cpu':>7} {'cpu 95% interval':>16} {'1st step':>8}"
    )
    rows = []
    for sync_period in [int(k) for k in args.sync_periods.split(",")]:
        for workload in args.workloads.split(","):
            for implementation, mode in runs:
                try:
                    row = measure(
                        implementation,
                        workload,
                        mode,
                        sync_period,
                        args.rounds,
                        args.first_steps,
                    )
                except Exception as error:  # reported in the table, not fatal
                    message = str(error).strip().splitlines()[0][:120]
                    row = {
                        "backend": backend,
                        "implementation": implementation,
                        "workload": workload,
                        "mode": mode,
                        "sync_period": sync_period,
                        "error": message,
                    }
                    print(
                        f"{backend:<10} {implementation:<6} {workload:<10} "
                        f"{mode:<9} {sync_period:>3} failed: "
                        f"{type(error).__name__}: {message}"
                    )
                rows.append(row)
                if "error" not in row:
                    print_row(row)
    report_rows(rows, args.output)


if __name__ == "__main__":
    main()
