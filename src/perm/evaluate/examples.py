"""What `perm eval` keeps for the report besides numbers: how each system's outputs were made
(the `generation` settings `perm generate` writes) and a few scenarios with every system's
reply side by side, where the systems' rewards differ most."""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..completion import split_completion
from ..types import Sample
from .systems import Aligned

#: Scenarios shown side by side in the report.
N_EXAMPLES = 3
#: Characters of a reply kept for the report (the full text is in the outputs file).
MAX_CHARS = 1500


def generation_settings(samples: Sequence[Sample]) -> list[dict[str, Any]]:
    """The distinct `generation` records of a system's outputs (per-sample index left out);
    empty when the outputs were not made by `perm generate`."""
    seen: dict[str, dict[str, Any]] = {}
    for s in samples:
        gen = s.extra.get("generation")
        if isinstance(gen, Mapping):
            g = {k: v for k, v in gen.items() if k != "sample"}
            seen.setdefault(json.dumps(g, sort_keys=True, default=str), g)
    return list(seen.values())


def _clip(text: str, limit: int = MAX_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _reply(sample: Sample, row: Mapping[str, Any] | None) -> dict[str, Any]:
    parsed = split_completion(sample.completion)
    shown = parsed.response if parsed.format_ok else (sample.completion or "")
    row = row or {}
    return {"response": _clip(shown), "analysis": _clip(parsed.analysis) if parsed.format_ok else "",
            "format_ok": parsed.format_ok, "reward": row.get("reward"),
            "scores": row.get("scores") or {}, "failures": row.get("failures") or {}}


def _spread(rewards: Sequence[float | None]) -> float:
    got = [r for r in rewards if isinstance(r, (int, float))]
    if len(got) < len(rewards):  # a missing reward is worth showing too
        return float("inf") if got else -1.0
    return max(got) - min(got) if got else -1.0


def pick_examples(aligned: Aligned, rows: Mapping[str, Sequence[Mapping[str, Any]]],
                  n: int = N_EXAMPLES) -> list[dict[str, Any]]:
    """Up to `n` scenarios where the systems' rewards differ most (ties: file order), each with
    the seeker's words and every system's shown reply, reward and scores."""
    by_id = {name: {str(r.get("id")): r for r in rs} for name, rs in rows.items()}
    names = [s.name for s in aligned.systems]
    spread = {i: _spread([by_id.get(name, {}).get(i, {}).get("reward") for name in names])
              for i in aligned.ids}
    chosen = sorted(aligned.ids, key=lambda i: -spread[i])[:n]
    out = []
    for i in sorted(chosen, key=aligned.ids.index):
        first = aligned.systems[0].by_id[i]
        out.append({"id": i, "persona": _clip(first.persona, 300), "scenario": _clip(first.scenario, 500),
                    "query": _clip(first.query, 800),
                    "replies": {s.name: _reply(s.by_id[i], by_id.get(s.name, {}).get(i))
                                for s in aligned.systems}})
    return out
