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
"""RectifiedAdam and Ranger against tfa's own trajectories and a NumPy RAdam.

Runs unchanged with `KERAS_BACKEND` = tensorflow, jax or torch. The tfa
trajectories and configs in tests/data/tfa_reference/ were written by
tensorflow-addons 0.23 on TensorFlow 2.15 with
tools/make_tfa_rectified_adam_reference.py.
"""

import functools
import json
import math
import pathlib

import keras
import numpy as np
import pytest

from tensorflow_lookahead.optimizers import Lookahead
from tensorflow_lookahead.optimizers import RectifiedAdam
from tests.backend_neutral.rectified_adam_reference import NumpyRanger
from tests.backend_neutral.rectified_adam_reference import NumpyRectifiedAdam
from tests.backend_neutral.rectified_adam_reference import constant

DATA = pathlib.Path(__file__).resolve().parent.parent / "data" / "tfa_reference"
DESCRIPTION = json.loads((DATA / "reference.json").read_text())
ARRAYS = dict(np.load(DATA / "rectified_adam.npz"))
GRADIENT_CASES = DESCRIPTION["gradient_cases"]
FIT_CASES = DESCRIPTION["fit_cases"]
STEPS = DESCRIPTION["steps"]


def trajectory(case):
    """tfa's values of each variable: row 0 initial, row t after step t."""
    count = len([key for key in ARRAYS if key.startswith("initial__")])
    return [ARRAYS[f"{case}__{index}"] for index in range(count)]


def gradients(step):
    count = len([key for key in ARRAYS if key.startswith("gradients__")])
    return [ARRAYS[f"gradients__{index}"][step] for index in range(count)]


def fresh_config(case):
    """A deep copy: deserialization edits nested configs in place."""
    return json.loads(json.dumps(case["tfa_config"]))


def from_arguments(case):
    """The optimizer made from the arguments the tfa user passed."""
    radam = RectifiedAdam(**case["radam_arguments"])
    if case["lookahead_arguments"] is None:
        return radam
    return Lookahead(radam, **case["lookahead_arguments"])


def assert_trajectory(actual, expected, rtol=1e-6):
    """Values agree, and so does every step's change, to `rtol` of its size.

    A change is compared to within `rtol` of the largest change of that step
    plus 4 float32 ulps of the weights (the rounding of the stored values).
    """
    for got, want in zip(actual, expected):
        got, want = np.asarray(got), np.asarray(want)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-7)
        steps = tuple(range(1, want.ndim))
        changes, expected_changes = np.diff(got, axis=0), np.diff(want, axis=0)
        scale = np.max(np.abs(expected_changes), axis=steps)
        rounding = 4 * np.finfo(np.float32).eps * np.max(np.abs(want), axis=steps)
        allowed = rtol * scale + np.maximum(rounding[1:], rounding[:-1])
        error = np.max(np.abs(changes - expected_changes), axis=steps)
        assert np.all(error <= allowed), (
            f"step {np.argmax(error / allowed) + 1}: change off by "
            f"{np.max(error / np.maximum(scale, 1e-30)):.2e} of its size"
        )
        assert np.count_nonzero(scale) > len(scale) // 2, "too few steps move"


def run_gradient_case(optimizer):
    variables = [keras.Variable(values[0]) for values in trajectory("defaults")]
    history = [[keras.ops.convert_to_numpy(v)] for v in variables]
    for step in range(STEPS):
        optimizer.apply(
            [keras.ops.convert_to_tensor(g) for g in gradients(step)], variables
        )
        for values, variable in zip(history, variables):
            values.append(keras.ops.convert_to_numpy(variable))
    return history


@functools.lru_cache(maxsize=None)
def our_trajectory(case, source):
    """Our optimizer's trajectory, made from tfa's config or its arguments."""
    description = GRADIENT_CASES[case]
    if source == "tfa_config":
        optimizer = keras.optimizers.deserialize(fresh_config(description))
    else:
        optimizer = from_arguments(description)
    expected_class = RectifiedAdam if "ranger" not in case else Lookahead
    assert type(optimizer) is expected_class
    return run_gradient_case(optimizer)


@pytest.mark.parametrize("source", ["tfa_config", "arguments"])
@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_trajectory_equals_tfa(case, source):
    assert_trajectory(our_trajectory(case, source), trajectory(case))


def exponential_decay(config):
    config = config["config"]

    def schedule(iteration):
        exponent = iteration / config["decay_steps"]
        return config["initial_learning_rate"] * config["decay_rate"] ** exponent

    return schedule


