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
"""Source policy of the package, in the spirit of tfa's source_code_test.py."""

import ast
import collections
import json
import os
import pathlib
import subprocess
import sys

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = REPOSITORY / "tensorflow_lookahead"
LICENSE_LINE = 'Licensed under the Apache License, Version 2.0 (the "License");'
SKIPPED_DIRECTORIES = {
    ".git",
    ".tools",
    "__pycache__",
    "artifacts",
    "build",
    "dist",
}

# Private TensorFlow and Keras API: modules, `tf.__internal__`, and `_names`
# of Keras objects. A `_name` is ours if the package defines it (a def or
# class, `self._name = ...`, an assignment) and Keras does not (the names on
# Keras' optimizer, callback and model objects, tf_keras' too when it is
# installed); every other `_name` is Keras' (or TensorFlow's), whether read on
# another object, inherited through `self` or `super()`, or overridden.
PRIVATE_MODULE_PREFIXES = ("tensorflow.python", "keras.src", "tf_keras.src")
INTERNAL = "__internal__"

# The private API the package uses: (module, names, why it is needed).
# Like tfa's list, it must not grow: use public API instead.
PRIVATE_API_ALLOWLIST = [
    (
        "tensorflow_lookahead/optimizers/lookahead.py",
        {
            "_iterations",
            "_trainable_variables",
            "_variables",
            "_var_key",
            "_check_variables_are_known",
        },
        "Lookahead subclasses keras.optimizers.Optimizer, whose state has no "
        "public accessor: the step counter variable (`iterations` divides it "
        "by gradient_accumulation_steps), the variables it is built on, its own "
        "variables without the inner optimizer's (`variables` has both), and "
        "Keras' variable key and check of apply()'s variables, so that "
        "Lookahead accepts exactly the variables Keras accepts.",
    ),
    (
        "tensorflow_lookahead/optimizers/lookahead.py",
        {"_overwrite_variable_with_gradient"},
        "Keras' own test for variables whose gradient is their new value "
        "(`overwrite_with_gradient`, e.g. float8 scales): they get no slow "
        "weight. No public equivalent.",
    ),
    (
        "tensorflow_lookahead/optimizers/rectified_adam.py",
        {"_get_variable_index", "_use_weight_decay", "_apply_weight_decay"},
        "RectifiedAdam subclasses keras.optimizers.Optimizer as Keras' Adam "
        "does: its moments by variable index, exclude_from_weight_decay() "
        "honoured, and Keras' weight decay overridden to nothing because tfa's "
        "decoupled decay is part of update_step.",
    ),
    (
        "tensorflow_lookahead/optimizers/step_backends/tensorflow_step.py",
        {"_distribution_strategy", INTERNAL},
        "TensorFlow backend only. The strategy a Keras 3 optimizer was created "
        "under (no public accessor), and tf.__internal__'s "
        "distribute.interim.maybe_merge_call and get_enclosing_xla_context, "
        "with which Keras' own TensorFlow optimizer applies its updates.",
    ),
    (
        "tensorflow_lookahead/tf_keras/*.py",
        {
            "_HAS_AGGREGATE_GRAD",
            "_create_hypers",
            "_create_slots",
            "_decayed_lr",
            "_fallback_apply_state",
            "_get_hyper",
            "_initial_decay",
            "_prepare",
            "_prepare_local",
            "_resource_apply_dense",
            "_resource_apply_sparse",
            "_resource_scatter_add",
            "_serialize_hyperparameter",
            "_set_hyper",
            "_use_locking",
        },
        "tf_keras' OptimizerV2 is subclassed through these (its docstring: "
        "override _create_slots, _resource_apply_dense and "
        "_resource_apply_sparse; hyperparameters by _set_hyper and "
        "_get_hyper), as tfa's Lookahead and RectifiedAdam were; Lookahead "
        "also calls them on the OptimizerV2 it wraps.",
    ),
    (
        "tensorflow_lookahead/tf_keras/lookahead.py",
        {
            "_create_all_weights",
            "_dense_apply_args",
            "_iterations",
            "_name",
            "_sparse_apply_args",
            "_track_trackable",
            "_weights",
        },
        "Wrapping a tf_keras optimizer as tfa's Lookahead did, so that tfa's "
        "checkpoints and .h5 files load: one step counter shared with an "
        "OptimizerV2, the inner optimizer tracked as `lh_base_optimizer`, "
        "`weights` in tfa's order, and building and applying a new-style "
        "tf_keras optimizer, whose apply takes `apply_state` or not.",
    ),
]


def source_files(root, patterns):
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES
            and not name.startswith(("bazel-", ".venv"))
        )
        for name in sorted(files):
            path = pathlib.Path(directory, name)
            if any(path.match(pattern) for pattern in patterns):
                yield path


