"""PERM in inspect_ai (UK AISI): a scorer, a dataset reader for our JSONL and a ready task.

    from inspect_ai import Task, eval
    from inspect_ai.solver import generate
    from perm.ext.inspect import perm_dataset, perm_scorer

    task = Task(dataset=perm_dataset("scenarios.jsonl"), solver=generate(),
                scorer=perm_scorer(judge="openai", model="gpt-4o-mini"))
    eval(task, model="openai/gpt-4o")

The score's value is the PERM reward; the dimension scores, terms and failures are in its
metadata and its explanation. A reward the judge could not deliver is an explicit unscored
result (`Score.unscored`, reason `grader_failed` or `invalid_response_format`), which inspect
leaves out of the metrics and shows as such, never a silent 0. Importing this module imports
inspect_ai (`pip install inspect-ai`).
"""
from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.dataset import Sample as InspectSample
from inspect_ai.model import ChatMessageAssistant, ChatMessageSystem, ChatMessageUser
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer, stderr
from inspect_ai.solver import TaskState, generate

from ..config import ScoringConfig
from ..data import load_samples, sample_to_dict
from ..policy import build_messages
from ..scoring import PermScorer
from ..types import Sample, ScoreResult
from .common import CONTEXT_KEYS, explain, flat, scoring_config, situation


def _unscored(reason: str, answer: str | None, explanation: str, metadata: dict[str, Any]) -> Score:
    """inspect's explicit "no score" (NaN value: left out of metrics), on old versions too."""
    make = getattr(Score, "unscored", None)
    if make is not None:
        score: Score = make(reason=reason, answer=answer, explanation=explanation,
                            metadata=metadata)
        return score
    return Score(value=math.nan, answer=answer, explanation=explanation,
                 metadata={**metadata, "reason": reason})


def to_score(result: ScoreResult, answer: str | None = None) -> Score:
    """A PERM result as an inspect Score: the reward, or unscored with the reason."""
    metadata = {**result.to_dict(), "values": flat(result)}
    if result.reward is None:
        reason = "invalid_response_format" if result.outcome == "format_error" else "grader_failed"
        return _unscored(reason, answer, explain(result), metadata)
    return Score(value=result.reward, answer=answer, explanation=explain(result), metadata=metadata)


class _SharedScorer:
    """One PermScorer per event loop (connections reused across samples), its connections
    released whenever no sample is being scored."""

    def __init__(self, config: ScoringConfig) -> None:
        self.config = config
        self.scorer: PermScorer | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.busy = 0

    async def score(self, sample: Sample) -> ScoreResult:
        loop = asyncio.get_running_loop()
        if self.scorer is None or self.loop is not loop:
            self.scorer, self.loop = PermScorer(self.config), loop
        scorer = self.scorer
        self.busy += 1
        try:
            (result,) = await scorer.ascore([sample])
            return result
        finally:
            self.busy -= 1
            if self.busy == 0:
                await scorer.rater.aclose()


@scorer(metrics=[mean(), stderr()], name="perm")
def perm_scorer(config: str | Path | Mapping[str, Any] | ScoringConfig | None = None, *,
                judge: str | None = None, model: str | None = None,
                base_url: str | None = None) -> Scorer:
    """Score each sample's output with PERM: `config` is a scoring YAML path or dict (default:
    the embedded local judge); `judge`, `model`, `base_url` override its judge.

    The situation comes from the sample's metadata (`persona`, `scenario`, `query`,
    `hidden_intention`, `history`: what `perm_dataset` puts there); without a `query` the
    sample's input text is used."""
    shared = _SharedScorer(scoring_config(config, judge=judge, model=model, base_url=base_url))

    async def score(state: TaskState, target: Target) -> Score:
        query = None if (state.metadata or {}).get("query") else state.input_text
        sample = situation(state.metadata, query=query, sample_id=state.sample_id)
        completion = state.output.completion if state.output else ""
        result = await shared.score(replace(sample, completion=completion))
        return to_score(result, answer=completion)

    return score


_ROLES = {"system": ChatMessageSystem, "user": ChatMessageUser, "assistant": ChatMessageAssistant}


def perm_dataset(path: str | Path, *, limit: int | None = None,
                 history_as_turns: bool = False) -> MemoryDataset:
    """Our scenario JSONL as an inspect dataset: each input is the PERM policy prompt (what
    `perm train` and `perm generate` use) and the metadata carries the situation for the scorer."""
    samples = load_samples(path).samples
    samples = samples[:limit] if limit else samples
    out = []
    for s in samples:
        chat = [_ROLES[m["role"]](content=m["content"])
                for m in build_messages(s, history_as_turns=history_as_turns)]
        meta = {k: v for k, v in sample_to_dict(s).items() if k in CONTEXT_KEYS and v is not None}
        out.append(InspectSample(input=chat, id=s.id, metadata=meta))
    return MemoryDataset(out, name=Path(path).stem, location=str(path))


@task
def perm_empathy(scenarios: str, judge: str | None = None, judge_model: str | None = None,
                 judge_base_url: str | None = None, config: str | None = None,
                 limit: int | None = None) -> Task:
    """The model under test answers each scenario with the PERM policy prompt; PERM scores it.

    From the command line: a file with `from perm.ext.inspect import perm_empathy`, then
    `inspect eval that_file.py@perm_empathy -T scenarios=FILE.jsonl -T judge=openai --model ...`"""
    return Task(dataset=perm_dataset(scenarios, limit=limit), solver=generate(),
                scorer=perm_scorer(config, judge=judge, model=judge_model, base_url=judge_base_url))
