"""`perm simulate`: transcripts with per-turn scores and the seeker's trajectory, resumable."""
from __future__ import annotations

import json

import pytest
import yaml
from tests.evaluate.helpers import read_jsonl, run_cli, scenario, write

from perm.env.answer import render_answer


def seeker_config(tmp_path, answers, **env):
    path = tmp_path / "env.yaml"
    path.write_text(yaml.safe_dump({"seeker": {"backend": "fake", "options": {
        "answers": answers, "cycle": True}}, **env}))
    return path


def test_simulate_writes_one_transcript_per_scenario(tmp_path):
    scen = write(tmp_path / "s.jsonl", [scenario(i, hidden_intention="wants company") for i in range(3)])
    out = tmp_path / "t.jsonl"
    res = run_cli("simulate", "fake", "--scenarios", scen, "--turns", "2", "--seeker", "fake",
                  "--judge", "fake", "-o", out)
    assert "3 episode(s) played (ended: " in res.output
    assert "stand-in" in res.output  # a fake seeker is called what it is
    lines = read_jsonl(out)
    assert [r["id"] for r in lines] == ["s0", "s1", "s2"]
    # the fake policy breaks the format now and then (by design): those episodes stop there
    ends = {r["end"] for r in lines}
    assert ends <= {"turns", "format"} and "turns" in ends
    for line in lines:
        assert line["system"] == "fake" and line["judge"] == "fake:fake"
        assert line["seeker"] == "fake-seeker:fake"
        *played, last = line["turns"]
        for t in played:
            assert t["score"]["outcome"] == "scored" and t["seeker"]["message"]
            assert set(t["score"]["scores"]) == {"resonation", "expression", "reception", "bystander"}
        if line["end"] == "format":
            assert last["stop"].startswith("format: ") and last["seeker"] is None
        else:
            assert len(line["turns"]) == 2 and last["seeker"]["feeling"] is not None
    # each turn lists its shortcut signs; the summary gives their rates over the policy turns
    from perm.signs import SIGNS

    turns = [t for r in lines for t in r["turns"] if t["signs"] is not None]
    assert turns and all(set(t["signs"]) <= set(SIGNS) for t in turns)
    copied = sum("copied" in t["signs"] for t in turns)
    assert f"Shortcut signs over {len(turns)} policy turn(s): copied {100 * copied / len(turns):.1f} %" \
        in " ".join(res.output.split())
    line = next(r for r in lines if r["end"] == "turns")
    # the reward is explained line by line and the environment recorded
    assert line["reward"]["lines"][-1].startswith("reward = ") and line["reward"]["value"] is not None
    assert line["env"]["turns"] == 2 and line["env"]["seeker_prompt"] == "v1"
    assert line["generation"]["backend"] == "fake"


def test_a_transcript_keeps_the_seeker_behaviour_it_was_played_with(tmp_path):
    behaviour = {"guarded": "high", "opens_up_if": "someone asks about her dad",
                 "leaves_if": "you are told to cheer up"}
    scen = write(tmp_path / "s.jsonl", [scenario(0, seeker=behaviour), scenario(1)])
    out = tmp_path / "t.jsonl"
    run_cli("simulate", "fake", "--scenarios", scen, "--turns", "1", "--seeker", "fake",
            "--judge", "fake", "-o", out)
    lines = read_jsonl(out)
    # `seeker` names who played the seeker; the scenario's behaviour object is kept beside it
    assert [r["seeker"] for r in lines] == ["fake-seeker:fake"] * 2
    assert [r["seeker_behaviour"] for r in lines] == [behaviour, None]


def test_simulate_resumes_and_refuses_other_settings(tmp_path):
    scen = write(tmp_path / "s.jsonl", [scenario(i) for i in range(2)])
    out = tmp_path / "t.jsonl"
    args = ["simulate", "fake", "--scenarios", scen, "--seeker", "fake", "--judge", "fake", "-o", out]
    run_cli(*args, "--turns", "1", "--limit", "1")
    first = read_jsonl(out)[0]
    res = run_cli(*args, "--turns", "1")
    assert "Resuming: 1 of 2" in res.output and "1 episode(s) played" in res.output
    assert read_jsonl(out)[0] == first  # the finished episode was not played again
    res = run_cli(*args, "--turns", "2", ok=False)
    assert res.exit_code != 0 and "other settings" in res.output and "--turns" in res.output


