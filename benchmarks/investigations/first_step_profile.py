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
"""Where the first step's extra time goes: building, tracing, XLA compiling.

For each workload, with the inner optimizer alone and with Lookahead over it,
side by side in one process (minimum of several repetitions, milliseconds):

- build: creating the optimizer's variables (eagerly, as Lookahead does);
- trace: tracing a fresh `tf.function` of one optimizer update;
- xla: the first call of a fresh `jit_compile=True` update (trace, compile,
  run) minus its second call (run);
- mirrored: tracing one update inside `strategy.run` of a MirroredStrategy on
  two logical CPUs (model and optimizer built in its scope).

    python benchmarks/investigations/first_step_profile.py \
        [--workloads wide_mlp,small_mlp]
"""

import argparse
import pathlib
import sys

import tensorflow as tf

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import overhead_benchmark as overhead  # noqa: E402
import benchmark_timing as timing  # noqa: E402

REPETITIONS = 7


def milliseconds(fn):
    return 1000 * timing.wall_and_cpu_seconds(fn)[0]


def fresh_model_and_optimizer(workload, factory):
    """(update, build milliseconds): `update()` applies zero gradients once."""
    model, (features, _), batch_size = overhead.WORKLOADS[workload]()
    model(features[:batch_size])
    variables = model.trainable_variables
    optimizer = factory()
    build = milliseconds(lambda: optimizer.build(variables))

    def update():
        optimizer.apply([tf.zeros_like(v) for v in variables], variables)

    return update, build


def profile_once(workload, factory, strategy):
    """(build, trace, xla, mirrored) milliseconds, each on fresh objects."""
    update, build = fresh_model_and_optimizer(workload, factory)
    traced = tf.function(update, autograph=False)
    trace = milliseconds(traced.get_concrete_function)
    compiled = tf.function(update, autograph=False, jit_compile=True)
    first_call = milliseconds(compiled)
    second_call = milliseconds(compiled)
    with strategy.scope():
        update, _ = fresh_model_and_optimizer(workload, factory)
    replicated = tf.function(lambda: strategy.run(update), autograph=False)
    mirrored = milliseconds(replicated.get_concrete_function)
    return build, trace, first_call - second_call, mirrored


def profile(workload, factory, strategy):
    """Per phase, the minimum over `REPETITIONS` fresh runs."""
    runs = [profile_once(workload, factory, strategy) for _ in range(REPETITIONS)]
    return [min(phase) for phase in zip(*runs)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workloads", default=",".join(overhead.WORKLOADS), help="comma-separated"
    )
    args = parser.parse_args()
    tf.get_logger().setLevel("ERROR")  # fresh functions each run are intended
    strategy = overhead.two_cpu_mirrored_strategy()
    inner, wrapped = overhead.adam, overhead.lookahead_factory("ours", 5)
    print(f"{'workload':<10} {'phase':<8} {'inner ms':>9} {'Lookahead ms':>13}")
    for workload in args.workloads.split(","):
        inner_times = profile(workload, inner, strategy)
        wrapped_times = profile(workload, wrapped, strategy)
        for phase, inner_ms, wrapped_ms in zip(
            ("build", "trace", "xla", "mirrored"), inner_times, wrapped_times
        ):
            print(
                f"{workload:<10} {phase:<8} {inner_ms:>9.1f} {wrapped_ms:>13.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
