#!/usr/bin/env bash
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
# Command 2 of the README: sets up the environment and runs every test:
# lint gates, pytest (tests and doctests, in parallel), then `bazel test //...`.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "${repo}/tools/setup_env.sh"
cd "${repo}"
venv="${repo}/.venv"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"

echo "==> flake8"
"${venv}/bin/flake8" .
echo "==> black --check"
"${venv}/bin/black" --check --quiet .

echo "==> pytest"
"${venv}/bin/python" -m pytest -n auto -q -p no:cacheprovider

echo "==> bazel test //..."
if ! command -v bazel > /dev/null; then
  echo "bazel not found; installing Debian's bazel-bootstrap"
  apt-get update -qq && apt-get install -y -qq bazel-bootstrap > /dev/null
fi
bazel test //...
bazel run //:build_pip_pkg -- "${repo}/artifacts" > /dev/null
echo "==> all tests passed"
