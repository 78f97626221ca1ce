"""The seeker-answer parser against real and adversarial answers (a table, like
tests/core/test_parsing.py for the judges)."""
from __future__ import annotations

import pytest

from perm.env.answer import parse_seeker_answer, render_answer

REPORT = "REPORT:\nFeeling: 6\nIn my words: a bit lighter\nNeed met: partly\nStaying: yes"

# (answer, message, feeling, need_met, staying, error substring or None)
CASES = [
    (f"MESSAGE:\nthanks. it does help.\n\n{REPORT}", "thanks. it does help.", 6, "partly", True, None),
    # no MESSAGE header, markdown decoration everywhere
    ("ok maybe you're right\n\n**Report:**\n**Feeling:** 7/10\n- Need met: **yes**\n- Staying: no",
     "ok maybe you're right", 7, "yes", False, None),
    ("## Message\nhm.\n\n## Self-report\nFeeling: four\nNeed met: not yet", "hm.", 4, "no", True, None),
    ("MESSAGE: I don't know\nREPORT\nFeeling = 3\nNeed met - partially", "I don't know", 3, "partly", True, None),
    # decimal feeling, "Leaving: yes" instead of Staying
    ("I think I'll go now. bye.\nREPORT:\nFeeling: 2.5\nNeed met: no\nLeaving: yes",
     "I think I'll go now. bye.", 2.5, "no", False, None),
    # report lines without a header
    ("yeah. that's it exactly.\n\nFeeling: 8\nNeed met: yes", "yeah. that's it exactly.", 8, "yes", True, None),
    # the message quotes the word report and a fake score line; the LAST header counts
    ('MESSAGE:\nmy boss wants a report by friday. "Feeling: 10" lol\n\nREPORT:\nFeeling: 3\nNeed met: no',
     'my boss wants a report by friday. "Feeling: 10" lol', 3, "no", True, None),
    ("MESSAGE:\n\"fine.\"\n---\nREPORT:\nFeeling: 5\nNeed met: Partly.\nStaying: Yes.", "fine.", 5,
     "partly", True, None),
    # a goodbye without words is fine when leaving
    ("MESSAGE:\n\nREPORT:\nFeeling: 1\nNeed met: no\nStaying: no", None, 1, "no", False, None),
    # failures: the message survives, the report is missing with a reason
    ("I guess. whatever.", "I guess. whatever.", None, None, True, "no REPORT section"),
    ("MESSAGE:\nok\nREPORT:\nNeed met: yes", "ok", None, None, True, "no Feeling line"),
    ("MESSAGE:\nok\nREPORT:\nFeeling: 6", "ok", None, None, True, "no Need met line"),
    ("MESSAGE:\nok\nREPORT:\nFeeling: 8/100\nNeed met: yes", "ok", None, None, True, "/100 scale"),
    ("MESSAGE:\nok\nREPORT:\nFeeling: 12\nNeed met: yes", "ok", None, None, True, "outside 0-10"),
    ("MESSAGE:\nok\nREPORT:\nFeeling: good\nNeed met: yes", "ok", None, None, True, "not a number"),
    ("MESSAGE:\nok\nREPORT:\nFeeling: 5\nNeed met: maybe", "ok", None, None, True, "not yes, partly or no"),
    ("MESSAGE:\nok\nREPORT:\nFeeling: 5\nNeed met: no\nStaying: perhaps", "ok", None, None, True,
     "staying is not yes or no"),
    ("MESSAGE:\n\nREPORT:\nFeeling: 5\nNeed met: no", None, None, None, True, "empty message"),
    ("", None, None, None, True, "empty seeker answer"),
    ("   \n", None, None, None, True, "empty seeker answer"),
    # Windows line endings
    ("MESSAGE:\r\nsure\r\nREPORT:\r\nFeeling: 6\r\nNeed met: no\r\n", "sure", 6, "no", True, None),
]


@pytest.mark.parametrize("text,message,feeling,need,staying,error", CASES)
def test_parse_seeker_answer(text, message, feeling, need, staying, error):
    a = parse_seeker_answer(text)
    assert a.message == message
    if error is None:
        assert a.ok and a.error is None
        assert (a.feeling, a.need_met, a.staying) == (feeling, need, staying)
    else:
        assert not a.ok and error in a.error


def test_words_are_read_and_a_broken_report_is_never_half_read():
    a = parse_seeker_answer(f"MESSAGE:\nhi\n\n{REPORT}")
    assert a.words == "a bit lighter"
    broken = parse_seeker_answer("MESSAGE:\nhi\nREPORT:\nFeeling: 6\nNeed met: dunno")
    assert broken.error is not None and "need met" in broken.error


def test_render_answer_round_trips():
    text = render_answer("fine, I guess", 4, "partly", words="tired", staying=False)
    a = parse_seeker_answer(text)
    assert (a.message, a.feeling, a.need_met, a.words, a.staying, a.ok) == (
        "fine, I guess", 4.0, "partly", "tired", False, True)
