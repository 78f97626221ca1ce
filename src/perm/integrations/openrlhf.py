"""PERM rewards for OpenRLHF: the remote-RM contract, and a `reward_func` file for local mode.

OpenRLHF sends, per request, `query` (prompt + response decoded with special tokens kept),
`prompts` (the chat-templated prompt) and `labels` (the dataset's `--data.label_key` column;
here the sample's persona / scenario / query as JSON) and reads back `rewards`, `scores` and
`extra_logs` (see `openrlhf/utils/agent.py`, `SingleTurnAgentExecutor`, and, in older
releases, `openrlhf/utils/remote_rm_utils.py`). The server's `POST /get_reward` and
`reward_func` below share `openrlhf_samples` and `openrlhf_payload`: one implementation.
`extra_logs` carries each reward field and the shortcut signs (`perm/sign_<name>`, see
`perm.signs`), which OpenRLHF averages into its logged metrics, and `perm/shared_line`: 1.0 when
the reply holds a line lately seen given to 3+ different seekers (`perm.shared_lines`: stock
padding), over a window of this process's recent outputs (`reward_func`) or, on the server, only
when `perm serve --shared-lines-window` turns it on.

Local mode: `--reward.remote_url <path of this file>` (older: `--remote_rm_url`). Settings come
from PERM_* environment variables (see `perm.integrations.runner`). OpenRLHF (0.10+) catches
what a reward_func raises and logs it at INFO only, so `reward_func` logs its errors at ERROR
itself before raising. Absolute imports only: OpenRLHF loads this file by path.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from perm.errors import DataError, PermError
from perm.integrations.common import (
    REWARD_FIELDS,
    recover_response,
    reward_fields,
    screened_sample,
    text_problem,
)
from perm.integrations.runner import Refused, engine_score, runner_for, shared_flags
from perm.signs import SIGNS, sign_fields
from perm.types import Sample, ScoreResult

log = logging.getLogger("perm.integrations")

#: extra_logs keys: every reward field but the reward itself, how often recovery fell back, and
#: the shortcut signs (`perm.signs`: 1.0 / 0.0 per sample, NaN without a reply).
LOG_KEYS = (tuple(f"perm/{f}" for f in REWARD_FIELDS if f != "score") + ("perm/unrecovered",)
            + tuple(f"perm/sign_{n}" for n in SIGNS))
#: the extra_logs key of `perm.shared_lines`' per-output flag (where a window is kept)
SHARED_KEY = "perm/shared_line"


def openrlhf_samples(queries: Sequence[str], prompts: Sequence[str] | None,
                     labels: Sequence[Any] | None, max_chars: int | None = None
                     ) -> tuple[list[Sample | Refused], list[str]]:
    """Samples to score from an OpenRLHF request, and how each response was recovered.

    A sample whose text no judge can take (invalid Unicode; over `max_chars` characters) is
    refused alone (a `Refusal`, method `refused`). Raises DataError naming the
    offending field (`labels[3].persona`, `prompts`, ...) for a request that is malformed.
    """
    n = len(queries)
    if prompts is not None and len(prompts) != n:
        raise DataError(f"has {len(prompts)} items but query has {n}", field="prompts")
    if labels is None:
        raise DataError("missing: each label must carry the sample's persona, scenario and query "
                        "as JSON (set --data.label_key)", field="labels")
    if len(labels) != n:
        raise DataError(f"has {len(labels)} items but query has {n}", field="labels")
    items: list[Sample | Refused] = []
    methods = []
    for i, query in enumerate(queries):
        prompt = prompts[i] if prompts is not None else None
        problem = (text_problem((f"query[{i}]", query), max_chars=max_chars)
                   or text_problem((f"prompts[{i}]", prompt or "")))
        if problem is not None:  # checked before recovery, which is linear but not free
            items.append(problem)
            methods.append("refused")
            continue
        got = recover_response(query, prompt)
        items.append(screened_sample(labels[i], got.text, field=f"labels[{i}]",
                                     completion_field=f"query[{i}]", max_chars=max_chars))
        methods.append(got.method if isinstance(items[-1], Sample) else "refused")
    return items, methods


def openrlhf_payload(results: Sequence[ScoreResult], methods: Sequence[str],
                     null_reward: float, items: Sequence[Sample | Refused],
                     shared: Sequence[float] | None = None) -> dict[str, Any]:
    """The remote-RM answer as plain lists: `rewards`, `scores` (the same values, as in
    OpenRLHF's own reward server; `null_reward` where PERM has none) and per-sample
    `extra_logs` (NaN for what nobody scored), shortcut signs included, and `shared` (the
    shared-line flags, `SharedLineWindow.flags`) as `perm/shared_line` when given."""
    rows = [{**reward_fields(r, null_reward), **sign_fields(it if isinstance(it, Sample) else None)}
            for r, it in zip(results, items, strict=True)]
    rewards = [row["score"] for row in rows]
    logs: dict[str, list[float]] = {k: [] for k in LOG_KEYS}
    for row, method in zip(rows, methods, strict=True):
        for field, value in row.items():
            if field != "score":
                logs[f"perm/{field}"].append(value)
        logs["perm/unrecovered"].append(1.0 if method == "whole" else 0.0)
    if shared is not None:
        logs[SHARED_KEY] = list(shared)
    return {"rewards": rewards, "scores": list(rewards), "extra_logs": logs}


def _as_tensors(payload: dict[str, Any]) -> dict[str, Any]:
    """OpenRLHF concatenates what a reward_func returns with torch.cat: give it tensors."""
    try:
        import torch
    except ImportError:  # no torch: not inside OpenRLHF, plain lists serve every other caller
        return payload
    return {"rewards": torch.tensor(payload["rewards"], dtype=torch.float32),
            "scores": torch.tensor(payload["scores"], dtype=torch.float32),
            "extra_logs": {k: torch.tensor(v, dtype=torch.float32)
                           for k, v in payload["extra_logs"].items()}}


def reward_func(queries: Sequence[str], prompts: Sequence[str] | None = None,
                labels: Sequence[Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """OpenRLHF local reward function: blocking and thread-safe (it runs in worker threads)."""
    try:
        items, methods = openrlhf_samples(queries, prompts, labels)
        runner = runner_for(kwargs)
        results = engine_score(runner, items)
    except PermError as e:  # OpenRLHF would log it at INFO only and train on without a reward
        log.error("PERM reward_func: %s", str(e)[:500])
        raise
    return _as_tensors(openrlhf_payload(results, methods, runner.null_reward, items,
                                        shared_flags(runner, items)))
