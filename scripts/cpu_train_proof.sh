#!/usr/bin/env bash
# CPU proof of `perm train`: GRPO on SmolLM2-135M (LoRA) with the embedded `local` judge, then
# the base and the trained policy generate on the same held-out prompts with the same decoding
# and seed, and the same judge and scoring config score both. Results go to $RUN:
#   metrics.jsonl, reward_curves.png, run_info.json   training log, curves, wall time
#   eval-base.{jsonl,json}, eval-trained.{jsonl,json} held-out completions + summaries
#   compare.json                                      paired difference trained - base
#   proof.md                                          the numbers, ready for TRAINING.md
#
#   scripts/cpu_train_proof.sh                       # defaults below; about 1 h on 2 cores
#   STEPS=60 SEED=1 RUN=runs/proof2 scripts/cpu_train_proof.sh
#   RESUME=1 scripts/cpu_train_proof.sh              # continue an interrupted training
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
RECIPE=${RECIPE:-recipes/cpu-smollm2.yaml}
RUN=${RUN:-runs/cpu-proof}
STEPS=${STEPS:-48}
SEED=${SEED:-42}
EVAL_SEED=${EVAL_SEED:-1234}
SAMPLES=${SAMPLES:-2}
TEMP=${TEMP:-0.7}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# One thread: on a busy 2-core machine two OpenMP threads spin against each other (measured:
# SmolLM2 decoding 10x slower); raise it on a quiet machine with more cores.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

"$PY" - "$RECIPE" <<'PYCHECK'
import sys
from perm.rewards.trl import PermRewardState
from perm.train.config import load_train_config
cfg = load_train_config(sys.argv[1])
try:
    PermRewardState(cfg.scoring).check()
except Exception as e:
    sys.exit(f"cpu_train_proof: the recipe's judge ({cfg.scoring.judge.backend}) is not usable: {e}")
print(f"cpu_train_proof: judge {cfg.scoring.judge.backend} ready")
PYCHECK

mkdir -p "$RUN"
t0=$(date +%s)
if [ "${RESUME:-0}" = 1 ]; then
  "$PY" -m perm.train --config "$RECIPE" --output-dir "$RUN" --max-steps "$STEPS" --seed "$SEED" --resume latest
else
  "$PY" -m perm.train --config "$RECIPE" --output-dir "$RUN" --max-steps "$STEPS" --seed "$SEED" --overwrite
fi
t1=$(date +%s)
EVAL=(--config "$RECIPE" --prompts "$RUN/heldout.jsonl" --num-samples "$SAMPLES" --temperature "$TEMP" --seed "$EVAL_SEED")
"$PY" -m perm.train.heldout run "${EVAL[@]}" --out "$RUN/eval-base.jsonl" > "$RUN/eval-base.json"
"$PY" -m perm.train.heldout run "${EVAL[@]}" --checkpoint "$RUN/final" --out "$RUN/eval-trained.jsonl" > "$RUN/eval-trained.json"
"$PY" -m perm.train.heldout compare "$RUN/eval-base.jsonl" "$RUN/eval-trained.jsonl" > "$RUN/compare.json"
t2=$(date +%s)
"$PY" -m perm.cli plot "$RUN"

"$PY" - "$RUN" "$STEPS" "$SEED" "$EVAL_SEED" "$SAMPLES" "$TEMP" "$((t1 - t0))" "$((t2 - t1))" <<'PYREPORT'
import json, sys
run, steps, seed, eseed, samples, temp, train_s, eval_s = sys.argv[1:]
info = json.load(open(f"{run}/run_info.json"))
base, new = (json.load(open(f"{run}/eval-{k}.json")) for k in ("base", "trained"))
cmp = json.load(open(f"{run}/compare.json"))
def f(v, d=3):
    return "n/a" if v is None else f"{v:.{d}f}"
rows = [("mean PERM reward", "reward_mean"), ("  empathy term", "empathy_mean"),
        ("  bystander term", "bystander_mean"), ("  length term", "length_mean"),
        ("resonation (1-5)", "score_resonation"), ("expression (1-5)", "score_expression"),
        ("reception (1-5)", "score_reception"), ("bystander (0-100)", "score_bystander"),
        ("format ok rate", "format_ok_rate"), ("mean tokens", "mean_tokens")]
lines = [f"Run `{run}`: {info['global_step']} GRPO steps, seed {seed}, judge `{info['judge']}`, "
         f"policy prompt {info['policy_prompt_version']}.",
         f"Training wall time {int(train_s) / 60:.1f} min ({info['seconds_per_step']} s/step); "
         f"held-out evaluation {int(eval_s) / 60:.1f} min.",
         f"Held-out: {base['prompts']} prompts x {samples} draws, temperature {temp}, seed {eseed}, "
         f"same scoring config for both.", "",
         "| metric | base | trained |", "|---|---|---|"]
for label, key in rows:
    lines.append(f"| {label} | {f(base.get(key))} | {f(new.get(key))} |")
lines.append(f"| 95% CI of the mean reward | +/-{f(base.get('reward_ci95'))} | +/-{f(new.get('reward_ci95'))} |")
lines += ["", f"Paired difference (trained - base) over {cmp.get('pairs')} pairs: "
          f"{f(cmp.get('mean_diff'))}, 95% bootstrap CI over prompts "
          f"[{f((cmp.get('ci95') or [None, None])[0])}, {f((cmp.get('ci95') or [None, None])[1])}], "
          f"trained better in {f(cmp.get('win_rate'), 2)} of pairs; per prompt "
          f"{cmp.get('prompts_better')} better, {cmp.get('prompts_worse')} worse "
          f"(sign test p = {f(cmp.get('p_sign_prompts'))})."]
open(f"{run}/proof.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PYREPORT
