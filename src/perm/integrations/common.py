"""Pure pieces shared by the reward server and the verl / OpenRLHF adapters.

- `decode_context` / `sample_from_context`: an engine carries the sample's persona, scenario and
  query next to the prompt (OpenRLHF `labels`, verl `extra_info`), as a JSON string or a
  mapping; this turns it plus the policy output into a validated `Sample`.
- `recover_response`: OpenRLHF hands over the decoded prompt+response (`query`, special tokens
  kept) and the prompt; this recovers the response text, chat templates included.
- `reward_fields`: a `ScoreResult` as flat floats, what RL loggers accept (no None, no NaN).
- `sample_context` / `policy_messages`: what the dataset converters write for the engines.

Absolute imports only: the engines load adapter files by path, outside the package.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from perm.data import parse_record
from perm.errors import DataError
from perm.types import Sample, ScoreResult

from .. import policy

#: Keys of the data contract that describe the situation (the completion comes separately).
CONTEXT_KEYS = ("id", "persona", "scenario", "query", "hidden_intention", "history")

#: Where a chat template opens the assistant's turn (last match wins). Covers ChatML (Qwen,
#: SmolLM, Yi), Llama 3, Gemma, Phi-3 / Zephyr, DeepSeek, Mistral / Llama 2 and gpt-oss.
_ASSISTANT_OPENERS = re.compile(
    r"<\|im_start\|>assistant[ \t]*\n?"
    r"|<\|start_header_id\|>assistant<\|end_header_id\|>[ \t]*\n*"
    r"|<start_of_turn>model[ \t]*\n?"
    r"|<\|assistant\|>[ \t]*\n?"
    r"|<｜Assistant｜>"
    r"|\[/INST\]"
    r"|<\|start\|>assistant(?:<\|channel\|>\w+)?<\|message\|>"
)
#: Special tokens that can trail a decoded response (end of turn, end of text, padding).
_TRAILING_SPECIALS = re.compile(
    r"(?:\s*(?:<\|[A-Za-z0-9_.:\-]{1,48}\|>|<｜[^｜\n]{1,48}｜>|</s>|<eos>|<pad>|<end_of_turn>))+\s*\Z")
_TAIL_CHARS = 64  # how much of the prompt's end must reappear when the prefix does not match


@dataclass(frozen=True, slots=True)
class Recovered:
    """A response recovered from prompt+response text; `method` says how it was found."""

    text: str
    method: str  # prefix | tail | template | whole


def strip_trailing_specials(text: str) -> str:
    """Drop end-of-turn / end-of-text / padding tokens after a response."""
    return _TRAILING_SPECIALS.sub("", text).strip()


def recover_response(query: str, prompt: str | None = None) -> Recovered:
    """The policy's response inside `query` (prompt + response, as OpenRLHF decodes it).

    Tries, in order: `query` starts with `prompt`; the prompt's last characters reappear in
    `query` (tokenizer round trips and left-truncated prompts); the last assistant-turn opener
    of a known chat template; else the whole text is taken as the response.
    """
    if prompt:
        if query.startswith(prompt):
            return Recovered(strip_trailing_specials(query[len(prompt):]), "prefix")
        tail = prompt.rstrip()[-_TAIL_CHARS:]
        if len(tail.strip()) >= 8:
            at = query.find(tail)
            if at >= 0:
                return Recovered(strip_trailing_specials(query[at + len(tail):]), "tail")
    openers = list(_ASSISTANT_OPENERS.finditer(query))
    if openers:
        last = openers[-1]
        return Recovered(strip_trailing_specials(query[last.end():]), "template")
    return Recovered(strip_trailing_specials(query), "whole")


def _plain(value: Any) -> Any:
    """Numpy arrays / scalars and tuples (what parquet loaders hand back) as plain Python."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _plain(value.tolist())
    return value


def decode_context(value: Any, *, field: str) -> dict[str, Any]:
    """A label / extra_info carrying the sample's context (JSON text or a mapping) as a dict."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        if not value.strip():
            raise DataError("empty: expected the sample's persona, scenario and query as a JSON "
                            "object (OpenRLHF: set --data.label_key to the column that holds it)",
                            field=field)
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise DataError(f"not valid JSON ({e.msg}); expected the sample's persona, scenario "
                            "and query as a JSON object", field=field) from None
    if not isinstance(value, Mapping):
        raise DataError(f"expected an object with persona, scenario and query, got "
                        f"{type(value).__name__}", field=field)
    return _plain(value)  # type: ignore[no-any-return]


def sample_from_context(context: Any, completion: str, *, field: str) -> Sample:
    """Validate `context` (see `decode_context`) and attach the policy output to judge.

    Keys outside the data contract's context (engines add their own, e.g. verl's `num_turns`)
    are ignored; a bad value raises DataError naming `field.<key>`.
    """
    ctx = decode_context(context, field=field)
    # `dialogue`: the reference's training shape, which parse_record also understands.
    record = {k: ctx[k] for k in (*CONTEXT_KEYS, "dialogue") if ctx.get(k) is not None}
    record["completion"] = completion
    try:
        return parse_record(record)
    except DataError as e:
        raise DataError(e.reason, field=f"{field}.{e.field}" if e.field else field) from None


def sample_context(sample: Sample) -> dict[str, Any]:
    """The context an engine must carry to the reward (inverse of `sample_from_context`)."""
    return {"id": sample.id, "persona": sample.persona, "scenario": sample.scenario,
            "query": sample.query, "hidden_intention": sample.hidden_intention,
            "history": [{"role": t.role, "content": t.content} for t in sample.history]}


#: The policy's instruction in the converted RL datasets: the same prompt `perm train` and
#: `perm generate` use (perm.policy), so a policy trained in any engine sees one prompt.
POLICY_SYSTEM_PROMPT = policy.SYSTEM_PROMPT


def policy_messages(sample: Sample, system_prompt: str | None = POLICY_SYSTEM_PROMPT
                    ) -> list[dict[str, str]]:
    """The chat the policy answers (perm.policy.build_messages), optionally with another
    system prompt (None drops the system turn)."""
    messages = policy.build_messages(sample, history_as_turns=True)
    if system_prompt is None:
        return messages[1:]
    return [{"role": "system", "content": system_prompt}, *messages[1:]]


#: The flat per-sample fields every adapter reports, in this order.
REWARD_FIELDS = ("score", "empathy", "resonation", "expression", "reception", "bystander",
                 "bystander_term", "length_term", "format_ok", "missing", "failed_dims")


def reward_fields(result: ScoreResult, null_reward: float = 0.0) -> dict[str, float]:
    """A result as floats only: `score` is the reward, or `null_reward` when it is missing
    (then `missing` is 1); a dimension or term that is missing reads 0 (see `failed_dims`)."""
    def num(v: float | None) -> float:
        return 0.0 if v is None else float(v)

    return {
        "score": null_reward if result.reward is None else float(result.reward),
        "empathy": num(result.empathy),
        **{d: num(result.scores.get(d)) for d in ("resonation", "expression", "reception",
                                                  "bystander")},
        "bystander_term": num(result.terms.get("bystander")),
        "length_term": num(result.terms.get("length")),
        "format_ok": 1.0 if result.format_ok else 0.0,
        "missing": 1.0 if result.reward is None else 0.0,
        "failed_dims": float(len([k for k in result.failures if k != "format"])),
    }