def test_an_env_config_scripts_the_seeker_and_the_reward(tmp_path):
    scen = write(tmp_path / "s.jsonl", [scenario(0)])
    answers = [render_answer("hm", 3, "no"), render_answer("that's it, thanks", 9, "yes")]
    cfg = seeker_config(tmp_path, answers, turns=4, stop_on_format_error=False,
                        reward={"final_source": "need_met", "gamma": 1.0})
    out = tmp_path / "t.jsonl"
    run_cli("simulate", "fake", "--scenarios", scen, "--env-config", cfg, "--judge", "fake", "-o", out)
    line = read_jsonl(out)[0]
    assert line["end"] == "need_met" and len(line["turns"]) == 2
    turns = [t["score"]["reward"] for t in line["turns"]]  # a broken format has the floor reward
    assert line["reward"]["terms"]["final"] == pytest.approx(0.5)  # need met: yes, coef 0.5
    assert line["reward"]["value"] == pytest.approx(sum(turns) / 2 + 0.5)
    # --play-to-limit ignores the need met
    out2 = tmp_path / "t2.jsonl"
    run_cli("simulate", "fake", "--scenarios", scen, "--env-config", cfg, "--judge", "fake",
            "--play-to-limit", "-o", out2)
    assert len(read_jsonl(out2)[0]["turns"]) == 4


def test_simulate_needs_a_seeker_and_a_known_policy(tmp_path):
    scen = write(tmp_path / "s.jsonl", [scenario(0)])
    res = run_cli("simulate", "fake", "--scenarios", scen, "--judge", "fake", "-o", tmp_path / "o.jsonl", ok=False)
    assert res.exit_code != 0 and "--seeker" in res.output
    res = run_cli("simulate", "vllm:x", "--scenarios", scen, "--seeker", "fake", "--judge", "fake",
                  "-o", tmp_path / "o.jsonl", ok=False)
    assert res.exit_code != 0 and "POLICY" in res.output and "Traceback" not in res.output


def test_a_malformed_seeker_behaviour_names_file_line_and_field(tmp_path):
    scen = write(tmp_path / "s.jsonl", [scenario(0, seeker={"guarded": "extremely"}), scenario(1),
                                        scenario(2, seeker={"leaves_if": ""})])
    out = tmp_path / "o.jsonl"
    args = ["simulate", "fake", "--scenarios", scen, "--seeker", "fake", "--judge", "fake", "-o", out]
    res = run_cli(*args, ok=False)
    assert res.exit_code != 0 and "Traceback" not in res.output
    text = " ".join(res.output.split())  # rich wraps long lines
    assert f"{scen}:1: field 'seeker.guarded'" in text and f"{scen}:3: field 'seeker.leaves_if'" in text
    assert not out.exists()  # refused before any episode was played
    assert json.loads((tmp_path / "s.jsonl").read_text().splitlines()[0])["seeker"]  # input untouched
    # --skip-invalid: each bad scenario costs only itself
    res = run_cli(*args, "--turns", "1", "--skip-invalid")
    assert "1 episode(s) played" in res.output and "skipped" in res.output
    assert [r["id"] for r in read_jsonl(out)] == ["s1"]


def test_the_env_configs_scoring_section_is_the_judge_and_flags_win(tmp_path):
    scen = write(tmp_path / "s.jsonl", [scenario(0)])
    cfg = seeker_config(tmp_path, [render_answer("hm", 3, "no")], turns=1,
                        scoring={"judge": {"backend": "fake"}, "bystander_coef": 0})
    out = tmp_path / "t.jsonl"
    run_cli("simulate", "fake", "--scenarios", scen, "--env-config", cfg, "-o", out)
    line = read_jsonl(out)[0]
    assert line["judge"] == "fake:fake"  # not the default judge: the file named one
    assert line["turns"][0]["score"]["scores"]["bystander"] is None  # its bystander_coef 0 holds
    out2 = tmp_path / "t2.jsonl"
    run_cli("simulate", "fake", "--scenarios", scen, "--env-config", cfg, "--bystander-coef", "0.5",
            "-o", out2)
    assert read_jsonl(out2)[0]["turns"][0]["score"]["scores"]["bystander"] is not None
    res = run_cli("simulate", "fake", "--scenarios", scen, "--env-config", cfg, "-c", "scoring-local",
                  "-o", tmp_path / "t3.jsonl", ok=False)
    assert res.exit_code != 0 and "the judge is set twice" in res.output
