"""PERM as TRL `GRPOTrainer` reward functions: one async function per reward term.

    from perm.rewards.trl import perm_reward_funcs
    trainer = GRPOTrainer(model, reward_funcs=perm_reward_funcs({"judge": {"backend": "local"}}), ...)

TRL sums the three terms (empathy + bystander + length = the PERM reward) and logs each as
`rewards/<name>/mean`. The three functions share one `PermRewardState`, which scores each batch
ONCE (single flight, keyed by the batch): the judge sees every completion once per dimension,
not three times. Per-dimension scores, the failure rate, judge time and the shortcut signs
(`perm.signs`) go to TRL's metrics (`perm/...`) and completions table, with `perm/shared_lines`:
the share of the batch's completions holding a line the last 512 completions gave to three
or more different seekers (`perm.shared_lines`). A completion that could
not be scored gets `None` from every term, so TRL drops it from the group baseline and gives it
no advantage (never a fake 0).
The functions pickle (the scorer is rebuilt lazily) and score whatever shard their rank holds.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from ..config import ScoringConfig, build_config
from ..data import parse_record
from ..errors import DataError, JudgeUnavailable
from ..judges.base import ChatModel
from ..policy import completion_text
from ..rating import Rater
from ..scoring import PermScorer
from ..shared_lines import SharedLineWindow
from ..signs import SIGNS, sign_rates, signs_of
from ..types import EMPATHY_DIMENSIONS, Sample, ScoreResult

log = logging.getLogger(__name__)

TERMS: tuple[str, ...] = ("empathy", "bystander", "length")
#: Keyword arguments TRL passes that are not dataset columns.
_NOT_COLUMNS = {"trainer_state", "log_extra", "log_metric", "environments", "completion_ids"}
#: Dataset columns the reward reads (the data contract's sample fields).
REQUIRED_COLUMNS: tuple[str, ...] = ("persona", "scenario", "query")
SAMPLE_COLUMNS: tuple[str, ...] = (*REQUIRED_COLUMNS, "hidden_intention", "history", "id")
#: A TRL reward function: (prompts, completions, **columns) -> one reward per completion.
RewardFunc = Callable[..., Awaitable[list[float | None]]]


class PermRewardState:
    """Scores a batch once and hands each reward term its share (one per training process).

    `max_failed_batches`: after this many consecutive batches in which no completion could be
    scored, raise JudgeUnavailable instead of training on nothing (None disables the check).
    """

    def __init__(self, config: ScoringConfig | Mapping[str, Any] | None = None, *,
                 judge: ChatModel | None = None, rater: Rater | None = None,
                 token_counter: Callable[[str], int] | None = None,
                 max_failed_batches: int | None = 5, memo_size: int = 4) -> None:
        self.config = config if isinstance(config, ScoringConfig) else build_config(dict(config or {}))
        self.judge = judge
        self.rater = rater
        self.token_counter = token_counter
        self.max_failed_batches = max_failed_batches
        self.memo_size = memo_size
        self.batches = 0  # batches scored by this process
        self.failed_batches = 0  # consecutive batches with no reward at all
        self._scorer: PermScorer | None = None
        self._memo: OrderedDict[str, asyncio.Task[list[ScoreResult | None]]] = OrderedDict()
        self._lines = SharedLineWindow()  # `perm/shared_lines`: lines said to many seekers lately

    # -- pickling: config and options travel; the scorer, connections, memo and counters do not
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_scorer=None, _memo=OrderedDict(), batches=0, failed_batches=0,
                     _lines=SharedLineWindow())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def scorer(self) -> PermScorer:
        """The process's scorer, built on first use (so a pickled copy builds its own)."""
        if self._scorer is None:
            self._scorer = PermScorer(self.config, judge=self.judge, rater=self.rater,
                                      token_counter=self.token_counter)
        return self._scorer

    def check(self) -> None:
        """Fail fast (JudgeUnavailable) when the judge cannot work at all."""
        scorer = self.scorer
        scorer.run(scorer.check())  # the scorer's own loop (works inside notebooks too)

    async def aclose(self) -> None:
        """Close the judge's connections; call it in the loop that scored (TRL's reward loop).
        The scorer and its statistics stay; a later batch reopens connections as needed."""
        if self._scorer is not None:
            await self._scorer.aclose()
        self._memo.clear()

    # -- scoring -----------------------------------------------------------------------------
    async def results(self, prompts: Sequence[Any], completions: Sequence[Any],
                      **kwargs: Any) -> list[ScoreResult | None]:
        """Scored results of a batch, computed once however many terms ask for it."""
        key = batch_key(prompts, completions, kwargs.get("trainer_state"))
        task = self._memo.get(key)
        if task is None or (not task.done() and task.get_loop() is not asyncio.get_running_loop()):
            task = asyncio.ensure_future(self._score(prompts, completions, kwargs))
            self._memo[key] = task
            while len(self._memo) > self.memo_size:
                self._memo.popitem(last=False)
        # shield: one cancelled term must not cancel the scoring the others wait for
        return await asyncio.shield(task)

    async def _score(self, prompts: Sequence[Any], completions: Sequence[Any],
                     kwargs: dict[str, Any]) -> list[ScoreResult | None]:
        n = len(completions)
        samples = build_samples(completions, kwargs)  # a missing column is a setup error: raise
        ids = kwargs.get("completion_ids")
        # the trainer knows each completion's exact token count: use it for the length term
        tokens = [len(x) for x in ids] if ids is not None and len(ids) == n else None
        started = time.perf_counter()
        try:
            out: list[ScoreResult | None] = list(await self.scorer.ascore(samples, tokens=tokens))
            error = None
        except Exception as e:  # a judge fault is data: no reward this batch, training goes on
            out, error = [None] * n, f"{type(e).__name__}: {e}"
            log.warning("PERM scoring failed for a batch of %d: %s", n, error)
        seconds = time.perf_counter() - started
        self.batches += 1
        self._report(out, seconds, error, kwargs, samples)
        self._check_failures(out, error)
        return out

    def _check_failures(self, out: Sequence[ScoreResult | None], error: str | None) -> None:
        if out and all(r is None or r.reward is None for r in out):
            self.failed_batches += 1
        else:
            self.failed_batches = 0
        limit = self.max_failed_batches
        if limit is not None and self.failed_batches >= limit:
            reasons = error or _top_reason(out)
            raise JudgeUnavailable(
                f"PERM could not score any completion in {self.failed_batches} batches in a row "
                f"(last reason: {reasons}); check the judge (`perm judges`, --judge) and, if the "
                f"policy never writes # Analysis / # Response, scoring.on_format_error")

    def _report(self, out: Sequence[ScoreResult | None], seconds: float, error: str | None,
                kwargs: Mapping[str, Any], samples: Sequence[Sample] = ()) -> None:
        log_metric, log_extra = kwargs.get("log_metric"), kwargs.get("log_extra")
        if callable(log_metric):
            metrics = batch_metrics(out, self.scorer.dimensions(), seconds)
            metrics.update(sign_metrics(samples))
            shared = self._lines.rate(samples)
            metrics["perm/shared_lines"] = math.nan if shared is None else shared
            for name, value in metrics.items():
                if math.isfinite(value):  # TRL averages across ranks; skip empty means
                    log_metric(name, value)
        if callable(log_extra):
            for column, values in completion_columns(out, error, samples).items():
                log_extra(column, values)

    async def term(self, name: str, prompts: Sequence[Any], completions: Sequence[Any],
                   **kwargs: Any) -> list[float | None]:
        """One reward term per completion; None when the completion has no reward."""
        results = await self.results(prompts, completions, **kwargs)
        return [None if r is None or r.reward is None else r.terms.get(name) for r in results]


