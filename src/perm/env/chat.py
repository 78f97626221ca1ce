"""The seeker's turn as the policy's chat template renders it (engines that work in tokens).

An engine that trains on one token sequence per episode appends, after each policy turn, the
seeker's message as the template would: the end of the policy's turn, a user turn, and the
header of the next assistant turn. Rendered by difference against a two-turn dummy chat (the
way TRL renders tool results), so it works for any prefix-stable template.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError


def seeker_turn_ids(tokenizer: Any, message: str, eos_ids: Sequence[int], *,
                    closed: bool) -> list[int]:
    """Token ids of the seeker's message as a chat turn after a policy turn, up to the next
    assistant header: what the chat template would put there. `closed`: the policy's turn
    already ended with an end-of-turn token (else the template's closing is added)."""
    dummy = [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]
    prefix = list(tokenizer.apply_chat_template(dummy, tokenize=True, add_generation_prompt=False,
                                                return_dict=False))
    full = list(tokenizer.apply_chat_template([*dummy, {"role": "user", "content": message}],
                                              tokenize=True, add_generation_prompt=True,
                                              return_dict=False))
    if full[:len(prefix)] != prefix:
        raise ConfigError("the policy's chat template renders earlier turns differently once a "
                          "turn is added; multi-turn rollouts need a prefix-stable template")
    ends = [k for k, t in enumerate(prefix) if t in set(eos_ids)]
    cut = ends[-1] if ends else len(prefix)
    closing = prefix[cut + 1:] if closed else prefix[cut:]
    return closing + full[len(prefix):]


def seeker_turn_text(tokenizer: Any, message: str, eos_ids: Sequence[int]) -> str:
    """`seeker_turn_ids` as text, after a policy turn that ended with its end-of-turn token
    (engines such as OpenRLHF take the environment's feedback as text)."""
    return str(tokenizer.decode(seeker_turn_ids(tokenizer, message, eos_ids, closed=True),
                                skip_special_tokens=False))
