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
"""Writes files saved by tensorflow-addons' own Lookahead, for the tf_keras tests.

Runs in the side environment with tfa (TensorFlow 2.15, where `tf.keras` is
Keras 2 and tensorflow-addons 0.23 imports):

    python3 -m venv .venv-tfa
    .venv-tfa/bin/pip install tensorflow-cpu==2.15.1 tensorflow-addons==0.23.0
    .venv-tfa/bin/python tools/make_tfa_files.py

For each case it trains a tiny model on fixed data for `SAVED_STEPS` steps
(mid-cycle: not a multiple of the sync period), saves `<case>.h5`
(`model.save`, optimizer state included) and a `tf.train.Checkpoint` of model
and optimizer (`<case>_checkpoint.*`), then trains `CONTINUED_STEPS` more
steps and records, in `<case>.npz`, the data, the model weights after every
continued step (`continued_<step>_<weight>`) and the optimizer weights at the
save (`saved_optimizer_<index>`). tests/tf_keras/tfa_files_test.py loads the
files with tensorflow_lookahead and checks that it continues exactly as tfa
did. Output: tests/data/tfa_files/ (a few tens of kB).
"""

import argparse
import json
import os

import numpy as np
import tensorflow as tf
import tensorflow_addons as tfa

SAVED_STEPS = 8
CONTINUED_STEPS = 10
BATCH_SIZE = 8
NUMBER_OF_BATCHES = 4
FEATURES = 4
SYNC_PERIOD = 6
SLOW_STEP_SIZE = 0.5


def lookahead_adam():
    inner = tf.keras.optimizers.legacy.Adam(learning_rate=0.01)
    return tfa.optimizers.Lookahead(
        inner, sync_period=SYNC_PERIOD, slow_step_size=SLOW_STEP_SIZE
    )


def ranger():
    inner = tfa.optimizers.RectifiedAdam(
        learning_rate=0.02,
        weight_decay=0.001,
        amsgrad=True,
        total_steps=30,
        warmup_proportion=0.1,
        min_lr=0.001,
    )
    return tfa.optimizers.Lookahead(
        inner, sync_period=SYNC_PERIOD, slow_step_size=SLOW_STEP_SIZE
    )


CASES = {"lookahead_adam": lookahead_adam, "ranger": ranger}


def data():
    """Fixed inputs and targets, one row per example."""
    generator = np.random.RandomState(0)
    inputs = generator.normal(size=(NUMBER_OF_BATCHES * BATCH_SIZE, FEATURES))
    targets = np.tanh(inputs @ generator.normal(size=(FEATURES, 1)))
    return inputs.astype("float32"), targets.astype("float32")


def batch(arrays, step):
    start = (step % NUMBER_OF_BATCHES) * BATCH_SIZE
    return [array[start : start + BATCH_SIZE] for array in arrays]


def initial_weights():
    """The model's initial weights, drawn with NumPy (no framework RNG)."""
    generator = np.random.RandomState(1)
    shapes = [(FEATURES, 8), (8,), (8, 1), (1,)]
    return [(0.5 * generator.normal(size=shape)).astype("float32") for shape in shapes]


def model():
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(FEATURES,)),
            tf.keras.layers.Dense(8, activation="tanh"),
            tf.keras.layers.Dense(1),
        ]
    )
    model.set_weights(initial_weights())
    return model


def write_case(name, make_optimizer, directory):
    tf.keras.backend.clear_session()
    arrays = data()
    net = model()
    net.compile(optimizer=make_optimizer(), loss="mse")
    for step in range(SAVED_STEPS):
        net.train_on_batch(*batch(arrays, step))
    net.save(os.path.join(directory, f"{name}.h5"))
    checkpoint = tf.train.Checkpoint(model=net, optimizer=net.optimizer)
    checkpoint.write(os.path.join(directory, f"{name}_checkpoint"))
    record = {"inputs": arrays[0], "targets": arrays[1]}
    for index, value in enumerate(net.optimizer.get_weights()):
        record[f"saved_optimizer_{index}"] = value
    for index, value in enumerate(net.get_weights()):
        record[f"saved_{index}"] = value
    for step in range(SAVED_STEPS, SAVED_STEPS + CONTINUED_STEPS):
        net.train_on_batch(*batch(arrays, step))
        for index, value in enumerate(net.get_weights()):
            record[f"continued_{step}_{index}"] = value
    np.savez_compressed(os.path.join(directory, f"{name}.npz"), **record)
    return {
        "optimizer_config": tf.keras.optimizers.serialize(net.optimizer),
        "optimizer_weight_names": [w.name for w in net.optimizer.weights],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        default=os.path.join(
            os.path.dirname(os.path.abspath(__file__)),
            "..",
            "tests",
            "data",
            "tfa_files",
        ),
    )
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    description = {
        "tensorflow": tf.__version__,
        "tensorflow_addons": tfa.__version__,
        "saved_steps": SAVED_STEPS,
        "continued_steps": CONTINUED_STEPS,
        "batch_size": BATCH_SIZE,
        "sync_period": SYNC_PERIOD,
        "slow_step_size": SLOW_STEP_SIZE,
        "cases": {},
    }
    for name, make_optimizer in CASES.items():
        description["cases"][name] = write_case(name, make_optimizer, args.output)
    with open(os.path.join(args.output, "description.json"), "w") as file:
        json.dump(description, file, indent=1, sort_keys=True, default=str)
        file.write("\n")


if __name__ == "__main__":
    main()
