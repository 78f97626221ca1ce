"""The report's per-turn view of `perm simulate` transcripts (issue 15.4)."""
from __future__ import annotations

import json

import pytest
from tests.evaluate.helpers import run_cli

from perm.errors import PermError
from perm.evaluate.conversations import (
    load_transcripts,
    per_turn,
    pick_pair,
    side_by_side,
    stand_in_note,
)


def turn(reward, feeling, need, k):
    return {"turn": k, "response": f"reply {k}", "score": {"reward": reward, "scores": {"resonation": 4}},
            "seeker": {"message": f"msg {k}", "feeling": feeling, "need_met": need, "error": None}}


def episode(sid, system, turns, value, end="turns"):
    return {"id": sid, "system": system, "judge": "openai:gpt", "seeker": "openai:gpt",
            "persona": "P", "scenario": "S", "query": "Q", "turns": turns, "end": end,
            "reward": {"value": value, "lines": ["reward = 1"]}}


def write(tmp_path, name, rows):
    p = tmp_path / f"{name}.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return p


def test_per_turn_means_count_only_the_episodes_that_reached_each_turn():
    rows = [episode("a", "x", [turn(0.2, 4, "no", 1), turn(0.6, 8, "yes", 2)], 1.0),
            episode("b", "x", [turn(0.4, None, None, 1)], None, end="seeker_error")]
    curves = per_turn(rows)
    assert curves["reward"] == pytest.approx([0.3, 0.6])
    assert curves["feeling"] == [4.0, 8.0]  # a missing report is left out, not counted as 0
    assert curves["need_met"] == [0.0, 1.0] and curves["n"] == [2.0, 1.0]


def test_the_pair_shown_is_the_shared_scenario_with_the_largest_difference(tmp_path):
    a = write(tmp_path, "a", [episode("s1", "base", [turn(0.2, 4, "no", 1)], 0.3),
                              episode("s2", "base", [turn(0.2, 4, "no", 1)], 0.1)])
    b = write(tmp_path, "b", [episode("s1", "tuned", [turn(0.3, 5, "no", 1)], 0.35),
                              episode("s2", "tuned", [turn(0.9, 9, "yes", 1)], 0.9),
                              episode("s3", "tuned", [turn(0.9, 9, "yes", 1)], 0.0)])
    tr = load_transcripts([a, b])
    assert pick_pair(tr) == ("s2", "base", "tuned")
    html = side_by_side(tr, {})
    assert html.count("reply convo") == 2 and "msg 1" in html and "feeling 9/10" in html
    assert stand_in_note(tr) == ""


def test_transcripts_must_be_simulate_output_with_distinct_systems(tmp_path):
    bad = write(tmp_path, "bad", [{"id": "s1", "reward": 1}])
    with pytest.raises(PermError, match="not a `perm simulate` transcripts file"):
        load_transcripts([bad])
    a = write(tmp_path, "a", [episode("s1", "base", [], 0.1)])
    with pytest.raises(PermError, match="given twice"):
        load_transcripts([a, a])


def test_report_with_transcripts_only(tmp_path):
    a = write(tmp_path, "a", [episode("s1", "base", [turn(0.2, 4, "no", 1)], 0.3)])
    b = write(tmp_path, "b", [{**episode("s1", "tuned", [turn(0.5, 6, "partly", 1)], 0.6),
                               "seeker": "fake-seeker:fake"}])
    out = tmp_path / "rep"
    run_cli("report", "--simulate", a, "--simulate", b, "-o", out)
    page = (out / "report.html").read_text()
    assert "<h2>Conversations</h2>" in page and 'data-chart="turns"' in page
    assert "stand-in" in page and "tuned (seeker fake-seeker:fake)" in page
    assert (out / "png" / "turns.png").stat().st_size > 1000
