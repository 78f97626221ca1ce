"""PERM rewards for verl's custom reward function hook.

Point verl at this file (`reward.custom_reward_function.path`, or top-level
`custom_reward_function.path` in older verl) with `name=compute_score` or
`name=compute_score_async`. verl calls it as its reward managers do (see
`verl/workers/reward_manager/naive.py`, `batch.py` and
`verl/experimental/reward_loop/reward_manager/naive.py`):

- single: `compute_score(data_source=, solution_str=, ground_truth=, extra_info=)` -> dict;
- batch (`reward_manager=batch`): `compute_score(data_sources=, solution_strs=,
  ground_truths=, extra_infos=)` -> list of dicts;
- `compute_score_async`: the same, awaitable (verl's reward loop awaits coroutine functions).

Each dict has `score` (the PERM reward, or `null_reward` when there is none: the reward floor
by default), the per-dimension fields of `perm.integrations.common.reward_fields` (NaN for
a dimension nobody scored) and the shortcut signs of `perm.signs.sign_fields` (`sign_copied`,
`sign_unfinished`, ...: 1.0 or 0.0, NaN without a reply) and `shared_line` (1.0 when the reply
holds a line this process has lately seen given to 3+ different seekers, `perm.shared_lines`:
stock padding; 0.0 or NaN likewise), which verl averages into its metrics. The sample's context (persona, scenario, query, ...) comes from
`extra_info`, as `scripts/jsonl_to_verl_parquet.py` writes it; a JSON object in `ground_truth`
is accepted too. After `max_failed_samples` samples in a row without a reward (judge down),
`JudgeUnavailable` is raised, which stops verl. Settings: `reward_kwargs` `config` (scoring
YAML), `judge`, `model`, `base_url`, `on_format_error`, `null_reward`, `max_failed_samples`,
or the PERM_* environment variables (see `runner`). Absolute imports only: verl loads this
file by path.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from perm.errors import DataError
from perm.integrations.common import reward_fields, screened_sample
from perm.integrations.runner import (
    BackgroundScorer,
    Refused,
    engine_ascore,
    engine_score,
    runner_for,
    shared_flags,
)
from perm.signs import sign_fields
from perm.types import Sample, ScoreResult

_OPTION_KEYS = ("config", "judge", "model", "base_url", "on_format_error", "null_reward",
                "max_failed_samples")


def _context(extra_info: Any, ground_truth: Any, field: str) -> Any:
    if isinstance(extra_info, Mapping) and extra_info.get("query") is not None:
        return extra_info
    if isinstance(ground_truth, Mapping) or (
            isinstance(ground_truth, str) and ground_truth.lstrip().startswith("{")):
        return ground_truth
    raise DataError("no sample context: extra_info needs persona, scenario and query (write the "
                    "parquet with scripts/jsonl_to_verl_parquet.py)", field=field)


def _samples(solution_strs: Sequence[str], ground_truths: Sequence[Any] | None,
             extra_infos: Sequence[Any] | None) -> list[Sample | Refused]:
    n = len(solution_strs)
    gts = list(ground_truths) if ground_truths is not None else [None] * n
    infos = list(extra_infos) if extra_infos is not None else [None] * n
    if len(gts) != n or len(infos) != n:
        raise DataError(f"got {n} solution_strs but {len(gts)} ground_truths and {len(infos)} "
                        "extra_infos", field="solution_strs")
    return [screened_sample(_context(info, gt, f"extra_infos[{i}]"), str(text or ""),
                            field=f"extra_infos[{i}]", completion_field=f"solution_strs[{i}]")
            for i, (text, gt, info) in enumerate(zip(solution_strs, gts, infos, strict=True))]


def _split(args: dict[str, Any]) -> tuple[bool, list[Sample | Refused], dict[str, Any]]:
    options = {k: args[k] for k in _OPTION_KEYS if args.get(k) is not None}
    if args.get("solution_strs") is not None:
        return True, _samples(args["solution_strs"], args.get("ground_truths"),
                              args.get("extra_infos")), options
    if args.get("solution_str") is None:
        raise DataError("verl passed neither solution_str nor solution_strs", field="solution_str")
    return False, _samples([args["solution_str"]], [args.get("ground_truth")],
                           [args.get("extra_info")]), options


def _rows(runner: BackgroundScorer, results: Sequence[ScoreResult],
          items: Sequence[Sample | Refused]) -> list[dict[str, float]]:
    return [{**reward_fields(r, runner.null_reward), **sign_fields(it if isinstance(it, Sample) else None),
             "shared_line": flag}
            for r, it, flag in zip(results, items, shared_flags(runner, items), strict=True)]


def compute_score(data_source: Any = None, solution_str: str | None = None,
                  ground_truth: Any = None, extra_info: Any = None, **kwargs: Any
                  ) -> dict[str, float] | list[dict[str, float]]:
    """verl reward function (single-sample or batch keywords; blocking, thread-safe)."""
    batch, items, options = _split({"solution_str": solution_str, "ground_truth": ground_truth,
                                    "extra_info": extra_info, **kwargs})
    runner = runner_for(options)
    out = _rows(runner, engine_score(runner, items), items)
    return out if batch else out[0]


async def compute_score_async(data_source: Any = None, solution_str: str | None = None,
                              ground_truth: Any = None, extra_info: Any = None, **kwargs: Any
                              ) -> dict[str, float] | list[dict[str, float]]:
    """Awaitable twin of `compute_score` for verl's asynchronous reward loop."""
    batch, items, options = _split({"solution_str": solution_str, "ground_truth": ground_truth,
                                    "extra_info": extra_info, **kwargs})
    runner = runner_for(options)
    out = _rows(runner, await engine_ascore(runner, items), items)
    return out if batch else out[0]
