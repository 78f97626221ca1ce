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
    sign_rates,
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


def test_sign_rates_are_over_the_policy_turns_that_recorded_them(tmp_path):
    signed = [{**turn(0.2, 4, "no", 1), "signs": []}, {**turn(0.1, 3, "no", 2), "signs": ["unfinished"]},
              {**turn(0.1, 3, "no", 3), "signs": None}]  # no reply to check: left out
    a = write(tmp_path, "a", [episode("s1", "base", signed[:2], 0.3)])
    b = write(tmp_path, "b", [episode("s1", "tuned", signed, 0.2)])
    old = write(tmp_path, "c", [episode("s1", "old", [turn(0.2, 4, "no", 1)], 0.3)])  # before signs
    rates = sign_rates(load_transcripts([a, b, old]))
    assert rates["base"]["n"] == 2 and rates["base"]["unfinished"] == 0.5 and rates["base"]["copied"] == 0.0
    assert rates["tuned"]["n"] == 2 and rates["old"] == {}


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
    assert "policy turns</th>" not in page  # these transcripts recorded no signs: no table


def test_report_shows_the_signs_of_the_policy_turns_and_marks_a_rise(tmp_path):
    def with_signs(system, *shown):
        return episode("s1", system, [{**turn(0.2, 4, "no", k), "signs": list(x)}
                                      for k, x in enumerate(shown, 1)], 0.3)

    a = write(tmp_path, "a", [with_signs("base", [], [])])
    b = write(tmp_path, "b", [with_signs("tuned", ["about_itself"], [])])
    out = tmp_path / "rep"
    run_cli("report", "--simulate", a, "--simulate", b, "-o", out)
    page = (out / "report.html").read_text()
    assert "<h3>Shortcut signs</h3>" in page and "policy turns</th>" in page
    assert "<strong>50.0 %</strong><br><span class='note'>▲ 50 pts</span>" in page
