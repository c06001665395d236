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
# Sets up the development environment. `setup_env.sh tensorflow` (the demo's)
# makes .venv only: TensorFlow CPU, tf-keras, dev and demo dependencies, this
# package in editable mode. `setup_env.sh` (or `setup_env.sh all`, the
# tests') adds .venv-jax and .venv-torch (Keras 3 on JAX or PyTorch, no
# TensorFlow: the backend-neutral tests), Bazel's .bazelrc and buildifier.
# Idempotent: pip runs again only when an install list changes.
set -euo pipefail

what="${1:-all}"
if [[ "${what}" != "tensorflow" && "${what}" != "all" ]]; then
  echo "usage: setup_env.sh [tensorflow|all] (default: all); received: ${what}" >&2
  exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${repo}"
venv="${repo}/.venv"
python_bin="${PYTHON:-python3}"

if [[ ! -x "${venv}/bin/python" ]]; then
  echo "==> creating ${venv}"
  "${python_bin}" -m venv "${venv}"
fi

stamp="${venv}/.tensorflow_lookahead-deps"
wanted="$(cat requirements.txt tools/install_deps/*.txt setup.py | sha256sum | cut -c1-64)"
if [[ "$(cat "${stamp}" 2>/dev/null)" != "${wanted}" ]]; then
  echo "==> installing dependencies into ${venv}"
  "${venv}/bin/python" -m pip install --quiet --upgrade pip
  # tensorflow-cpu provides the `tensorflow` module but not the `tensorflow`
  # distribution that requirements.txt names, so the package itself is
  # installed without resolving its dependencies again.
  "${venv}/bin/python" -m pip install --quiet \
    -r tools/install_deps/tensorflow-cpu.txt \
    -r tools/install_deps/dev.txt \
    -r tools/install_deps/demo.txt
  "${venv}/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
  "${venv}/bin/python" -m pip install --quiet --no-deps \
    -r tools/install_deps/tf-keras.txt
  echo "${wanted}" > "${stamp}"
else
  echo "==> dependencies up to date in ${venv}"
fi

if [[ "${what}" == "tensorflow" ]]; then
  exit 0
fi

# One venv per other Keras backend, without TensorFlow.
for backend in jax torch; do
  backend_venv="${repo}/.venv-${backend}"
  if [[ ! -x "${backend_venv}/bin/python" ]]; then
    echo "==> creating ${backend_venv}"
    "${python_bin}" -m venv "${backend_venv}"
  fi
  backend_stamp="${backend_venv}/.tensorflow_lookahead-deps"
  backend_wanted="$(cat "tools/install_deps/${backend}.txt" \
    tools/install_deps/backend-tests.txt setup.py | sha256sum | cut -c1-64)"
  if [[ "$(cat "${backend_stamp}" 2>/dev/null)" != "${backend_wanted}" ]]; then
    echo "==> installing dependencies into ${backend_venv}"
    # The CPU-only torch wheel lies in /opt/wheels on these machines.
    find_links=()
    if [[ -d /opt/wheels ]]; then
      find_links=(--find-links /opt/wheels)
    fi
    "${backend_venv}/bin/python" -m pip install --quiet "${find_links[@]}" \
      -r "tools/install_deps/${backend}.txt" \
      -r tools/install_deps/backend-tests.txt
    "${backend_venv}/bin/python" -m pip install --quiet --no-deps \
      --no-build-isolation -e .
    echo "${backend_wanted}" > "${backend_stamp}"
  else
    echo "==> dependencies up to date in ${backend_venv}"
  fi
done

"${venv}/bin/python" configure.py > /dev/null
echo "==> configured Bazel (.bazelrc) for ${venv}/bin/python"

# --- buildifier (lint of BUILD, WORKSPACE and .bzl files) -------------------
# From npm (the registry is reachable; GitHub is not) into the git-ignored .tools/.
buildifier_version="8.2.1"
buildifier="${repo}/.tools/node_modules/.bin/buildifier"
if ! "${buildifier}" --version 2> /dev/null | grep -q "version: ${buildifier_version}"; then
  echo "==> installing buildifier ${buildifier_version} into .tools/"
  if ! command -v npm > /dev/null; then
    echo "npm not found; installing Debian's npm"
    apt-get update -qq && apt-get install -y -qq npm > /dev/null
  fi
  npm install --prefix "${repo}/.tools" --no-audit --no-fund --silent \
    "@bazel/buildifier@${buildifier_version}"
fi
# --- end buildifier ------------------------------------------------------------
