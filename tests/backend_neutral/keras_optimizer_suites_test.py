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
"""Keras' own optimizer tests, run with Lookahead wrapping every optimizer.

The test modules are imported from the installed Keras (nothing of them is
copied here) and their test classes run on the current backend with the
optimizer constructors they call patched: each optimizer a test builds is
returned wrapped in a Lookahead. Two checks:

1. Keras' tests as they are, with `Lookahead(inner, sync_period=1,
   slow_step_size=1.0)`: alpha = 1 makes every synchronization a no-op, so
   the wrapper must behave exactly as the inner optimizer and Keras' own
   expected values must hold. The suites: `optimizer_test.OptimizerTest`
   (the classes and `get` of the `optimizers` module it uses patched),
   `optimizer_sparse_test.OptimizerSparseTest` (its cases' optimizer classes
   wrapped; TensorFlow and JAX, Keras skips it on torch),
   `loss_scale_optimizer_test` (its SGD wrapped: LossScaleOptimizer around
   Lookahead), `multi_optimizer_test` (a MultiOptimizer of Lookaheads, its
   `optimizers` patched) and every per-optimizer module from `adadelta_test`
   to `sgd_test` (the class each one tests patched). Each test must build at
   least one Lookahead, unless listed in `NO_LOOKAHEAD` (argument checks
   that raise in the inner optimizer's constructor).
2. Real synchronizations against an independent reference: the Keras tests
   in `REPLAYED` (those that apply gradients eagerly) run once more with a
   recording wrapper, which keeps how each optimizer was built, the
   gradients it was given, the variables' initial values and the variables
   excluded from weight decay. Each recorded optimizer is then replayed with
   `Lookahead(inner, sync_period=2, slow_step_size=0.5)` and with the
   paper's Algorithm 1 around a plain Keras optimizer built the same way
   (`ReferenceLookahead`), on fresh variables; the gradients are repeated
   until at least 5 applied updates, so that each replay crosses at least
   two synchronizations. After every step the model weights, the slow
   weights and the inner optimizers' variables must agree.

A Keras test that cannot hold for a wrapper by design (it reads a private
attribute of the optimizer under test, counts `variables`, checks a class or
a name) is skipped by name in `SKIPPED`, with the reason. A test that fails
because of a Lookahead defect is in `XFAILED` with the diagnosis (strict: it
fails the suite once the defect is fixed, so the entry goes with the fix).
`test_lists_name_existing_keras_tests` keeps the lists in step with Keras.

Time (pytest, one process): about 15 s on TensorFlow, 30 s on JAX, 2 s on
torch. On JAX, eager gradient accumulation takes seconds per test in Keras
itself, so there `test_gradient_accumulation_with_weigth_decay` runs for Adam
and SGD only (and is replayed for SGD only) instead of all eleven optimizers.
"""

import contextlib
import importlib
import types
import unittest
import warnings
from unittest import mock

import keras
import numpy as np
import pytest
from absl.testing import parameterized

from tensorflow_lookahead import Lookahead
from tests.backend_neutral.reference_lookahead import ReferenceLookahead

BACKEND = keras.backend.backend()
# Real synchronizations in the replay (check 2).
REPLAY_SYNC_PERIOD = 2
REPLAY_SLOW_STEP_SIZE = 0.5
REPLAY_MIN_STEPS = 5


