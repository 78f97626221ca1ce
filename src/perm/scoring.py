"""The one home of the PERM algorithm: samples in, rewards out.

`PermScorer` splits each output into its sections, builds every sample's dimension requests,
hands all of a batch to one `perm.rating.Rater` at once (an LLM judge under its concurrency cap,
or the embedded scorer) and combines the ratings with `combine` into the scored-output contract.
The TRL / verl / OpenRLHF adapters, the HTTP server and `perm score` all call this module; none
re-implements it.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from . import aggregate
from .calling import CallStats
from .completion import split_completion
from .config import ScoringConfig, build_config
from .judges.base import ChatModel
from .judges.cache import ResponseCache
from .judges.registry import create_rater
from .perspectives import RUBRIC_VERSION, SCORE_RANGE
from .rating import LLMRater, Rater, Rating, prompts_for
from .text import clean_sample
from .types import (
    DIMENSIONS,
    EMPATHY_DIMENSIONS,
    Dimension,
    DimensionRequest,
    Outcome,
    ParsedCompletion,
    Sample,
    ScoreResult,
)

ResultCallback = Callable[[int, ScoreResult], None]
T = TypeVar("T")


def combine(scores: Mapping[str, float | None], failures: Mapping[str, str], tokens: int,
            config: ScoringConfig, *, format_ok: bool = True, judge: str = "",
            sample_id: str | None = None, imputed: Sequence[str] = ()) -> ScoreResult:
    """Turn raw dimension scores into the reward and its terms (pure; no judge involved).

    Missing scores (None) follow `config.missing`: `null` -> the affected term and the reward
    are None; `available` -> empathy over the dimensions present and a missing bystander term
    counts 0; `batch_mean` is resolved by the caller, which passes the imputed values in.
    """
    length = aggregate.length_term(tokens, config.length_limit, config.length_coef)
    known = {d: float(v) for d in DIMENSIONS if (v := scores.get(d)) is not None}
    present = [d for d in EMPATHY_DIMENSIONS if d in known]
    use = present if config.missing == "available" else (
        present if len(present) == len(EMPATHY_DIMENSIONS) else [])
    empathy = None
    if use:
        weights = aggregate.weights_for(use, config.weights) if config.empathy_mode == "weighted" else None
        empathy = aggregate.empathy([aggregate.normalise(known[d]) for d in use],
                                    config.empathy_mode, weights)
    b = scores.get("bystander")
    if config.bystander_coef == 0:
        by_term: float | None = 0.0
    elif b is not None:
        by_term = aggregate.bystander_term(float(b), config.bystander_coef)
    else:
        by_term = 0.0 if config.missing == "available" else None
    reward = None if empathy is None or by_term is None else empathy + by_term + length
    outcome: Outcome = "scored" if not failures else ("partial" if reward is not None else "failed")
    return ScoreResult(
        id=sample_id, reward=reward, empathy=empathy,
        scores={d: known.get(d) for d in DIMENSIONS},
        terms={"empathy": empathy, "bystander": by_term, "length": length},
        format_ok=format_ok, failures=dict(failures), judge=judge, rubric_version=RUBRIC_VERSION,
        tokens=tokens, imputed=list(imputed), outcome=outcome)


def format_error_result(parsed: ParsedCompletion, tokens: int, config: ScoringConfig, *,
                        judge: str, sample_id: str | None) -> ScoreResult:
    """The documented outcome of a malformed policy output (no judge is asked).

    `penalize`: empathy takes its floor (every dimension at 1 -> 0.2) and the bystander term its
    floor (-coef); `null`: the reward is None. Scores stay None either way: nobody judged them.
    """
    length = aggregate.length_term(tokens, config.length_limit, config.length_coef)
    failures = {"format": parsed.problem or "malformed output"}
    if config.on_format_error == "penalize":
        empathy, by_term = 0.2, -config.bystander_coef
        reward: float | None = empathy + by_term + length
    else:
        empathy, by_term, reward = None, None, None
    return ScoreResult(
        id=sample_id, reward=reward, empathy=empathy, scores=dict.fromkeys(DIMENSIONS),
        terms={"empathy": empathy, "bystander": by_term, "length": length}, format_ok=False,
        failures=failures, judge=judge, rubric_version=RUBRIC_VERSION, tokens=tokens,
        outcome="format_error")


def build_requests(sample: Sample, dimensions: Sequence[Dimension], on_format_error: str = "penalize",
                   ) -> tuple[ParsedCompletion, list[DimensionRequest] | None]:
    """What each perspective judges for one sample; None when the format policy decides alone.

    Under `on_format_error="judge"` a malformed output is judged as it is: whatever analysis
    was found, and the response section or else the whole text.
    """
    parsed = split_completion(sample.completion)
    if not parsed.format_ok and on_format_error != "judge":
        return parsed, None
    response = parsed.response or ("" if parsed.format_ok else (sample.completion or ""))
    return parsed, [DimensionRequest(d, sample, parsed.analysis, response) for d in dimensions]


def _load_tokenizer(name: str | None) -> Callable[[str], int] | None:
    if not name:
        return None
    from transformers import AutoTokenizer  # heavy: only when asked for exact counts

    tok = AutoTokenizer.from_pretrained(name)
    return lambda text: len(tok(text, add_special_tokens=False)["input_ids"])


class PermScorer:
    """Score samples with PERM. Construct once, reuse across batches (connections persist).

    The rater comes from `config.judge` unless given: `rater=` any `perm.rating.Rater`, or
    `judge=` a chat model to use as an LLM judge.

    >>> scorer = PermScorer({"judge": {"backend": "fake"}})
    >>> [r.outcome for r in scorer.score([Sample("p", "s", "q", completion="# Analysis\\na\\n# Response\\nb")])]
    ['scored']
    """

    def __init__(self, config: ScoringConfig | Mapping[str, Any] | None = None, *,
                 rater: Rater | None = None, judge: ChatModel | None = None,
                 token_counter: Callable[[str], int] | None = None,
                 cache: ResponseCache | None = None) -> None:
        self.config = config if isinstance(config, ScoringConfig) else build_config(dict(config or {}))
        if cache is None and self.config.judge.cache is not None and rater is None:
            cache = ResponseCache(self.config.judge.cache)
        self.cache = cache
        if rater is None:
            rater = (LLMRater(judge, self.config.judge, fused=self.config.fused, cache=cache)
                     if judge is not None else
                     create_rater(self.config.judge, fused=self.config.fused, cache=cache))
        self.rater = rater
        self.count_tokens = token_counter or _load_tokenizer(self.config.tokenizer) or aggregate.approx_tokens
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_lock = threading.Lock()

    @property
    def identity(self) -> str:
        """The judge every result records (e.g. `openai:gpt-4o-mini`, `local:perm-minilm-v2`)."""
        return self.rater.identity

    @property
    def stats(self) -> CallStats:
        """Call counters of this scorer's rater (calls, retries, re-asks, cache hits, failures)."""
        return self.rater.stats

    def dimensions(self) -> tuple[Dimension, ...]:
        """Dimensions that are judged (the bystander is skipped when its coefficient is 0)."""
        return DIMENSIONS if self.config.bystander_coef > 0 else EMPATHY_DIMENSIONS

    # -- preparation ----------------------------------------------------------------------
    def prepare(self, sample: Sample, tokens: int | None = None,
                ) -> tuple[ParsedCompletion, int, list[DimensionRequest] | None]:
        """Split the completion and build the judge requests (None: decided by format policy).
        `tokens` is the completion's exact token count when the caller knows it."""
        parsed, reqs = build_requests(sample, self.dimensions(), self.config.on_format_error)
        n = tokens if tokens is not None else self.count_tokens(sample.completion or "")
        return parsed, n, reqs

    def render(self, sample: Sample) -> list[tuple[str, list[dict[str, str]]]]:
        """The prompts an LLM judge would get for one sample (`--dry-run`, golden tests)."""
        _, _, reqs = self.prepare(clean_sample(sample))
        return prompts_for(reqs or [], fused=self.config.fused)

    # -- scoring --------------------------------------------------------------------------
    async def check(self) -> None:
        """Fail fast (JudgeUnavailable) if the judge cannot work at all."""
        await self.rater.check()

    async def ascore(self, samples: Sequence[Sample], *, on_result: ResultCallback | None = None,
                     tokens: Sequence[int | None] | None = None) -> list[ScoreResult]:
        """Score a batch; every judge call of the batch is in flight at once (under the cap).

        `on_result(i, result)` fires as each sample finishes (input order not guaranteed);
        `tokens` gives exact completion token counts (e.g. from a trainer) instead of counting.
        """
        # A lone surrogate fails tokenizers, cache keys and HTTP bodies for every sample batched
        # with it; samples not built by perm.data get the same repair here (perm.text).
        samples = [clean_sample(s) for s in samples]
        n = len(samples)
        results: list[ScoreResult | None] = [None] * n
        raw: list[dict[str, float | None]] = [{} for _ in range(n)]
        fails: list[dict[str, str]] = [{} for _ in range(n)]
        meta: list[tuple[ParsedCompletion, int]] = []
        deferred = self.config.missing == "batch_mean"
        jobs: list[tuple[int, list[DimensionRequest]]] = []

        def emit(i: int, res: ScoreResult) -> None:
            results[i] = res
            if on_result is not None:
                on_result(i, res)

        for i, sample in enumerate(samples):
            parsed, count, reqs = self.prepare(sample, tokens[i] if tokens is not None else None)
            meta.append((parsed, count))
            if reqs is None:
                emit(i, format_error_result(parsed, count, self.config, judge=self.identity,
                                            sample_id=sample.id))
            else:
                jobs.append((i, reqs))

        def done(k: int, ratings: list[Rating]) -> None:
            i, reqs = jobs[k]
            for req, rating in zip(reqs, ratings):
                value, error = _checked(req.dimension, rating)
                raw[i][req.dimension] = value
                if error:
                    fails[i][req.dimension] = error
            if not deferred:
                parsed, count = meta[i]
                emit(i, combine(raw[i], fails[i], count, self.config, format_ok=parsed.format_ok,
                                judge=self.identity, sample_id=samples[i].id))

        await self.rater.rate([reqs for _, reqs in jobs], done)
        if deferred:
            self._impute_and_finish(jobs, raw, fails, meta, samples, emit)
        return [r for r in results if r is not None]

    def _impute_and_finish(self, jobs: list[tuple[int, list[DimensionRequest]]],
                           raw: list[dict[str, float | None]], fails: list[dict[str, str]],
                           meta: list[tuple[ParsedCompletion, int]], samples: Sequence[Sample],
                           emit: Callable[[int, ScoreResult], None]) -> None:
        """The reference's behaviour, as a named option: a missing score becomes the batch mean."""
        means: dict[str, float | None] = {}
        for dim in self.dimensions():
            vals = [v for i, _ in jobs if (v := raw[i].get(dim)) is not None]
            means[dim] = sum(vals) / len(vals) if vals else None
        for i, _ in jobs:
            imputed: list[str] = [d for d in self.dimensions() if raw[i].get(d) is None and means[d] is not None]
            filled = {**raw[i], **{d: means[d] for d in imputed}}
            parsed, tokens = meta[i]
            emit(i, combine(filled, fails[i], tokens, self.config, format_ok=parsed.format_ok,
                            judge=self.identity, sample_id=samples[i].id, imputed=imputed))

    # -- sync API -------------------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on this scorer's own event loop, also from inside a running loop
        (notebooks, async frameworks: then in a worker thread). Connections persist across calls."""
        with self._loop_lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
            loop = self._loop
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return loop.run_until_complete(coro)
        value: list[T] = []
        error: list[BaseException] = []

        def work() -> None:
            try:
                value.append(loop.run_until_complete(coro))
            except BaseException as e:  # re-raised in the caller's thread
                error.append(e)

        t = threading.Thread(target=work)
        t.start()
        t.join()
        if error:
            raise error[0]
        return value[0]

    def score(self, samples: Sequence[Sample], *, on_result: ResultCallback | None = None,
              tokens: Sequence[int | None] | None = None) -> list[ScoreResult]:
        """Synchronous twin of `ascore`."""
        return self.run(self.ascore(samples, on_result=on_result, tokens=tokens))

    async def aclose(self) -> None:
        """Close the rater's connections and the response cache."""
        await self.rater.aclose()
        if self.cache is not None:
            self.cache.close()

    def close(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.run_until_complete(self.aclose())
            self._loop.close()
        else:
            asyncio.run(self.aclose())

    def __enter__(self) -> PermScorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _checked(dimension: str, rating: Rating) -> tuple[float | None, str | None]:
    """A rating's value if it is a finite number in the dimension's range, else why not."""
    if rating.value is None:
        return None, rating.error or "no score"
    lo, hi = SCORE_RANGE[dimension]
    v = float(rating.value)
    if not (lo <= v <= hi):  # also rejects NaN
        return None, f"score {v:g} outside {lo:g}-{hi:g}"
    return v, None
