"""A deterministic, scriptable seeker for tests, docs and demos. Its feelings carry no meaning.

Default answers are a stable function of the prompt: a short canned message, a feeling of 3-7,
`Need met: no` on the first reply and `partly` after it, and it never leaves, so an episode
with the default fake seeker runs to its turn limit. Scripting, as for the fake judge:
- `FakeSeeker(script=fn)`: `fn(messages) -> str` (raise to simulate a fault);
- `options={"answers": [...]}`: answers in turn; an item is the answer text, or a dict with
  `message`, `feeling`, `need_met`, optional `words` and `staying`, rendered in the requested
  layout; the string "!error:<status>" raises a JudgeError with that status. A call after the
  last answer is an error unless `"cycle": true`;
- `options={"latency": 0.2}`: seconds of simulated latency per call.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..config import JudgeConfig
from ..judges.fake import FakeJudge
from ..types import Message
from .answer import render_answer

Script = Callable[[Sequence[Message]], str]
_THEM = re.compile(r"^\[them\] ", re.MULTILINE)  # a supporter line of the rendered conversation

_MESSAGES = (
    "yeah. I guess that's part of it.",
    "I don't know. It's hard to explain.",
    "Maybe. I hadn't thought of it like that.",
    "It's just a lot right now, honestly.",
    "Thanks. That helps a bit.",
    "I keep going round in circles with it.",
)


def default_seeker_answer(messages: Sequence[Message]) -> str:
    """A stable, parsable seeker answer to any prompt (a function of its last message)."""
    last = str(messages[-1].get("content", "")) if messages else ""
    digest = hashlib.sha256(last.encode()).digest()
    replies = len(_THEM.findall(last))  # the supporter's replies so far (0 for a foreign prompt)
    return render_answer(_MESSAGES[digest[0] % len(_MESSAGES)], 3 + digest[1] % 5,
                         "no" if replies <= 1 else "partly", words="still working it out")


def scripted_answer(item: Any) -> str:
    """A scripted answer item as answer text (see the module docstring)."""
    if isinstance(item, Mapping):
        return render_answer(str(item["message"]), float(item["feeling"]), str(item["need_met"]),
                             words=str(item.get("words", "")), staying=bool(item.get("staying", True)))
    return str(item)


class FakeSeeker(FakeJudge):
    """The fake judge's scripting (latency, answers, cycle, !error, script) with seeker answers."""

    name = "fake-seeker"
    label = "fake seeker"

    def __init__(self, config: JudgeConfig | None = None, *, script: Script | None = None) -> None:
        super().__init__(config or JudgeConfig.model_validate({"backend": "fake"}), script=script)

    def default(self, messages: Sequence[Message]) -> str:
        return default_seeker_answer(messages)

    def select(self, item: object, messages: Sequence[Message]) -> object:
        return item

    def render(self, item: object) -> str:
        return scripted_answer(item)
