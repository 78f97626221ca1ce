"""verl's and OpenRLHF's own code calling our adapters and reward server.

Needs a separate venv with both engines (CPU): `bash scripts/setup_rl_venv.sh`, then point
PERM_RL_VENV at it (default /tmp/perm-rlvenv). Skipped when it is missing. What runs there:
- verl 0.9.1: hydra composes recipes/verl/perm_grpo.yaml; `load_reward_manager` builds the
  reward-loop manager, which loads `pkg://perm.integrations.verl` and scores a DataProto
  (sync and async adapters); the legacy `NaiveRewardManager` and `BatchRewardManager` too.
- OpenRLHF 0.11.2: `SingleTurnAgentExecutor.execute` with `--reward.remote_url` set to our
  server (HTTP) and to our reward_func file.
- OpenRLHF 0.9.0 (`--remote_rm_url`): `request_api_wrapper` against the server and its
  reward_func file loading, merged as its experience maker does.
Every reward must equal what `PermScorer` gives for the same sample.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from perm.data import parse_record
from perm.scoring import PermScorer

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("engine_driver.py")
_REPO_VENV = Path(__file__).resolve().parents[2] / ".venv-rl"
VENV = Path(os.environ.get("PERM_RL_VENV") or (_REPO_VENV if _REPO_VENV.exists() else "/tmp/perm-rlvenv"))
PYTHON = VENV / "bin" / "python"
ADAPTER = ROOT / "src" / "perm" / "integrations" / "openrlhf.py"
RL_TOKEN = "rl-token-0123456789abcdef"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not PYTHON.exists(), reason=f"no verl/OpenRLHF venv at {VENV} "
                       "(bash scripts/setup_rl_venv.sh)"),
]


def drive(*args: str, extra_path: str = "", env: dict[str, str] | None = None,
          stderr: list[str] | None = None) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (extra_path, str(ROOT / "src")) if p),
           "PERM_JUDGE": "fake", "RAY_DISABLE_IMPORT_WARNING": "1", **(env or {})}
    proc = subprocess.run([str(PYTHON), str(DRIVER), *args], capture_output=True, text=True,
                          env=env, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    if stderr is not None:
        stderr.append(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def perm_rewards(contexts: list[dict[str, Any]], completions: list[str]) -> list[float | None]:
    with PermScorer({"judge": {"backend": "fake"}}) as scorer:
        samples = [parse_record({**{k: v for k, v in c.items() if v is not None}, "completion": t})
                   for c, t in zip(contexts, completions, strict=True)]
        return [r.reward for r in scorer.score(samples)]


def test_verl_loads_and_calls_our_adapter(tmp_path: Path) -> None:
    parquet = tmp_path / "train.parquet"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "jsonl_to_verl_parquet.py"),
                    str(ROOT / "data" / "scenarios" / "part1.jsonl"), "-o", str(parquet)],
                   check=True, capture_output=True)
    out = drive("verl", str(parquet), str(ROOT / "recipes" / "verl"))
    want = perm_rewards(out["contexts"], out["completions"])
    assert out["recipe"] == {"path": "pkg://perm.integrations.verl", "n": 8, "lr": 1e-6,
                             "adv_estimator": "grpo"}
    for key in ("reward_loop/compute_score", "reward_loop/compute_score_async"):
        assert out[key] == pytest.approx(want), key
    for key in ("legacy_naive", "legacy_batch"):  # float32 reward tensors
        assert out[key] == pytest.approx(want, abs=1e-6), key
    assert "resonation" in out["reward_loop_extra_keys/compute_score"]
    assert out["legacy_naive_extra_lengths"] == [len(want)]  # every key on every sample


def test_verl_stops_when_the_judge_is_down(tmp_path: Path) -> None:
    """Issue 12 item 18: verl's own reward loop gets the reward floor (not 0.0) and NaN
    dimensions while the judge fails, then JudgeUnavailable, which ends the run."""
    parquet = tmp_path / "train.parquet"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "jsonl_to_verl_parquet.py"),
                    str(ROOT / "data" / "scenarios" / "part1.jsonl"), "-o", str(parquet)],
                   check=True, capture_output=True)
    down = tmp_path / "down.yaml"
    down.write_text(json.dumps({"judge": {"backend": "fake", "max_retries": 0, "max_reasks": 0,
                                          "options": {"answers": ["!error:503"], "cycle": True}}}))
    out = drive("verl-down", str(parquet), str(ROOT / "recipes" / "verl"),
                env={"PERM_CONFIG": str(down), "PERM_MAX_FAILED_SAMPLES": "3"})
    assert out["scores"] == pytest.approx([-0.3, -0.3])
    assert out["missing"] == [1.0, 1.0] and out["resonation"] == ["nan", "nan"]
    assert out["raised"].startswith("JudgeUnavailable: PERM could not score 3 samples in a row")


def _cases() -> list[dict[str, Any]]:
    prompt = "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n"
    good = "# Analysis\nWorn out, wants respect.\n# Response\nThat sounds like a hard week."
    out = []
    for i in range(4):
        ctx = {"id": f"c{i}", "persona": f"Persona {i}", "scenario": f"Scenario {i}", "query": f"Query {i}"}
        out.append({"prompt": prompt.format(q=ctx["query"]), "label": json.dumps(ctx), "context": ctx,
                    "completion": good + " Really." * i if i != 2 else "no structure here"})
    return out


def test_openrlhf_current_executor_http_and_func(live_server: Any) -> None:
    server = live_server(None, "--token", RL_TOKEN)
    cases = _cases()
    want = perm_rewards([c["context"] for c in cases], [c["completion"] for c in cases])
    payload = json.dumps([{k: c[k] for k in ("prompt", "label", "completion")} for c in cases])
    out = drive("openrlhf", f"{server.url}/get_reward?token={RL_TOKEN}", str(ADAPTER), payload)
    for mode in ("http", "func"):
        assert [o["reward"] for o in out[mode]] == pytest.approx(want), mode
        assert [o["scores"] for o in out[mode]] == pytest.approx(want), mode
        assert [o["extra_logs"]["perm/format_ok"] for o in out[mode]] == [1.0, 1.0, 0.0, 1.0]
        assert all(o["extra_logs"]["perm/unrecovered"] == 0.0 for o in out[mode])


def test_openrlhf_legacy_remote_rm_url(live_server: Any) -> None:
    server = live_server(None, "--token", RL_TOKEN)
    cases = _cases()
    want = perm_rewards([c["context"] for c in cases], [c["completion"] for c in cases])
    payload = json.dumps([{k: c[k] for k in ("prompt", "label", "completion")} for c in cases])
    out = drive("openrlhf-old", f"{server.url}/get_reward?token={RL_TOKEN}", str(ADAPTER), payload,
                extra_path=str(VENV / "openrlhf-0.9.0"))
    for mode in ("http", "func"):
        assert out[mode]["rewards"] == pytest.approx(want, abs=1e-6), mode
        assert all(len(v) == len(cases) for v in out[mode]["extra_logs"].values())


def test_openrlhf_file_mode_errors_are_visible() -> None:
    """OpenRLHF 0.11 catches what reward_func raises and logs it at INFO only: the adapter's
    own ERROR line must reach the worker's stderr, naming the bad label."""
    cases = _cases()[:2]
    cases[1]["label"] = "{not json"
    payload = json.dumps([{k: c[k] for k in ("prompt", "label", "completion")} for c in cases])
    err: list[str] = []
    out = drive("openrlhf-file", str(ADAPTER), payload, stderr=err)
    assert out["func"][0]["reward"] is not None and out["func"][1]["reward"] is None
    assert "PERM reward_func" in err[0] and "labels[0]" in err[0]  # one sample per call