def keras_test_module(name):
    """Imports `keras.src.optimizers.<name>` from the installed Keras.

    Keras' tests carry a marker (`requires_trainable_backend`) that only
    Keras' own pytest configuration registers; every backend run here trains.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        return importlib.import_module(f"keras.src.optimizers.{name}")


KERAS_OPTIMIZERS = importlib.import_module("keras.src.optimizers")
# Per-optimizer test module: the optimizer class it imports and tests.
PER_OPTIMIZER_MODULES = {
    "adadelta_test": "Adadelta",
    "adafactor_test": "Adafactor",
    "adagrad_test": "Adagrad",
    "adam_test": "Adam",
    "adamax_test": "Adamax",
    "adamw_test": "AdamW",
    "ftrl_test": "Ftrl",
    "lamb_test": "Lamb",
    "lion_test": "Lion",
    "muon_test": "Muon",
    "nadam_test": "Nadam",
    "rmsprop_test": "RMSprop",
    "schedule_free_adamw_test": "ScheduleFreeAdamW",
    "sgd_test": "SGD",
}
# Optimizer classes of the `optimizers` module that optimizer_test.py uses
# which are not wrapped: the base class (isinstance checks) and the wrappers.
NOT_WRAPPED = {"Optimizer", "LossScaleOptimizer", "MultiOptimizer"}

CLIP_REASON = (
    "calls the base class's private `_clip_gradients` on the optimizer object: "
    "Lookahead takes no clipping arguments (they belong to the inner "
    "optimizer, which clips inside its own apply)"
)
MUON_METHOD_REASON = (
    "calls Muon's own methods (update_step, _apply_weight_decay, lr_adjust, "
    "zeropower_via_newtonschulz5, _should_use_adamw) on the optimizer object "
    "instead of applying gradients; a wrapper has only the Optimizer API"
)
SPARSE_GRADIENTS_REASON = (
    "mocks `assign` on the optimizer object (the wrapper, while the inner "
    "optimizer updates) and fails any direct `Variable.assign`: Lookahead "
    "keeps dense slow weights by design, copied from the model's weights on "
    "the first apply and written whole at every sync. test_sparse_correctness "
    "checks that sparse and dense gradients give the same result"
)
# Keras test ("Class.test_name") -> why it cannot hold for a wrapper.
SKIPPED = {
    **{
        f"{class_name}Test.{test}": CLIP_REASON
        for class_name in PER_OPTIMIZER_MODULES.values()
        for test in ("test_clip_norm", "test_clip_value")
    },
    **{
        f"OptimizerTest.{test}": CLIP_REASON
        for test in ("test_clip_norm", "test_clip_value", "test_global_clip_norm")
    },
    "OptimizerTest.test_clip_args": (
        "reads clipnorm, clipvalue and global_clipnorm on the optimizer "
        "object: Lookahead rejects these arguments, the inner optimizer has them"
    ),
    "OptimizerTest.test_get_method": (
        "checks that optimizers.get returns an instance of the class it names"
    ),
    "OptimizerTest.test_optimizer_auto_naming": (
        "checks the optimizers' automatic names; the wrapper is named Lookahead"
    ),
    "OptimizerTest.test_setting_lr_to_callable_untracks_lr_var": (
        "counts `variables`: Lookahead's include its step counter and slow "
        "weights besides the inner optimizer's"
    ),
    "OptimizerTest.test_gradient_accumulation": (
        "reads gradient_accumulation_steps, _accumulated_gradients and "
        "_iterations on the optimizer object, the inner optimizer's state; the "
        "replay of this test checks Lookahead with gradient accumulation"
    ),
    "OptimizerTest.test_overwrite_with_gradient_with_gradient_accumulation": (
        "reads the inner optimizer's private _accumulated_gradients and "
        "_iterations on the optimizer object"
    ),
    "MultiOptimizerTest.test_serialization": (
        "checks the class names of the sub-optimizers after a serialization "
        "round trip: they are Lookaheads"
    ),
    "MultiOptimizerTest.test_tensorboard_logging_with_multi_optimizer": (
        "expects the logged learning rates to be named after the "
        "sub-optimizers' classes (learning_rate_SGD); they are Lookaheads"
    ),
    "MultiOptimizerTest.test_swap_ema_weights_with_multi_optimizer": (
        "reads the EMA variables (_model_variables_moving_average) on the "
        "sub-optimizer object, the wrapper. Moreover SwapEMAWeights reads "
        "use_ema on each sub-optimizer of a MultiOptimizer without unwrapping "
        "its inner_optimizer (as it does for the model's optimizer), so it "
        "refuses a MultiOptimizer of Lookahead(SGD(use_ema=True))"
    ),
    "SGDTest.test_single_step": (
        "counts `variables` (2 for SGD): Lookahead's include its step counter "
        "and slow weights"
    ),
    "NadamTest.test_build_with_empty_var_list": (
        "reads Nadam's private _u_product on the optimizer object"
    ),
    **{
        f"MuonTest.{test}": MUON_METHOD_REASON
        for test in (
            "test_Newton_Schulz",
            "test_adamw_single_step",
            "test_adamw_weight_decay",
            "test_lr_adjust_2d",
            "test_lr_adjust_none",
            "test_muon_single_step",
            "test_muon_weight_decay",
            "test_should_use_adamw",
        )
    },
}
SPARSE_CASES = [
    "adadelta",
    "adafactor",
    "adagrad",
    "adam",
    "adam_amsgrad",
    "adamax",
    "adamw",
    "adamw_amsgrad",
    "ftrl",
    "lion",
    "loss_scale_optimizer_sgd",
    "nadam",
    "rmsprop",
    "rmsprop_momentum",
    "rmsprop_momentum_centered",
    "sgd",
    "sgd_momentum",
    "sgd_momentum_nesterov",
    "scatter_update",
]
SKIPPED.update(
    {
        f"OptimizerSparseTest.test_sparse_gradients_{case}": SPARSE_GRADIENTS_REASON
        for case in SPARSE_CASES
    }
)
# test_gradient_accumulation_with_weigth_decay<index>: the optimizer of each.
ACCUMULATION_CASES = [
    "adam",
    "sgd",
    "adamw",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adamax",
    "lion",
    "nadam",
    "ftrl",
    "adafactor",
]
# Eager gradient accumulation on JAX takes seconds per test in Keras itself
# (a conditional compiled at every step): there Adam and SGD represent it.
if BACKEND == "jax":
    SKIPPED.update(
        {
            f"OptimizerTest.test_gradient_accumulation_with_weigth_decay{index}": (
                f"to save time: on JAX, gradient accumulation runs with adam and "
                f"sgd only, not {case}"
            )
            for index, case in enumerate(ACCUMULATION_CASES)
            if case not in ("adam", "sgd")
        }
    )
ARGUMENT_CHECK = (
    "checks the optimizer's argument validation: its constructor raises "
    "before there is an optimizer to wrap"
)
# Keras tests that pass without building any Lookahead, and why; every other
# test that runs must build one.
NO_LOOKAHEAD = {
    "AdamWTest.test_weight_decay_is_none": ARGUMENT_CHECK,
    "LionTest.test_invalid_beta_1": ARGUMENT_CHECK,
    "SGDTest.test_invalid_momentum": ARGUMENT_CHECK,
    **{
        f"FtrlTest.test_invalid_{argument}": ARGUMENT_CHECK
        for argument in (
            "initial_accumulator_value",
            "l1_regularization_strength",
            "l2_regularization_strength",
            "l2_shrinkage_regularization_strength",
            "learning_rate_power",
        )
    },
    "LossScaleOptimizerTest.test_deserialization_backwards_compatibility": (
        "builds the LossScaleOptimizer and its SGD from a config"
    ),
}
# Keras test -> (backends, diagnosis of the Lookahead defect it shows).
XFAILED = {}


def is_optimizer_class(value):
    return isinstance(value, type) and issubclass(value, keras.optimizers.Optimizer)


def identity_lookahead(optimizer, rebuild=None):
    """Lookahead that must behave exactly as `optimizer`: alpha = 1.

    Args:
        optimizer: The inner optimizer.
        rebuild: Unused (see `wrapping`).
    """
    del rebuild
    return Lookahead(optimizer, sync_period=1, slow_step_size=1.0)


def wrapping(make_inner, wrap):
    """A stand-in for an optimizer class or `optimizers.get`.

    Args:
        make_inner: What the stand-in replaces.
        wrap: `wrap(optimizer, rebuild)` returns the Lookahead around each
            optimizer `make_inner` returns; `rebuild()` builds another one
            with the same arguments.

    Returns:
        A function that takes `make_inner`'s arguments.
    """

    def make(*args, **kwargs):
        optimizer = make_inner(*args, **kwargs)
        if not isinstance(optimizer, keras.optimizers.Optimizer):
            return optimizer  # optimizers.get(None) is None.
        return wrap(optimizer, lambda: make_inner(*args, **kwargs))

    return make


def wrapping_namespace(module, wrap):
    """A copy of the `optimizers` module whose optimizer classes wrap."""
    namespace = types.SimpleNamespace(**vars(module))
    for name, value in vars(module).items():
        if is_optimizer_class(value) and name not in NOT_WRAPPED:
            setattr(namespace, name, wrapping(value, wrap))
    namespace.get = wrapping(module.get, wrap)
    return namespace


class Suite:
    """A Keras test class and what to patch so that it tests Lookahead.

    Args:
        keras_class: The Keras `TestCase` class.
        patches: `patches(wrap)` returns `(module, name, stand_in)` triples
            for the constructors the class's tests call; `wrap` turns an
            optimizer into the Lookahead to test.
        regenerated: `regenerated(wrap)` returns test methods that replace
            Keras' (parameterized tests whose parameters hold optimizer
            classes), or None.
    """

    def __init__(self, keras_class, patches, regenerated=None):
        self.keras_class = keras_class
        self.patches = patches
        self.regenerated = regenerated

    def patched_class(self, wrap, name=None, marked=False):
        """A subclass whose tests run with the patches applied.

        Args:
            wrap: Turns each optimizer the tests build into a Lookahead.
            name: The subclass's name (default: "Lookahead" + Keras' name).
            marked: Whether to skip the tests in `SKIPPED` and mark those in
                `XFAILED` for this backend.

        Returns:
            The subclass of the Keras class.
        """
        keras_class = self.keras_class
        patches = self.patches

        running = []  # The test case running now.

        def counted(optimizer, rebuild):
            running[-1].lookaheads_built += 1
            return wrap(optimizer, rebuild)

        def setUp(test_case):
            keras_class.setUp(test_case)
            running[:] = [test_case]
            test_case.lookaheads_built = 0
            for module, attribute, stand_in in patches(counted):
                test_case.enterContext(mock.patch.object(module, attribute, stand_in))

        attributes = {"setUp": setUp, "__module__": __name__}
        if self.regenerated is not None:
            attributes.update(self.regenerated(counted))
        patched = type(
            name or "Lookahead" + keras_class.__name__, (keras_class,), attributes
        )
        if marked:
            for test_name, test in marked_tests(patched, keras_class.__name__).items():
                setattr(patched, test_name, test)
        return patched


def marked_tests(test_class, keras_name):
    """`test_class`'s tests, skipped, checked and marked as listed.

    Args:
        test_class: A patched Keras test class.
        keras_name: The name of the Keras class, for the keys of `SKIPPED`,
            `XFAILED` and `NO_LOOKAHEAD`.

    Returns:
        New test methods by name: skipped ones, and the others run and then
        checked to have built a Lookahead, marked if expected to fail.
    """
    tests = {}
    for test_name in unittest.defaultTestLoader.getTestCaseNames(test_class):
        key = f"{keras_name}.{test_name}"
        if key in SKIPPED:
            tests[test_name] = unittest.skip(SKIPPED[key])(lambda self: None)
            continue
        test = checked(getattr(test_class, test_name), key)
        if key in XFAILED and BACKEND in XFAILED[key][0]:
            test = pytest.mark.xfail(
                strict=True, reason=f"issue 20: {XFAILED[key][1]}"
            )(test)
        tests[test_name] = test
    return tests


def checked(test, key):
    """Runs `test`, then fails if it built no Lookahead (it tested nothing)."""

    def run(self):
        test(self)
        if not self.lookaheads_built and key not in NO_LOOKAHEAD:
            self.fail(f"{key} built no Lookahead: it tested plain Keras")

    run.__name__ = test.__name__
    # Keras' pytest marks (skipif), copied: marks added here stay off them.
    run.pytestmark = list(getattr(test, "pytestmark", []))
    return run


def per_optimizer_suite(module_name, class_name):
    module = keras_test_module(module_name)
    optimizer_class = getattr(module, class_name)

    def patches(wrap):
        return [(module, class_name, wrapping(optimizer_class, wrap))]

    return Suite(getattr(module, class_name + "Test"), patches)


def optimizer_test_suite():
    module = keras_test_module("optimizer_test")

    def patches(wrap):
        return [(module, "optimizers", wrapping_namespace(KERAS_OPTIMIZERS, wrap))]

    return Suite(module.OptimizerTest, patches)


def multi_optimizer_suite():
    module = keras_test_module("multi_optimizer_test")

    def patches(wrap):
        return [(module, "optimizers", wrapping_namespace(KERAS_OPTIMIZERS, wrap))]

    return Suite(module.MultiOptimizerTest, patches)


def loss_scale_optimizer_suite():
    module = keras_test_module("loss_scale_optimizer_test")

    def patches(wrap):
        return [(module, "SGD", wrapping(module.SGD, wrap))]

    return Suite(module.LossScaleOptimizerTest, patches)


def sparse_suite():
    """Keras' sparse tests, with their cases' optimizers wrapped.

    The test cases hold the optimizer classes themselves (bound when Keras'
    module was imported), so the parameterized tests are generated again
    from the same cases, each class replaced by a stand-in that wraps. The
    LossScaleOptimizer case builds its SGD through the module's `optimizers`,
    patched: LossScaleOptimizer(Lookahead(SGD)).
    """
    module = keras_test_module("optimizer_sparse_test")
    keras_class = module.OptimizerSparseTest
    first_case = module.TEST_CASES[0]["testcase_name"]
    tests = {
        name: getattr(keras_class, f"{name}_{first_case}").__wrapped__
        for name in ("test_sparse_gradients", "test_sparse_correctness")
    }

    def patches(wrap):
        return [(module, "optimizers", wrapping_namespace(KERAS_OPTIMIZERS, wrap))]

    def regenerated(wrap):
        cases = [
            (
                dict(case, optimizer_class=wrapping(case["optimizer_class"], wrap))
                if is_optimizer_class(case["optimizer_class"])
                else case
            )
            for case in module.TEST_CASES
        ]
        return {
            name: parameterized.named_parameters(cases)(test)
            for name, test in tests.items()
        }

    return Suite(keras_class, patches, regenerated)


SUITES = {
    **{
        module_name: per_optimizer_suite(module_name, class_name)
        for module_name, class_name in PER_OPTIMIZER_MODULES.items()
    },
    "optimizer_test": optimizer_test_suite(),
    "optimizer_sparse_test": sparse_suite(),
    "loss_scale_optimizer_test": loss_scale_optimizer_suite(),
    "multi_optimizer_test": multi_optimizer_suite(),
}

# Check 1: pytest collects these TestCase classes of this module.
for _suite in SUITES.values():
    _class = _suite.patched_class(identity_lookahead, marked=True)
    globals()[_class.__name__] = _class
del _suite, _class


# Check 2: the Keras tests whose optimizers are replayed with real syncs.
# Per-optimizer tests that apply gradients eagerly (Muon's apply none).
REPLAYED_PER_OPTIMIZER = (
    "test_single_step",
    "test_single_step_1d",
    "test_single_step_2d",
    "test_weight_decay",
    "test_correctness_with_golden",
    "test_ema_overwrite_frequency",
    "test_multiple_steps",
    "test_warmup",
)
NOT_REPLAYED = {
    "sgd_test.test_single_step": "fails on `variables` before it applies",
}
REPLAYED = [
    *[
        f"{module_name}.{test}"
        for module_name, suite in SUITES.items()
        if module_name in PER_OPTIMIZER_MODULES
        for test in REPLAYED_PER_OPTIMIZER
        if hasattr(suite.keras_class, test)
        and f"{module_name}.{test}" not in NOT_REPLAYED
    ],
    "optimizer_test.test_callable_learning_rate",
    "optimizer_test.test_ema",
    "optimizer_test.test_empty_gradients",
    "optimizer_test.test_iterations_counter",
    "optimizer_test.test_static_loss_scaling",
    # Not test_constraints_are_applied: its weights start outside their
    # constraint (negative under NonNeg); Lookahead keeps its slow weights in
    # it, Algorithm 1 knows no constraints. Not test_gradient_accumulation:
    # it fails on gradient_accumulation_steps before it applies; these run
    # every optimizer with gradient accumulation (and weight decay).
    *[
        f"optimizer_test.test_gradient_accumulation_with_weigth_decay{index}"
        for index, case in enumerate(ACCUMULATION_CASES)
        if BACKEND != "jax" or case == "sgd"
    ],
    *[
        f"optimizer_sparse_test.test_sparse_correctness_{case}"
        for case in SPARSE_CASES
        # Not LossScaleOptimizer(Lookahead(...)): ReferenceLookahead wraps a
        # plain optimizer. Not Adadelta: with its default learning rate its
        # steps (about 1e-6) are below the comparison's tolerance.
        if case not in ("loss_scale_optimizer_sgd", "adadelta")
    ],
]


class Recording:
    """How a Keras test built one optimizer, and what it applied.

    Args:
        new_inner: Builds another optimizer as the test built this one.
    """

    def __init__(self, new_inner):
        self.new_inner = new_inner
        # (gradients, variables) of each apply that returned.
        self.calls = []
        # id(variable) -> its value when the optimizer first saw it.
        self.initial_values = {}
        # (var_list, var_names) of each exclude_from_weight_decay call.
        self.exclusions = []


class Recorder:
    """Records the optimizers a Keras test builds and the gradients it applies.

    The test runs with identity Lookaheads (see `identity_lookahead`), so it
    behaves as with the plain optimizers.
    """

    def __init__(self):
        self.recordings = {}  # id(Lookahead) -> (Lookahead, Recording)

    def wrap(self, optimizer, rebuild):
        """An identity Lookahead around `optimizer`, recorded (see `wrapping`)."""
        lookahead = identity_lookahead(optimizer)
        self.recordings[id(lookahead)] = (lookahead, Recording(rebuild))
        return lookahead

    def recording_of(self, optimizer):
        entry = self.recordings.get(id(optimizer))
        return None if entry is None else entry[1]

    @contextlib.contextmanager
    def recording(self):
        """Records the calls of the recorded Lookaheads' apply and exclusions."""
        apply = Lookahead.apply
        exclude = Lookahead.exclude_from_weight_decay
        recorder = self

        def recording_apply(optimizer, grads, trainable_variables=None):
            recording = recorder.recording_of(optimizer)
            if recording is None:
                return apply(optimizer, grads, trainable_variables)
            if trainable_variables is None:
                # stateless_apply applies to the variables it was built on.
                variables = list(optimizer._trainable_variables)
            else:
                variables = list(trainable_variables)
            for variable in variables:
                recording.initial_values.setdefault(id(variable), array_of(variable))
            kept = [kept_gradient(grad) for grad in grads]
            apply(optimizer, grads, variables)
            recording.calls.append((kept, variables))

        def recording_exclude(optimizer, var_list=None, var_names=None):
            recording = recorder.recording_of(optimizer)
            if recording is not None:
                recording.exclusions.append((list(var_list or []), var_names))
            exclude(optimizer, var_list=var_list, var_names=var_names)

        with mock.patch.object(Lookahead, "apply", recording_apply):
            with mock.patch.object(
                Lookahead, "exclude_from_weight_decay", recording_exclude
            ):
                yield


