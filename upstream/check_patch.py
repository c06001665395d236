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
"""Runs the Keras patch's tests on an installed Keras, per backend.

For each backend, copies that Python's installed `keras` package to a
temporary directory, applies the patch there (`keras/src/...` as is, the
public API files `keras/api/...` at the places the wheel keeps them), and
runs the Keras tests the patch adds or changes (`TESTS`, and
`TENSORFLOW_TESTS` where TensorFlow is installed) with pytest under that
`KERAS_BACKEND`, with the markers and warning filters of Keras' own
`conftest.py` and `pyproject.toml`. Offline.

    python upstream/check_patch.py      # TF, JAX, torch (+ NumPy, OpenVINO)
    python upstream/check_patch.py --backend jax=.venv-jax/bin/python

With `--keras-checkout DIR` (a keras-team/keras clone) it also runs
`git apply --check` there, and with `--ruff RUFF` Keras' linters (ruff with
Keras' `pyproject.toml`, as its pre-commit hooks do) on the patched files.
"""

import argparse
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

import make_patch

REPOSITORY = make_patch.UPSTREAM.parent
# The venvs of tools/setup_env.sh.
DEFAULT_PYTHONS = {
    "tensorflow": REPOSITORY / ".venv" / "bin" / "python",
    "jax": REPOSITORY / ".venv-jax" / "bin" / "python",
    "torch": REPOSITORY / ".venv-torch" / "bin" / "python",
}
# Keras' CI also runs NumPy and OpenVINO; tested when this venv exists:
#   python -m venv .venv-openvino && .venv-openvino/bin/pip install \
#       keras==3.15.1 openvino jax scipy pytest absl-py
OPTIONAL_PYTHONS = {
    "numpy": REPOSITORY / ".venv-openvino" / "bin" / "python",
    "openvino": REPOSITORY / ".venv-openvino" / "bin" / "python",
}
# The Keras tests the patch adds to or changes; the last two import
# TensorFlow, and run where it is installed.
TESTS = [
    "keras/src/optimizers/lookahead_test.py",
    "keras/src/optimizers/optimizer_sparse_test.py",
]
TENSORFLOW_TESTS = [
    "keras/src/callbacks/swap_ema_weights_test.py",
    "keras/src/backend/tensorflow/optimizer_distribute_test.py",
]
# What Keras' conftest.py does that the test needs: torch imported first,
# the `requires_trainable_backend` marker registered and applied (skipped on
# NumPy and OpenVINO, which cannot train).
CONFTEST = """\
try:
    import torch  # noqa: F401
except ImportError:
    torch = None

import pytest

from keras.src.backend import backend


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "requires_trainable_backend: mark test for trainable backend only",
    )


def pytest_collection_modifyitems(config, items):
    requires_trainable_backend = pytest.mark.skipif(
        backend() in ["numpy", "openvino"],
        reason="Trainer not implemented for NumPy and OpenVINO backend.",
    )
    for item in items:
        if "requires_trainable_backend" in item.keywords:
            item.add_marker(requires_trainable_backend)
"""
# [tool.pytest.ini_options] of Keras' pyproject.toml.
PYTEST_INI = """\
[pytest]
filterwarnings =
    error
    ignore::DeprecationWarning
    ignore::ImportWarning
    ignore::RuntimeWarning
    ignore::PendingDeprecationWarning
    ignore::FutureWarning
    ignore::UserWarning
    ignore:Custom mask layers require a config
"""


def run(command, **kwargs):
    print("+", " ".join(str(part) for part in command), flush=True)
    return subprocess.run(command, **kwargs).returncode


def keras_dir(python):
    """The installed `keras` package of `python`, found without importing."""
    return subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u; "
            "print(list(u.find_spec('keras').submodule_search_locations)[0])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def patched_copy(python, directory, patch_text=None):
    """Copies `python`'s installed Keras into `directory` and patches it.

    Args:
        python: The Python whose installed Keras to copy.
        directory: Where to put the copy (`directory/keras`).
        patch_text: The patch to apply; defaults to `make_patch.PATCH`.
    """
    shutil.copytree(
        keras_dir(python),
        pathlib.Path(directory, "keras"),
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    # The wheel has keras/api/optimizers/ at keras/optimizers/.
    wheel_layout = re.sub(
        r" ([ab])/keras/api/", r" \1/keras/", patch_text or make_patch.patch_text()
    )
    patch = pathlib.Path(directory, "lookahead.patch")
    patch.write_text(wheel_layout, encoding="utf-8")
    if run(["git", "apply", "-p1", str(patch.name)], cwd=directory) != 0:
        raise SystemExit(f"the patch does not apply to {keras_dir(python)}")
    pathlib.Path(directory, "conftest.py").write_text(CONFTEST)
    pathlib.Path(directory, "pytest.ini").write_text(PYTEST_INI)


def has_tensorflow(python):
    return (
        subprocess.run(
            [
                str(python),
                "-c",
                "import importlib.util as u, sys; "
                "sys.exit(u.find_spec('tensorflow') is None)",
            ],
        ).returncode
        == 0
    )


def test_backend(backend, python):
    with tempfile.TemporaryDirectory() as directory:
        patched_copy(python, directory)
        tests = TESTS + (TENSORFLOW_TESTS if has_tensorflow(python) else [])
        start = time.monotonic()
        status = run(
            [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
            cwd=directory,
            env={**os.environ, "KERAS_BACKEND": backend},
        )
        print(f"{backend}: exit {status} in {time.monotonic() - start:.0f} s")
        return status


def check_against_checkout(checkout, ruff):
    status = run(["git", "apply", "--check", str(make_patch.PATCH)], cwd=checkout)
    if ruff is None or status != 0:
        return status
    with tempfile.TemporaryDirectory() as directory:
        make_patch.git("clone", "--quiet", "--shared", checkout, directory)
        make_patch.git("am", "--quiet", str(make_patch.PATCH), cwd=directory)
        files = make_patch.git("diff", "--name-only", "HEAD~1", cwd=directory).split()
        config = ["--config", "pyproject.toml"]
        status |= run([ruff, "check", *config, *files], cwd=directory)
        status |= run([ruff, "format", "--check", *config, *files], cwd=directory)
    return status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--backend",
        action="append",
        default=[],
        metavar="NAME[=PYTHON]",
        help="Backend to test, with the Python that has it (repeatable); "
        "default: tensorflow, jax and torch with the project's venvs.",
    )
    parser.add_argument("--keras-checkout", help="A keras-team/keras clone.")
    parser.add_argument("--ruff", help="A ruff executable (Keras pins 0.9.2).")
    args = parser.parse_args(argv)
    backends = {}
    pythons = {**DEFAULT_PYTHONS, **OPTIONAL_PYTHONS}
    default = list(DEFAULT_PYTHONS) + [
        name for name, python in OPTIONAL_PYTHONS.items() if python.exists()
    ]
    for item in args.backend or default:
        name, _, python = item.partition("=")
        backends[name] = pathlib.Path(python) if python else pythons[name]
    for name in sorted(set(OPTIONAL_PYTHONS) - set(default)):
        if not args.backend:
            print(f"{name}: not tested ({OPTIONAL_PYTHONS[name]} does not exist)")
    failures = [name for name, python in backends.items() if test_backend(name, python)]
    if args.keras_checkout:
        if check_against_checkout(args.keras_checkout, args.ruff):
            failures.append("keras checkout (git apply --check / ruff)")
    print("FAILED: " + ", ".join(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
