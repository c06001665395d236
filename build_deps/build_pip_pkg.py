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
"""Writes the py3-none-any wheel of tensorflow_lookahead into a directory.

Usage: bazel run //:build_pip_pkg -- <output dir>
       (from another workspace: bazel run @tensorflow_lookahead//:build_pip_pkg)
   or: python build_deps/build_pip_pkg.py <output dir>    (from a checkout)

The sources are the repository this script lies in: under `bazel run` its
runfiles, that is the files Bazel declares for `//tensorflow_lookahead`. They
are staged with setup.py and built with `pip wheel` (no build isolation, so the
interpreter needs setuptools and wheel). The wheel is byte-reproducible: zip
entries are sorted and dated SOURCE_DATE_EPOCH (default 1980-01-01), files
are staged with fixed permissions.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "tensorflow_lookahead"
PACKAGING_FILES = ["setup.py", "README.md", "LICENSE", "requirements.txt"]
# 1980-01-01T00:00:00Z, the earliest date a zip file can hold.
DEFAULT_SOURCE_DATE_EPOCH = "315532800"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output_dir", help="where to write the wheel")
    return parser.parse_args(argv)


def package_sources(source_root):
    """The package's modules (tests excluded), relative to source_root."""
    sources = []
    for directory, subdirectories, files in os.walk(
        os.path.join(source_root, PACKAGE), followlinks=True
    ):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py") and not name.endswith("_test.py"):
                path = os.path.join(directory, name)
                sources.append(os.path.relpath(path, source_root))
    return sources


def stage(source_root, staging):
    for relative in PACKAGING_FILES + package_sources(source_root):
        target = os.path.join(staging, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(source_root, relative), target)
        os.chmod(target, 0o644)


def build_wheel(staging, output_dir):
    environment = dict(os.environ)
    environment.setdefault("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
        + ["--no-build-isolation", "--wheel-dir", output_dir, staging],
        check=True,
        env=environment,
    )


def main(argv):
    arguments = parse_arguments(argv)
    output_dir = os.path.join(
        os.environ.get("BUILD_WORKING_DIRECTORY", os.getcwd()), arguments.output_dir
    )
    os.makedirs(output_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as staging:
        stage(SOURCE_ROOT, staging)
        build_wheel(staging, output_dir)
    for name in sorted(os.listdir(output_dir)):
        if name.startswith(PACKAGE + "-") and name.endswith(".whl"):
            print(f"Wrote {os.path.join(os.path.abspath(output_dir), name)}")


if __name__ == "__main__":
    main(sys.argv[1:])