# -- the three reward functions TRL sees (module-level so they pickle by reference) ----------
async def empathy(state: PermRewardState, prompts: Sequence[Any], completions: Sequence[Any],
                  **kwargs: Any) -> list[float | None]:
    """PERM empathy term: combined resonation / expression / reception (0.2-1)."""
    return await state.term("empathy", prompts, completions, **kwargs)


async def bystander(state: PermRewardState, prompts: Sequence[Any], completions: Sequence[Any],
                    **kwargs: Any) -> list[float | None]:
    """PERM bystander term: coef * (B/100 - 1), a penalty (-coef..0)."""
    return await state.term("bystander", prompts, completions, **kwargs)


async def length(state: PermRewardState, prompts: Sequence[Any], completions: Sequence[Any],
                 **kwargs: Any) -> list[float | None]:
    """PERM length term: -coef per token beyond the limit."""
    return await state.term("length", prompts, completions, **kwargs)


_TERM_FUNCS = {"empathy": empathy, "bystander": bystander, "length": length}


def perm_reward_funcs(config: ScoringConfig | Mapping[str, Any] | None = None, *,
                      judge: ChatModel | None = None, rater: Rater | None = None,
                      token_counter: Callable[[str], int] | None = None,
                      max_failed_batches: int | None = 5,
                      state: PermRewardState | None = None,
                      compact_log: bool = True) -> list[RewardFunc]:
    """The PERM reward as three TRL reward functions sharing one scoring per batch.

    Pass them as `reward_funcs` with the default `reward_weights` (all 1): their sum is the
    PERM reward. The dataset must carry the sample columns (`persona`, `scenario`, `query`,
    optional `hidden_intention`, `history`, `id`); see `perm.train.dataset`. `compact_log`:
    TRL's `log_completions` prints one line per completion (`perm.rewards.completion_log`).
    """
    if compact_log:
        from .completion_log import install

        install()
    state = state or PermRewardState(config, judge=judge, rater=rater, token_counter=token_counter,
                                     max_failed_batches=max_failed_batches)
    funcs: list[RewardFunc] = []
    for name in TERMS:
        f = functools.partial(_TERM_FUNCS[name], state)
        # older TRL reads __name__ directly; a partial takes attributes, typeshed does not say so
        f.__name__ = name  # type: ignore[attr-defined]
        funcs.append(f)
    return funcs


