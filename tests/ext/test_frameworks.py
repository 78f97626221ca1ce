"""PERM as the scorer of real evaluation frameworks, end to end: inspect_ai with its mockllm
model, lm-evaluation-harness with a stand-in model (Python route) and with its `lm_eval`
command and `dummy` model (YAML route). They run in their own venv
(scripts/setup_frameworks_venv.sh) through tests/ext/frameworks_driver.py; the rewards they
report must be exactly PERM's own for the same outputs."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from perm.data import load_samples
from perm.scoring import PermScorer

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("frameworks_driver.py")


def _python() -> Path | None:
    """The frameworks venv's python: $PERM_FRAMEWORKS_VENV, .venv-frameworks, or this one."""
    for venv in (os.environ.get("PERM_FRAMEWORKS_VENV"), ROOT / ".venv-frameworks"):
        if venv and (Path(venv) / "bin" / "python").exists():
            return Path(venv) / "bin" / "python"
    if all(importlib.util.find_spec(m) for m in ("inspect_ai", "lm_eval")):
        return Path(sys.executable)
    return None


PYTHON = _python()
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(PYTHON is None, reason="needs inspect-ai and lm-eval: bash "
                                 "scripts/setup_frameworks_venv.sh (or PERM_FRAMEWORKS_VENV=DIR)")]

GOOD = "# Analysis\nShe is grieving and wants to be seen.\n# Response\nThat sounds so hard. I'm here."
FAKE = {"judge": {"backend": "fake"}}
BROKEN = {"judge": {"backend": "fake", "max_reasks": 0, "options": {"answers": ["I will not score this."], "cycle": True}}}


@pytest.fixture
def case(tmp_path):
    """Three scenarios and the outputs the stand-in model gives: good, malformed, good."""
    lines = (ROOT / "data" / "perm-empathy" / "scenarios-test.jsonl").read_text().splitlines()[:3]
    scen = tmp_path / "scenarios.jsonl"
    scen.write_text("\n".join(lines) + "\n")
    rows = [json.loads(x) for x in lines]
    outputs = {r["id"]: text for r, text in zip(rows, [GOOD, "no headers at all", GOOD + " Tell me more."])}
    comp = tmp_path / "completions.json"
    comp.write_text(json.dumps({r["query"][:60]: outputs[r["id"]] for r in rows}))
    return scen, comp, outputs


def drive(mode: str, case, config: dict, tmp_path: Path) -> dict:
    scen, comp, _ = case
    cfg = tmp_path / f"cfg-{mode}.json"
    cfg.write_text(json.dumps(config))
    work = tmp_path / mode
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_DATASETS_OFFLINE": "1",
           "INSPECT_LOG_DIR": str(work / "logs")}
    proc = subprocess.run([str(PYTHON), str(DRIVER), mode, str(scen), str(comp), str(cfg), str(work)],
                          capture_output=True, text=True, env=env, timeout=300, cwd=work)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def perm_rewards(case, config: dict) -> dict[str, float | None]:
    scen, _, outputs = case
    samples = [replace(s, completion=outputs[s.id]) for s in load_samples(scen).samples]
    with PermScorer(config) as scorer:
        return {r.id: r.reward for r in scorer.score(samples)}


def test_inspect_scorer_reports_perm_rewards(case, tmp_path):
    out = drive("inspect", case, FAKE, tmp_path)
    want = perm_rewards(case, FAKE)
    assert out["status"] == "success"
    assert {i: s["value"] for i, s in out["samples"].items()} == pytest.approx(want)
    assert out["metrics"]["mean"] == pytest.approx(sum(want.values()) / 3)
    assert out["task_file_metrics"]["mean"] == pytest.approx(out["metrics"]["mean"])  # perm_empathy
    good = next(s for s in out["samples"].values() if s["outcome"] == "scored")
    assert set(good["scores"]) == {"resonation", "expression", "reception", "bystander"}
    assert good["explanation"].startswith("PERM reward ") and "by judge fake:fake" in good["explanation"]
    broken = next(s for s in out["samples"].values() if s["outcome"] == "format_error")
    assert broken["answer"] == "no headers at all" and "missing # Response" in broken["explanation"]


def test_inspect_scorer_marks_a_failed_judge_unscored_never_zero(case, tmp_path):
    out = drive("inspect", case, BROKEN, tmp_path)
    failed = {i: s for i, s in out["samples"].items() if s["outcome"] == "failed"}
    assert len(failed) == 2
    assert all(s["value"] is None and s["reason"] == "grader_failed" for s in failed.values())
    assert all("no score found" in s["explanation"] for s in failed.values())
    assert (out["scored"], out["unscored"]) == (1, 2)
    assert out["metrics"]["mean"] == pytest.approx(-0.3)  # only the format-floor reward counts


def test_lm_eval_task_reports_perm_rewards(case, tmp_path):
    out = drive("lmeval", case, FAKE, tmp_path)
    want = perm_rewards(case, FAKE)
    assert {i: s["perm_reward"] for i, s in out["samples"].items()} == pytest.approx(want)
    assert out["results"]["perm_reward,none"] == pytest.approx(sum(want.values()) / 3)
    assert out["results"]["perm_unscored,none"] == 0.0


def test_lm_eval_task_counts_a_failed_judge_as_unscored(case, tmp_path):
    out = drive("lmeval", case, BROKEN, tmp_path)
    rewards = {i: s["perm_reward"] for i, s in out["samples"].items()}
    assert sorted(rewards.values(), key=lambda v: v is None) == [pytest.approx(-0.3), None, None]
    assert out["results"]["perm_unscored,none"] == pytest.approx(2 / 3)
    assert out["results"]["perm_reward,none"] == pytest.approx(-0.3)  # the mean of what exists


def test_lm_eval_command_runs_the_written_task_and_counts_failures(case, tmp_path):
    out = drive("lmeval-cli", case, BROKEN, tmp_path)
    assert "process_results: !function perm_lmeval_hooks.process_results" in out["yaml"]
    res = out["results"]
    # lm-eval's dummy model answers "lol": no format, so the documented floor, no judge asked
    assert res["perm_reward,none"] == pytest.approx(-0.3) and res["perm_unscored,none"] == 0.0
    assert res["perm_resonation,none"] is None  # nobody judged it: no number invented
