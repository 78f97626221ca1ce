"""The simulated seeker's prompt, rendered from versioned package data (`env/prompts/<version>/`).

Message layout (like the judge prompts, so prefix caching reuses work across calls):
  system: the role-play rubric                                   (identical for every call)
  user:   persona, scenario, unspoken need, behaviour and the conversation so far, delimited,
          then the answer layout (`answer.md`)
The seeker reads only what the policy's reply says (its `# Response` section), never the
policy's private analysis.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

from ..perspectives import delimited
from ..types import Message, Sample, Turn
from .behaviour import SeekerBehaviour

#: Bump when the wording changes: transcripts record it.
SEEKER_PROMPT_VERSION = "v1"


@cache
def prompt_text(name: str, version: str = SEEKER_PROMPT_VERSION) -> str:
    """One prompt file of a version (`roleplay`, `answer`)."""
    path = resources.files("perm") / "env" / "prompts" / version / f"{name}.md"
    return path.read_text(encoding="utf-8").strip()


def seeker_system_prompt(version: str = SEEKER_PROMPT_VERSION) -> str:
    """The seeker's system message (the same for every call of a version)."""
    return prompt_text("roleplay", version)


def is_seeker_prompt(messages: Sequence[Message]) -> bool:
    """Whether `messages` is a seeker prompt of the current version (fakes and stubs ask)."""
    return bool(messages) and messages[0].get("content") == seeker_system_prompt()


def render_conversation(turns: Sequence[Turn]) -> str:
    """The conversation from the seeker's side: `[you]` is the seeker, `[them]` the supporter."""
    return "\n\n".join(f"[{'you' if t.role == 'user' else 'them'}] {t.content.strip()}" for t in turns)


def render_seeker_messages(sample: Sample, behaviour: SeekerBehaviour, conversation: Sequence[Turn],
                           version: str = SEEKER_PROMPT_VERSION) -> list[Message]:
    """The chat messages the seeker simulator gets; `conversation` ends with the reply to answer."""
    parts = ["Who you are:\n" + delimited("PERSONA", sample.persona),
             "What has happened:\n" + delimited("SCENARIO", sample.scenario)]
    if sample.hidden_intention:
        parts.append("What you really hope for, but will not say outright:\n"
                     + delimited("UNSPOKEN NEED", sample.hidden_intention))
    described = behaviour.describe()
    if described:
        parts.append("How you behave in this conversation:\n" + delimited("BEHAVIOUR", described))
    parts.append("The conversation so far ([you] is you, [them] is the person you reached out "
                 "to); answer their last reply:\n" + delimited("CONVERSATION", render_conversation(conversation)))
    parts.append(prompt_text("answer", version))
    return [{"role": "system", "content": seeker_system_prompt(version)},
            {"role": "user", "content": "\n\n".join(parts)}]
