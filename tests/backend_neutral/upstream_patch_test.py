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
"""The Keras patch's Lookahead against Algorithm 1 in NumPy, on this backend.

`keras/src/optimizers/lookahead.py` is read from the patch file itself
(`upstream/keras/*.patch`) and imported against the installed Keras, with
the per-backend hook the patch adds to Keras' optimizer classes
(`_backend_assign_if`) taken from the patched files, so the checks here and
in `lookahead_backends_test.py` hold for both implementations. Also checks
that the patch is exactly what `upstream/make_patch.py` regenerates from it.
"""

import importlib
import importlib.util
import pathlib
import shutil
import sys
import types

import keras
import pytest

from tests.backend_neutral.inner_optimizers import INNERS
from tests.backend_neutral.linear_problem import COMPILED
from tests.backend_neutral.linear_problem import EAGER
from tests.backend_neutral.linear_problem import SYNC_SETTINGS
from tests.backend_neutral.linear_problem import assert_weights
from tests.backend_neutral.linear_problem import batch_gradients
from tests.backend_neutral.linear_problem import compile_and_fit
from tests.backend_neutral.linear_problem import linear_model
from tests.backend_neutral.linear_problem import problem
from tests.backend_neutral.linear_problem import reference
from upstream import make_patch

BACKEND = keras.backend.backend()
MODULE = "keras.src.optimizers.lookahead"
# The optimizer classes to which the patch adds `_backend_assign_if`: the
# base class, and the one of this backend.
HOOKS = {
    "keras/src/optimizers/base_optimizer.py": "BaseOptimizer",
    **{
        "tensorflow": {"keras/src/backend/tensorflow/optimizer.py": "TFOptimizer"},
        "jax": {"keras/src/backend/jax/optimizer.py": "JaxOptimizer"},
        "torch": {
            "keras/src/backend/torch/optimizers/torch_optimizer.py": ("TorchOptimizer")
        },
    }.get(BACKEND, {}),
}


def load_module(name, path, text):
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def method_of(installed_class, function):
    """`function` as a method of `installed_class`.

    A zero-argument `super()` in it then looks up from `installed_class`,
    not from the patched file's copy of the class.
    """
    code = function.__code__
    if "__class__" not in code.co_freevars:
        return function
    cells = tuple(
        types.CellType(installed_class) if name == "__class__" else cell
        for name, cell in zip(code.co_freevars, function.__closure__)
    )
    return types.FunctionType(
        code, function.__globals__, function.__name__, function.__defaults__, cells
    )


def add_patched_hooks(directory, monkeypatch):
    """Adds the patch's `_backend_assign_if` to the installed Keras' classes.

    The patched files stay in `sys.modules` (torch.compile looks their
    globals up there); returns their names.
    """
    names = []
    for number, (path, class_name) in enumerate(HOOKS.items()):
        names.append(f"patched_keras_module_{number}")
        patched = load_module(
            names[-1],
            pathlib.Path(directory, f"patched_{number}.py"),
            make_patch.patched_file(path),
        )
        installed = importlib.import_module(path[: -len(".py")].replace("/", "."))
        installed_class = getattr(installed, class_name)
        monkeypatch.setattr(
            installed_class,
            "_backend_assign_if",
            method_of(installed_class, getattr(patched, class_name)._backend_assign_if),
            raising=False,
        )
    return names


@pytest.fixture(scope="module")
def Lookahead(tmp_path_factory):
    if importlib.util.find_spec(MODULE) is not None and MODULE not in sys.modules:
        pytest.fail(f"the installed Keras already has {MODULE}; test it directly")
    directory = tmp_path_factory.mktemp("patch")
    with pytest.MonkeyPatch.context() as monkeypatch:
        patched_modules = add_patched_hooks(directory, monkeypatch)
        module = load_module(
            MODULE,
            directory / "lookahead.py",
            make_patch.new_file("keras/src/optimizers/lookahead.py"),
        )
        yield module.Lookahead
    for name in [MODULE, *patched_modules]:
        del sys.modules[name]


@pytest.mark.parametrize("inner", sorted(INNERS))
@pytest.mark.parametrize("sync_period,slow_step_size", SYNC_SETTINGS)
def test_apply_follows_algorithm_1_at_every_step(
    Lookahead, inner, sync_period, slow_step_size
):
    steps = 2 * sync_period + 2
    expected = reference(inner, sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS[inner](), sync_period, slow_step_size)
    variables = model.trainable_variables
    for step in range(steps):
        optimizer.apply(batch_gradients(variables, step, inner), variables)
        weights, slow_weights = expected[step]
        assert_weights(variables, weights)
        assert_weights(optimizer.slow_weights, slow_weights)


