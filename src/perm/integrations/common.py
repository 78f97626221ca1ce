"""Pure pieces shared by the reward server and the verl / OpenRLHF adapters.

- `decode_context` / `sample_from_context`: an engine carries the sample's persona, scenario and
  query next to the prompt (OpenRLHF `labels`, verl `extra_info`), as a JSON string or a
  mapping; this turns it plus the policy output into a validated `Sample`.
- `recover_response`: OpenRLHF hands over the decoded prompt+response (`query`, special tokens
  kept) and the prompt; this recovers the response text, chat templates included.
- `reward_fields`: a `ScoreResult` as flat floats, what RL loggers accept (no None): a missing
  reward reads the caller's `null_reward` (`reward_floor` by default), an unscored dimension NaN.
- `text_problem` / `refused_result`: a sample whose text cannot be judged (invalid Unicode, too
  long) becomes an explicit failure of its own instead of failing its batch.
- `sample_context` / `policy_messages`: what the dataset converters write for the engines.

Absolute imports only: the engines load adapter files by path, outside the package.
"""
from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, NoReturn

from perm.config import ScoringConfig
from perm.data import parse_record
from perm.env.behaviour import behaviour_of
from perm.errors import ConfigError, DataError
from perm.scoring import combine, format_error_result
from perm.types import DIMENSIONS, ParsedCompletion, Sample, ScoreResult

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
#: A special token at the very end of a text: end of turn, end of text, padding.
_TRAILING_SPECIAL = re.compile(
    r"(?:<\|[A-Za-z0-9_.:\-]{1,48}\|>|<｜[^｜\n]{1,48}｜>|</s>|<eos>|<pad>|<end_of_turn>)\Z")
_LONGEST_SPECIAL = 56  # characters: `<|` + 48 + `|>` with room to spare
_TAIL_CHARS = 64  # how much of the prompt's end must reappear when the prefix does not match


@dataclass(frozen=True, slots=True)
class Recovered:
    """A response recovered from prompt+response text; `method` says how it was found."""

    text: str
    method: str  # prefix | tail | template | whole


