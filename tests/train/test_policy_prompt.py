"""The policy prompt (perm.policy): pure, complete, and in the layout the scorer expects."""
from __future__ import annotations

from perm.completion import split_completion
from perm.policy import (
    POLICY_PROMPT_VERSION,
    SYSTEM_PROMPT,
    build_messages,
    build_user_message,
    completion_text,
)
from perm.types import Sample, Turn

SAMPLE = Sample(persona="Kwame, 34, software tester in Leeds.", scenario="His father died in Kumasi.",
                query="cant go to the funeral. whatever.", id="x",
                history=(Turn("user", "long day"), Turn("assistant", "Want to talk about it?")))


def test_messages_are_system_then_user_with_every_part_of_the_context():
    msgs = build_messages(SAMPLE)
    assert [m["role"] for m in msgs] == ["system", "user"]
    user = msgs[1]["content"]
    for part in (SAMPLE.persona, SAMPLE.scenario, SAMPLE.query, "long day", "Want to talk about it?"):
        assert part in user
    assert user.index("long day") < user.index(SAMPLE.query)  # earlier turns come first


def test_system_prompt_asks_for_analysis_then_response():
    assert SYSTEM_PROMPT.index("# Analysis") < SYSTEM_PROMPT.index("# Response")
    skeleton = "# Analysis\nnotes\n# Response\nreply"
    assert split_completion(skeleton).format_ok  # the layout we ask for is the one we score


def test_hidden_intention_is_never_shown_to_the_policy():
    s = Sample(persona="p", scenario="s", query="q", hidden_intention="SECRET")
    assert all("SECRET" not in m["content"] for m in build_messages(s))


def test_pure_and_deterministic():
    assert build_messages(SAMPLE) == build_messages(SAMPLE)
    assert POLICY_PROMPT_VERSION == "v1"


def test_no_history_renders_no_transcript():
    s = Sample(persona="p", scenario="s", query="q")
    assert "conversation so far" not in build_user_message(s)


def test_history_as_real_turns():
    msgs = build_messages(SAMPLE, history_as_turns=True)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    assert SAMPLE.persona in msgs[1]["content"] and msgs[1]["content"].endswith("long day")
    assert msgs[-1]["content"] == SAMPLE.query
    # without history the turn layout falls back to the single user message
    plain = Sample(persona="p", scenario="s", query="q")
    assert build_messages(plain, history_as_turns=True) == build_messages(plain)


def test_completion_text_accepts_trl_shapes():
    assert completion_text("abc") == "abc"
    assert completion_text([{"role": "assistant", "content": "abc"}]) == "abc"
    assert completion_text({"role": "assistant", "content": "abc"}) == "abc"
