"""GRPO training with PERM rewards (TRL). Heavy libraries load only inside the submodules.

- `config`: the typed recipe (`TrainConfig`, `load_train_config`);
- `models`: policy/tokenizer loading (HF ids, packaged GGUF, random init) and LoRA;
- `dataset`: our JSONL scenarios -> prompts + reward columns, with a stable holdout split;
- `trainer`: `build_trainer` / `run_training` around `trl.GRPOTrainer`;
- `callbacks`, `plot`: progress bar with the reward, metrics.jsonl, reward-curve PNGs.

Before/after checks on the held-out prompts use the evaluation commands: `perm generate`
(base policy, then `--adapter RUN/final`) and `perm eval --cluster-by scenario_id`.
"""
