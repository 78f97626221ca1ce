"""What the report may claim: stand-in judges, significance, disagreements, failed comparisons
(issue 13.10: the headline said "greedy beats base: wins 79%" from the fake judge while the
PERM reward had greedy winning 33%)."""
import json
import re

import pytest

from perm.evaluate.evidence import claim, collect, disagreements, headline, is_stand_in
from perm.evaluate.report import build_report, load_inputs


def _pair(rate, p, wins, ties, losses, **kw):
    return {"a": "base", "b": "greedy", "rate": rate, "lo": max(0.0, rate - 0.2) if rate is not None else None,
            "hi": min(1.0, rate + 0.2) if rate is not None else None, "wins": wins, "ties": ties,
            "losses": losses, "p_sign": p, "n": wins + ties + losses, **kw}


EVAL_REAL = {"judge": "openai:gpt-4o-mini", "pairs": [_pair(1 / 3, 0.375, 2, 0, 4, unpaired=0)]}
FAKE_CMP = {**_pair(0.79, 0.18, 5, 2, 1), "judge": "fake:fake", "failed": 0, "pairs": 8}


def test_stand_in_judges_are_recognised():
    assert is_stand_in("fake:fake") and is_stand_in("fake:greedy")
    assert not is_stand_in("openai:gpt-4o-mini") and not is_stand_in("local:perm-minilm-v1")
    assert not is_stand_in(None) and not is_stand_in("")


def test_headline_never_comes_from_a_fake_judge_and_never_says_beats_without_significance():
    items = collect(EVAL_REAL, [FAKE_CMP])
    text, source = headline(items)
    assert "beats" not in text and "79%" not in text
    assert text.startswith("No significant difference between greedy and base: greedy wins 33%")
    assert "p = 0.375" in text and source == "by PERM reward, judge openai:gpt-4o-mini"
    (dis,) = disagreements(items)
    assert "disagree on greedy vs base" in dis
    assert "pairwise judge fake:fake (stand-in judge: meaningless): greedy wins 79%" in dis
    assert "PERM reward, judge openai:gpt-4o-mini: greedy wins 33%" in dis


def test_beats_needs_a_significant_sign_test():
    sig = collect({"judge": "openai:x", "pairs": [_pair(0.9, 0.004, 18, 0, 2)]})
    assert headline(sig)[0].startswith("greedy beats base: greedy wins 90% of scenarios")
    trails = collect({"judge": "openai:x", "pairs": [_pair(0.1, 0.004, 2, 0, 18)]})
    assert headline(trails)[0].startswith("greedy trails base")
    same_direction = collect({"judge": "openai:x", "pairs": [_pair(0.9, 0.004, 18, 0, 2)]},
                             [{**_pair(0.7, 0.3, 6, 0, 3), "judge": "openai:y", "failed": 0, "pairs": 9}])
    assert disagreements(same_direction) == []


def test_only_stand_in_evidence_makes_no_claim():
    items = collect({"judge": "fake:fake", "pairs": [_pair(0.9, 0.001, 18, 0, 2)]}, [FAKE_CMP])
    text, _ = headline(items)
    assert text.startswith("No verdict: every comparison here was judged by a stand-in judge")


def test_a_failed_comparison_is_kept_with_its_failure_count():
    failed = {**_pair(None, 1.0, 0, 0, 0), "judge": "openai:judge", "failed": 8, "pairs": 8}
    (e,) = collect(None, [failed])
    assert (e.rate, e.failed, e.total) == (None, 8, 8)
    assert claim(e) == "greedy vs base: no result (8 of 8 pairs without a usable verdict)"
    assert headline([e])[0] == "No verdict: no comparison produced a result"
    with_fake = collect({"judge": "fake:fake", "pairs": [_pair(0.9, 0.001, 18, 0, 2)]}, [failed])
    assert headline(with_fake)[0].startswith("No verdict: the comparisons by a real judge or by "
                                             "people produced no result")


@pytest.fixture
def doctored(results, tmp_path):
    """The fixture's eval with a real-looking judge and the 13.10 numbers, plus the fake compare
    and a second compare whose every judgment failed."""
    ev = json.loads((results["eval"] / "eval.json").read_text())
    ev["judge"] = "openai:gpt-4o-mini"
    ev["pairs"][0].update(rate=1 / 3, lo=0.1, hi=0.6, wins=2, ties=2, losses=4, p_sign=0.6875)
    (results["eval"] / "eval.json").write_text(json.dumps(ev))
    cmp = json.loads((results["compare"] / "compare.json").read_text())
    cmp.update(rate=0.79, lo=0.6, hi=0.95, p_sign=0.07)
    fake = tmp_path / "fake-compare.json"
    fake.write_text(json.dumps(cmp))
    dead = tmp_path / "dead-compare.json"
    dead.write_text(json.dumps({**cmp, "judge": "openai:judge", "rate": None, "lo": None, "hi": None,
                                "wins": 0, "ties": 0, "losses": 0, "p_sign": 1.0, "failed": 8}))
    return results["eval"], fake, dead


def test_report_headline_table_and_chart_follow_the_evidence(doctored, tmp_path):
    ev, fake, dead = doctored
    page = build_report(load_inputs(ev, compares=[fake, dead]), tmp_path / "r").read_text()
    head = re.search(r'<div class="headline">(.*?)</div>', page, re.S).group(1)
    assert "beats" not in head and "79%" not in head
    assert "No significant difference between tuned and base: tuned wins 33%" in head
    assert "by PERM reward, judge openai:gpt-4o-mini" in head
    assert 'class="disagree">The measures disagree on tuned vs base.' in page
    # the fake compare is labelled, the dead one is listed with its failures
    assert "pairwise judge fake:fake (stand-in judge: meaningless)" in page
    assert "stand-in judge: these numbers carry no meaning" in page
    assert "8 of 8 pair(s) without a usable verdict" in page and ">no result<" in page
    assert page.count('<tr class="standin">') == 1 and page.count('<tr class=" failed">') == 1
