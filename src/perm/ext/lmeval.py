"""PERM in lm-evaluation-harness: a generation task over our scenario JSONL whose metrics are
the PERM reward, the empathy term, each dimension and the share of outputs left unscored.

Two ways in. From Python, `task_config(...)` is a task dict for `lm_eval.simple_evaluate`:

    import lm_eval
    from perm.ext.lmeval import task_config
    lm_eval.simple_evaluate(model="hf", model_args="pretrained=...",
                            tasks=[task_config("scenarios.jsonl", judge="openai", model="gpt-4o-mini")])

From the command line, `python -m perm.ext.lmeval DIR --scenarios FILE [--judge ...]` writes
`DIR/perm_empathy.yaml` and its hooks module; then `lm_eval --include_path DIR --tasks
perm_empathy --model ...`. A reward the judge could not deliver is left out of the means and
counted in `perm_unscored` (the share of outputs without a reward), never scored as 0.
Importing this module does not import lm_eval.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import ScoringConfig
from ..policy import SYSTEM_PROMPT, build_user_message
from ..types import DIMENSIONS, ScoreResult
from .common import scoring_config, situation

if TYPE_CHECKING:
    from ..scoring import PermScorer

TASK = "perm_empathy"
HOOKS = "perm_lmeval_hooks"
#: Metrics the task reports (all means over the outputs that have the value).
METRICS = ("perm_reward", "perm_empathy", *(f"perm_{d}" for d in DIMENSIONS), "perm_unscored")

_SCORERS: dict[str, PermScorer] = {}


def doc_to_text(doc: Mapping[str, Any]) -> str:
    """The PERM policy prompt for one scenario, as one text (instructions, then the situation)."""
    return f"{SYSTEM_PROMPT}\n\n{build_user_message(situation(doc))}\n\n"


def _scorer(config: ScoringConfig) -> PermScorer:
    """One PermScorer per scoring config per process (its own event loop, connections kept)."""
    from ..scoring import PermScorer

    key = config.model_dump_json()
    if key not in _SCORERS:
        _SCORERS[key] = PermScorer(config)
    return _SCORERS[key]


def result_values(result: ScoreResult) -> dict[str, float | None]:
    """A PERM result as the task's metric values (None: missing, left out of its mean)."""
    out: dict[str, float | None] = {"perm_reward": result.reward, "perm_empathy": result.empathy}
    out.update({f"perm_{d}": result.scores.get(d) for d in DIMENSIONS})
    out["perm_unscored"] = 1.0 if result.reward is None else 0.0
    return out


def make_process_results(config: ScoringConfig) -> Callable[[Mapping[str, Any], Sequence[str]], dict[str, Any]]:
    """lm-eval's `process_results(doc, results)`: score the one generated output with PERM."""
    def process_results(doc: Mapping[str, Any], results: Sequence[str]) -> dict[str, Any]:
        from dataclasses import replace

        sample = replace(situation(doc), completion=results[0] if results else "")
        (result,) = _scorer(config).score([sample])
        return result_values(result)

    return process_results


def mean_present(items: Sequence[float | None]) -> float:
    """Mean of the values that exist (NaN when none does: no number is invented)."""
    got = [float(v) for v in items if v is not None and not math.isnan(float(v))]
    return sum(got) / len(got) if got else math.nan


def task_config(scenarios: str | Path, config: str | Path | Mapping[str, Any] | ScoringConfig | None = None,
                *, judge: str | None = None, model: str | None = None, base_url: str | None = None,
                max_gen_toks: int = 1024, name: str = TASK) -> dict[str, Any]:
    """A ready lm-eval task dict (callables inline) over a scenario JSONL file."""
    cfg = scoring_config(config, judge=judge, model=model, base_url=base_url)
    return {**_task_fields(scenarios, max_gen_toks, name),
            "doc_to_text": doc_to_text, "process_results": make_process_results(cfg),
            "metric_list": [{"metric": m, "aggregation": mean_present,
                             "higher_is_better": m != "perm_unscored"} for m in METRICS]}


def _task_fields(scenarios: str | Path, max_gen_toks: int, name: str) -> dict[str, Any]:
    return {"task": name, "dataset_path": "json",
            "dataset_kwargs": {"data_files": {"test": str(Path(scenarios).resolve())}},
            "test_split": "test", "output_type": "generate_until", "doc_to_target": "",
            "generation_kwargs": {"until": [], "max_gen_toks": max_gen_toks, "do_sample": False},
            "metadata": {"version": 1.0}}


_HOOKS_SOURCE = '''"""Hooks of the {task} lm-eval task (written by `python -m perm.ext.lmeval`)."""
from perm.ext.common import scoring_config
from perm.ext.lmeval import doc_to_text, make_process_results, mean_present

CONFIG = scoring_config({config})
process_results = make_process_results(CONFIG)
__all__ = ["doc_to_text", "mean_present", "process_results"]
'''


def write_task(out_dir: str | Path, scenarios: str | Path,
               config: str | Path | Mapping[str, Any] | ScoringConfig | None = None, *,
               judge: str | None = None, model: str | None = None, base_url: str | None = None,
               max_gen_toks: int = 1024, name: str = TASK) -> Path:
    """Write DIR/<name>.yaml and its hooks module for `lm_eval --include_path DIR`; returns the YAML."""
    import yaml

    cfg = scoring_config(config, judge=judge, model=model, base_url=base_url)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    hooks = out / f"{HOOKS}.py"
    hooks.write_text(_HOOKS_SOURCE.format(task=name, config=repr(json.loads(cfg.model_dump_json()))),
                     encoding="utf-8")
    fields = _task_fields(scenarios, max_gen_toks, name)
    body = yaml.safe_dump(fields, sort_keys=False)
    body += f"doc_to_text: !function {HOOKS}.doc_to_text\n"
    body += f"process_results: !function {HOOKS}.process_results\nmetric_list:\n"
    for m in METRICS:
        body += (f"  - metric: {m}\n    aggregation: !function {HOOKS}.mean_present\n"
                 f"    higher_is_better: {'false' if m == 'perm_unscored' else 'true'}\n")
    path = out / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """`python -m perm.ext.lmeval DIR --scenarios FILE [--config YAML] [--judge NAME] ...`"""
    import argparse
    import sys

    from ..errors import PermError

    ap = argparse.ArgumentParser(prog="python -m perm.ext.lmeval",
                                 description="Write the PERM lm-eval task (YAML + hooks) into DIR.")
    ap.add_argument("out_dir")
    ap.add_argument("--scenarios", required=True, help="scenario JSONL (our data contract)")
    ap.add_argument("--config", default=None, help="scoring config YAML")
    ap.add_argument("--judge", default=None, help="judge backend (local, openai, ollama, hf, vllm, fake)")
    ap.add_argument("--judge-model", default=None)
    ap.add_argument("--judge-base-url", default=None)
    ap.add_argument("--max-gen-toks", type=int, default=1024)
    ap.add_argument("--name", default=TASK, help="task name")
    a = ap.parse_args(argv)
    try:
        path = write_task(a.out_dir, a.scenarios, a.config, judge=a.judge, model=a.judge_model,
                          base_url=a.judge_base_url, max_gen_toks=a.max_gen_toks, name=a.name)
    except PermError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {path}; run: lm_eval --include_path {path.parent} --tasks {a.name} --model ...")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
