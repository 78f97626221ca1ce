"""PERM rewards for OpenRLHF: the remote-RM contract, and a `reward_func` file for local mode.

OpenRLHF sends, per request, `query` (prompt + response decoded with special tokens kept),
`prompts` (the chat-templated prompt) and `labels` (the dataset's `--data.label_key` column;
here the sample's persona / scenario / query as JSON) and reads back `rewards`, `scores` and
`extra_logs` (see `openrlhf/utils/agent.py`, `SingleTurnAgentExecutor`, and, in older
releases, `openrlhf/utils/remote_rm_utils.py`). The server's `POST /get_reward` and
`reward_func` below share `openrlhf_samples` and `openrlhf_payload`: one implementation.

Local mode: `--reward.remote_url <path of this file>` (older: `--remote_rm_url`). Settings come
from PERM_* environment variables (see `perm.integrations.runner`). Absolute imports only:
OpenRLHF loads this file by path.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from perm.errors import DataError
from perm.integrations.common import (
    REWARD_FIELDS,
    recover_response,
    reward_fields,
    sample_from_context,
)
from perm.integrations.runner import null_reward, runner_for
from perm.types import Sample, ScoreResult

#: extra_logs keys: every reward field but the reward itself, plus how often recovery fell back.
LOG_KEYS = tuple(f"perm/{f}" for f in REWARD_FIELDS if f != "score") + ("perm/unrecovered",)


def openrlhf_samples(queries: Sequence[str], prompts: Sequence[str] | None,
                     labels: Sequence[Any] | None) -> tuple[list[Sample], list[str]]:
    """Samples to score from an OpenRLHF request, and how each response was recovered.

    Raises DataError naming the offending field (`labels[3].persona`, `prompts`, ...).
    """
    n = len(queries)
    if prompts is not None and len(prompts) != n:
        raise DataError(f"has {len(prompts)} items but query has {n}", field="prompts")
    if labels is None:
        raise DataError("missing: each label must carry the sample's persona, scenario and query "
                        "as JSON (set --data.label_key)", field="labels")
    if len(labels) != n:
        raise DataError(f"has {len(labels)} items but query has {n}", field="labels")
    samples, methods = [], []
    for i, query in enumerate(queries):
        got = recover_response(query, prompts[i] if prompts is not None else None)
        samples.append(sample_from_context(labels[i], got.text, field=f"labels[{i}]"))
        methods.append(got.method)
    return samples, methods


def openrlhf_payload(results: Sequence[ScoreResult], methods: Sequence[str],
                     fallback: float = 0.0) -> dict[str, Any]:
    """The remote-RM answer as plain lists: `rewards`, `scores` (the same values, as in
    OpenRLHF's own reward server) and per-sample `extra_logs`."""
    rows = [reward_fields(r, fallback) for r in results]
    rewards = [row["score"] for row in rows]
    logs: dict[str, list[float]] = {k: [] for k in LOG_KEYS}
    for row, method in zip(rows, methods, strict=True):
        for field, value in row.items():
            if field != "score":
                logs[f"perm/{field}"].append(value)
        logs["perm/unrecovered"].append(1.0 if method == "whole" else 0.0)
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
    samples, methods = openrlhf_samples(queries, prompts, labels)
    results = runner_for(kwargs).score(samples)
    return _as_tensors(openrlhf_payload(results, methods, null_reward(kwargs)))
