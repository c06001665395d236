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
"""Counts `copy` instructions and conditionals in one XLA-compiled train step.

Compiles one `tf.function(jit_compile=True)` step of a workload with the inner
optimizer alone and with Lookahead over it, dumps XLA's optimized HLO and
counts what it contains. This is the profile behind the README's XLA notes:

    python benchmarks/investigations/xla_hlo_census.py [--workload wide_mlp]
"""

import argparse
import glob
import os
import pathlib
import re
import subprocess
import sys
import tempfile

COPY = re.compile(r"= \S+ copy\(")
CONDITIONAL = re.compile(r" conditional\(")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))


def child(workload_name, which):
    """Runs one compiled step (XLA dumps to the directory in XLA_FLAGS)."""
    import tensorflow as tf

    import overhead_benchmark as overhead

    factory = (
        overhead.adam if which == "inner" else overhead.lookahead_factory("ours", 5)
    )
    optimizer = factory()
    model, (features, labels), batch_size = overhead.WORKLOADS[workload_name]()
    optimizer.build(model.trainable_variables)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function(jit_compile=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    step(features[:batch_size], labels[:batch_size])


def census(workload_name, which):
    """(copies, conditionals) in the optimized HLO of the train step."""
    with tempfile.TemporaryDirectory() as dump_dir:
        env = dict(
            os.environ,
            XLA_FLAGS=f"--xla_dump_to={dump_dir} --xla_dump_hlo_as_text",
            TF_CPP_MIN_LOG_LEVEL="3",
        )
        subprocess.run(
            [sys.executable, __file__, "--workload", workload_name, "--child", which],
            env=env,
            check=True,
            timeout=600,
        )
        paths = glob.glob(f"{dump_dir}/*_step_*after_optimizations.txt")
        hlo = "".join(open(path).read() for path in paths)
    return len(COPY.findall(hlo)), len(CONDITIONAL.findall(hlo))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", default="wide_mlp")
    parser.add_argument("--child", choices=["inner", "wrapped"])
    args = parser.parse_args()
    if args.child:
        child(args.workload, args.child)
        return
    for which, label in (("inner", "inner optimizer"), ("wrapped", "Lookahead")):
        copies, conditionals = census(args.workload, which)
        print(
            f"{args.workload} XLA step, {label}: {copies} copy instructions, "
            f"{conditionals} conditionals"
        )


if __name__ == "__main__":
    main()
