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
"""Configures the Bazel build of tensorflow_lookahead (non-interactive).

Checks the Python interpreter and its TensorFlow and Keras versions against the
supported range, then writes a git-ignored `.bazelrc` that makes Bazel build and
test with that interpreter. Run it again whenever the interpreter changes.

Usage: python3 configure.py [--python PATH] [--output .bazelrc]

The interpreter is the first of: --python, $PYTHON_BIN_PATH, the repository's
.venv/bin/python, and the interpreter running this script, that has TensorFlow.
"""

import argparse
import json
import os
import subprocess
import sys

MINIMUM_PYTHON = (3, 9)
MINIMUM_TENSORFLOW = (2, 16)
REQUIRED_KERAS_MAJOR = 3
REPOSITORY = os.path.dirname(os.path.abspath(__file__))
PROBE = (
    "import json, sys, tensorflow as tf, keras; "
    "print(json.dumps({'python': list(sys.version_info[:3]), "
    "'tensorflow': tf.__version__, 'keras': keras.__version__}))"
)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--python", help="the Python interpreter to build with")
    parser.add_argument(
        "--output",
        default=os.path.join(REPOSITORY, ".bazelrc"),
        help="where to write the Bazel configuration (default: .bazelrc)",
    )
    return parser.parse_args(argv)


def candidate_interpreters(requested):
    candidates = [
        requested,
        os.environ.get("PYTHON_BIN_PATH"),
        os.path.join(REPOSITORY, ".venv", "bin", "python"),
        sys.executable,
    ]
    return [path for path in candidates if path and os.path.exists(path)]


def probe(interpreter):
    """The versions an interpreter reports, or None if it lacks TensorFlow."""
    result = subprocess.run(
        [interpreter, "-c", PROBE],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if result.returncode != 0:
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def version_tuple(version):
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def check_versions(interpreter, versions):
    """Raises SystemExit naming the found and the required versions."""
    problems = []
    if tuple(versions["python"][:2]) < MINIMUM_PYTHON:
        problems.append(
            f"Python {'.'.join(map(str, versions['python']))} found, "
            f">= {'.'.join(map(str, MINIMUM_PYTHON))} required"
        )
    if version_tuple(versions["tensorflow"]) < MINIMUM_TENSORFLOW:
        problems.append(
            f"TensorFlow {versions['tensorflow']} found, "
            f">= {'.'.join(map(str, MINIMUM_TENSORFLOW))} required"
        )
    if version_tuple(versions["keras"])[0] != REQUIRED_KERAS_MAJOR:
        problems.append(
            f"Keras {versions['keras']} found, Keras {REQUIRED_KERAS_MAJOR}.x required"
        )
    if problems:
        raise SystemExit(f"configure.py: {interpreter}: " + "; ".join(problems))


def bazelrc_lines(interpreter):
    interpreter = os.path.abspath(interpreter)
    path = os.pathsep.join([os.path.dirname(interpreter), "/usr/bin", "/bin"])
    return [
        "# Written by configure.py; do not edit (run it again instead).",
        # Read by tensorflow_lookahead_dependencies() (build_deps/repositories.bzl),
        # which registers a Python toolchain for this interpreter.
        f"build --repo_env=PYTHON_BIN_PATH={interpreter}",
        f"test --test_env=PATH={path}",
        "test --test_env=TF_CPP_MIN_LOG_LEVEL=3",
        "test --test_output=errors",
        "test --test_summary=terse",
        "test --local_test_jobs=2",
    ]


def main(argv):
    arguments = parse_arguments(argv)
    checked = []
    for interpreter in candidate_interpreters(arguments.python):
        versions = probe(interpreter)
        checked.append(interpreter)
        if versions is not None:
            break
    else:
        raise SystemExit(
            "configure.py: no interpreter with TensorFlow found (tried "
            f"{', '.join(checked) or 'none'}); install tensorflow>=2.16 or pass "
            "--python."
        )
    check_versions(interpreter, versions)
    lines = bazelrc_lines(interpreter)
    with open(arguments.output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print(
        f"Python {'.'.join(map(str, versions['python']))}, TensorFlow "
        f"{versions['tensorflow']}, Keras {versions['keras']} at {interpreter}"
    )
    print(f"Wrote {arguments.output}:")
    print("\n".join(f"  {line}" for line in lines))


if __name__ == "__main__":
    main(sys.argv[1:])
