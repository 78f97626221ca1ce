"""`local`: the embedded offline PERM scorer (the default judge). No network, no GPU.

`--model PATH` (or a packaged scorer's name, see `perm judges`) loads a scorer trained with
`perm distill`; by default the newest packaged scorer is used. Batches are predicted in a worker
thread so the event loop stays responsive; a sample whose features cannot be computed fails
alone, with its reason.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from ..config import JudgeConfig
from ..local.registry import ScorerModel, load_scorer
from ..rating import Rater, Rating, RatingsDone
from ..types import DimensionRequest

CHUNK = 64  # samples per prediction call: progress and results arrive as chunks finish


class LocalRater(Rater):
    name = "local"

    def __init__(self, config: JudgeConfig | None = None) -> None:
        super().__init__()
        self.config = config or JudgeConfig(backend="local")
        self._model: ScorerModel | None = None
        self._lock = threading.Lock()

    def scorer(self) -> ScorerModel:
        """The loaded scorer model (loaded on first use)."""
        with self._lock:
            if self._model is None:
                self._model = load_scorer(self.config.model)
            return self._model

    @property
    def model(self) -> str:
        return self.config.model or "default"

    @property
    def identity(self) -> str:
        try:
            return f"local:{self.scorer().identity}"
        except Exception:  # identity must never raise; check() reports the real problem
            return f"local:{self.model}"

    async def rate(self, jobs: Sequence[Sequence[DimensionRequest]], done: RatingsDone) -> None:
        model = await asyncio.to_thread(self.scorer)
        for start in range(0, len(jobs), CHUNK):
            part = jobs[start:start + CHUNK]
            flat = [r for reqs in part for r in reqs]
            self.stats.calls += 1
            try:
                preds = await asyncio.to_thread(model.predict, flat)
            except Exception:  # find the sample that broke the chunk: it alone fails, with why
                preds = []
                for reqs in part:
                    preds.extend(await asyncio.to_thread(_predict_alone, model, list(reqs)))
            at = 0
            for k, reqs in enumerate(part):
                ratings = [Rating(None, p) if isinstance(p, str) else Rating(float(p))
                           for p in preds[at:at + len(reqs)]]
                at += len(reqs)
                self.stats.failures += sum(r.value is None for r in ratings)
                done(start + k, ratings)

    async def check(self) -> None:
        await asyncio.to_thread(lambda: self.scorer().warm_up())


def _predict_alone(model: ScorerModel, reqs: list[DimensionRequest]) -> list[float | str]:
    try:
        return model.predict(reqs)
    except Exception as e:
        return [f"scorer error: {type(e).__name__}: {e}"] * len(reqs)
