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
"""The wheel of build_pip_pkg: its files, its metadata, and that it installs.

build_pip_pkg stages the package from the tree it lies in: under pytest this
checkout, under `bazel test` the runfiles, i.e. the files the BUILD files
declare; there the comparison with the setup.py wheel of the checkout checks
the BUILD files (`bazel test //tests:wheel_test --test_filter=setup_py`).
`test_bazel_packages_cover_every_module` checks them statically.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
import tensorflow as tf

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
# Not resolved: under Bazel, the runfiles tree (what BUILD declares).
SOURCE_ROOT = pathlib.Path(os.path.abspath(__file__)).parent.parent
BUILD_SCRIPT = SOURCE_ROOT / "build_deps" / "build_pip_pkg.py"
PACKAGE = "tensorflow_lookahead"
PACKAGING_FILES = ["setup.py", "README.md", "LICENSE", "requirements.txt"]


def run(command, **kwargs):
    return subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=900, **kwargs
    )


def build_pip_pkg(output):
    run([sys.executable, str(BUILD_SCRIPT), str(output)])
    (path,) = output.glob("tensorflow_lookahead-*.whl")
    return path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_pip_pkg(tmp_path_factory.mktemp("wheel"))


def test_wheel_is_pure_python_without_tests(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tensorflow_lookahead/optimizers/lookahead.py" in names
    assert not [name for name in names if name.endswith("_test.py")]
    assert not [name for name in names if name.startswith("tests/")]
    # Only the package: the demo (demo/) and other directories stay out.
    assert {name.split("/")[0] for name in names} == {
        PACKAGE,
        wheel.name.split("-py3")[0] + ".dist-info",
    }


def test_wheel_is_byte_reproducible(wheel, tmp_path):
    # Another staging directory, another time: the same bytes.
    again = build_pip_pkg(tmp_path)
    assert again.name == wheel.name
    first, second = zipfile.ZipFile(wheel), zipfile.ZipFile(again)
    assert [(i.filename, i.date_time, i.external_attr) for i in first.infolist()] == [
        (i.filename, i.date_time, i.external_attr) for i in second.infolist()
    ]
    assert [n for n in first.namelist() if first.read(n) != second.read(n)] == []
    assert again.read_bytes() == wheel.read_bytes()


def test_wheel_holds_the_files_of_the_setup_py_wheel(wheel, tmp_path):
    # The setup.py wheel of the checkout (under Bazel too: the real files
    # behind the runfiles), built from a copy to keep the checkout clean.
    source = tmp_path / "source"
    shutil.copytree(
        REPOSITORY / PACKAGE,
        source / PACKAGE,
        ignore=shutil.ignore_patterns("__pycache__", "BUILD"),
    )
    for name in PACKAGING_FILES:
        shutil.copyfile(REPOSITORY / name, source / name)
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
        + ["--no-build-isolation", "--wheel-dir", str(tmp_path / "out"), str(source)]
    )
    (setup_py_wheel,) = (tmp_path / "out").glob("tensorflow_lookahead-*.whl")
    assert sorted(zipfile.ZipFile(wheel).namelist()) == sorted(
        zipfile.ZipFile(setup_py_wheel).namelist()
    )


@pytest.mark.skipif(
    "TEST_SRCDIR" in os.environ, reason="reads the BUILD files of the checkout"
)
def test_bazel_packages_cover_every_module():
    """Every module is in //tensorflow_lookahead: the Bazel wheel has them all.

    A module belongs to the nearest directory above it with a BUILD file; that
    package's glob must reach it, and the package must be //tensorflow_lookahead
    or one of its deps.
    """
    package_root = REPOSITORY / PACKAGE
    top_build = (package_root / "BUILD").read_text()
    listed = set(re.findall(r'"//(tensorflow_lookahead/[\w/]+)"', top_build))
    problems = []
    for module in sorted(package_root.rglob("*.py")):
        owner = module.parent
        while not (owner / "BUILD").exists():
            owner = owner.parent
        relative = owner.relative_to(REPOSITORY).as_posix()
        if module.parent != owner and '"**/*.py"' not in (owner / "BUILD").read_text():
            problems.append(f"{module}: {relative}/BUILD does not glob **/*.py")
        if owner != package_root and relative not in listed:
            problems.append(f"{module}: //{relative} is not in the deps of //{PACKAGE}")
    assert not problems, "\n".join(problems)


def listed_requirements(path):
    return [
        line.strip()
        for line in (REPOSITORY / path).read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_wheel_metadata_names_requirements(wheel):
    """Keras and typeguard always; TensorFlow, JAX, torch only as extras."""
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    text = archive.read(metadata).decode()
    requirements = {}
    for line in text.splitlines():
        if line.startswith("Requires-Dist:"):
            requirement, _, marker = line.split(":", 1)[1].partition(";")
            extra = marker.split("==")[-1].strip().strip('"') if marker else None
            requirements.setdefault(extra, []).append(requirement.strip())
    assert sorted(requirements[None]) == ["keras>=3.0", "typeguard>=4.0.0"]
    assert not any("tensorflow" in r for r in requirements[None])
    assert sorted(requirements["tensorflow"]) == sorted(
        listed_requirements("requirements.txt")
    )
    # The demo is not in the wheel, nor are its requirements.
    assert set(requirements) == {None, "jax", "tensorflow", "torch"}
    assert "License: Apache 2.0" in text


def test_wheel_installs_and_imports_in_fresh_venv(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = str(venv / "bin" / "python")
    # The CPU wheel of the TensorFlow running this test, from the registry; it
    # provides the `tensorflow` module but not the `tensorflow` distribution.
    run(
        [python, "-m", "pip", "install", "--quiet"]
        + [f"tensorflow-cpu=={tf.__version__}", "typeguard>=4"]
    )
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)])
    result = run(
        [
            python,
            "-c",
            "import tensorflow_lookahead as t, keras; "
            "o = t.Lookahead('adam'); "
            "print(t.__version__, type(keras.optimizers.deserialize("
            "keras.optimizers.serialize(o))).__name__)",
        ],
        cwd=tmp_path,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.stdout.split()[-1] == "Lookahead"


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_wheel_trains_on_another_backend_without_tensorflow(wheel, tmp_path, backend):
    """In the environment of tools/setup_env.sh that has no TensorFlow."""
    python = REPOSITORY / f".venv-{backend}" / "bin" / "python"
    if not python.exists():
        pytest.skip(f"no .venv-{backend} (made by tools/setup_env.sh)")
    target = tmp_path / "site"
    run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps"]
        + ["--target", str(target), str(wheel)]
    )
    result = run(
        [
            str(python),
            "-c",
            "import sys, keras, numpy as np; "
            "from tensorflow_lookahead import Lookahead; "
            "w = keras.Variable([1.0]); "
            "o = Lookahead(keras.optimizers.SGD(0.1), sync_period=2); "
            "[o.apply([keras.ops.ones((1,))], [w]) for _ in range(2)]; "
            "print(keras.backend.backend(), 'tensorflow' in sys.modules, "
            "round(float(w.numpy()[0]), 5))",
        ],
        cwd=tmp_path,
        env={**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(target)},
    )
    assert result.stdout.split()[-3:] == [backend, "False", "0.9"]


def test_module_bazel_names_the_package_version(wheel):
    module = (REPOSITORY / "MODULE.bazel").read_text()
    (version,) = re.findall(r'^    version = "([^"]+)",$', module, flags=re.M)
    assert wheel.name.startswith(f"tensorflow_lookahead-{version}-")