def array_of(value):
    return np.array(keras.ops.convert_to_numpy(value))


def is_sparse(gradient):
    """tf.IndexedSlices and JAX's BCOO: kept as they are, to replay sparse."""
    return hasattr(gradient, "indices")


def kept_gradient(gradient):
    if gradient is None or is_sparse(gradient):
        return gradient
    return array_of(gradient)


def as_gradient(kept):
    if kept is None or is_sparse(kept):
        return kept
    return keras.ops.convert_to_tensor(kept)


def keras_test(replayed):
    """The suite and Keras test method of a `REPLAYED` entry."""
    module_name, test_name = replayed.split(".")
    return SUITES[module_name], test_name


def recordings_of(replayed):
    """Runs the Keras test with recording Lookaheads; returns the recordings."""
    suite, test_name = keras_test(replayed)
    recorder = Recorder()
    test_class = suite.patched_class(recorder.wrap, name="Recording")
    result = unittest.TestResult()
    with recorder.recording():
        test_class(test_name).run(result)
    # Keras' assertions are check 1's; here only the recorded calls count.
    problems = result.errors + result.skipped
    assert not problems, f"{replayed} did not run: {problems}"
    return [recording for _, recording in recorder.recordings.values()]


def replayable(recording):
    """Whether every call applied gradients to the same variables, in order."""
    if not recording.calls:
        return False
    first = [id(variable) for variable in recording.calls[0][1]]
    return all(
        [id(variable) for variable in variables] == first
        for _, variables in recording.calls
    ) and not any(
        getattr(variable, "overwrite_with_gradient", False)
        for variable in recording.calls[0][1]
    )