def package_modules():
    return list(source_files(PACKAGE, ["*.py"]))


def is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def defined_private_names(trees):
    """The `_names` the given modules define."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                names.add(node.attr)
    return {name for name in names if is_private(name)}


def class_attributes(node):
    """(line, name) of the methods and attributes a class body defines."""
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield statement.lineno, statement.name
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            if isinstance(statement, ast.Assign):
                targets = statement.targets
            else:
                targets = [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    yield statement.lineno, target.id


def private_api_uses(tree, own_names, keras_names):
    """(line, name) of each private TensorFlow or Keras API use in `tree`.

    Args:
        tree: A parsed module.
        own_names: The `_names` the package defines.
        keras_names: The `_names` Keras defines; ours only if not among them.

    Returns:
        Sorted (line, name) pairs; `name` is a module, `__internal__` or a
        `_name` (used, or defined to override Keras').
    """

    def foreign(name):
        return is_private(name) and (name not in own_names or name in keras_names)

    uses = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            modules = []
        uses.update(
            (node.lineno, module)
            for module in modules
            if module.startswith(PRIVATE_MODULE_PREFIXES)
        )
        if isinstance(node, ast.Attribute):
            if node.attr == INTERNAL or foreign(node.attr):
                uses.add((node.lineno, node.attr))
            elif ast.unparse(node) in PRIVATE_MODULE_PREFIXES:
                uses.add((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.ClassDef):
            uses.update(
                (line, name)
                for line, name in class_attributes(node)
                if is_private(name) and name in keras_names
            )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and foreign(node.args[1].value)
        ):
            uses.add((node.lineno, node.args[1].value))
    return sorted(uses)


def allowed_private_names(relative):
    return set().union(
        *[
            names
            for pattern, names, _ in PRIVATE_API_ALLOWLIST
            if pathlib.PurePosixPath(relative).match(pattern)
        ]
    )


def private_names_of(objects):
    return {
        name
        for value in objects
        for name in set(dir(value)) | set(vars(value))
        if is_private(name)
    }


TF_KERAS_MISSING = "_tf_keras_is_not_installed"
# Prints the `_names` of tf_keras' optimizers and callbacks; a process of its
# own keeps tf_keras out of this one (Keras 3).
TF_KERAS_NAMES = """
import json, tf_keras
objects = [tf_keras.optimizers.legacy.SGD(), tf_keras.optimizers.SGD(),
           tf_keras.callbacks.Callback()]
print(json.dumps(sorted({n for o in objects for n in set(dir(o)) | set(vars(o))})))
"""


@pytest.fixture(scope="module")
def keras_private_names():
    """The `_names` of Keras' (and tf_keras') optimizers, callbacks, models."""
    import keras

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    objects = [
        keras.optimizers.SGD(),
        keras.optimizers.Adam(),
        keras.callbacks.Callback(),
        model,
        model.layers[0],
    ]
    names = private_names_of(objects)
    result = subprocess.run(
        [sys.executable, "-c", TF_KERAS_NAMES],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_USE_LEGACY_KERAS": "0"},
    )
    if result.returncode == 0:
        names.update(name for name in json.loads(result.stdout) if is_private(name))
    else:
        # Without tf_keras its names are missed: overrides of OptimizerV2's
        # look like ours (test_private_api_allowlist_has_no_stale_entries
        # needs tf_keras).
        names.add(TF_KERAS_MISSING)
    return names


@pytest.fixture(scope="module")
def package_private_names():
    return defined_private_names(
        ast.parse(path.read_text(encoding="utf-8")) for path in package_modules()
    )


def test_repository_has_source_files():
    assert len(package_modules()) >= 5


@pytest.mark.parametrize(
    "path", package_modules(), ids=lambda p: str(p.relative_to(REPOSITORY))
)
def test_no_private_tensorflow_or_keras_api(
    path, package_private_names, keras_private_names
):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = path.relative_to(REPOSITORY).as_posix()
    allowed = allowed_private_names(relative)
    private = [
        f"{relative}:{line}: {name}"
        for line, name in private_api_uses(
            tree, package_private_names, keras_private_names
        )
        if name not in allowed
    ]
    assert not private, (
        "private TensorFlow/Keras API (use public API; PRIVATE_API_ALLOWLIST "
        "must not grow):\n" + "\n".join(private)
    )


def test_private_api_allowlist_has_no_stale_entries(
    package_private_names, keras_private_names
):
    if TF_KERAS_MISSING in keras_private_names:
        pytest.skip("needs tf_keras, to list its private names")
    used = collections.defaultdict(set)
    for path in package_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(REPOSITORY).as_posix()
        for _, name in private_api_uses(
            tree, package_private_names, keras_private_names
        ):
            used[relative].add(name)
    stale = [
        (pattern, sorted(unused))
        for pattern, names, _ in PRIVATE_API_ALLOWLIST
        for unused in [
            names
            - set().union(
                *[
                    found
                    for relative, found in used.items()
                    if pathlib.PurePosixPath(relative).match(pattern)
                ]
            )
        ]
        if unused
    ]
    assert not stale, f"allowlisted but no longer used, remove them: {stale}"


def test_private_api_detection_works():
    module = """