# -- pure helpers ----------------------------------------------------------------------------
def batch_key(prompts: Sequence[Any], completions: Sequence[Any], trainer_state: Any = None) -> str:
    """Identity of a batch: its prompts, completions and the training step."""
    step = getattr(trainer_state, "global_step", None)
    blob = json.dumps([step, list(prompts), list(completions)], default=str, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _column(name: str, value: Any, n: int) -> list[Any] | None:
    """A column's per-completion values: any sized iterable of length n (list, tuple, a
    `datasets` Column, a numpy array...). A sample field of another shape is an error that says
    what was passed; other columns of another shape are not per-row data and are skipped."""
    if isinstance(value, (str, bytes, Mapping)) or not (hasattr(value, "__len__")
                                                        and hasattr(value, "__iter__")):
        problem = f"expected one value per completion ({n}), got {type(value).__name__} {value!r:.60}"
    elif len(value) != n:
        problem = f"has {len(value)} values for {n} completions ({type(value).__name__})"
    else:
        return list(value)
    if name in SAMPLE_COLUMNS:
        raise DataError(problem, path="<reward batch>", field=name)
    return None


def build_samples(completions: Sequence[Any], columns: Mapping[str, Any]) -> list[Sample]:
    """One Sample per completion from TRL's per-row dataset columns (validated like JSONL)."""
    n = len(completions)
    cols: dict[str, list[Any]] = {}
    for name, value in columns.items():
        if name in _NOT_COLUMNS or (value is None and name not in REQUIRED_COLUMNS):
            continue
        col = _column(name, value, n)
        if col is not None:
            cols[name] = col
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    if missing:
        given = ", ".join(sorted(k for k in columns if k not in _NOT_COLUMNS)) or "none"
        raise DataError(f"the PERM reward needs the dataset columns {', '.join(REQUIRED_COLUMNS)} "
                        f"(given: {given}); build the dataset with perm.train.dataset.to_dataset "
                        f"or add them", path="<reward batch>")
    samples = []
    for i, completion in enumerate(completions):
        row = {k: v[i] for k, v in cols.items()}
        row = {k: v for k, v in row.items() if v is not None or k in REQUIRED_COLUMNS}
        if isinstance(row.get("history"), str):  # stored as JSON text by some pipelines
            row["history"] = json.loads(row["history"]) if row["history"] else None
        row["completion"] = completion_text(completion)
        samples.append(parse_record(row, path="<reward batch>", line=i))
    return samples


def batch_metrics(out: Sequence[ScoreResult | None], dimensions: Sequence[str],
                  seconds: float) -> dict[str, float]:
    """Scalar metrics of one scored batch (NaN where nothing was measured)."""
    n = len(out)
    done = [r for r in out if r is not None]
    metrics: dict[str, float] = {}
    for dim in dimensions:
        vals = [v for r in done if (v := r.scores.get(dim)) is not None]
        key = f"perm/{dim}" if dim in EMPATHY_DIMENSIONS else "perm/bystander_score"
        metrics[key] = sum(vals) / len(vals) if vals else math.nan
    asked = sum(1 for r in done if r.outcome != "format_error") * len(dimensions)
    failed = sum(sum(1 for d in r.failures if d != "format") for r in done)
    metrics["perm/failure_rate"] = (sum(1 for r in out if r is None or r.reward is None) / n) if n else math.nan
    metrics["perm/dimension_failure_rate"] = failed / asked if asked else math.nan
    metrics["perm/format_ok_rate"] = (sum(1 for r in done if r.format_ok) / n) if n else math.nan
    metrics["perm/judge_seconds"] = seconds
    return metrics


def sign_metrics(samples: Sequence[Sample]) -> dict[str, float]:
    """The batch's shortcut-sign rates (`perm.signs`) as `perm/sign_<name>`; NaN when no
    completion has a reply to check."""
    rates = sign_rates(samples)
    return {f"perm/sign_{n}": math.nan if (v := rates[n]) is None else float(v) for n in SIGNS}


def completion_columns(out: Sequence[ScoreResult | None], error: str | None = None,
                       samples: Sequence[Sample] = ()) -> dict[str, list[float | str | None]]:
    """Per-completion columns for TRL's completions table (same keys on every rank): the
    scores, the outcome, the failures and `signs`, the shortcut signs each completion shows
    (`perm.signs`, comma-separated; "" for none or when `samples` is not given)."""
    cols: dict[str, list[float | str | None]] = {d: [] for d in (*EMPATHY_DIMENSIONS, "bystander_score")}
    cols.update(outcome=[], failures=[])
    shown: list[float | str | None] = [",".join(k for k, v in (signs_of(s) or {}).items() if v)
                                       for s in samples]
    cols["signs"] = shown if len(shown) == len(out) else [""] * len(out)
    for r in out:
        for d in EMPATHY_DIMENSIONS:
            cols[d].append(None if r is None else r.scores.get(d))
        cols["bystander_score"].append(None if r is None else r.scores.get("bystander"))
        cols["outcome"].append("failed" if r is None else r.outcome)
        fails = {"batch": error or "not scored"} if r is None else r.failures
        cols["failures"].append(json.dumps(fails, sort_keys=True) if fails else "")
    return cols


def _top_reason(out: Sequence[ScoreResult | None]) -> str:
    for r in out:
        if r is not None and r.failures:
            return "; ".join(f"{k}: {v}" for k, v in list(r.failures.items())[:2])
    return "unknown"
