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
# Regenerates the README's backends table: Lookahead(Adam) against Adam on
# each Keras backend (benchmarks/backend_overhead.py, eager and compiled, on
# wide_mlp and small_mlp at k = 5; on JAX also optax.lookahead against
# optax.adam), the compiled step's census (backend_step_census.py and, for
# TensorFlow, xla_hlo_census.py), on JAX the sync written as where-masks
# against lax.cond (jax_sync_formulations.py), then
# benchmarks/results/backends.md.
# Run on an otherwise idle machine. Interpreters, one per backend:
#   TF_PYTHON (default .venv), JAX_PYTHON (/work/venv-jax),
#   TORCH_PYTHON (/work/venv-torch); BACKENDS="jax torch tensorflow" picks.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="${repo}/benchmarks/results"
mkdir -p "${results}"
export TF_CPP_MIN_LOG_LEVEL=3
cd "${repo}/benchmarks"

declare -A python=(
  [tensorflow]="${TF_PYTHON:-${repo}/.venv/bin/python}"
  [jax]="${JAX_PYTHON:-/work/venv-jax/bin/python}"
  [torch]="${TORCH_PYTHON:-/work/venv-torch/bin/python}"
)
census="${results}/backends_census.txt"
: > "${census}"
for backend in ${BACKENDS:-jax torch tensorflow}; do
  KERAS_BACKEND="${backend}" "${python[${backend}]}" backend_overhead.py \
    --output "${results}/backends_${backend}.json"
  if [[ "${backend}" == "tensorflow" ]]; then
    "${python[${backend}]}" xla_hlo_census.py >> "${census}"
  else
    KERAS_BACKEND="${backend}" "${python[${backend}]}" backend_step_census.py \
      >> "${census}"
  fi
done

formulations="${results}/jax_sync_formulations.txt"
if [[ " ${BACKENDS:-jax} " == *" jax "* ]]; then
  KERAS_BACKEND=jax "${python[jax]}" jax_sync_formulations.py > "${formulations}"
fi

"${python[jax]}" make_table.py "${results}"/backends_*.json > "${results}/backends.md"
printf '\nCompiled wide_mlp step (backend_step_census.py, xla_hlo_census.py):\n\n' \
  >> "${results}/backends.md"
cat "${census}" >> "${results}/backends.md"
if [[ -s "${formulations}" ]]; then
  printf '\nJAX sync formulations (jax_sync_formulations.py):\n\n' \
    >> "${results}/backends.md"
  cat "${formulations}" >> "${results}/backends.md"
fi
cat "${results}/backends.md"
