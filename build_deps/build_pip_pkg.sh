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
# Writes a py3-none-any wheel of tensorflow_lookahead into the directory given.
# Usage: bazel run //:build_pip_pkg -- <output dir>
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: bazel run //:build_pip_pkg -- <output dir>" >&2
  exit 2
fi
output_dir="$1"
if [[ -n "${BUILD_WORKING_DIRECTORY:-}" && "${output_dir}" != /* ]]; then
  output_dir="${BUILD_WORKING_DIRECTORY}/${output_dir}"
fi
mkdir -p "${output_dir}"
output_dir="$(cd "${output_dir}" && pwd)"

# The sources: Bazel's runfiles tree, or BUILD_PIP_PKG_SOURCE_ROOT (a checkout).
runfiles="${BUILD_PIP_PKG_SOURCE_ROOT:-${RUNFILES_DIR:-$0.runfiles}/tensorflow_lookahead}"
staging="$(mktemp -d)"
trap 'rm -rf "${staging}"' EXIT
cp "${runfiles}"/{setup.py,README.md,LICENSE,requirements.txt} "${staging}/"
(cd "${runfiles}" && find -L tensorflow_lookahead -name '*.py' \
  -exec cp --parents {} "${staging}/" \;)

python="${PYTHON_BIN_PATH:-}"
if [[ -z "${python}" && -x "${BUILD_WORKSPACE_DIRECTORY:-}/.venv/bin/python" ]]; then
  python="${BUILD_WORKSPACE_DIRECTORY}/.venv/bin/python"
fi
python="${python:-python3}"
(cd "${staging}" && "${python}" -m pip wheel --quiet --no-deps \
  --no-build-isolation --wheel-dir "${output_dir}" .)
echo "Wrote $(ls "${output_dir}"/tensorflow_lookahead-*.whl)"
