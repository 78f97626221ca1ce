"""Ask a chat model one question, robustly: concurrency cap, rate limit, cache, transport
retries (timeouts, 429 honouring Retry-After, 5xx; exponential backoff with jitter) and —
separately — bounded re-asks when the answer does not parse. Every outcome is counted.

`ChatCaller.ask` serves the judge role (parse, re-ask, cache); `ChatCaller.generate` the policy
role (any text is an answer; transport retries only)."""
from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypedDict, TypeVar

from .config import JudgeConfig
from .errors import JudgeError
from .judges.base import ChatModel, SamplingParams
from .judges.cache import ResponseCache, cache_key
from .types import Message

REASK = ("Your previous answer could not be read ({error}). Reply again and end it with exactly "
         "the closing line(s) the instructions ask for, with nothing after them.")



class ParseResult(Protocol):
    """What a parser returns: whether it found an answer, and why not."""

    @property
    def ok(self) -> bool: ...

    @property
    def error(self) -> str | None: ...


P = TypeVar("P", bound=ParseResult)


class CallCounts(TypedDict):
    """`CallStats.as_dict()`: the counters as JSON (run summaries, `/metrics`, `perm score`)."""

    calls: int
    retries: int
    reasks: int
    cache_hits: int
    failures: int
    failure_reasons: dict[str, int]


@dataclass
class CallStats:
    calls: int = 0  # requests sent to the backend
    retries: int = 0
    reasks: int = 0
    cache_hits: int = 0
    failures: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> CallCounts:
        return {"calls": self.calls, "retries": self.retries, "reasks": self.reasks,
                "cache_hits": self.cache_hits, "failures": self.failures,
                "failure_reasons": dict(self.reasons)}


@dataclass(frozen=True, slots=True)
class Text:
    """An accepted free-text answer (the policy role)."""

    text: str
    ok: bool = True
    error: str | None = None


class RateLimiter:
    """Spaces request starts evenly to respect a requests-per-minute budget."""

    def __init__(self, rpm: float) -> None:
        self.interval = 60.0 / rpm
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


@dataclass
class Outcome(Generic[P]):
    parsed: P | None  # the parser's result when ok
    error: str | None
    cached: bool = False


class ChatCaller:
    """Robust calls to one chat model under one concurrency cap (per event loop)."""

    def __init__(self, judge: ChatModel, config: JudgeConfig, *, rubric_version: str,
                 cache: ResponseCache | None = None, stats: CallStats | None = None) -> None:
        self.judge, self.config, self.rubric_version = judge, config, rubric_version
        self.cache = cache if judge.cacheable else None
        cap = min(config.concurrency, judge.max_concurrency() or config.concurrency)
        self._sem = asyncio.Semaphore(cap)
        self._limiter = RateLimiter(config.rpm) if config.rpm else None
        self.params = SamplingParams.from_config(config)
        self.stats = stats if stats is not None else CallStats()

    def _key(self, messages: Sequence[Message]) -> str:
        params = (self.params.temperature, self.params.max_tokens, self.params.top_p, self.params.seed)
        return cache_key(self.judge.identity, self.rubric_version, list(messages), params)

    async def _send(self, messages: Sequence[Message]) -> str:
        cfg = self.config
        for attempt in range(cfg.max_retries + 1):
            async with self._sem:
                if self._limiter:
                    await self._limiter.wait()
                self.stats.calls += 1
                try:
                    return await asyncio.wait_for(self.judge.complete(messages, self.params),
                                                  cfg.timeout)
                except asyncio.TimeoutError as e:
                    exc: BaseException = JudgeError(f"timed out after {cfg.timeout:g}s", retryable=True)
                    exc.__cause__ = e
                except Exception as e:  # backend faults are data, classified by the judge
                    exc = e
            if attempt == cfg.max_retries or not self.judge.is_retryable(exc):
                msg = str(exc) or type(exc).__name__
                retried = f" after {attempt} retr{'y' if attempt == 1 else 'ies'}" if attempt else ""
                raise JudgeError(f"{msg}{retried}") from exc
            self.stats.retries += 1
            wait = self.judge.retry_after(exc)
            if wait is None:
                wait = min(cfg.max_backoff, cfg.backoff * 2 ** attempt) * random.uniform(0.5, 1.0)
            await asyncio.sleep(min(wait, cfg.max_backoff))
        raise AssertionError("unreachable")

    async def generate(self, messages: Sequence[Message]) -> Outcome[Text]:
        """The policy role: any answer text is accepted (transport retries, no re-asks)."""
        try:
            return Outcome(Text(await self._send(messages)), None)
        except JudgeError as e:
            return self._fail(f"error: {e}")

    async def ask(self, messages: Sequence[Message], parse: Callable[[str], P]) -> Outcome[P]:
        """The judge role: ask, parse, re-ask on an unparsable answer; cached when enabled."""
        key = self._key(messages) if self.cache is not None else None
        if self.cache is not None and key:
            hit = self.cache.get(key)
            if hit is not None:
                parsed = parse(hit)
                if parsed.ok:
                    self.stats.cache_hits += 1
                    return Outcome(parsed, None, cached=True)
        convo = list(messages)
        error = "no answer"
        for ask_no in range(self.config.max_reasks + 1):
            if ask_no:
                self.stats.reasks += 1
            try:
                text = await self._send(convo)
            except JudgeError as e:
                return self._fail(f"judge error: {e}")
            parsed = parse(text)
            if parsed.ok:
                if self.cache is not None and key:
                    self.cache.put(key, text, self.judge.identity)
                return Outcome(parsed, None)
            error = parsed.error or "unparsable answer"
            convo = [*messages, {"role": "assistant", "content": text},
                     {"role": "user", "content": REASK.format(error=error)}]
        asks = self.config.max_reasks + 1
        return self._fail(f"unparsable judge answer after {asks} ask{'s' if asks > 1 else ''}: {error}")

    def _fail(self, reason: str) -> Outcome[P]:
        self.stats.failures += 1
        self.stats.reasons[reason.split(":")[0]] += 1
        return Outcome(None, reason)

