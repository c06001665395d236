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
"""Writes trajectories of tfa's RectifiedAdam and Ranger, for the Keras 3 tests.

Runs in the side environment with tfa (TensorFlow 2.15, where `tf.keras` is
Keras 2 and tensorflow-addons 0.23 imports):

    python3 -m venv .venv-tfa
    .venv-tfa/bin/pip install tensorflow-cpu==2.15.1 tensorflow-addons==0.23.0
    .venv-tfa/bin/python tools/make_tfa_rectified_adam_reference.py

Two kinds of cases, all deterministic (NumPy draws, no framework RNG):

- Gradient cases: two variables with fixed initial values receive a fixed
  sequence of `STEPS` gradients through `apply_gradients`; the values after
  every step are stored as `<case>__<variable>` with shape
  `(STEPS + 1, *shape)` (row 0 is the initial value).
- Fit cases: a linear model trained by `model.fit` on fixed data without
  shuffling; the weights after every batch are stored the same way.

`reference.json` holds the versions, the inputs, and each case's tfa
`tf.keras.optimizers.serialize(optimizer)` (the config a tfa user saved).
tests/backend_neutral/rectified_adam_test.py replays the cases with
`tensorflow_lookahead.optimizers.RectifiedAdam` and `Lookahead`.
Output: tests/data/tfa_reference/ (a few tens of kB).
"""

import argparse
import json
import os

import numpy as np
import tensorflow as tf
import tensorflow_addons as tfa

STEPS = 30
SHAPES = [(3, 2), (2,)]
FIT_FEATURES = 4
FIT_OUTPUTS = 2
FIT_BATCH_SIZE = 8
FIT_BATCHES = 4
FIT_EPOCHS = 6


def exponential_decay():
    return tf.keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=0.01, decay_steps=5, decay_rate=0.5
    )


# Each case: keyword arguments of tfa's RectifiedAdam, and the Lookahead
# arguments for a Ranger (None: RectifiedAdam alone).
GRADIENT_CASES = {
    "defaults": ({}, None),
    "learning_rate": ({"learning_rate": 0.01}, None),
    # A small beta_2 lets the second moment fall, where AMSGrad differs.
    "beta_2": ({"learning_rate": 0.01, "beta_2": 0.9}, None),
    "amsgrad": ({"learning_rate": 0.01, "beta_2": 0.9, "amsgrad": True}, None),
    "weight_decay": ({"learning_rate": 0.01, "weight_decay": 0.05}, None),
    "warmup": (
        {
            "learning_rate": 0.01,
            "total_steps": 20,
            "warmup_proportion": 0.2,
            "min_lr": 0.001,
        },
        None,
    ),
    "warmup_weight_decay_amsgrad": (
        {
            "learning_rate": 0.02,
            "beta_2": 0.95,
            "weight_decay": 0.01,
            "amsgrad": True,
            "total_steps": 25,
            "warmup_proportion": 0.1,
            "min_lr": 0.0,
        },
        None,
    ),
    # With beta_2 = 0.95 the rectification switches on at step 5 (threshold
    # 4), 6 (5) or 14 (12), each far from the float32 rounding of sma_t.
    "sma_threshold_4": (
        {"learning_rate": 0.01, "beta_2": 0.95, "sma_threshold": 4.0},
        None,
    ),
    "sma_threshold_5": ({"learning_rate": 0.01, "beta_2": 0.95}, None),
    "sma_threshold_12": (
        {"learning_rate": 0.01, "beta_2": 0.95, "sma_threshold": 12.0},
        None,
    ),
    "betas_epsilon": (
        {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.99, "epsilon": 1e-3},
        None,
    ),
    "schedule": ({"learning_rate": exponential_decay}, None),
    "weight_decay_schedule": (
        {"learning_rate": 0.01, "weight_decay": exponential_decay},
        None,
    ),
    "keras2_lr_decay": ({"lr": 0.01, "decay": 0.05}, None),
    "clipnorm": ({"learning_rate": 0.01, "clipnorm": 0.5}, None),
    "ranger": ({"learning_rate": 0.01}, {"sync_period": 6, "slow_step_size": 0.5}),
    "ranger_warmup": (
        {
            "learning_rate": 0.02,
            "beta_2": 0.95,
            "weight_decay": 0.01,
            "amsgrad": True,
            "total_steps": 25,
            "warmup_proportion": 0.1,
            "min_lr": 0.001,
        },
        {"sync_period": 5, "slow_step_size": 0.3},
    ),
}

FIT_CASES = {
    "fit_rectified_adam": (
        {
            "learning_rate": 0.05,
            "beta_2": 0.95,
            "weight_decay": 0.01,
            "total_steps": 20,
            "warmup_proportion": 0.1,
        },
        None,
    ),
    "fit_ranger": ({"learning_rate": 0.05}, {"sync_period": 5, "slow_step_size": 0.5}),
}


def optimizer(radam_arguments, lookahead_arguments):
    arguments = {
        key: value() if callable(value) else value
        for key, value in radam_arguments.items()
    }
    radam = tfa.optimizers.RectifiedAdam(**arguments)
    if lookahead_arguments is None:
        return radam
    return tfa.optimizers.Lookahead(radam, **lookahead_arguments)


