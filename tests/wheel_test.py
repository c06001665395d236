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
"""The wheel from build_pip_pkg installs into a fresh venv and imports there."""

import os
import pathlib
import subprocess
import sys
import zipfile

import pytest
import tensorflow as tf

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
BUILD_SCRIPT = REPOSITORY / "build_deps" / "build_pip_pkg.sh"


def run(command, **kwargs):
    return subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=900, **kwargs
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    output = tmp_path_factory.mktemp("wheel")
    run(
        ["bash", str(BUILD_SCRIPT), str(output)],
        env={
            **os.environ,
            "BUILD_PIP_PKG_SOURCE_ROOT": str(REPOSITORY),
            "PYTHON_BIN_PATH": sys.executable,
        },
    )
    (path,) = output.glob("tensorflow_lookahead-*.whl")
    return path


def test_wheel_is_pure_python_without_tests(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tensorflow_lookahead/optimizers/lookahead.py" in names
    assert not [name for name in names if name.endswith("_test.py")]
    assert not [name for name in names if name.startswith("tests/")]


def test_wheel_metadata_names_requirements(wheel):
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    text = archive.read(metadata).decode()
    requirements = [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    demo_extra = [
        line.split(":", 1)[1].split(";")[0].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:") and 'extra == "demo"' in line
    ]
    demo_list = [
        line.strip()
        for line in (REPOSITORY / "tools/install_deps/demo.txt")
        .read_text()
        .splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(demo_extra) == sorted(demo_list)
    expected = [
        line.strip()
        for line in (REPOSITORY / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(requirements) == sorted(expected)
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
