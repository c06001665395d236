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
import os
import pathlib

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = REPOSITORY / "tensorflow_lookahead"
LICENSE_LINE = 'Licensed under the Apache License, Version 2.0 (the "License");'
SKIPPED_DIRECTORIES = {
    ".git",
    ".venv",
    ".venv-jax",
    ".venv-tfa",
    ".venv-torch",
    ".tools",
    "__pycache__",
    "artifacts",
    "build",
    "dist",
}

# Private imports allowed in the package, each with the reason. Must not grow.
PRIVATE_IMPORT_ALLOWLIST = {}
FORBIDDEN_IMPORT_PREFIXES = ("tensorflow.python", "keras.src")


def source_files(root, patterns):
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES and not name.startswith("bazel-")
        )
        for name in sorted(files):
            path = pathlib.Path(directory, name)
            if any(path.match(pattern) for pattern in patterns):
                yield path


def package_modules():
    return list(source_files(PACKAGE, ["*.py"]))


def imported_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_repository_has_source_files():
    assert len(package_modules()) >= 5


@pytest.mark.parametrize(
    "path", package_modules(), ids=lambda p: str(p.relative_to(REPOSITORY))
)
def test_no_private_tensorflow_or_keras_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = str(path.relative_to(REPOSITORY))
    private = [
        name
        for name in imported_names(tree)
        if name.startswith(FORBIDDEN_IMPORT_PREFIXES)
        and name not in PRIVATE_IMPORT_ALLOWLIST.get(relative, ())
    ]
    assert not private, f"{relative} imports private modules {private}"


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