def gradient_inputs():
    """Initial values and the gradient sequence, one array per variable."""
    generator = np.random.RandomState(0)
    initial = [generator.normal(size=shape).astype("float32") for shape in SHAPES]
    # Gradients of changing scale and sign, so that AMSGrad's maximum and the
    # second moment matter.
    scale = 1.0 + 0.8 * np.sin(np.arange(STEPS))
    gradients = [
        (
            scale.reshape((STEPS,) + (1,) * len(shape))
            * generator.normal(size=(STEPS,) + shape)
        ).astype("float32")
        for shape in SHAPES
    ]
    return initial, gradients


def gradient_trajectory(radam_arguments, lookahead_arguments):
    initial, gradients = gradient_inputs()
    variables = [tf.Variable(value) for value in initial]
    opt = optimizer(radam_arguments, lookahead_arguments)
    trajectory = [[value] for value in initial]
    for step in range(STEPS):
        grads = [tf.constant(gradient[step]) for gradient in gradients]
        opt.apply_gradients(zip(grads, variables))
        for values, variable in zip(trajectory, variables):
            values.append(variable.numpy())
    return [np.stack(values) for values in trajectory], opt


def fit_inputs():
    """Fixed data and initial weights (kernel, bias) of a linear model."""
    generator = np.random.RandomState(2)
    examples = FIT_BATCHES * FIT_BATCH_SIZE
    inputs = generator.normal(size=(examples, FIT_FEATURES)).astype("float32")
    true_kernel = generator.normal(size=(FIT_FEATURES, FIT_OUTPUTS))
    targets = (inputs @ true_kernel + 0.1).astype("float32")
    kernel = (0.5 * generator.normal(size=(FIT_FEATURES, FIT_OUTPUTS))).astype(
        "float32"
    )
    bias = np.zeros((FIT_OUTPUTS,), "float32")
    return inputs, targets, [kernel, bias]


class RecordWeights(tf.keras.callbacks.Callback):
    def __init__(self, trajectory):
        super().__init__()
        self.trajectory = trajectory

    def on_train_batch_end(self, batch, logs=None):
        for values, weight in zip(self.trajectory, self.model.get_weights()):
            values.append(weight)


def fit_trajectory(radam_arguments, lookahead_arguments):
    inputs, targets, initial = fit_inputs()
    model = tf.keras.Sequential(
        [tf.keras.Input(shape=(FIT_FEATURES,)), tf.keras.layers.Dense(FIT_OUTPUTS)]
    )
    model.set_weights(initial)
    opt = optimizer(radam_arguments, lookahead_arguments)
    model.compile(optimizer=opt, loss="mse")
    trajectory = [[value] for value in initial]
    model.fit(
        inputs,
        targets,
        batch_size=FIT_BATCH_SIZE,
        epochs=FIT_EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[RecordWeights(trajectory)],
    )
    return [np.stack(values) for values in trajectory], opt


def describe(radam_arguments, lookahead_arguments, opt):
    return {
        "radam_arguments": {
            key: (
                tf.keras.optimizers.schedules.serialize(value())
                if callable(value)
                else value
            )
            for key, value in radam_arguments.items()
        },
        "lookahead_arguments": lookahead_arguments,
        "tfa_config": tf.keras.optimizers.serialize(opt),
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
            "tfa_reference",
        ),
    )
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    initial, gradients = gradient_inputs()
    inputs, targets, fit_initial = fit_inputs()
    arrays = {"inputs": inputs, "targets": targets}
    for index, (value, gradient) in enumerate(zip(initial, gradients)):
        arrays[f"initial__{index}"] = value
        arrays[f"gradients__{index}"] = gradient
    for index, value in enumerate(fit_initial):
        arrays[f"fit_initial__{index}"] = value
    description = {
        "tensorflow": tf.__version__,
        "tensorflow_addons": tfa.__version__,
        "steps": STEPS,
        "fit": {
            "batch_size": FIT_BATCH_SIZE,
            "epochs": FIT_EPOCHS,
            "loss": "mse",
            "shuffle": False,
        },
        "gradient_cases": {},
        "fit_cases": {},
    }
    for kind, cases, make_trajectory in (
        ("gradient_cases", GRADIENT_CASES, gradient_trajectory),
        ("fit_cases", FIT_CASES, fit_trajectory),
    ):
        for name, (radam_arguments, lookahead_arguments) in cases.items():
            trajectory, opt = make_trajectory(radam_arguments, lookahead_arguments)
            for index, values in enumerate(trajectory):
                arrays[f"{name}__{index}"] = values
            description[kind][name] = describe(
                radam_arguments, lookahead_arguments, opt
            )
    np.savez_compressed(os.path.join(args.output, "rectified_adam.npz"), **arrays)
    with open(os.path.join(args.output, "reference.json"), "w") as file:
        json.dump(description, file, indent=1, sort_keys=True, default=str)
        file.write("\n")


if __name__ == "__main__":
    main()