def strip_trailing_specials(text: str) -> str:
    """Drop end-of-turn / end-of-text / padding tokens after a response."""
    # Peeled from the end one token at a time: a regex over the whole text backtracks
    # quadratically on long runs of spaces or padding (a hostile or runaway response).
    end = len(text.rstrip())
    while end:
        found = _TRAILING_SPECIAL.search(text, max(0, end - _LONGEST_SPECIAL), end)
        if found is None:
            break
        end = len(text[:found.start()].rstrip())
    return text[:end].strip()


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
        return _plain_mapping(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _plain(value.tolist())
    return value


def _plain_mapping(value: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(k): _plain(v) for k, v in value.items()}


class _NonFinite(ValueError):
    pass


def _no_constant(name: str) -> NoReturn:
    raise _NonFinite(name)  # NaN / Infinity: Python's json accepts them, JSON does not


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
            value = json.loads(value, parse_constant=_no_constant)
        except _NonFinite as e:
            raise DataError(f"{e} is not JSON; expected the sample's persona, scenario and query "
                            "as a JSON object", field=field) from None
        except json.JSONDecodeError as e:
            raise DataError(f"not valid JSON ({e.msg}); expected the sample's persona, scenario "
                            "and query as a JSON object", field=field) from None
    if not isinstance(value, Mapping):
        raise DataError(f"expected an object with persona, scenario and query, got "
                        f"{type(value).__name__}", field=field)
    return _plain_mapping(value)


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
    """The context an engine must carry to the reward (inverse of `sample_from_context`), plus
    the simulated seeker's behaviour when the sample has one (the multi-turn adapters read it)."""
    ctx: dict[str, Any] = {"id": sample.id, "persona": sample.persona, "scenario": sample.scenario,
                           "query": sample.query, "hidden_intention": sample.hidden_intention,
                           "history": [{"role": t.role, "content": t.content} for t in sample.history]}
    behaviour = behaviour_of(sample).to_dict()  # DataError when malformed, never dropped
    if behaviour:
        ctx["seeker"] = behaviour
    return ctx


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


def reward_floor(config: ScoringConfig) -> float:
    """The reward of a malformed output under the `penalize` policy, before any length penalty:
    empathy at its floor (0.2) plus the bystander term at its floor (-coef). No judged output
    scores lower, so it is the default reward reported when PERM's reward is missing."""
    penalize = config.model_copy(update={"on_format_error": "penalize"})
    floor = format_error_result(ParsedCompletion("", "", False, "floor"), 0, penalize, judge="",
                                sample_id=None).reward
    assert floor is not None  # penalize always yields a number
    return floor


def resolve_null_reward(value: Any, config: ScoringConfig) -> float:
    """The reward reported for a sample without a PERM reward: `floor` (or None, the default)
    is `reward_floor(config)`; else a finite number, with a warning when above the floor."""
    floor = reward_floor(config)
    if value is None or (isinstance(value, str) and value.strip().lower() == "floor"):
        return floor
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ConfigError(f"null_reward must be 'floor' or a finite number, got {value!r}")
    if number > floor:
        logging.getLogger("perm.integrations").warning(
            "PERM: null_reward %g is above the reward floor %g: a sample the judge could not "
            "score gets more than a malformed output does", number, floor)
    return number


def reward_fields(result: ScoreResult, null_reward: float) -> dict[str, float]:
    """A result as floats only: `score` is the reward, or `null_reward` when it is missing
    (then `missing` is 1); a dimension or term nobody measured reads NaN, never a fake 0."""
    def num(v: float | None) -> float:
        return math.nan if v is None else float(v)

    return {
        "score": null_reward if result.reward is None else float(result.reward),
        "empathy": num(result.empathy),
        **{d: num(result.scores.get(d)) for d in ("resonation", "expression", "reception",
                                                  "bystander")},
        "bystander_term": num(result.terms.get("bystander")),
        "length_term": num(result.terms.get("length")),
        "format_ok": 1.0 if result.format_ok else 0.0,
        "missing": 1.0 if result.reward is None else 0.0,
        "failed_dims": float(len([k for k in result.failures if k in DIMENSIONS])),
    }


# -- text a judge cannot take ---------------------------------------------------------------
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Refusal(NamedTuple):
    """A sample that is not judged, and why (`field` and `reason` never quote its text)."""

    field: str
    reason: str
    sample_id: Any = None


def text_problem(*parts: tuple[str, Any], max_chars: int | None = None) -> Refusal | None:
    """Why a sample cannot be judged, as a Refusal, or None. `parts` are (field, value)
    pairs (a value may be a record or a list: every string in it counts, keys included).
    Checks Unicode validity (a lone surrogate cannot be encoded for any judge) and, with
    `max_chars`, the characters of all parts together. The reason never quotes the text."""
    total = 0
    stack: list[tuple[str, Any]] = list(reversed(parts))
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            total += len(item)
            if max_chars is not None and total > max_chars:
                return Refusal(parts[0][0], _too_long(max_chars))
            bad = _LONE_SURROGATE.search(item)
            if bad is not None:
                return Refusal(where, f"not valid Unicode text: a lone surrogate "
                                      f"(U+{ord(bad.group()):04X}) at character {bad.start()}")
        elif isinstance(item, Mapping):
            for key, sub in reversed(list(item.items())):
                name = str(key)
                total += len(name)
                if _LONE_SURROGATE.search(name) is not None:  # the key cannot name the field
                    return Refusal(where, "not valid Unicode text: a key holds a lone surrogate")
                stack.append((f"{where}.{name}", sub))
        elif isinstance(item, (list, tuple)):
            stack.extend((f"{where}[{k}]", sub) for k, sub in reversed(list(enumerate(item))))
    return None


def _too_long(max_chars: int) -> str:
    return f"longer than the limit of {max_chars:,} characters per sample"


def screened_sample(context: Any, completion: str, *, field: str, completion_field: str,
                    max_chars: int | None = None) -> Sample | Refusal:
    """`sample_from_context`, or a Refusal when its text cannot be judged (see
    `text_problem`): such a sample is refused alone. A malformed context still raises."""
    if max_chars is not None and isinstance(context, str) and len(context) + len(completion) > max_chars:
        return Refusal(completion_field, _too_long(max_chars))  # before decoding that much JSON
    ctx = decode_context(context, field=field)
    problem = text_problem((completion_field, completion), (field, ctx), max_chars=max_chars)
    if problem is not None:
        return problem._replace(sample_id=ctx.get("id"))
    return sample_from_context(ctx, completion, field=field)


def refused_result(refusal: Refusal, config: ScoringConfig, *, judge: str) -> ScoreResult:
    """The explicit failure of one sample that was not judged (see `text_problem`): no reward,
    outcome `failed`, the reason under `failures["input"]`."""
    sid = refusal.sample_id
    sid = None if sid is None else _LONE_SURROGATE.sub("\ufffd", str(sid))
    return combine({}, {"input": f"{refusal.field}: {refusal.reason}"}, 0, config,
                   format_ok=False, judge=judge, sample_id=sid)