@pytest.mark.skipif(
    BACKEND == "tensorflow", reason="Keras' TF optimizers have no stateless_apply"
)
@pytest.mark.parametrize("inner", sorted(INNERS))
def test_stateless_apply_follows_algorithm_1(Lookahead, inner):
    sync_period, slow_step_size, steps = 3, 0.5, 7
    _, _, kernel, bias = problem(steps)
    expected = reference(inner, sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS[inner](), sync_period, slow_step_size)
    optimizer.build(model.trainable_variables)
    weights = [keras.ops.convert_to_tensor(w) for w in (kernel, bias)]
    state = [keras.ops.convert_to_tensor(v) for v in optimizer.variables]
    for step in range(steps):
        weights, state = optimizer.stateless_apply(
            state, batch_gradients(weights, step, inner), weights
        )
        assert_weights(weights, expected[step][0])
    # Stateless: the optimizer's own variables did not move.
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == 0
    assert_weights(model.trainable_variables, [kernel, bias])


FIT_CASES = [(EAGER, "adam"), (EAGER, "sgd_momentum"), (COMPILED, "adam")]
if BACKEND != "torch":  # torch.compile takes about 40 s per model.
    FIT_CASES.append((COMPILED, "sgd_momentum"))


@pytest.mark.parametrize("mode,inner", FIT_CASES)
def test_fit_follows_algorithm_1(Lookahead, mode, inner):
    sync_period, slow_step_size, steps = 3, 0.5, 8
    expected = reference(inner, sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS[inner](), sync_period, slow_step_size)
    compile_and_fit(model, optimizer, steps, mode)
    assert_weights(model.trainable_variables, expected[-1][0])
    assert_weights(optimizer.slow_weights, expected[-1][1])
    assert int(keras.ops.convert_to_numpy(optimizer.iterations)) == steps


def test_keras_file_resume_mid_cycle(Lookahead, tmp_path):
    sync_period, slow_step_size, steps = 3, 0.5, 8
    expected = reference("adam", sync_period, slow_step_size, steps)
    model = linear_model(steps)
    optimizer = Lookahead(INNERS["adam"](), sync_period, slow_step_size)
    compile_and_fit(model, optimizer, 4, EAGER)
    model.save(tmp_path / "model.keras")
    # The installed Keras does not export the patch's class.
    restored = keras.models.load_model(
        tmp_path / "model.keras", custom_objects={"Lookahead": Lookahead}
    )
    assert isinstance(restored.optimizer, Lookahead)
    compile_and_fit(restored, restored.optimizer, steps - 4, EAGER, first_step=4)
    assert_weights(restored.trainable_variables, expected[-1][0])
    assert_weights(restored.optimizer.slow_weights, expected[-1][1])


def test_patch_is_what_make_patch_regenerates():
    if shutil.which("git") is None:
        pytest.skip("needs git")
    regenerated, other_base = make_patch.regenerated_offline()
    assert regenerated is not None, other_base
    assert make_patch.normalized(regenerated, other_base) == (
        make_patch.normalized(make_patch.patch_text(), other_base)
    ), "the patch is stale: regenerate it with `upstream/make_patch.py export`"


def test_a_hand_edited_patch_is_detected(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("needs git")
    text = make_patch.patch_text()
    line = "+            raise ValueError(\n"
    assert line in text
    edited = tmp_path / "edited.patch"
    edited.write_text(text.replace(line, "+            raise TypeError(\n", 1))
    regenerated, other_base = make_patch.regenerated_offline(patch=edited)
    assert regenerated is not None, other_base
    assert make_patch.normalized(regenerated, other_base) != (
        make_patch.normalized(edited.read_text(), other_base)
    )


def test_only_files_of_another_base_are_compared_by_content():
    if shutil.which("git") is None:
        pytest.skip("needs git")
    edited = make_patch.edited_files()
    assert "keras/src/optimizers/__init__.py" in edited
    for path in edited:
        wheel_file = make_patch.installed_keras_dir() / make_patch.wheel_path(path)
        assert wheel_file.is_file(), path
    # The installed Keras is a release, the patch's base is master: only the
    # files that differ between the two lose their blob ids and line numbers.
    _, other_base = make_patch.regenerated_offline()
    assert set(other_base) < set(edited)