def numpy_radam(arguments):
    """The NumPy reference for tfa's RectifiedAdam keyword arguments."""
    arguments = dict(arguments)
    for key in ("learning_rate", "weight_decay"):
        value = arguments.get(key, 0.001 if key == "learning_rate" else 0.0)
        if isinstance(value, dict):
            assert value["class_name"] == "ExponentialDecay"
            arguments[key] = exponential_decay(value)
        else:
            arguments[key] = constant(value)
    if "lr" in arguments:
        learning_rate, decay = arguments.pop("lr"), arguments.pop("decay")
        arguments["learning_rate"] = lambda step: learning_rate / (1 + decay * step)
    return NumpyRectifiedAdam(**arguments)


# Float32 rounds sma_t = sma_inf - 2 t beta_2**t / (1 - beta_2**t) by up to
# 0.01 while beta_2**t is close to 1 (beta_2 = 0.999 here): r_t differs from
# the float64 reference by up to 0.2% in the first rectified steps. Smaller
# beta_2 values agree to 1e-5.
def reference_rtol(arguments):
    return 3e-3 if arguments.get("beta_2", 0.999) > 0.99 else 2e-5


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_trajectory_equals_numpy_reference(case):
    description = GRADIENT_CASES[case]
    radam = numpy_radam(description["radam_arguments"])
    weights = [values[0].astype(np.float64) for values in trajectory(case)]
    algorithm = radam
    if description["lookahead_arguments"] is not None:
        algorithm = NumpyRanger(
            radam, weights=weights, **description["lookahead_arguments"]
        )
    expected = [[w] for w in weights]
    for step in range(STEPS):
        weights = algorithm.apply(weights, gradients(step))
        for values, weight in zip(expected, weights):
            values.append(weight)
    actual = our_trajectory(case, "arguments")
    assert_trajectory(
        actual, expected, rtol=reference_rtol(description["radam_arguments"])
    )


def test_reference_cases_cross_the_rectification_threshold():
    for case in GRADIENT_CASES.values():
        radam = numpy_radam(case["radam_arguments"])
        rectified = [radam.rectification(t) is not None for t in range(1, STEPS + 1)]
        assert not rectified[0] and rectified[-1]


def test_amsgrad_changes_the_trajectory():
    plain, amsgrad = trajectory("beta_2"), trajectory("amsgrad")
    assert np.max(np.abs(plain[0] - amsgrad[0])) > 1e-3


