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
# Regenerates benchmarks/results/table.md: benchmarks/overhead_benchmark.py on
# each Keras backend in its environment (.venv, .venv-jax, .venv-torch), the k sweep on
# TensorFlow, tensorflow-addons' Lookahead in .venv-tfa (TensorFlow 2.15,
# created here), the memory benchmark, then make_table.py.
# Run on an otherwise idle machine.
# RUNS="tensorflow jax torch tfa" picks the runs (default: all of them).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "${repo}/tools/setup_env.sh" > /dev/null
results="${repo}/benchmarks/results"
mkdir -p "${results}"
export TF_CPP_MIN_LOG_LEVEL=3
cd "${repo}/benchmarks"
runs=" ${RUNS:-tensorflow jax torch tfa} "

if [[ "${runs}" == *" tensorflow "* ]]; then
  "${repo}/.venv/bin/python" overhead_benchmark.py \
    --output "${results}/tensorflow.json"
  "${repo}/.venv/bin/python" overhead_benchmark.py --workloads wide_mlp \
    --modes graph,compiled --sync-periods 1,20 \
    --output "${results}/tensorflow_k.json"
  "${repo}/.venv/bin/python" memory_benchmark.py > "${results}/memory_ours.txt"
fi
for backend in jax torch; do
  if [[ "${runs}" == *" ${backend} "* ]]; then
    KERAS_BACKEND="${backend}" "${repo}/.venv-${backend}/bin/python" \
      overhead_benchmark.py --output "${results}/${backend}.json"
  fi
done
if [[ "${runs}" == *" tfa "* ]]; then
  tfa_venv="${repo}/.venv-tfa"
  if [[ ! -x "${tfa_venv}/bin/python" ]]; then
    python3 -m venv "${tfa_venv}"
    "${tfa_venv}/bin/python" -m pip install --quiet \
      tensorflow-cpu==2.15.1 tensorflow-addons==0.23.0
  fi
  "${tfa_venv}/bin/python" overhead_benchmark.py --implementation tfa \
    --output "${results}/tfa.json"
  "${tfa_venv}/bin/python" memory_benchmark.py --implementation tfa \
    > "${results}/memory_tfa.txt"
fi

json=()
for name in tensorflow tensorflow_k jax torch tfa; do
  [[ -f "${results}/${name}.json" ]] && json+=("${results}/${name}.json")
done
"${repo}/.venv/bin/python" make_table.py "${json[@]}" > "${results}/table.md"
cat "${results}"/memory_*.txt >> "${results}/table.md" 2> /dev/null || true
cat "${results}/table.md"
