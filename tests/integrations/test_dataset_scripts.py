"""scripts/jsonl_to_verl_parquet.py and scripts/jsonl_to_openrlhf.py: what they write reaches
the adapters intact."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from perm.data import load_samples
from perm.integrations import runner
from perm.integrations.common import POLICY_SYSTEM_PROMPT, sample_from_context

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
RECORDS = [
    {"id": "a", "persona": "Amara, 34", "scenario": "Boiler broken", "query": "Write the letter.",
     "hidden_intention": "be treated as competent"},
    {"id": "b", "persona": "Rajesh, 52", "scenario": "Mother had a stroke", "query": "Meal plan?",
     "history": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]},
]
RESP = "# Analysis\nTired.\n# Response\nHere you go."


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPTS / script), *args], capture_output=True,
                          text=True, cwd=ROOT)


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return path


def test_verl_parquet_round_trip(jsonl: Path, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    out = tmp_path / "train.parquet"
    proc = run("jsonl_to_verl_parquet.py", str(jsonl), "-o", str(out), "--split", "val")
    assert proc.returncode == 0, proc.stderr
    rows = pd.read_parquet(out).to_dict("records")  # nested lists come back as numpy arrays
    assert [r["data_source"] for r in rows] == ["perm", "perm"]
    assert [m["role"] for m in rows[1]["prompt"]] == ["system", "user", "assistant", "user"]
    assert rows[0]["prompt"][0]["content"] == POLICY_SYSTEM_PROMPT
    # the same policy prompt as `perm train`: the persona and scenario reach the policy
    last = rows[0]["prompt"][-1]["content"]
    assert "Write the letter." in last and RECORDS[0]["persona"] in last
    assert rows[0]["reward_model"] == {"style": "model", "ground_truth": "a"}
    assert rows[1]["extra_info"]["split"] == "val" and rows[1]["extra_info"]["index"] == 1
    originals = load_samples(jsonl).samples
    for row, original in zip(rows, originals, strict=True):
        got = sample_from_context(row["extra_info"], RESP, field="extra_info")
        assert got.persona == original.persona and got.history == original.history
        assert got.hidden_intention == original.hidden_intention and got.id == original.id
    from perm.integrations.verl import compute_score

    scored = compute_score(data_sources=["perm"] * 2, solution_strs=[RESP] * 2,
                           ground_truths=[r["reward_model"]["ground_truth"] for r in rows],
                           extra_infos=[r["extra_info"] for r in rows], judge="fake")
    assert [s["format_ok"] for s in scored] == [1.0, 1.0]  # type: ignore[index]
    runner.close_all()


def test_openrlhf_jsonl_round_trip(jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = run("jsonl_to_openrlhf.py", str(jsonl), "-o", str(out), "--system-prompt-file", str(empty))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [m["role"] for m in lines[0]["messages"]] == ["user"]  # empty file: no system message
    assert isinstance(lines[0]["perm"], str)
    for line, original in zip(lines, load_samples(jsonl).samples, strict=True):
        got = sample_from_context(line["perm"], RESP, field="labels[0]")
        assert (got.id, got.persona, got.scenario, got.query, got.history) == (
            original.id, original.persona, original.scenario, original.query, original.history)


def test_scripts_refuse_duplicate_ids_and_bad_lines(jsonl: Path, tmp_path: Path) -> None:
    proc = run("jsonl_to_openrlhf.py", str(jsonl), str(jsonl), "-o", str(tmp_path / "x.jsonl"))
    assert proc.returncode == 2 and "already in" in proc.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "z", "persona": "p", "scenario": "s"}) + "\n")
    proc = run("jsonl_to_verl_parquet.py", str(bad), "-o", str(tmp_path / "x.parquet"))
    assert proc.returncode == 2 and "query" in proc.stderr
