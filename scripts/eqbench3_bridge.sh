#!/usr/bin/env bash
# Bridge between perm-reward and the upstream EQ-Bench3 harness (github.com/EQ-bench/eqbench3).
#
#   scripts/eqbench3_bridge.sh run --harness DIR --judge-model MODEL (--base-url URL |
#        --serve vllm|llamacpp --model MODEL [--lora DIR]) [options] [-- extra eqbench3.py args]
#   scripts/eqbench3_bridge.sh convert SCENARIOS.txt [--notes NOTES.txt] -o OUT.jsonl
#
# `run` serves a policy (or uses a server you already run), points the harness at it and runs
# the rubric pass (ELO off unless --elo). The harness is not part of perm: clone it and install
# its requirements yourself (see docs/evaluation.md). `convert` turns EQ-Bench3's seeker-style
# scenarios into perm JSONL (python -m perm.evaluate.eqbench).
#
# Environment: JUDGE_API_URL (full .../chat/completions URL) and JUDGE_API_KEY for the
# harness's judge; PERM_POLICY_API_KEY for a policy endpoint that needs a key.
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "eqbench3_bridge: $*" >&2; exit 2; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PERM_PY="${PERM_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PERM_PY" ] || PERM_PY=python3

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
  convert) exec "$PERM_PY" -m perm.evaluate.eqbench "$@" ;;
  run) ;;
  -h|--help|help|"") usage 0 ;;
  *) echo "unknown command: $cmd" >&2; usage 2 ;;
esac

HARNESS="${EQBENCH3_DIR:-}"; HARNESS_PY=""; SERVE=none; MODEL=""; LORA=""; BASE_URL=""
PORT=""; NAME=policy; MODEL_NAME=""; JUDGE_MODEL=""; ITERATIONS=1; THREADS=4
RUNS_FILE=""; ELO=0; WAIT=600; LOG=""; CTX=8192; EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --harness) HARNESS="$2"; shift 2 ;;
    --python) HARNESS_PY="$2"; shift 2 ;;
    --serve) SERVE="$2"; shift 2 ;;
    --model) MODEL="$2"; shift 2 ;;
    --lora) LORA="$2"; shift 2 ;;
    --base-url) BASE_URL="${2%/}"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --served-name) NAME="$2"; shift 2 ;;
    --model-name) MODEL_NAME="$2"; shift 2 ;;
    --judge-model) JUDGE_MODEL="$2"; shift 2 ;;
    --iterations) ITERATIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --runs-file) RUNS_FILE="$2"; shift 2 ;;
    --ctx) CTX="$2"; shift 2 ;;
    --elo) ELO=1; shift ;;
    --wait) WAIT="$2"; shift 2 ;;
    --log) LOG="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done

[ -n "$HARNESS" ] || die "--harness DIR (or EQBENCH3_DIR) is required: a checkout of github.com/EQ-bench/eqbench3"
[ -f "$HARNESS/eqbench3.py" ] || die "$HARNESS/eqbench3.py not found: is --harness an EQ-Bench3 checkout?"
[ -n "$JUDGE_MODEL" ] || die "--judge-model is required (the harness's judge, e.g. anthropic/claude-3.7-sonnet)"
if [ -z "$HARNESS_PY" ]; then
  if [ -x "$HARNESS/.venv/bin/python" ]; then HARNESS_PY="$HARNESS/.venv/bin/python"; else HARNESS_PY=python3; fi
fi
[ -n "$PORT" ] || PORT="$("$PERM_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOG="${LOG:-${TMPDIR:-/tmp}/eqbench3-bridge-server-$PORT.log}"

SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

