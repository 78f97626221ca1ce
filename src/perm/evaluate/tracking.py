"""Experiment trackers for `perm eval` and `perm compare` (`--report-to tensorboard|wandb`, as
in `perm train`): the summary as flat scalars, written to TensorBoard event files under
OUT/tensorboard/ or to a Weights & Biases run. Each tracker's package is imported only when
asked for; a missing one is an error that names what to install."""
from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import PermError

TRACKERS = ("tensorboard", "wandb", "none")
TB_DIR = "tensorboard"


def _key(*parts: str) -> str:
    return "/".join(re.sub(r"[^\w.\-+]+", "_", p) for p in parts)


def _put(out: dict[str, float], key: str, value: Any) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        out[key] = float(value)


def eval_scalars(summary: Mapping[str, Any]) -> dict[str, float]:
    """`perm eval`'s summary as scalars: per system the means and rates, per pair the win rate,
    its interval, the sign test and the reward difference."""
    out: dict[str, float] = {}
    for name, s in summary["systems"].items():
        for key in ("reward", "empathy"):
            _put(out, _key("eval", name, key), (s.get(key) or {}).get("mean"))
        for dim, st in (s.get("scores") or {}).items():
            _put(out, _key("eval", name, dim), st.get("mean"))
        for key in ("format_ok_rate", "judge_failure_rate", "reward_missing_rate"):
            _put(out, _key("eval", name, key), s.get(key))
        _put(out, _key("eval", name, "tokens_mean"), (s.get("length") or {}).get("mean"))
    for p in summary.get("pairs", []):
        pair = f"{p['b']}_vs_{p['a']}"
        for key, value in (("win_rate", p.get("rate")), ("win_rate_lo", p.get("lo")),
                           ("win_rate_hi", p.get("hi")), ("p_sign", p.get("p_sign")),
                           ("reward_diff", (p.get("mean_diff") or {}).get("mean"))):
            _put(out, _key("eval", pair, key), value)
    return out


def compare_scalars(summary: Mapping[str, Any]) -> dict[str, float]:
    """`perm compare`'s summary as scalars: win rate, interval, sign test, position bias, failures."""
    pair = f"{summary['b']}_vs_{summary['a']}"
    pos = summary.get("position") or {}
    out: dict[str, float] = {}
    for key, value in (("win_rate", summary.get("rate")), ("win_rate_lo", summary.get("lo")),
                       ("win_rate_hi", summary.get("hi")), ("p_sign", summary.get("p_sign")),
                       ("first_shown_rate", pos.get("first_rate")),
                       ("order_consistency", pos.get("consistency")),
                       ("failed_pairs", summary.get("failed")), ("pairs", summary.get("pairs"))):
        _put(out, _key("compare", pair, key), value)
    return out


def write_tensorboard(log_dir: str | Path, scalars: Mapping[str, float], step: int = 0) -> Path:
    """Write the scalars as one TensorBoard event file in `log_dir` (tensorboard's own writer,
    no torch); returns the directory."""
    try:
        from tensorboard.compat.proto.event_pb2 import Event
        from tensorboard.compat.proto.summary_pb2 import Summary
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError:
        raise PermError("--report-to tensorboard needs tensorboard: pip install tensorboard") from None
    path = Path(log_dir)
    path.mkdir(parents=True, exist_ok=True)
    writer = EventFileWriter(str(path))
    try:
        summary = Summary(value=[Summary.Value(tag=k, simple_value=v) for k, v in scalars.items()])
        writer.add_event(Event(wall_time=time.time(), step=step, summary=summary))
    finally:
        writer.close()
    return path


def log_wandb(scalars: Mapping[str, float], *, run_name: str, config: Mapping[str, Any],
              job_type: str) -> None:
    """Log the scalars (and the run's settings as its config) to one W&B run; the project is
    $WANDB_PROJECT or `perm-reward`."""
    try:
        import wandb
    except ImportError:
        raise PermError("--report-to wandb needs wandb: pip install wandb") from None
    import os

    run = wandb.init(project=os.environ.get("WANDB_PROJECT", "perm-reward"), name=run_name,
                     job_type=job_type, config=dict(config))
    try:
        run.log(dict(scalars))
        run.summary.update(dict(scalars))
    finally:
        run.finish()


def report(targets: Sequence[str], out_dir: str | Path, scalars: Mapping[str, float], *,
           job_type: str, config: Mapping[str, Any]) -> list[str]:
    """Send the scalars to every tracker in `targets` ('none' and repeats ignored); returns one
    line per tracker saying where the numbers went."""
    done = []
    for target in dict.fromkeys(t for t in targets if t != "none"):
        if target == "tensorboard":
            where = write_tensorboard(Path(out_dir) / TB_DIR, scalars)
            done.append(f"TensorBoard: {where} (tensorboard --logdir {where})")
        elif target == "wandb":
            log_wandb(scalars, run_name=Path(out_dir).name, config=config, job_type=job_type)
            done.append("Weights & Biases: logged")
        else:
            raise PermError(f"unknown tracker {target!r} (choose from {', '.join(TRACKERS)})")
    return done
