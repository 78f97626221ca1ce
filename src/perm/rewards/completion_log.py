"""A compact completions log for TRL's `log_completions=True`: one line per completion.

TRL prints every prompt and completion in full, in a table with a column per reward function
and per logged extra; with PERM's long policy prompt and its six score columns, 4 completions
took 1,073 lines on an 80-column terminal. This prints one table row per completion instead
(the seeker's message and the completion cut to fit, the reward, the advantage, the PERM
scores and outcome) and at most `MAX_ROWS` rows per step. The full texts still go to TRL's
parquet / W&B completions tables, which this does not touch.
"""
from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)
MAX_ROWS = 8  # completions printed per step when TRL does not say how many
#: The printers `install` put in TRL's place, so that installing twice is a no-op.
_INSTALLED: list[object] = []
_SCORE_KEYS = (("resonation", "R"), ("expression", "E"), ("reception", "C"), ("bystander_score", "B"))


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _seeker(prompt: Any) -> str:
    """The seeker's latest message: the last paragraph of the last user turn (perm's policy
    prompt puts persona and scenario first), or of the prompt text."""
    if isinstance(prompt, list) and prompt and isinstance(prompt[-1], Mapping):
        users = [m for m in prompt if m.get("role") == "user"] or prompt
        prompt = users[-1].get("content", "")
    last = str(prompt).strip().rsplit("\n\n", 1)[-1]
    label, sep, rest = last.partition("\n")
    if sep and label.rstrip().endswith(":"):  # "Their message to you:" and the like
        last = rest
    return _one_line(last)


def _reply(completion: Any) -> str:
    """What the seeker would read: the `# Response` section when there is one, else the text."""
    from ..completion import split_completion
    from ..policy import completion_text

    text = completion if isinstance(completion, str) else completion_text(completion)
    parsed = split_completion(text)
    return _one_line(parsed.response if parsed.format_ok else text)


def _num(value: Any, fmt: str = ".3f") -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "-"
    return "-" if math.isnan(f) else format(f, fmt)


def _outcome(outcome: Any, failures: Any) -> str:
    """`partial: resonation` rather than the failures' JSON (the table keeps the reasons)."""
    try:
        failed = list(json.loads(failures)) if failures else []
    except (TypeError, ValueError):
        failed = [str(failures)]
    return f"{outcome}: {','.join(failed)}" if failed else str(outcome)


def rows(prompts: Sequence[Any], completions: Sequence[Any], rewards: Mapping[str, Sequence[Any]],
         advantages: Sequence[Any] | None, extra: Mapping[str, Sequence[Any]] | None = None,
         *, limit: int | None = None, seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """Header and one row of short strings per shown completion (pure; used by `print_compact`)."""
    extra = dict(extra or {})
    n = len(completions)
    keep = list(range(n))
    limit = MAX_ROWS if limit is None else limit
    if n > limit:
        keep = sorted(random.Random(seed).sample(keep, limit))
    scores = [(k, tag) for k, tag in _SCORE_KEYS if k in extra]
    others = [k for k in extra if k not in {k for k, _ in _SCORE_KEYS} | {"outcome", "failures"}]
    header = ["#", "seeker", "reply", "reward"]
    header += ["adv"] if advantages is not None else []
    header += ["scores"] if scores else []
    header += ["outcome"] if "outcome" in extra else []
    header += others
    out = []
    for i in keep:
        values = [rewards[name][i] for name in rewards]
        total = None if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values) \
            else sum(float(v) for v in values)
        row = [str(i), _seeker(prompts[i]), _reply(completions[i]), _num(total)]
        if advantages is not None:
            row.append(_num(advantages[i], "+.2f"))
        if scores:
            row.append(" ".join(f"{tag}{_num(extra[k][i], 'g')}" for k, tag in scores))
        if "outcome" in extra:
            row.append(_outcome(extra["outcome"][i], extra.get("failures", [""] * n)[i]))
        row += [str(extra[k][i]) for k in others]
        out.append(row)
    return header, out


def print_compact(prompts: Sequence[Any], completions: Sequence[Any],
                  rewards: Mapping[str, Sequence[Any]], advantages: Sequence[Any] | None,
                  step: int, num_samples: int | None = None,
                  extra: Mapping[str, Sequence[Any]] | None = None) -> None:
    """Drop-in for `trl.trainer.utils.print_prompt_completions_sample`: one line per completion."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    header, body = rows(prompts, completions, rewards, advantages, extra, limit=num_samples,
                        seed=step)
    shown = f"{len(body)} of {len(completions)}" if len(body) < len(completions) else str(len(body))
    table = Table(title=f"step {step}: {shown} completions (full texts: TRL's completions table)",
                  box=box.SIMPLE_HEAD, expand=True, title_justify="left", pad_edge=False)
    # text columns share what the numbers leave; every cell stays on one line
    for name in header:
        text = name in ("seeker", "reply")
        table.add_column(name, no_wrap=True, overflow="ellipsis",
                         ratio=(2 if name == "reply" else 1) if text else None,
                         min_width=12 if text else None,
                         max_width=None if text else (14 if name == "outcome" else 20),
                         justify="right" if name in ("reward", "adv") else "left")
    for row in body:
        table.add_row(*row)
    Console().print(table)


def install() -> bool:
    """Make TRL's GRPO trainer print completions with `print_compact` (idempotent). Falls back
    to TRL's own printer if TRL ever calls it differently. Returns whether it applied."""
    try:
        from trl.trainer import grpo_trainer
    except ImportError:
        return False
    original = getattr(grpo_trainer, "print_prompt_completions_sample", None)
    if original is None:
        return False
    if any(original is p for p in _INSTALLED):
        return True

    def compact(*args: Any, **kwargs: Any) -> None:
        try:
            print_compact(*args, **kwargs)
        except Exception as e:  # a changed TRL signature must not stop training
            log.debug("compact completions log failed (%s); using TRL's", e)
            original(*args, **kwargs)

    _INSTALLED.append(compact)
    grpo_trainer.print_prompt_completions_sample = compact
    return True