class RecordWeights(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.history = None

    def on_train_begin(self, logs=None):
        self.history = [[keras.ops.convert_to_numpy(w)] for w in self.model.weights]

    def on_train_batch_end(self, batch, logs=None):
        for values, weight in zip(self.history, self.model.weights):
            values.append(keras.ops.convert_to_numpy(weight))


@pytest.mark.parametrize("mode", ["eager", "compiled"])
@pytest.mark.parametrize("case", sorted(FIT_CASES))
def test_fit_equals_tfa(case, mode):
    description = FIT_CASES[case]
    fit = DESCRIPTION["fit"]
    inputs, targets = ARRAYS["inputs"], ARRAYS["targets"]
    model = keras.Sequential(
        [keras.Input((inputs.shape[1],)), keras.layers.Dense(targets.shape[1])]
    )
    model.set_weights([ARRAYS["fit_initial__0"], ARRAYS["fit_initial__1"]])
    model.compile(
        optimizer=keras.optimizers.deserialize(fresh_config(description)),
        loss=fit["loss"],
        run_eagerly=mode == "eager",
        jit_compile=mode == "compiled",
    )
    recorder = RecordWeights()
    model.fit(
        inputs,
        targets,
        batch_size=fit["batch_size"],
        epochs=fit["epochs"],
        shuffle=False,
        verbose=0,
        callbacks=[recorder],
    )
    # Both frameworks compute the gradients of the same float32 model: the
    # trajectories agree to float32 rounding, not bit for bit.
    assert_trajectory(recorder.history, trajectory(case), rtol=2e-5)


def test_registered_under_tfa_name():
    assert keras.saving.get_registered_name(RectifiedAdam) == "Addons>RectifiedAdam"
    assert RectifiedAdam().name == "RectifiedAdam"


def test_tfa_ranger_config_loads_with_lookahead_from_config():
    description = GRADIENT_CASES["ranger_warmup"]
    optimizer = Lookahead.from_config(fresh_config(description)["config"])
    inner = optimizer.inner_optimizer
    assert isinstance(inner, RectifiedAdam)
    assert (optimizer.sync_period, optimizer.slow_step_size) == (5, 0.3)
    arguments = description["radam_arguments"]
    for key in ("total_steps", "amsgrad"):
        assert getattr(inner, key) == arguments[key]
    for key in ("beta_2", "weight_decay", "warmup_proportion", "min_lr"):
        assert getattr(inner, key) == pytest.approx(arguments[key])
    assert float(inner.learning_rate) == pytest.approx(arguments["learning_rate"])


def test_tfa_keras2_decay_becomes_inverse_time_decay():
    config = fresh_config(GRADIENT_CASES["keras2_lr_decay"])
    optimizer = keras.optimizers.deserialize(config)
    schedule = optimizer._learning_rate
    assert isinstance(schedule, keras.optimizers.schedules.InverseTimeDecay)
    assert float(schedule(10)) == pytest.approx(0.01 / (1 + 0.05 * 10))


SCHEDULE = keras.optimizers.schedules.ExponentialDecay(0.01, 5, 0.5)
CONFIG_CASES = {
    "defaults": {},
    "everything": dict(
        learning_rate=0.02,
        beta_1=0.8,
        beta_2=0.95,
        epsilon=1e-5,
        weight_decay=0.01,
        amsgrad=True,
        sma_threshold=6.0,
        total_steps=100,
        warmup_proportion=0.2,
        min_lr=1e-4,
        clipnorm=1.0,
        name="radam",
    ),
    "schedules": dict(learning_rate=SCHEDULE, weight_decay=SCHEDULE),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_round_trip(case):
    optimizer = RectifiedAdam(**CONFIG_CASES[case])
    config = optimizer.get_config()
    json.dumps(config)
    assert RectifiedAdam.from_config(config).get_config() == config
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(optimizer)
    )
    assert type(restored) is RectifiedAdam
    assert restored.get_config() == config
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert restored.get_config() == config


def test_keras_file_resumes_exactly(tmp_path):
    """Saved after 7 of 14 steps, loaded, continued: as if uninterrupted."""
    inputs, targets = ARRAYS["inputs"], ARRAYS["targets"]

    def model():
        model = keras.Sequential(
            [keras.Input((inputs.shape[1],)), keras.layers.Dense(targets.shape[1])]
        )
        model.set_weights([ARRAYS["fit_initial__0"], ARRAYS["fit_initial__1"]])
        radam = RectifiedAdam(0.05, beta_2=0.95, amsgrad=True, weight_decay=0.01)
        model.compile(optimizer=Lookahead(radam, sync_period=5), loss="mse")
        return model

    def train(model, steps):
        for step in steps:
            batch = slice((step % 4) * 8, (step % 4 + 1) * 8)
            model.train_on_batch(inputs[batch], targets[batch])

    uninterrupted = model()
    train(uninterrupted, range(14))
    interrupted = model()
    train(interrupted, range(7))
    interrupted.save(tmp_path / "ranger.keras")
    restored = keras.saving.load_model(tmp_path / "ranger.keras")
    assert isinstance(restored.optimizer.inner_optimizer, RectifiedAdam)
    train(restored, range(7, 14))
    for got, want in zip(restored.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_exclude_from_weight_decay():
    initial = [values[0] for values in trajectory("defaults")]

    def run(weight_decay, exclude):
        variables = [
            keras.Variable(value, name=f"w{i}") for i, value in enumerate(initial)
        ]
        optimizer = RectifiedAdam(0.01, weight_decay=weight_decay)
        if exclude:
            optimizer.exclude_from_weight_decay(var_list=[variables[1]])
        for step in range(5):
            optimizer.apply(
                [keras.ops.convert_to_tensor(g) for g in gradients(step)], variables
            )
        return [keras.ops.convert_to_numpy(v) for v in variables]

    decayed, excluded, plain = run(0.5, False), run(0.5, True), run(0.0, False)
    np.testing.assert_allclose(excluded[0], decayed[0])
    np.testing.assert_allclose(excluded[1], plain[1])
    assert np.max(np.abs(decayed[1] - plain[1])) > 1e-4


def test_sparse_gradients_apply_densely():
    """Embedding rows missing from a batch keep moving on their momentum."""
    rows, width, steps = 4, 2, 6
    table = np.linspace(-1.0, 1.0, rows * width).reshape(rows, width).astype("float32")
    indices = np.array([[0], [1], [2], [3], [0], [1]] * 2, dtype="int32")[: 2 * steps]
    targets = np.full((2 * steps, 1, width), 0.5, dtype="float32")
    model = keras.Sequential(
        [keras.Input((1,), dtype="int32"), keras.layers.Embedding(rows, width)]
    )
    model.set_weights([table])
    model.compile(optimizer=RectifiedAdam(0.1, beta_2=0.95), loss="mse")
    model.fit(indices, targets, batch_size=2, epochs=1, shuffle=False, verbose=0)
    radam = NumpyRectifiedAdam(learning_rate=constant(0.1), beta_2=0.95)
    weights = [table.astype(np.float64)]
    for step in range(steps):
        batch = indices[2 * step : 2 * step + 2, 0]
        gradient = np.zeros_like(weights[0])
        for row in batch:
            gradient[row] += 2 * (weights[0][row] - 0.5) / (2 * width)
        weights = radam.apply(weights, [gradient])
    np.testing.assert_allclose(model.get_weights()[0], weights[0], rtol=2e-5, atol=1e-7)


# The tf_keras RectifiedAdam raises the same message (tests/tf_keras).
SMA_THRESHOLD_MESSAGE = (
    r"^`sma_threshold` must be a finite real number >= 4.0\. Received: "
    r"sma_threshold=3.9$"
)

BAD_ARGUMENTS = [
    (
        "learning_rate",
        -0.1,
        ValueError,
        r"`learning_rate` must be a finite real number >= 0",
    ),
    ("learning_rate", "fast", TypeError, "Argument `learning_rate`"),
    (
        "learning_rate",
        {"class_name": "Nope", "config": {}},
        ValueError,
        "`learning_rate`",
    ),
    (
        "beta_1",
        1.0,
        ValueError,
        r"`beta_1` must be a finite real number in \[0.0, 1.0\)",
    ),
    ("beta_1", -0.1, ValueError, "`beta_1`"),
    ("beta_1", True, TypeError, "`beta_1`"),
    (
        "beta_2",
        1.5,
        ValueError,
        r"`beta_2` must be a finite real number in \[0.0, 1.0\)",
    ),
    ("beta_2", "0.9", TypeError, "Argument `beta_2`"),
    ("epsilon", 0.0, ValueError, "`epsilon` must be a finite real number > 0"),
    ("epsilon", math.nan, ValueError, "`epsilon`"),
    (
        "weight_decay",
        -1e-4,
        ValueError,
        "`weight_decay` must be a finite real number >= 0",
    ),
    ("weight_decay", "l2", TypeError, "Argument `weight_decay`"),
    ("amsgrad", 1, TypeError, "Argument `amsgrad`"),
    (
        "sma_threshold",
        3.0,
        ValueError,
        "`sma_threshold` must be a finite real number >= 4",
    ),
    ("sma_threshold", math.nan, ValueError, "`sma_threshold`"),
    ("sma_threshold", 3.9, ValueError, SMA_THRESHOLD_MESSAGE),
    ("total_steps", -1, ValueError, r"`total_steps` must be an integer in \[0, "),
    ("total_steps", 10.0, TypeError, "Argument `total_steps`"),
    ("total_steps", True, TypeError, "`total_steps`"),
    (
        "warmup_proportion",
        1.5,
        ValueError,
        r"`warmup_proportion` must be a finite real number in \[0.0, 1.0\]",
    ),
    ("min_lr", -1.0, ValueError, "`min_lr` must be a finite real number >= 0"),
    ("name", 3, TypeError, "Argument `name`"),
    ("decay", -0.1, ValueError, "`decay` must be a finite real number >= 0"),
    ("decay", "0.1", TypeError, "`decay`"),
    ("momentum", 0.9, TypeError, r"unexpected keyword arguments \['momentum'\]"),
]


@pytest.mark.parametrize(
    "argument,value,error,message",
    BAD_ARGUMENTS,
    ids=[f"{a[0]}={a[1]!r}" for a in BAD_ARGUMENTS],
)
def test_bad_argument_raises_naming_it(argument, value, error, message):
    with pytest.raises(error, match=message):
        RectifiedAdam(**{argument: value})


def test_keras2_decay_with_a_schedule_raises():
    with pytest.raises(ValueError, match="decay"):
        RectifiedAdam(learning_rate=SCHEDULE, decay=0.01)


def test_keras2_lr_argument_wins_as_in_tfa():
    optimizer = RectifiedAdam(learning_rate=0.5, lr=0.01)
    assert float(optimizer.learning_rate) == pytest.approx(0.01)


# Every real-valued argument, RectifiedAdam's own and the base optimizer's.
REAL_ARGUMENTS = [
    "learning_rate",
    "beta_1",
    "beta_2",
    "epsilon",
    "weight_decay",
    "sma_threshold",
    "warmup_proportion",
    "min_lr",
    "lr",
    "decay",
    "clipnorm",
    "clipvalue",
    "global_clipnorm",
    "ema_momentum",
    "loss_scale_factor",
]


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("argument", REAL_ARGUMENTS)
def test_non_finite_argument_raises_naming_it(argument, value):
    message = rf"^`{argument}` must be a finite real number.*\. Received: "
    message += rf"{argument}={value!r}$"
    with pytest.raises(ValueError, match=message):
        RectifiedAdam(**{argument: value})


def counter_maximum():
    dtype = keras.backend.standardize_dtype(RectifiedAdam().iterations.dtype)
    return int(np.iinfo(dtype).max)


def test_step_counter_is_int64_on_tensorflow_int32_elsewhere():
    expected = 2**63 - 1 if keras.backend.backend() == "tensorflow" else 2**31 - 1
    assert counter_maximum() == expected


@pytest.mark.parametrize("excess", ["maximum_plus_one", "2**64"])
def test_total_steps_beyond_the_step_counter_raises(excess):
    maximum = counter_maximum()
    total_steps = maximum + 1 if excess == "maximum_plus_one" else 2**64
    message = rf"^`total_steps` must be an integer in \[0, {maximum}\].*"
    message += rf"\. Received: total_steps={total_steps}$"
    with pytest.raises(ValueError, match=message):
        RectifiedAdam(total_steps=total_steps)


def numpy_reference_trajectory(radam, steps):
    """The NumPy reference's values of each variable, row t after step t."""
    weights = [values[0].astype(np.float64) for values in trajectory("defaults")]
    expected = [[w] for w in weights]
    for step in range(steps):
        weights = radam.apply(weights, gradients(step))
        for values, weight in zip(expected, weights):
            values.append(weight)
    return [np.stack(values) for values in expected]


def run_steps(optimizer, steps):
    variables = [keras.Variable(values[0]) for values in trajectory("defaults")]
    history = [[keras.ops.convert_to_numpy(v)] for v in variables]
    for step in range(steps):
        optimizer.apply(
            [keras.ops.convert_to_tensor(g) for g in gradients(step)], variables
        )
        for values, variable in zip(history, variables):
            values.append(keras.ops.convert_to_numpy(variable))
    return [np.stack(values) for values in history]


def test_largest_total_steps_trains_as_the_reference():
    maximum = counter_maximum()
    optimizer = RectifiedAdam(0.1, total_steps=maximum, warmup_proportion=0.0)
    reference = NumpyRectifiedAdam(
        learning_rate=constant(0.1), total_steps=maximum, warmup_proportion=0.0
    )
    actual, expected = run_steps(optimizer, 8), numpy_reference_trajectory(reference, 8)
    for got, want in zip(actual, expected):
        np.testing.assert_allclose(got, want, rtol=3e-3, atol=1e-7)
        assert np.max(np.abs(got[-1] - got[0])) > 1e-3


HYPERPARAMETERS = dict(
    learning_rate=0.05,
    beta_1=0.8,
    beta_2=0.95,
    epsilon=1e-6,
    weight_decay=0.01,
    amsgrad=True,
    sma_threshold=4.5,
    total_steps=8,
    warmup_proportion=0.25,
    min_lr=0.001,
)
SCALAR_KINDS = {
    "numpy_scalar": lambda value: np.asarray(value)[()],
    "numpy_0d_array": np.asarray,
    "0d_tensor": keras.ops.convert_to_tensor,
}


@pytest.mark.parametrize("kind", sorted(SCALAR_KINDS))
def test_0d_arrays_and_tensors_as_hyperparameters(kind):
    arguments = {key: SCALAR_KINDS[kind](v) for key, v in HYPERPARAMETERS.items()}
    optimizer = RectifiedAdam(**arguments)
    # The value each holds (a float32 tensor rounds 0.8, say).
    values = {key: np.asarray(value).item() for key, value in arguments.items()}
    config = optimizer.get_config()
    json.dumps(config)
    for key, value in values.items():
        # Keras' config reads the learning rate from its float32 variable.
        assert config[key] == pytest.approx(value, rel=1e-7), key
        assert type(config[key]) is type(value), key
    reference = numpy_radam(values)
    expected = numpy_reference_trajectory(reference, 12)
    assert [reference.rectification(t) is None for t in (4, 5)] == [True, False]
    for got, want in zip(run_steps(optimizer, 12), expected):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-7)


def test_0d_arrays_as_keras2_and_base_arguments():
    optimizer = RectifiedAdam(
        lr=np.asarray(0.01), decay=np.float32(0.5), clipnorm=np.asarray(1.0)
    )
    assert optimizer.clipnorm == 1.0 and type(optimizer.clipnorm) is float
    schedule = optimizer._learning_rate
    assert float(schedule(2)) == pytest.approx(0.01 / (1 + 0.5 * 2))


def test_name_none_is_the_default_name():
    optimizer = RectifiedAdam(name=None)
    assert optimizer.name == RectifiedAdam().name == "RectifiedAdam"
    assert RectifiedAdam.from_config(optimizer.get_config()).name == "RectifiedAdam"


def index_slices(step):
    """Rows 0 and 2 twice, as a batch with a repeated token gives them."""
    generator = np.random.RandomState(step)
    indices = np.array([0, 2, 0, 1, 2], dtype="int32")
    values = generator.normal(size=(len(indices), 3)).astype("float32")
    return indices, values


def dense_gradient(indices, values, rows):
    gradient = np.zeros((rows, values.shape[1]), dtype=np.float64)
    np.add.at(gradient, indices, values.astype(np.float64))
    return gradient


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="tf.IndexedSlices gradients are TensorFlow's",
)
@pytest.mark.parametrize("amsgrad", [False, True])
def test_sparse_gradient_with_repeated_indices_equals_dense(amsgrad):
    import tensorflow as tf

    rows, steps = 4, 10
    table = np.linspace(-1.0, 1.0, rows * 3).reshape(rows, 3).astype("float32")
    arguments = dict(beta_2=0.95, amsgrad=amsgrad)

    def run(sparse):
        variable = keras.Variable(table)
        optimizer = RectifiedAdam(0.1, weight_decay=0.01, **arguments)
        for step in range(steps):
            indices, values = index_slices(step)
            if sparse:
                gradient = tf.IndexedSlices(
                    tf.constant(values), tf.constant(indices), tf.constant(table.shape)
                )
            else:
                gradient = tf.constant(dense_gradient(indices, values, rows), "float32")
            optimizer.apply([gradient], [variable])
        return variable.numpy()

    radam = NumpyRectifiedAdam(
        learning_rate=constant(0.1), weight_decay=constant(0.01), **arguments
    )
    expected = [table.astype(np.float64)]
    for step in range(steps):
        expected = radam.apply(expected, [dense_gradient(*index_slices(step), rows)])
    sparse, dense = run(sparse=True), run(sparse=False)
    np.testing.assert_allclose(sparse, dense, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(sparse, expected[0], rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["eager", "compiled"])
def test_embedding_with_a_repeated_token_equals_numpy_reference(mode):
    """Token 1 twice in each batch: its gradient is the sum of both."""
    rows, width, steps = 3, 2, 8
    table = np.linspace(-1.0, 1.0, rows * width).reshape(rows, width).astype("float32")
    indices = np.array([[1], [1], [0], [2]] * steps, dtype="int32")
    targets = np.full((4 * steps, 1, width), 0.5, dtype="float32")
    model = keras.Sequential(
        [keras.Input((1,), dtype="int32"), keras.layers.Embedding(rows, width)]
    )
    model.set_weights([table])
    model.compile(
        optimizer=RectifiedAdam(0.1, beta_2=0.95),
        loss="mse",
        run_eagerly=mode == "eager",
        jit_compile=mode == "compiled",
    )
    model.fit(indices, targets, batch_size=4, epochs=1, shuffle=False, verbose=0)
    radam = NumpyRectifiedAdam(learning_rate=constant(0.1), beta_2=0.95)
    weights = [table.astype(np.float64)]
    for step in range(steps):
        gradient = np.zeros_like(weights[0])
        for row in indices[4 * step : 4 * step + 4, 0]:
            gradient[row] += 2 * (weights[0][row] - 0.5) / (4 * width)
        weights = radam.apply(weights, [gradient])
    np.testing.assert_allclose(model.get_weights()[0], weights[0], rtol=2e-5, atol=1e-7)