def fresh_copies(variables, recording):
    """New variables with the recorded initial values, names and constraints."""
    copies = []
    for variable in variables:
        copy = keras.Variable(
            recording.initial_values[id(variable)],
            dtype=variable.dtype,
            trainable=variable.trainable,
            name=variable.name,
        )
        copy.constraint = variable.constraint
        copies.append(copy)
    return copies


def exclude_as_recorded(optimizer, recording, variables, copies):
    """Repeats the test's exclude_from_weight_decay calls on the copies."""
    copy_of = {id(variable): copy for variable, copy in zip(variables, copies)}
    for var_list, var_names in recording.exclusions:
        optimizer.exclude_from_weight_decay(
            var_list=[copy_of[id(v)] for v in var_list if id(v) in copy_of],
            var_names=var_names,
        )


def assert_same(actual, expected, what, step):
    for index, (got, want) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(
            array_of(got),
            np.asarray(want, dtype=np.float64),
            rtol=2e-5,
            atol=2e-6,
            err_msg=f"{what} {index} after step {step + 1}",
        )


def replay(recording):
    """Replays a recording with real syncs, against ReferenceLookahead."""
    variables = recording.calls[0][1]
    lookahead_variables = fresh_copies(variables, recording)
    reference_variables = fresh_copies(variables, recording)
    lookahead = Lookahead(
        recording.new_inner(),
        sync_period=REPLAY_SYNC_PERIOD,
        slow_step_size=REPLAY_SLOW_STEP_SIZE,
    )
    reference_inner = recording.new_inner()
    # Lookahead counts applied updates; with gradient accumulation each
    # applied update takes gradient_accumulation_steps calls to apply.
    accumulation = reference_inner.gradient_accumulation_steps or 1
    reference = ReferenceLookahead(
        reference_inner, REPLAY_SYNC_PERIOD * accumulation, REPLAY_SLOW_STEP_SIZE
    )
    exclude_as_recorded(lookahead, recording, variables, lookahead_variables)
    exclude_as_recorded(reference_inner, recording, variables, reference_variables)
    steps = max(len(recording.calls), REPLAY_MIN_STEPS * accumulation)
    for step in range(steps):
        kept = recording.calls[step % len(recording.calls)][0]
        lookahead.apply([as_gradient(g) for g in kept], lookahead_variables)
        reference.apply([as_gradient(g) for g in kept], reference_variables)
        assert_same(lookahead_variables, reference_variables, "weight", step)
        slow = [
            (mine, theirs)
            for mine, theirs in zip(lookahead.slow_weights, reference.slow_weights)
            if mine is not None
        ]
        assert_same(*zip(*slow), "slow weight", step)
        assert_same(
            lookahead.inner_optimizer.variables,
            [array_of(v) for v in reference_inner.variables],
            "inner optimizer variable",
            step,
        )
    assert int(lookahead.sync_count) >= 2, "the replay crossed no two syncs"


