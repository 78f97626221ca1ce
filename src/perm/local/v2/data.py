"""Training examples for the v2 scorer: labelled replies from files, counsel-chat answers joined
with our labels, and hard negatives made by the attack generators.

Every example keeps its `source` (v1, v2:<part>, counsel-chat, attack:<name>) and `group` (the
scenario), so training can be weighted by source and evaluated leave-one-source-out.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ...audit.attacks import ATTACKS, make_variant
from ...completion import split_completion
from ...data import iter_records, parse_record
from ...errors import DataError, DataErrors
from ...types import DIMENSIONS, Sample

Labels = dict[str, float | None]


@dataclass(frozen=True)
class Example:
    sample: Sample
    analysis: str
    response: str
    labels: Labels
    group: str
    source: str


def labels_of(rec: Mapping[str, Any]) -> Labels:
    """The four scores of a labelled record (under `scores`, or at the top level); None where
    a dimension has no number."""
    scores = rec.get("scores")
    src: Mapping[str, Any] = scores if isinstance(scores, dict) else rec
    out: Labels = {}
    for d in DIMENSIONS:
        v = src.get(d)
        out[d] = float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
    return out


def _sections(completion: str) -> tuple[str, str]:
    """(analysis, response) as a labeller saw them: "(none)" means no analysis; a malformed
    output is judged as its whole text (v1's broken_format items)."""
    p = split_completion(completion)
    analysis = "" if p.analysis.strip() == "(none)" else p.analysis
    return analysis, (p.response or ("" if p.format_ok else completion))


def load_file(path: str | Path, source: str | None = None) -> list[Example]:
    """Labelled replies in the data contract with `scores` (our dataset files)."""
    out: list[Example] = []
    errors: list[DataError] = []
    for n, rec in iter_records(path):
        try:
            if isinstance(rec, DataError):
                raise rec
            sample = parse_record(rec, path=str(path), line=n)
            if sample.completion is None:
                raise DataError("missing required field", field="completion", path=str(path), line=n)
        except DataError as e:
            errors.append(e)
            continue
        analysis, response = _sections(sample.completion)
        labels = labels_of(rec)
        part = rec.get("part")
        src = source or (f"v2:{part}" if part else "v1")
        group = str(rec.get("scenario_id") or sample.id)
        out.append(Example(sample, analysis, response, labels, group, src))
    if errors:
        raise DataErrors(errors)
    return out


def load_counsel_chat(labels: str | Path, items: str | Path, *,
                      splits: Sequence[str] = ("train",)) -> list[Example]:
    """Our PERM labels of counsel-chat answers joined with the answers' texts, which stay in
    ../shared/data/human-judged (MIT; not copied into the repository). Only `splits` of the
    upstream split are used (val/test questions stay unseen)."""
    texts = {}
    for line in Path(items).read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["meta"].get("upstream_split") in splits:
            texts[rec["id"]] = rec
    out = []
    for line in Path(labels).read_text(encoding="utf-8").splitlines():
        lab = json.loads(line)
        rec = texts.get(lab["id"])
        if rec is None:
            continue
        sample = parse_record({k: rec[k] for k in ("id", "persona", "scenario", "query", "completion")
                               if k in rec} | ({"history": rec["history"]} if rec.get("history") else {}),
                              path=str(items), line=0)
        analysis, response = _sections(sample.completion or "")
        out.append(Example(sample, analysis, response, labels_of(lab),
                           str(rec["meta"]["question_id"]), "counsel-chat"))
    return out


def is_good(ex: Example) -> bool:
    """A reply the attacks can be built on: both sections, strong on every dimension."""
    lab = ex.labels
    return (bool(ex.analysis.strip()) and bool(ex.response.strip())
            and all(lab.get(d) is not None for d in DIMENSIONS)
            and min(lab["expression"] or 0, lab["reception"] or 0) >= 4.0
            and (lab["resonation"] or 0) >= 3.5)


def attack_examples(examples: Sequence[Example], *, seed: int = 0,
                    per_good: int | None = None) -> list[Example]:
    """Hard negatives from the `train` phrase banks: every attack (or `per_good` of them, chosen
    deterministically) applied to every good example, labelled with the attack's rule."""
    import random

    out = []
    good = [ex for ex in examples if is_good(ex)]
    for ex in good:
        pool = [o.response for o in good if o.group != ex.group]  # off_topic: other scenarios
        rng = random.Random(f"{seed}|{ex.sample.id}")
        attacks = list(ATTACKS) if per_good is None else rng.sample(list(ATTACKS), per_good)
        for a in attacks:
            v = make_variant(a, ex.sample, ex.analysis, ex.response, half="train", seed=seed,
                             pool=pool)
            labels = a.relabel({d: float(ex.labels[d] or 0) for d in DIMENSIONS})
            sample = replace(ex.sample, id=f"{ex.sample.id}~{a.name}", completion=v.completion)
            out.append(Example(sample, v.analysis, v.response, dict(labels), ex.group,
                               f"attack:{a.name}"))
    return out
