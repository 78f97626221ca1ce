"""The one-call API: `perm.score(...)` for one model turn, `perm.score_batch([...])` for many,
and their async twins `perm.ascore` / `perm.ascore_batch`.

    import perm
    r = perm.score(persona="A 34-year-old nurse", scenario="Her cat died.",
                   query="I keep expecting her at the door.",
                   completion="# Analysis\\n...\\n# Response\\n...")
    r.reward, r.scores, r.failures

The default judge is the embedded offline scorer; `judge=` names another backend ("openai",
"fake", ...), gives a judge section ({"backend": "openai", "model": "gpt-4o-mini"}) or a judge
object (a `ChatModel` or `Rater`); `config=` is a full scoring config (dict, `ScoringConfig`,
YAML path or packaged name such as "scoring-openai"). Scorers are built on first use and
reused for the same judge and config, so connections and loaded models persist across calls.
They all run on one background event loop, so the sync functions work inside notebooks and
async code too, and sync and async calls can share a scorer.
"""
from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
from collections import OrderedDict
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .config import JudgeConfig, ScoringConfig, build_config, load_config
from .data import parse_record
from .errors import ConfigError
from .judges.base import ChatModel
from .rating import Rater
from .scoring import PermScorer
from .types import Sample, ScoreResult, Turn

T = TypeVar("T")
JudgeSpec = str | Mapping[str, Any] | JudgeConfig | ChatModel | Rater | None
ConfigSpec = ScoringConfig | Mapping[str, Any] | str | Path | None
SampleLike = Sample | Mapping[str, Any]
MAX_SCORERS = 8  # distinct judge/config pairs kept alive; the oldest is closed beyond this


class _Background:
    """One daemon thread running an event loop that every shared scorer lives on."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="perm-scorer-loop",
                                 daemon=True).start()
                self._loop = loop
            return self._loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop())

    def stop(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)


_background = _Background()
_scorers: OrderedDict[tuple[str, int], PermScorer] = OrderedDict()
_scorers_lock = threading.Lock()


def _config(judge: JudgeSpec, config: ConfigSpec) -> tuple[ScoringConfig, ChatModel | Rater | None]:
    if isinstance(config, ScoringConfig):
        cfg = config
    elif isinstance(config, (str, Path)):
        from .recipebook import resolve

        cfg = load_config(str(resolve(config)))
    else:
        cfg = build_config(dict(config or {}))
    obj: ChatModel | Rater | None = None
    if isinstance(judge, (ChatModel, Rater)):
        obj = judge
    elif isinstance(judge, str):
        cfg = cfg.model_copy(update={"judge": cfg.judge.model_copy(update={"backend": judge})})
    elif isinstance(judge, (Mapping, JudgeConfig)):
        section = judge.model_dump() if isinstance(judge, JudgeConfig) else dict(judge)
        cfg = build_config({**cfg.model_dump(), "judge": section})
    elif judge is not None:
        raise ConfigError(f"judge: expected a backend name, a judge config or a ChatModel / Rater "
                          f"object, got {type(judge).__name__}")
    return cfg, obj


def get_scorer(judge: JudgeSpec = None, config: ConfigSpec = None) -> PermScorer:
    """The shared scorer for this judge and config (built on first use, then reused)."""
    cfg, obj = _config(judge, config)
    key = (cfg.model_dump_json(), id(obj) if obj is not None else 0)
    with _scorers_lock:
        scorer = _scorers.get(key)
        if scorer is not None:
            _scorers.move_to_end(key)
            return scorer
        if isinstance(obj, Rater):
            scorer = PermScorer(cfg, rater=obj)
        else:
            scorer = PermScorer(cfg, judge=obj)
        _scorers[key] = scorer
        evicted = _scorers.popitem(last=False)[1] if len(_scorers) > MAX_SCORERS else None
    if evicted is not None:
        _background.submit(evicted.aclose())
    return scorer


def _sample(item: SampleLike, where: str) -> Sample:
    if isinstance(item, Sample):
        return item
    return parse_record(dict(item) if isinstance(item, Mapping) else item, path=where)


def _one(persona: str, scenario: str, query: str, completion: str, hidden_intention: str | None,
         history: Sequence[Turn | Mapping[str, str]] | None, id: str | None) -> Sample:
    row: dict[str, object] = {"persona": persona, "scenario": scenario, "query": query,
                              "completion": completion}
    if hidden_intention is not None:
        row["hidden_intention"] = hidden_intention
    if history:
        row["history"] = [{"role": t.role, "content": t.content} if isinstance(t, Turn) else t
                          for t in history]
    if id is not None:
        row["id"] = id
    return parse_record(row, path="perm.score")


def _batch(samples: Iterable[SampleLike]) -> list[Sample]:
    if isinstance(samples, (str, bytes, Mapping, Sample)):
        raise ConfigError("score_batch expects a list of samples; use perm.score(...) for one")
    return [_sample(s, f"samples[{i}]") for i, s in enumerate(samples)]


def score(persona: str, scenario: str, query: str, completion: str, *,
          hidden_intention: str | None = None,
          history: Sequence[Turn | Mapping[str, str]] | None = None, id: str | None = None,
          judge: JudgeSpec = None, config: ConfigSpec = None) -> ScoreResult:
    """Score one model turn (`# Analysis` + `# Response`) with PERM; returns its ScoreResult."""
    sample = _one(persona, scenario, query, completion, hidden_intention, history, id)
    scorer = get_scorer(judge, config)
    return _background.submit(scorer.ascore([sample])).result()[0]


def score_batch(samples: Iterable[SampleLike], *, judge: JudgeSpec = None,
                config: ConfigSpec = None) -> list[ScoreResult]:
    """Score many samples (Sample objects or dicts in the data contract), in input order; every
    judge call of the batch is in flight at once."""
    batch = _batch(samples)
    scorer = get_scorer(judge, config)
    return _background.submit(scorer.ascore(batch)).result()


async def ascore(persona: str, scenario: str, query: str, completion: str, *,
                 hidden_intention: str | None = None,
                 history: Sequence[Turn | Mapping[str, str]] | None = None, id: str | None = None,
                 judge: JudgeSpec = None, config: ConfigSpec = None) -> ScoreResult:
    """Async twin of `score` (the caller's loop stays free while the judge works)."""
    sample = _one(persona, scenario, query, completion, hidden_intention, history, id)
    scorer = get_scorer(judge, config)
    return (await asyncio.wrap_future(_background.submit(scorer.ascore([sample]))))[0]


async def ascore_batch(samples: Iterable[SampleLike], *, judge: JudgeSpec = None,
                       config: ConfigSpec = None) -> list[ScoreResult]:
    """Async twin of `score_batch`."""
    batch = _batch(samples)
    scorer = get_scorer(judge, config)
    return await asyncio.wrap_future(_background.submit(scorer.ascore(batch)))


def close(timeout: float = 30.0) -> None:
    """Close every shared scorer (connections, caches) and stop their loop; later calls start
    afresh. Runs by itself at interpreter exit."""
    with _scorers_lock:
        scorers = list(_scorers.values())
        _scorers.clear()
    if scorers:
        async def close_all() -> None:
            await asyncio.gather(*(s.aclose() for s in scorers), return_exceptions=True)

        try:
            _background.submit(close_all()).result(timeout)
        except Exception:  # closing must never fail the caller's shutdown
            pass
    _background.stop()


atexit.register(close)