@pytest.mark.parametrize("replayed", REPLAYED)
def test_real_syncs_follow_reference(replayed):
    suite, test_name = keras_test(replayed)
    if suite is SUITES["optimizer_sparse_test"] and not (
        keras.config.backend() in ("tensorflow", "jax")
    ):
        pytest.skip("Keras' sparse tests need sparse gradients (TensorFlow, JAX)")
    recordings = [r for r in recordings_of(replayed) if replayable(r)]
    assert recordings, f"{replayed} applied no gradients to replay"
    for recording in recordings:
        replay(recording)


def keras_test_names():
    """ "Class.test_name" of every test of the Keras classes run here."""
    names = set()
    for suite in SUITES.values():
        test_class = suite.patched_class(identity_lookahead)
        names.update(
            f"{suite.keras_class.__name__}.{test_name}"
            for test_name in unittest.defaultTestLoader.getTestCaseNames(test_class)
        )
    return names


def test_lists_name_existing_keras_tests():
    existing = keras_test_names()
    listed = set(SKIPPED) | set(XFAILED) | set(NO_LOOKAHEAD)
    assert not listed - existing, "not in this Keras (renamed or removed?)"
    for replayed in REPLAYED:
        suite, test_name = keras_test(replayed)
        assert f"{suite.keras_class.__name__}.{test_name}" in existing
