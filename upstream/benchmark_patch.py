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
"""Times the Keras patch's Lookahead(Adam) against Adam alone, per backend.

Copies each backend's installed Keras to a temporary directory, applies the
patch there (as `check_patch.py` does) and, in a fresh Python per backend and
mode, fits the same 8.9M-parameter MLP (batch 8, so the optimizer dominates
the step) with `Adam` and with `Lookahead(Adam, sync_period=5)`, alternating
rounds of `--steps` steps. Prints, in wall time and in the process' CPU
time, the median step time of each, and the median, lowest and highest ratio
of the two in a pair of adjacent rounds.

    python upstream/benchmark_patch.py                       # all modes
    python upstream/benchmark_patch.py --modes tensorflow:graph,torch:eager
    python upstream/benchmark_patch.py --patch old.patch     # another version

Modes: `tensorflow:graph` (`jit_compile=False`), `tensorflow:xla`,
`jax:jit`, `torch:eager` (`jit_compile=False`), `torch:compile`. Wall times
on a shared machine are noisy: compare ratios of the same run, not runs.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import check_patch
import make_patch

MODES = {
    "tensorflow:graph": ("tensorflow", False),
    "tensorflow:xla": ("tensorflow", True),
    "jax:jit": ("jax", True),
    "torch:eager": ("torch", False),
    "torch:compile": ("torch", True),
}


# Wall time, and the CPU time of all the process' threads (less sensitive to
# other processes on a busy machine).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def model_and_data(keras, batch_size, steps):
    """The MLP (8,918,272 parameters) and `steps` batches of random data."""
    import numpy as np

    model = keras.Sequential(
        [
            keras.Input((1024,)),
            keras.layers.Dense(2048, activation="relu"),
            keras.layers.Dense(2048, activation="relu"),
            keras.layers.Dense(1280),
        ]
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch_size * steps, 1024)).astype("float32")
    y = rng.normal(size=(batch_size * steps, 1280)).astype("float32")
    return model, x, y


def worker(args):
    """Runs in the patched Keras' Python: prints one JSON line of timings."""
    import keras

    jit_compile = MODES[args.mode][1]
    models = {}
    for name in ("adam", "lookahead"):
        keras.utils.set_random_seed(0)
        model, x, y = model_and_data(keras, args.batch_size, args.steps)
        optimizer = keras.optimizers.Adam(1e-4)
        if name == "lookahead":
            optimizer = keras.optimizers.Lookahead(optimizer, sync_period=5)
        model.compile(optimizer=optimizer, loss="mse", jit_compile=jit_compile)
        # Compiles, and runs steps that sync.
        model.fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0)
        models[name] = model
    times = {f"{name} {clock}": [] for name in models for clock in CLOCKS}
    for _ in range(args.rounds):
        for name, model in models.items():
            start = {clock: read() for clock, read in CLOCKS.items()}
            model.fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0)
            for clock, read in CLOCKS.items():
                seconds = (read() - start[clock]) / args.steps
                times[f"{name} {clock}"].append(seconds)
    print(json.dumps(times))


def run_mode(mode, python, keras_parent, args):
    backend, _ = MODES[mode]
    command = [
        str(python),
        __file__,
        "--worker",
        "--modes",
        mode,
        "--steps",
        str(args.steps),
        "--rounds",
        str(args.rounds),
        "--batch-size",
        str(args.batch_size),
    ]
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": str(keras_parent),
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--steps", type=int, default=20, help="Steps a round.")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--patch", help="Patch file (default: the current one).")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    if args.worker:
        args.mode = modes[0]
        worker(args)
        return 0
    patch_text = (
        pathlib.Path(args.patch).read_text(encoding="utf-8")
        if args.patch
        else make_patch.patch_text()
    )
    print(
        f"Lookahead(Adam, sync_period=5) / Adam, 8,918,272 parameters, "
        f"batch {args.batch_size}, {args.rounds} rounds of {args.steps} steps"
    )
    print(
        f"{'mode':18} {'clock':5} {'Adam ms':>8} {'Lookahead ms':>13} "
        f"{'ratio':>6} range"
    )
    copies = {}
    with tempfile.TemporaryDirectory() as directory:
        for mode in modes:
            backend, _ = MODES[mode]
            python = check_patch.DEFAULT_PYTHONS[backend]
            if backend not in copies:
                copies[backend] = pathlib.Path(directory, backend)
                copies[backend].mkdir()
                check_patch.patched_copy(python, copies[backend], patch_text)
            times = run_mode(mode, python, copies[backend], args)
            for clock in CLOCKS:
                adam = times[f"adam {clock}"]
                lookahead = times[f"lookahead {clock}"]
                ratios = [b / a for a, b in zip(adam, lookahead)]
                print(
                    f"{mode:18} {clock:5} {statistics.median(adam) * 1e3:8.1f} "
                    f"{statistics.median(lookahead) * 1e3:13.1f} "
                    f"{statistics.median(ratios):6.2f} "
                    f"{min(ratios):.2f}-{max(ratios):.2f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
