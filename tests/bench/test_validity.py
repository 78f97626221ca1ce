"""bench.validity: the measures behind the card's table of real human judgements.

Tiny hand-made items in the human-judged format; no model is loaded."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from bench import validity as v


def _turn(i: str, source: str, group: str, label: dict[str, Any], reply: str = "ok") -> dict[str, Any]:
    meta = {"dialogue_id": group} if source == "esconv" else {"transcript_id": group}
    return {"id": i, "source": source, "persona": "p", "scenario": "s", "query": "q",
            "completion": f"# Analysis\n(none)\n# Response\n{reply}", "label": label, "meta": meta}


def _esconv(i: str, group: str, *strategies: str, reply: str = "ok") -> dict[str, Any]:
    return _turn(i, "esconv", group, {"strategies": list(strategies), "collection_outcome": "kept"}, reply)


def _annomi(i: str, group: str, codes: list[str], kinds: list[str]) -> dict[str, Any]:
    return _turn(i, "annomi", group, {"therapist_behaviours": codes, "reflection_subtypes": kinds,
                                      "mi_quality": "high"})


def test_pair_accuracy_counts_ties_as_half_and_skips_missing_scores() -> None:
    pairs = [{"better_id": "a", "worse_id": "b"}, {"better_id": "c", "worse_id": "d"},
             {"better_id": "a", "worse_id": "e"}, {"better_id": "a", "worse_id": "gone"}]
    score = {"a": 1.0, "b": 0.0, "c": 0.5, "d": 0.5, "e": float("nan")}
    assert v.pair_accuracy(score, pairs) == (0.75, 2)


def test_auc() -> None:
    assert v.auc([2.0, 3.0], [1.0, 2.0]) == pytest.approx(0.875)
    assert math.isnan(v.auc([], [1.0]))


@pytest.mark.parametrize(("item", "act"), [
    (_esconv("a", "d", "Reflection of feelings"), "empathic"),
    (_esconv("a", "d", "Affirmation and Reassurance", "Restatement or Paraphrasing"), "empathic"),
    (_esconv("a", "d", "Providing Suggestions", "Information"), "advice"),
    (_esconv("a", "d", "Reflection of feelings", "Providing Suggestions"), None),   # mixed
    (_esconv("a", "d", "Questions"), None),
    (_esconv("a", "d"), None),
    (_annomi("a", "t", ["reflection"], ["complex"]), "complex"),
    (_annomi("a", "t", ["reflection", "reflection"], ["simple", "simple"]), "simple"),
    (_annomi("a", "t", ["reflection", "reflection"], ["simple", "complex"]), None),
    (_annomi("a", "t", ["therapist_input"], ["n/a"]), "input"),
    (_annomi("a", "t", ["question"], ["simple"]), None),
    (_annomi("a", "t", ["reflection", "question"], ["simple", "n/a"]), None),
])
def test_act_of(item: dict[str, Any], act: str | None) -> None:
    assert v.act_of(item) == act


def test_act_pairs_compare_only_within_a_conversation() -> None:
    items = [_esconv("e1", "d1", "Reflection of feelings"), _esconv("a1", "d1", "Information"),
             _esconv("a2", "d1", "Providing Suggestions"), _esconv("e2", "d2", "Affirmation and Reassurance"),
             _esconv("a3", "d2", "Information"), _esconv("x", "d3", "Information")]
    # d1: e1 beats a1, ties a2; d2: e2 loses to a3; d3 has no empathic act, and the very low e2
    # is never compared with x, which is in another conversation.
    score = {"e1": 0.5, "a1": 0.1, "a2": 0.5, "e2": -1.0, "a3": 0.0, "x": -5.0}
    assert v.act_pairs(items, score, "empathic", "advice") == (pytest.approx(1.5 / 3), 3)


def test_act_pairs_reflections_against_input_and_complex_against_simple() -> None:
    items = [_annomi("c", "t", ["reflection"], ["complex"]), _annomi("s", "t", ["reflection"], ["simple"]),
             _annomi("i", "t", ["therapist_input"], ["n/a"]), _annomi("q", "t", ["question"], ["n/a"])]
    score = {"c": 3.0, "s": 1.0, "i": 2.0, "q": 9.0}
    assert v.act_pairs(items, score, {"complex", "simple"}, "input") == (0.5, 2)
    assert v.act_pairs(items, score, "complex", "simple") == (1.0, 1)
    assert math.isnan(v.act_pairs(items, score, "empathic", "advice")[0])


def test_metrics_reports_the_act_columns() -> None:
    items = [_esconv("e1", "d1", "Reflection of feelings"), _esconv("a1", "d1", "Information"),
             _annomi("c", "t", ["reflection"], ["complex"]), _annomi("s", "t", ["reflection"], ["simple"]),
             _annomi("i", "t", ["therapist_input"], ["n/a"])]
    score = {"e1": 1.0, "a1": 0.0, "c": 0.0, "s": 1.0, "i": 2.0}
    out = v.metrics(items, {}, score)
    assert out["esconv_acts_pairs"] == 1.0
    assert out["annomi_reflection_vs_input_pairs"] == 0.0
    assert out["annomi_complex_vs_simple_pairs"] == 0.0


def test_main_without_data_says_where_to_look(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert v.main(["--data", str(tmp_path)]) == 2
    assert "no human-judged data" in capsys.readouterr().err


def test_main_rejects_an_unknown_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "counsel-chat").mkdir()
    (tmp_path / "counsel-chat" / "items.jsonl").write_text(json.dumps({}) + "\n")
    assert v.main(["--data", str(tmp_path), "--sources", "reddit"]) == 2
    assert "unknown source(s) reddit" in capsys.readouterr().err


def test_score_with_ranks_by_the_reward_or_by_one_dimension() -> None:
    items = [_esconv("warm", "d", "Reflection of feelings",
                     reply="That sounds exhausting, and it makes sense you feel worn down after this week."),
             _esconv("cold", "d", "Information", reply="Ok.")]
    reward = v.score_with("perm-minilm-v2", items)
    expression = v.score_with("perm-minilm-v2", items, "expression")
    assert set(reward) == set(expression) == {"warm", "cold"}
    assert all(1.0 <= x <= 5.0 for x in expression.values())
    assert all(-1.0 <= x <= 1.0 for x in reward.values()) and reward != expression
    assert expression["warm"] > expression["cold"]
