"""The policy prompt: what the model being trained (or evaluated) is asked to write.

Pure functions of a `Sample`; shared by `perm train` and `perm generate` so that a policy is
evaluated with exactly the prompt it was trained on. The model must answer with a private
`# Analysis` of the person followed by the `# Response` they will read (see `perm.completion`).
"""
from __future__ import annotations

from .types import Message, Sample

#: Bump when the wording changes: results and checkpoints record it.
POLICY_PROMPT_VERSION = "v1"

SYSTEM_PROMPT = """\
You are a warm, perceptive conversation partner. Someone has come to you with something that \
matters to them. Before you reply, think privately about them; then write the reply they will read.

Answer in exactly two sections, with these headers on their own lines:

# Analysis
Your private notes, which the person never sees. What are they feeling, including mixed or \
unspoken feelings? Why does this matter to this particular person, given who they are and what \
happened? What do they need from this reply right now: comfort, company, practical help, an \
honest second opinion, or simply to be heard?

# Response
The message they will read. Speak to them directly and naturally, as a person would, not as a \
help desk. Let the analysis shape the reply without reciting it, fit the length to what they \
need, and do not pretend, flatter or lecture."""

USER_TEMPLATE = """\
About the person: {persona}

What is going on: {scenario}
{history}
Their message to you:
{query}"""

_SPEAKER = {"user": "Them", "assistant": "You"}


def render_history(sample: Sample) -> str:
    """Earlier turns as a short transcript ('' when there are none)."""
    if not sample.history:
        return ""
    lines = [f"{_SPEAKER[t.role]}: {t.content.strip()}" for t in sample.history]
    return "\nYour conversation so far:\n" + "\n".join(lines) + "\n"


def build_user_message(sample: Sample) -> str:
    """The user turn: persona, scenario, earlier turns and the latest message."""
    return USER_TEMPLATE.format(persona=sample.persona.strip(), scenario=sample.scenario.strip(),
                                history=render_history(sample), query=sample.query.strip())


def build_messages(sample: Sample, *, history_as_turns: bool = False) -> list[Message]:
    """Chat messages for the policy: a system turn and the seeker's situation.

    By default earlier turns are quoted inside the user message (one prompt shape for every
    sample, friendlier to small models). `history_as_turns=True` sends them as real chat turns
    instead, with the background and the latest message in the final user turn.
    """
    if not history_as_turns or not sample.history:
        return [{"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": build_user_message(sample)}]
    turns: list[Message] = [{"role": t.role, "content": t.content} for t in sample.history]
    background = (f"(Background. About the person: {sample.persona.strip()} "
                  f"What is going on: {sample.scenario.strip()})")
    first_user = next(i for i, t in enumerate(turns) if t["role"] == "user") if any(
        t["role"] == "user" for t in turns) else None
    if first_user is not None:
        turns[first_user] = {"role": "user", "content": f"{background}\n\n{turns[first_user]['content']}"}
        last = sample.query.strip()
    else:
        last = f"{background}\n\n{sample.query.strip()}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, *turns, {"role": "user", "content": last}]


def completion_text(completion: str | list[Message] | dict[str, str]) -> str:
    """The text of a policy completion, whether plain or conversational (TRL's two shapes)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    return "".join(str(m.get("content") or "") for m in completion if m.get("role", "assistant") == "assistant")
