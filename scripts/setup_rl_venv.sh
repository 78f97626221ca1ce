#!/usr/bin/env bash
# A throwaway venv with verl and OpenRLHF (CPU only) for tests/integrations/test_rl_engines.py,
# which calls their real reward-loading and remote-RM client code against perm's adapters.
# Never install these into the project's own .venv: they pin their own torch/transformers.
#
#   bash scripts/setup_rl_venv.sh [DIR]     # default: $PERM_RL_VENV or /tmp/perm-rlvenv
#   (scripts/setup.sh builds it as .venv-rl/ in the repo, where the tests look first)
#   PERM_RL_VENV=DIR .venv/bin/python -m pytest tests/integrations -m integration
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-${PERM_RL_VENV:-/tmp/perm-rlvenv}}"
python3 -m venv "$venv"
pip=("$venv/bin/pip" install -q -c "$here/constraints.txt")
"${pip[@]}" torch==2.13.0                     # the CPU build; a bare `torch` would pull CUDA
# Engines without their GPU dependencies (vllm, flash-attn, deepspeed...): only the modules
# whose reward code we call must import.
"${pip[@]}" --no-deps verl==0.9.1 openrlhf==0.11.2
"${pip[@]}" --no-deps --target "$venv/openrlhf-0.9.0" openrlhf==0.9.0   # last --remote_rm_url release
"${pip[@]}" "numpy>=2" "transformers>=5.5.3,<5.11,!=5.6.0" "tensordict>=0.8.0,<=0.10.0,!=0.9.0" \
  ray omegaconf hydra-core codetiming pandas "pyarrow>=19" dill packaging sympy pylatexenc \
  aiohttp requests pydantic pyyaml click rich \
  pillow datasets fastapi uvicorn cachetools   # what verl's agent loop imports (multi-turn, docs/multiturn.md)
"$venv/bin/python" -c "import verl, verl.experimental.agent_loop, openrlhf.utils.agent; print('verl', verl.__version__, 'ok')"
