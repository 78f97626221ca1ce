#!/usr/bin/env bash
# Thin wrapper kept for old command lines: the EQ-Bench3 bridge is `perm eqbench3` now
# (src/perm/evaluate/eqbench_run.py), which also works from an installed wheel.
#
#   scripts/eqbench3_bridge.sh run ...      ==  perm eqbench3 run ...
#   scripts/eqbench3_bridge.sh convert ...  ==  perm eqbench3 convert ...
#
# PERM_PYTHON picks the Python that has perm installed (default: the repo's .venv, else python3).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PERM_PY="${PERM_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PERM_PY" ] || PERM_PY=python3
exec "$PERM_PY" -m perm.cli eqbench3 "$@"
