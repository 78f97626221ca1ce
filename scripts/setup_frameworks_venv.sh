#!/usr/bin/env bash
# A venv with the real inspect_ai and lm-evaluation-harness for tests/ext/test_frameworks.py,
# which runs small end-to-end evaluations with PERM as their scorer (perm.ext.inspect,
# perm.ext.lmeval). Kept apart from the project's .venv: installing them there would downgrade
# fsspec and python-dateutil. Neither needs torch. ~1 GB, ~2 min.
#
#   bash scripts/setup_frameworks_venv.sh [DIR]    # default: $PERM_FRAMEWORKS_VENV or .venv-frameworks
#   .venv/bin/python -m pytest tests/ext -m integration
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${1:-${PERM_FRAMEWORKS_VENV:-$here/.venv-frameworks}}"
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q)
"${pip[@]}" "inspect-ai==0.3.285" "lm-eval==0.4.13"
# perm itself comes from the checkout (the tests put src/ on PYTHONPATH); only its base deps here.
"${pip[@]}" "pydantic>=2.5" "click>=8.1" "aiohttp>=3.9" "rich>=13" "pyyaml>=6" "numpy>=1.24"
"$venv/bin/python" -c "import inspect_ai, lm_eval; print('inspect_ai + lm_eval', lm_eval.__version__, 'ok')"