case "$SERVE" in
  none)
    [ -n "$BASE_URL" ] || die "give --base-url of a running OpenAI-compatible server, or --serve vllm|llamacpp"
    ;;
  vllm)
    [ -n "$MODEL" ] || die "--serve vllm needs --model (HF id or directory)"
    command -v vllm >/dev/null || die "vllm is not installed (pip install vllm) or not on PATH"
    args=(serve "$MODEL" --host 127.0.0.1 --port "$PORT" --max-model-len "$CTX")
    if [ -n "$LORA" ]; then
      rank="$("$PERM_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]+"/adapter_config.json")).get("r", 16))' "$LORA")"
      args+=(--served-model-name "$NAME-base" --enable-lora --lora-modules "$NAME=$LORA" --max-lora-rank "$rank")
    else
      args+=(--served-model-name "$NAME")
    fi
    echo "starting: vllm ${args[*]} (log: $LOG)" >&2
    vllm "${args[@]}" >"$LOG" 2>&1 & SERVER_PID=$!
    BASE_URL="http://127.0.0.1:$PORT/v1"
    ;;
  llamacpp)
    [ -n "$MODEL" ] || die "--serve llamacpp needs --model FILE.gguf"
    [ -f "$MODEL" ] || die "$MODEL: GGUF file not found"
    if command -v llama-server >/dev/null; then
      args=(-m "$MODEL" --host 127.0.0.1 --port "$PORT" --alias "$NAME" -c "$CTX")
      [ -z "$LORA" ] || args+=(--lora "$LORA")
      echo "starting: llama-server ${args[*]} (log: $LOG)" >&2
      llama-server "${args[@]}" >"$LOG" 2>&1 & SERVER_PID=$!
    else
      args=(-m llama_cpp.server --model "$MODEL" --host 127.0.0.1 --port "$PORT" --model_alias "$NAME" --n_ctx "$CTX")
      [ -z "$LORA" ] || args+=(--lora_path "$LORA")
      echo "starting: $PERM_PY ${args[*]} (log: $LOG)" >&2
      "$PERM_PY" "${args[@]}" >"$LOG" 2>&1 & SERVER_PID=$!
    fi
    BASE_URL="http://127.0.0.1:$PORT/v1"
    ;;
  *) die "--serve must be vllm, llamacpp or none" ;;
esac

# Wait until the server lists its models (a policy server may take minutes to load).
"$PERM_PY" - "$BASE_URL" "$WAIT" "${SERVER_PID:-0}" "$LOG" <<'PY' || exit 2
import os, sys, time, urllib.request
url, wait, pid, log = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
key = os.environ.get("PERM_POLICY_API_KEY")
deadline = time.time() + wait
while time.time() < deadline:
    if pid:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit(f"eqbench3_bridge: the policy server exited early; see {log}")
    req = urllib.request.Request(f"{url}/models", headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(1)
sys.exit(f"eqbench3_bridge: {url} did not answer within {wait:g}s" + (f"; see {log}" if pid else ""))
PY

# The harness posts to TEST_API_URL as a full chat-completions URL and insists on a key.
export TEST_API_URL="$BASE_URL/chat/completions"
export TEST_API_KEY="${PERM_POLICY_API_KEY:-${TEST_API_KEY:-local-no-key}}"
[ -n "${JUDGE_API_URL:-}" ] || echo "eqbench3_bridge: JUDGE_API_URL is unset; the harness falls back to its .env / defaults" >&2

hargs=(eqbench3.py --test-model "$NAME" --model-name "${MODEL_NAME:-$NAME}" --judge-model "$JUDGE_MODEL"
       --iterations "$ITERATIONS" --threads "$THREADS")
[ "$ELO" = 1 ] || hargs+=(--no-elo)
[ -z "$RUNS_FILE" ] || hargs+=(--runs-file "$(cd "$(dirname "$RUNS_FILE")" && pwd)/$(basename "$RUNS_FILE")")
echo "running: (cd $HARNESS && $HARNESS_PY ${hargs[*]} ${EXTRA[*]:-}) against $TEST_API_URL" >&2
set +e
(cd "$HARNESS" && "$HARNESS_PY" "${hargs[@]}" ${EXTRA[@]+"${EXTRA[@]}"})
status=$?
set -e
exit "$status"
