"""The one home of the PERM algorithm: samples in, rewards out.

`PermScorer` renders each perspective's prompt, sends every dimension x sample judge call of a
batch at once (under the judge's concurrency cap), parses the answers, and combines them with
`combine` into the scored-output contract. The TRL / verl / OpenRLHF adapters, the HTTP server
and `perm score` all call this module; none re-implements it.
"""
from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Coroutine, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from . import aggregate
from .calling import CallStats, JudgeCaller
from .completion import split_completion
from .config import ScoringConfig, build_config
from .judges.base import DirectScorer, Judge
from .judges.cache import ResponseCache
from .judges.registry import create_judge
from .parsing import parse_answer, parse_fused
from .perspectives import RUBRIC_VERSION, render_fused, render_messages
from .types import (
    DIMENSIONS,
    EMPATHY_DIMENSIONS,
    SCORE_RANGE,
    DimensionRequest,
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
    present = [d for d in EMPATHY_DIMENSIONS if scores.get(d) is not None]
    use = present if config.missing == "available" else (
        present if len(present) == len(EMPATHY_DIMENSIONS) else [])
    empathy = None
    if use:
        weights = aggregate.weights_for(use, config.weights) if config.empathy_mode == "weighted" else None
        empathy = aggregate.empathy([aggregate.normalise(float(scores[d])) for d in use],  # type: ignore[arg-type]
                                    config.empathy_mode, weights)
    b = scores.get("bystander")
    if config.bystander_coef == 0:
        by_term: float | None = 0.0
    elif b is not None:
        by_term = aggregate.bystander_term(float(b), config.bystander_coef)
    else:
        by_term = 0.0 if config.missing == "available" else None
    reward = None if empathy is None or by_term is None else empathy + by_term + length
    outcome = "scored" if not failures else ("partial" if reward is not None else "failed")
    return ScoreResult(
        id=sample_id, reward=reward, empathy=empathy,
        scores={d: (None if scores.get(d) is None else float(scores[d])) for d in DIMENSIONS},  # type: ignore[arg-type]
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


def build_requests(sample: Sample, dimensions: Sequence[str], on_format_error: str = "penalize",
                   ) -> tuple[ParsedCompletion, list[DimensionRequest] | None]:
    """What each perspective judges for one sample; None when the format policy decides alone.

    Under `on_format_error="judge"` a malformed output is judged as it is: whatever analysis
    was found, and the response section or else the whole text.
    """
    parsed = split_completion(sample.completion)
    if not parsed.format_ok and on_format_error != "judge":
        return parsed, None
    response = parsed.response or ("" if parsed.format_ok else (sample.completion or ""))
    return parsed, [DimensionRequest(d, sample, parsed.analysis, response)  # type: ignore[arg-type]
                    for d in dimensions]


def _load_tokenizer(name: str | None) -> Callable[[str], int] | None:
    if not name:
        return None
    from transformers import AutoTokenizer  # heavy: only when asked for exact counts

    tok = AutoTokenizer.from_pretrained(name)
    return lambda text: len(tok(text, add_special_tokens=False)["input_ids"])


class PermScorer:
    """Score samples with PERM. Construct once, reuse across batches (connections persist).

    >>> scorer = PermScorer({"judge": {"backend": "fake"}})
    >>> [r.outcome for r in scorer.score([Sample("p", "s", "q", completion="# Analysis\\na\\n# Response\\nb")])]
    ['scored']
    """

    def __init__(self, config: ScoringConfig | Mapping[str, Any] | None = None, *,
                 judge: Judge | DirectScorer | None = None,
                 token_counter: Callable[[str], int] | None = None,
                 cache: ResponseCache | None = None) -> None:
        self.config = config if isinstance(config, ScoringConfig) else build_config(dict(config or {}))
        self.judge: Any = judge if judge is not None else create_judge(self.config.judge)
        self.count_tokens = token_counter or _load_tokenizer(self.config.tokenizer) or aggregate.approx_tokens
        if cache is None and self.config.judge.cache is not None:
            cache = ResponseCache(self.config.judge.cache)
        self.cache = cache
        self.stats = CallStats()
        self._callers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, JudgeCaller] = (
            weakref.WeakKeyDictionary())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_lock = threading.Lock()

    # -- identity -------------------------------------------------------------------------
    @property
    def identity(self) -> str:
        return str(getattr(self.judge, "identity", "unknown"))

    @property
    def direct(self) -> bool:
        return isinstance(self.judge, DirectScorer) and not isinstance(self.judge, Judge)

    def _caller(self) -> JudgeCaller:
        loop = asyncio.get_running_loop()
        caller = self._callers.get(loop)
        if caller is None:
            caller = JudgeCaller(self.judge, self.config.judge, rubric_version=RUBRIC_VERSION,
                                 cache=self.cache)
            caller.stats = self.stats  # one set of counters across loops
            self._callers[loop] = caller
        return caller

    def dimensions(self) -> tuple[str, ...]:
        """Dimensions that are judged (the bystander is skipped when its coefficient is 0)."""
        return DIMENSIONS if self.config.bystander_coef > 0 else EMPATHY_DIMENSIONS

    # -- preparation ----------------------------------------------------------------------
    def prepare(self, sample: Sample) -> tuple[ParsedCompletion, int, list[DimensionRequest] | None]:
        """Split the completion and build the judge requests (None: decided by format policy)."""
        parsed, reqs = build_requests(sample, self.dimensions(), self.config.on_format_error)
        return parsed, self.count_tokens(sample.completion or ""), reqs

    def render(self, sample: Sample) -> list[tuple[str, list[dict[str, str]]]]:
        """The judge prompts one sample would produce (for `--dry-run` and golden tests)."""
        parsed, _, reqs = self.prepare(sample)
        if reqs is None:
            return []
        if self.config.fused:
            return [("fused", render_fused(sample, reqs[0].analysis, reqs[0].response))]
        return [(r.dimension, render_messages(r)) for r in reqs]

    # -- scoring --------------------------------------------------------------------------
    async def check(self) -> None:
        """Fail fast (JudgeUnavailable) if the judge cannot work at all."""
        await self.judge.check()

    async def ascore(self, samples: Sequence[Sample], *,
                     on_result: ResultCallback | None = None) -> list[ScoreResult]:
        """Score a batch; every judge call of the batch is in flight at once (under the cap)."""
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
            parsed, tokens, reqs = self.prepare(sample)
            meta.append((parsed, tokens))
            if reqs is None:
                emit(i, format_error_result(parsed, tokens, self.config, judge=self.identity,
                                            sample_id=sample.id))
            else:
                jobs.append((i, reqs))

        def finish(i: int) -> None:
            parsed, tokens = meta[i]
            emit(i, combine(raw[i], fails[i], tokens, self.config, format_ok=parsed.format_ok,
                            judge=self.identity, sample_id=samples[i].id))

        done_cb = None if deferred else finish
        if self.direct:
            await self._run_direct(jobs, raw, fails, done_cb)
        elif self.config.fused:
            await asyncio.gather(*(self._run_fused(i, reqs, raw, fails, done_cb) for i, reqs in jobs))
        else:
            await asyncio.gather(*(self._run_sample(i, reqs, raw, fails, done_cb) for i, reqs in jobs))
        if deferred:
            self._impute_and_finish(jobs, raw, fails, meta, samples, emit)
        return [r for r in results if r is not None]

    async def _run_sample(self, i: int, reqs: list[DimensionRequest], raw: list[dict[str, float | None]],
                          fails: list[dict[str, str]], done: Callable[[int], None] | None) -> None:
        caller = self._caller()

        async def one(req: DimensionRequest) -> None:
            out = await caller.ask(render_messages(req), partial(parse_answer, dimension=req.dimension))
            raw[i][req.dimension] = out.parsed.value if out.parsed is not None else None
            if out.error:
                fails[i][req.dimension] = out.error

        await asyncio.gather(*(one(r) for r in reqs))
        if done:
            done(i)

    async def _run_fused(self, i: int, reqs: list[DimensionRequest], raw: list[dict[str, float | None]],
                         fails: list[dict[str, str]], done: Callable[[int], None] | None) -> None:
        req = reqs[0]
        out = await self._caller().ask(render_fused(req.sample, req.analysis, req.response), parse_fused)
        dims = {r.dimension for r in reqs}
        for dim in dims:
            if out.parsed is None:
                raw[i][dim], fails[i][dim] = None, out.error or "fused answer failed"
            else:
                p = out.parsed.values.get(dim)
                raw[i][dim] = p.value if p is not None else None
                if p is None or not p.ok:
                    fails[i][dim] = p.error if p is not None and p.error else "missing from fused answer"
        if done:
            done(i)

    async def _run_direct(self, jobs: list[tuple[int, list[DimensionRequest]]],
                          raw: list[dict[str, float | None]], fails: list[dict[str, str]],
                          done: Callable[[int], None] | None, chunk: int = 256) -> None:
        for start in range(0, len(jobs), chunk):
            part = jobs[start:start + chunk]
            flat = [(i, r) for i, reqs in part for r in reqs]
            try:
                preds = await self.judge.predict([r for _, r in flat])
            except Exception as e:  # the whole chunk failed: every score is missing, with why
                preds = [f"scorer error: {type(e).__name__}: {e}"] * len(flat)
            self.stats.calls += 1
            for (i, req), pred in zip(flat, preds):
                lo, hi = SCORE_RANGE[req.dimension]
                if isinstance(pred, str):
                    raw[i][req.dimension], fails[i][req.dimension] = None, pred
                elif not lo <= pred <= hi:
                    raw[i][req.dimension] = None
                    fails[i][req.dimension] = f"score {pred:g} outside {lo:g}-{hi:g}"
                else:
                    raw[i][req.dimension] = float(pred)
            self.stats.failures += sum(isinstance(p, str) for p in preds)
            if done:
                for i, _ in part:
                    done(i)

    def _impute_and_finish(self, jobs: list[tuple[int, list[DimensionRequest]]],
                           raw: list[dict[str, float | None]], fails: list[dict[str, str]],
                           meta: list[tuple[ParsedCompletion, int]], samples: Sequence[Sample],
                           emit: Callable[[int, ScoreResult], None]) -> None:
        """The reference's behaviour, as a named option: a missing score becomes the batch mean."""
        means: dict[str, float | None] = {}
        for dim in self.dimensions():
            vals = [raw[i][dim] for i, _ in jobs if raw[i].get(dim) is not None]
            means[dim] = sum(vals) / len(vals) if vals else None  # type: ignore[arg-type]
        for i, _ in jobs:
            imputed = [d for d in self.dimensions() if raw[i].get(d) is None and means[d] is not None]
            filled = {**raw[i], **{d: means[d] for d in imputed}}
            parsed, tokens = meta[i]
            emit(i, combine(filled, fails[i], tokens, self.config, format_ok=parsed.format_ok,
                            judge=self.identity, sample_id=samples[i].id, imputed=imputed))

    # -- sync API -------------------------------------------------------------------------
    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        with self._loop_lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
            loop = self._loop
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return loop.run_until_complete(coro)
        # Called from inside a running loop (notebooks, async frameworks): use a worker thread.
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["v"] = loop.run_until_complete(coro)
            except BaseException as e:  # re-raised in the caller's thread
                box["e"] = e

        t = threading.Thread(target=work)
        t.start()
        t.join()
        if "e" in box:
            raise box["e"]
        return box["v"]  # type: ignore[no-any-return]

    def score(self, samples: Sequence[Sample], *,
              on_result: ResultCallback | None = None) -> list[ScoreResult]:
        """Synchronous twin of `ascore`."""
        return self._run(self.ascore(samples, on_result=on_result))

    async def aclose(self) -> None:
        await self.judge.aclose()
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
