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
# Regenerates the README's performance table: this package in .venv and
# tensorflow-addons' Lookahead in .venv-tfa (TensorFlow 2.15, created here),
# then benchmarks/results/table.md. Run on an otherwise idle machine.
# Set SKIP_TFA=1 to measure this package only.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "${repo}/tools/setup_env.sh" > /dev/null
results="${repo}/benchmarks/results"
mkdir -p "${results}"
export TF_CPP_MIN_LOG_LEVEL=3
cd "${repo}/benchmarks"

"${repo}/.venv/bin/python" overhead_benchmark.py --output "${results}/ours.json"
"${repo}/.venv/bin/python" overhead_benchmark.py --workloads wide_mlp \
  --modes graph,xla --sync-periods 1,20 --output "${results}/ours_k.json"
"${repo}/.venv/bin/python" memory_benchmark.py > "${results}/memory_ours.txt"
"${repo}/.venv/bin/python" first_step_profile.py > "${results}/first_step.txt"
"${repo}/.venv/bin/python" sync_cost.py > "${results}/sync_cost.txt"
"${repo}/.venv/bin/python" sync_cost.py --workload small_mlp \
  >> "${results}/sync_cost.txt"

if [[ "${SKIP_TFA:-0}" != "1" ]]; then
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

"${repo}/.venv/bin/python" make_table.py "${results}"/*.json \
  > "${results}/table.md"
cat "${results}"/memory_*.txt >> "${results}/table.md"
printf '\nFirst step, split (benchmarks/first_step_profile.py):\n\n' >> "${results}/table.md"
cat "${results}/first_step.txt" >> "${results}/table.md"
printf '\nWhat the steps cost (benchmarks/sync_cost.py):\n\n' >> "${results}/table.md"
cat "${results}/sync_cost.txt" >> "${results}/table.md"
cat "${results}/table.md"
