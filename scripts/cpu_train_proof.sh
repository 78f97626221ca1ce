#!/usr/bin/env bash
# CPU proof of `perm train`: GRPO on SmolLM2-135M (LoRA) with the embedded `local` judge, then
# the base and the trained policy generate on the same held-out prompts with the same decoding
# and seed (`perm generate`), and `perm eval` scores both with the recipe's judge and scoring
# config and compares them, bootstrapping over prompts. Results go to $RUN:
#   metrics.jsonl, reward_curves.png, run_info.json   training log, curves, wall time
#   eval-base.jsonl, eval-trained.jsonl               held-out completions
#   eval/scores/{base,trained}.jsonl, eval/eval.json  their scores, summaries, paired difference
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
# perm generate with the recipe's policy, completion length and prompt layout
POLICY_ARGS=$("$PY" - "$RECIPE" <<'PYPOLICY'
import sys
from perm.train.config import load_train_config
cfg = load_train_config(sys.argv[1])
m = cfg.model
if m.random_init is not None:
    sys.exit("cpu_train_proof: a random_init policy cannot be generated from again; use a real model")
args = ["--model", m.name_or_path, "--dtype", m.dtype, "--max-new-tokens", str(cfg.grpo.max_completion_length)]
args += ["--gguf-file", m.gguf_file] if m.gguf_file else []
args += ["--history-as-turns"] if cfg.data.history_as_turns else []
print("\n".join(args))
PYPOLICY
)
mapfile -t POLICY <<< "$POLICY_ARGS"
GEN=(--backend hf "${POLICY[@]}" --num-samples "$SAMPLES" --temperature "$TEMP" --seed "$EVAL_SEED" --no-progress)
# a new training run makes earlier held-out outputs stale: never resume them
rm -rf "$RUN/eval-base.jsonl" "$RUN/eval-trained.jsonl" "$RUN/eval"
"$PY" -m perm.cli generate "$RUN/heldout.jsonl" -o "$RUN/eval-base.jsonl" --name base "${GEN[@]}"
"$PY" -m perm.cli generate "$RUN/heldout.jsonl" -o "$RUN/eval-trained.jsonl" --name trained --adapter "$RUN/final" "${GEN[@]}"
"$PY" -m perm.cli eval base="$RUN/eval-base.jsonl" trained="$RUN/eval-trained.jsonl" -o "$RUN/eval" --config "$RECIPE" \
  --cluster-by scenario_id --no-progress
t2=$(date +%s)
"$PY" -m perm.cli plot "$RUN"

"$PY" - "$RUN" "$STEPS" "$SEED" "$EVAL_SEED" "$SAMPLES" "$TEMP" "$((t1 - t0))" "$((t2 - t1))" <<'PYREPORT'
import json, statistics, sys
run, steps, seed, eseed, samples, temp, train_s, eval_s = sys.argv[1:]
info = json.load(open(f"{run}/run_info.json"))
ev = json.load(open(f"{run}/eval/eval.json"))
base, new = ev["systems"]["base"], ev["systems"]["trained"]
(pair,) = ev["pairs"]
prompts = pair["clusters"]
def term(system, key):
    rows = [json.loads(line) for line in open(f"{run}/eval/scores/{system}.jsonl") if line.strip()]
    vals = [r["terms"][key] for r in rows if r["terms"].get(key) is not None]
    return statistics.fmean(vals) if vals else None
def f(v, d=3):
    return "n/a" if v is None else f"{v:.{d}f}"
rows = [("mean PERM reward", lambda s, n: s["reward"]["mean"]),
        ("  empathy term", lambda s, n: s["empathy"]["mean"]),
        ("  bystander term", lambda s, n: term(n, "bystander")),
        ("  length term", lambda s, n: term(n, "length"))]
rows += [(f"{d} ({'0-100' if d == 'bystander' else '1-5'})", lambda s, n, d=d: s["scores"][d]["mean"])
         for d in ev["dimensions"]]
rows += [("format ok rate", lambda s, n: s["format_ok_rate"]), ("mean tokens", lambda s, n: s["length"]["mean"])]
lines = [f"Run `{run}`: {info['global_step']} GRPO steps, seed {seed}, judge `{ev['judge']}`, "
         f"policy prompt {info['policy_prompt_version']}.",
         f"Training wall time {int(train_s) / 60:.1f} min ({info['seconds_per_step']} s/step); "
         f"held-out evaluation {int(eval_s) / 60:.1f} min.",
         f"Held-out: {prompts['n']} prompts x {samples} draws, temperature {temp}, seed {eseed}, "
         f"same scoring config for both.", "",
         "| metric | base | trained |", "|---|---|---|"]
for label, get in rows:
    lines.append(f"| {label} | {f(get(base, 'base'))} | {f(get(new, 'trained'))} |")
lines.append(f"| 95% CI of the mean reward (bootstrap over prompts) | [{f(base['reward']['lo'])}, "
             f"{f(base['reward']['hi'])}] | [{f(new['reward']['lo'])}, {f(new['reward']['hi'])}] |")
diff = pair["mean_diff"]
lines += ["", f"Paired difference (trained - base) over {pair['n']} pairs: {f(diff['mean'])}, "
          f"95% bootstrap CI over prompts [{f(diff['lo'])}, {f(diff['hi'])}]; trained better in "
          f"{pair['wins']}, worse in {pair['losses']}, tied in {pair['ties']} pairs; per prompt "
          f"{prompts['better']} better, {prompts['worse']} worse "
          f"(sign test over prompts p = {f(prompts['p_sign'])})."]
open(f"{run}/proof.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PYREPORT
