"""Runs inside the evaluation-frameworks venv (real inspect_ai / lm-eval): one small end-to-end
evaluation with PERM as the scorer, printed as one JSON line for tests/ext/test_frameworks.py.

    python frameworks_driver.py inspect|lmeval|lmeval-cli SCENARIOS.jsonl COMPLETIONS.json CONFIG.json WORKDIR

COMPLETIONS maps each scenario's query to the completion the stand-in model answers with.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path


def pick(completions: dict[str, str], prompt: str) -> str:
    """The canned completion whose query appears in the prompt."""
    hits = [c for q, c in completions.items() if q in prompt]
    if len(hits) != 1:
        raise SystemExit(f"driver: {len(hits)} canned completions match the prompt")
    return hits[0]


def run_inspect(scenarios: str, completions: dict[str, str], config: dict, work: Path) -> dict:
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model
    from inspect_ai.solver import generate

    from perm.ext.inspect import perm_dataset, perm_scorer

    def answer(messages, tools, tool_choice, cfg):
        out = ModelOutput.from_content("mockllm/model", pick(completions, messages[-1].text))
        out.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)  # no tokenizer download
        return out

    model = get_model("mockllm/model", custom_outputs=answer)
    task = Task(dataset=perm_dataset(scenarios), solver=generate(), scorer=perm_scorer(config))
    (log,) = inspect_eval(task, model=model, log_dir=str(work / "logs"), display="none")
    samples = {}
    for s in log.samples or []:
        (sc,) = s.scores.values()
        v = sc.value
        samples[str(s.id)] = {"value": None if isinstance(v, float) and math.isnan(v) else v,
                              "reason": getattr(sc, "reason", None) or (sc.metadata or {}).get("reason"),
                              "explanation": sc.explanation, "scores": (sc.metadata or {}).get("scores"),
                              "outcome": (sc.metadata or {}).get("outcome"),
                              "answer": sc.answer}
    metrics = {name: m.value for r in log.results.scores for name, m in r.metrics.items()}
    # the ready-made task, from a task file as a user would write one, through inspect's loader
    task_file = work / "perm_task.py"
    task_file.write_text("from perm.ext.inspect import perm_empathy  # noqa: F401\n")
    (tlog,) = inspect_eval(f"{task_file}@perm_empathy", model=model, log_dir=str(work / "logs2"),
                           display="none", task_args={"scenarios": scenarios, "judge": config["judge"]["backend"]})
    return {"status": log.status, "samples": samples, "metrics": metrics,
            "task_file_metrics": {n: m.value for r in tlog.results.scores for n, m in r.metrics.items()},
            "scored": log.results.scores[0].scored_samples,
            "unscored": log.results.scores[0].unscored_samples}


def canned_lm(completions: dict[str, str]):
    from lm_eval.api.model import LM

    class CannedLM(LM):
        """A stand-in model: answers each prompt with the canned completion of its query."""

        def generate_until(self, requests, disable_tqdm: bool = False):
            return [pick(completions, r.arguments[0]) for r in requests]

        def loglikelihood(self, requests, disable_tqdm: bool = False):
            raise NotImplementedError

        def loglikelihood_rolling(self, requests, disable_tqdm: bool = False):
            raise NotImplementedError

    return CannedLM()


def run_lmeval(scenarios: str, completions: dict[str, str], config: dict, work: Path) -> dict:
    import lm_eval

    from perm.ext.lmeval import task_config

    out = lm_eval.simple_evaluate(model=canned_lm(completions), tasks=[task_config(scenarios, config)],
                                  log_samples=True, bootstrap_iters=0)
    res = out["results"]["perm_empathy"]
    per = {str(s["doc"]["id"]): {k: s.get(k) for k in ("perm_reward", "perm_unscored", "perm_resonation")}
           for s in out["samples"]["perm_empathy"]}
    return {"results": {k: (None if isinstance(v, float) and math.isnan(v) else v)
                        for k, v in res.items() if k.startswith("perm_")}, "samples": per}


def run_lmeval_cli(scenarios: str, completions: dict[str, str], config: dict, work: Path) -> dict:
    """The command-line route: write the task with `python -m perm.ext.lmeval`, then run the
    `lm_eval` command on it with lm-eval's own `dummy` model (it answers "lol" to everything)."""
    import yaml

    (work / "cfg.yaml").write_text(yaml.safe_dump(config))
    subprocess.run([sys.executable, "-m", "perm.ext.lmeval", str(work / "tasks"), "--scenarios",
                    scenarios, "--config", str(work / "cfg.yaml")], check=True, capture_output=True)
    cli = Path(sys.executable).with_name("lm_eval")
    subprocess.run([str(cli), "run", "--model", "dummy", "--tasks", "perm_empathy", "--include_path",
                    str(work / "tasks"), "--output_path", str(work / "lm-out"), "--log_samples"],
                   check=True, capture_output=True, cwd=work)
    (results,) = work.glob("lm-out/*/results_*.json")
    got = json.loads(results.read_text())["results"]["perm_empathy"]
    return {"results": {k: (None if isinstance(v, float) and math.isnan(v) else v)
                        for k, v in got.items() if k.startswith("perm_")},
            "yaml": (work / "tasks" / "perm_empathy.yaml").read_text()}


if __name__ == "__main__":
    mode, scen, comp, cfg, work = sys.argv[1:6]
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    runner = {"inspect": run_inspect, "lmeval": run_lmeval, "lmeval-cli": run_lmeval_cli}[mode]
    result = runner(scen, json.loads(Path(comp).read_text()), json.loads(Path(cfg).read_text()), Path(work))
    print(json.dumps(result, default=str))