import keras.src.ops
from keras.src.backend import StatelessScope
import tensorflow as tf

def _helper(optimizer):
    return optimizer._iterations, getattr(optimizer, "_distribution_strategy")

class Ours(keras.optimizers.Optimizer):
    _OURS = _HAS_AGGREGATE_GRAD = 1

    def __init__(self):
        self._slow = []
        keras.src.backend.common.global_state.clear_session()

    def _create_slots(self, var_list):
        tf.__internal__.distribute.interim.maybe_merge_call(None, None)
        super()._prepare_local(None)
        return self._slow, self._OURS, self._trainable_variables, _helper(self)
"""
    tree = ast.parse(module)
    own = defined_private_names([tree])
    assert own == {"_helper", "_OURS", "_HAS_AGGREGATE_GRAD", "_slow", "_create_slots"}
    keras_names = {
        "_iterations",
        "_create_slots",
        "_prepare_local",
        "_HAS_AGGREGATE_GRAD",
    }
    assert private_api_uses(tree, own, keras_names) == [
        (2, "keras.src.ops"),
        (3, "keras.src.backend"),
        (7, "_distribution_strategy"),
        (7, "_iterations"),
        (10, "_HAS_AGGREGATE_GRAD"),
        (14, "keras.src"),
        (16, "_create_slots"),
        (17, "__internal__"),
        (18, "_prepare_local"),
        (19, "_trainable_variables"),
    ]
    # Allowlisted names pass in their modules only.
    assert "_iterations" in allowed_private_names(
        "tensorflow_lookahead/tf_keras/lookahead.py"
    )
    assert "_iterations" not in allowed_private_names(
        "tensorflow_lookahead/callbacks/lookahead_callback.py"
    )


@pytest.mark.parametrize(
    "path", package_modules(), ids=lambda p: str(p.relative_to(REPOSITORY))
)
def test_no_tf_compat_v1(path):
    text = path.read_text(encoding="utf-8")
    assert "compat.v1" not in text, f"{path} uses tf.compat.v1"


def public_constructors(tree):
    """(class name, __init__ node) of public classes defining __init__."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    yield node.name, item


def decorator_names(function):
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        yield target.attr if isinstance(target, ast.Attribute) else target.id


@pytest.mark.parametrize(
    "path",
    [p for p in package_modules() if "test_utils" not in p.name],
    ids=lambda p: str(p.relative_to(REPOSITORY)),
)
def test_public_constructors_are_typechecked(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    unchecked = [
        name
        for name, init in public_constructors(tree)
        if "typechecked" not in set(decorator_names(init))
    ]
    assert not unchecked, f"{path}: __init__ of {unchecked} lacks @typechecked"


def test_typechecked_detection_works():
    tree = ast.parse(
        "class A:\n    @typechecked\n    def __init__(self): pass\n"
        "class B:\n    def __init__(self): pass\n"
    )
    names = [
        name
        for name, init in public_constructors(tree)
        if "typechecked" not in set(decorator_names(init))
    ]
    assert names == ["B"]


LICENSED_PATTERNS = ["*.py", "*.sh", "*.bzl", "BUILD", "WORKSPACE", "run"]


@pytest.mark.parametrize(
    "path",
    list(source_files(REPOSITORY, LICENSED_PATTERNS)),
    ids=lambda p: str(p.relative_to(REPOSITORY)),
)
def test_license_header(path):
    head = path.read_text(encoding="utf-8")[:2000]
    assert LICENSE_LINE in head, f"{path} lacks the Apache-2.0 license header"


def test_no_case_colliding_file_names():
    names = collections.defaultdict(list)
    for path in source_files(REPOSITORY, ["*"]):
        names[str(path.relative_to(REPOSITORY)).lower()].append(path)
    colliding = [paths for paths in names.values() if len(paths) > 1]
    assert not colliding, f"file names differing only in case: {colliding}"


@pytest.mark.parametrize(
    "path",
    sorted(PACKAGE.glob("tf_keras/*.py")),
    ids=lambda path: path.name,
)
def test_tf_keras_imports_nothing_of_the_keras3_optimizers(path):
    """tf_keras' optimizers share only Keras-free modules with Keras 3's."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            assert not name.startswith("tensorflow_lookahead.optimizers"), name
