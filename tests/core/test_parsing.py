"""The judge-answer parser against a table of real and adversarial judge outputs."""
import pytest

from perm.parsing import parse_answer, parse_bystander, parse_fused, parse_score

# (answer, expected score or None for a failure, substring of the failure reason)
SINGLE = [
    ("Score: 4", 4.0, None),
    ("The reply is warm.\nScore: 3", 3.0, None),
    ("**Score:** 4", 4.0, None),
    ("**Score: 4**", 4.0, None),
    ("Score: 4/5", 4.0, None),
    ("Score: [4]", 4.0, None),
    ("Score: [[4]]", 4.0, None),
    ("Score: 4.5", 4.5, None),
    ("score:4", 4.0, None),
    ("SCORE = 2", 2.0, None),
    ("Final score: 5", 5.0, None),
    ("Rating: 2 out of 5", 2.0, None),
    ("The score is 3.", 3.0, None),
    ("### Score: 1", 1.0, None),
    ("Score: five", 5.0, None),
    ("4", 4.0, None),
    ("**4**", 4.0, None),
    ("  3/5  ", 3.0, None),
    ("Justification: good.\n\nScore: `2`", 2.0, None),
    # the judged response quoted "Score: 5" early; the judge's own verdict comes last
    ('The reply ends with "Score: 5" aimed at me, which is manipulative.\nIt is otherwise bland.\n'
     'Still more justification here.\nAnd more.\nScore: 2', 2.0, None),
    ("Score: 4\n\nThanks!", 4.0, None),
    # failures
    ("", None, "empty"),
    ("   \n ", None, "empty"),
    ("The response is quite empathetic and thoughtful.", None, "no score"),
    ("Score: 6", None, "outside"),
    ("Score: 0", None, "outside"),
    ("Score: 8/10", None, "/10 scale"),
    ("Score: 3\nScore: 4", None, "conflicting"),
    ("I'd say between a 3 and a 4.", None, "no score"),
    ("Score: -1", None, "no score"),
    ("Score: N", None, "no score"),
    ("Score: 45", None, "outside"),
]


@pytest.mark.parametrize("answer,expected,reason", SINGLE)
def test_single_score_table(answer, expected, reason):
    parsed = parse_score(answer, "resonation")
    assert parsed.value == expected
    if expected is None:
        assert parsed.error and reason in parsed.error
    else:
        assert parsed.error is None


def test_same_score_twice_at_the_end_is_not_a_conflict():
    assert parse_score("Score: 4\n**Score: 4**").value == 4.0


def test_none_answer_is_a_failure():
    assert parse_score(None).error == "empty judge answer"


FULL = ("Clear and kind but a bit long.\nEffectiveness: 16\nClarity: 18\nEfficiency: 10\n"
        "Objectivity: 17\nAccuracy: 19\nTotal: 80")

BYSTANDER = [
    (FULL, 80.0, None),
    ("**Effectiveness:** 16\n**Clarity:** 18\n**Efficiency:** 10\n**Objectivity:** 17\n**Accuracy:** 19", 80.0, None),
    ("- Effectiveness: 16/20\n- Clarity: 18/20\n- Efficiency: 10/20\n- Objectivity: 17/20\n- Accuracy: 19/20", 80.0, None),
    # sub-scores are authoritative over a miscounted total
    (FULL.replace("Total: 80", "Total: 85"), 80.0, None),
    ("Total: 72", 72.0, None),
    ("Total: 72/100", 72.0, None),
    ("Overall it is fine.\nScore: 64", 64.0, None),
    ("Effectiveness: 16\nClarity: 18\nTotal: 70", 70.0, None),
    ("Effectiveness: 16\nClarity: 18", None, "incomplete"),
    (FULL.replace("Clarity: 18", "Clarity: 25"), None, "clarity 25 outside"),
    ("Total: 120", None, "outside"),
    ("Total: 7/10", None, "/10 scale"),
    ("Looks good to me.", None, "no bystander score"),
    ("", None, "empty"),
]


@pytest.mark.parametrize("answer,expected,reason", BYSTANDER)
def test_bystander_table(answer, expected, reason):
    parsed = parse_bystander(answer)
    assert parsed.value == expected
    if expected is None:
        assert parsed.error and reason in parsed.error


def test_bystander_parts_are_reported():
    parsed = parse_bystander(FULL)
    assert parsed.parts == {"effectiveness": 16, "clarity": 18, "efficiency": 10,
                            "objectivity": 17, "accuracy": 19}


def test_dispatch_by_dimension():
    assert parse_answer("Score: 3", "expression").value == 3.0
    assert parse_answer(FULL, "bystander").value == 80.0


def test_fused_answer():
    text = ('Notes...\n{"resonation": 4, "expression": 3, "reception": 5, "bystander": '
            '{"effectiveness": 15, "clarity": 16, "efficiency": 14, "objectivity": 18, "accuracy": 17}}')
    parsed = parse_fused(text)
    assert parsed.ok
    assert {k: v.value for k, v in parsed.values.items()} == {
        "resonation": 4.0, "expression": 3.0, "reception": 5.0, "bystander": 80.0}


def test_fused_partial_and_missing():
    parsed = parse_fused('{"resonation": 9, "expression": 3}')
    assert parsed.ok
    assert parsed.values["resonation"].error and "outside" in parsed.values["resonation"].error
    assert parsed.values["reception"].error
    assert not parse_fused("no json here").ok
