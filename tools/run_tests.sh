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
# Command 2 of the README: sets up the environment and runs every test once:
# lint gates; pytest (tests and doctests, in parallel) on Keras 3 with
# TensorFlow, on tf_keras (TF_USE_LEGACY_KERAS=1), and the backend-neutral
# suites on JAX and on PyTorch (venvs without TensorFlow); then Bazel builds
# every target and tests the wheel and a consumer workspace.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "${repo}/tools/setup_env.sh" all
cd "${repo}"
venv="${repo}/.venv"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"

echo "==> flake8"
"${venv}/bin/flake8" .
echo "==> black --check"
"${venv}/bin/black" --check --quiet .
echo "==> buildifier (BUILD, WORKSPACE, .bzl)"
find . \( -path ./.git -o -path ./.venv -o -path ./.venv-tfa -o -path ./.tools \
  -o -name 'bazel-*' \) -prune -o \( -name BUILD -o -name WORKSPACE \
  -o -name MODULE.bazel -o -name '*.bzl' \) -print0 \
  | xargs -0 "${repo}/.tools/node_modules/.bin/buildifier" -lint=warn -mode=check

echo "==> pytest: Keras 3 on TensorFlow"
"${venv}/bin/python" -m pytest -n auto -q -p no:cacheprovider

echo "==> pytest: tf_keras (Keras 2, TF_USE_LEGACY_KERAS=1)"
TF_USE_LEGACY_KERAS=1 "${venv}/bin/python" -m pytest -n auto -q \
  -p no:cacheprovider tests/tf_keras tensorflow_lookahead/tf_keras \
  tensorflow_lookahead/utils/keras_version.py

for backend in jax torch; do
  echo "==> pytest: backend-neutral suites on ${backend} (no TensorFlow)"
  KERAS_BACKEND="${backend}" "${repo}/.venv-${backend}/bin/python" -m pytest \
    -n auto -q -p no:cacheprovider tests/backend_neutral tensorflow_lookahead
done

echo "==> the Keras patch: Keras' own lookahead_test.py on each backend"
"${venv}/bin/python" upstream/check_patch.py

echo "==> bazel"
if ! command -v bazel > /dev/null; then
  echo "bazel not found; installing Debian's bazel-bootstrap"
  apt-get update -qq && apt-get install -y -qq bazel-bootstrap > /dev/null
fi
# pytest above ran every test. Bazel builds every target (each py_test too:
# `bazel test //tests/...` runs them by hand) and tests what pytest cannot:
# that the wheel of the files the BUILD files declare holds what the setup.py
# wheel holds and is reproducible, and that a workspace depending on this one
# tests offline and builds the same wheel, byte for byte.
bazel build //...
bazel test --test_filter="reproducible or setup_py" //tests:wheel_test
bazel run //:build_pip_pkg -- "${repo}/artifacts" > /dev/null
consumer_wheel="$(mktemp -d)"
(
  cd examples/bazel_consumer
  bazel test //...
  bazel run @tensorflow_lookahead//:build_pip_pkg -- "${consumer_wheel}" > /dev/null
  bazel shutdown
)
wheel="$(cd "${consumer_wheel}" && ls tensorflow_lookahead-*.whl)"
cmp "${consumer_wheel}/${wheel}" "${repo}/artifacts/${wheel}"
rm -rf "${consumer_wheel}"
echo "==> all tests passed"
