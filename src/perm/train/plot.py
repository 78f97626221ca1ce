"""Reward curves of a training run as one PNG: the PERM reward and its terms, each empathy
dimension, the bystander score, run health (failures, format, KL, length) and the shortcut
signs (`perm.signs`)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import PermError
from ..signs import SIGNS

METRICS_FILE = "metrics.jsonl"  # written by perm.train.callbacks.MetricsLogger
PLOT_FILE = "reward_curves.png"
PANELS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("PERM reward and its terms", (("reward", "reward (sum)"), ("rewards/empathy/mean", "empathy"),
                                   ("rewards/bystander/mean", "bystander"),
                                   ("rewards/length/mean", "length"))),
    ("Empathy dimensions (1-5)", (("perm/resonation", "resonation"), ("perm/expression", "expression"),
                                  ("perm/reception", "reception"))),
    ("Bystander score (0-100)", (("perm/bystander_score", "bystander"),)),
    ("Judge health (share of completions)", (("perm/failure_rate", "no reward"),
                                             ("perm/format_ok_rate", "format ok"))),
    ("KL to the reference policy", (("kl", "kl"),)),
    ("Completion length (tokens)", (("completions/mean_length", "mean length"),)),
    ("Shortcut signs (share of completions; read samples if one climbs)",
     tuple((f"perm/sign_{name}", name.replace("_", " ")) for name in SIGNS)
     + (("perm/shared_lines", "lines said to many seekers"),)),
)


def panels_for(history: Sequence[dict[str, Any]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The panels (title, [(metric, label)]) that have data in this log, in `PANELS` order."""
    panels = [(name, [(k, label) for k, label in keys if series(history, k)[0]]) for name, keys in PANELS]
    return [p for p in panels if p[1]]


def read_history(run: str | Path) -> list[dict[str, Any]]:
    """Training log records of a run directory (metrics.jsonl, else the newest trainer_state)."""
    path = Path(run)
    if path.is_file():
        return _read_jsonl(path)
    if (path / METRICS_FILE).is_file():
        return _read_jsonl(path / METRICS_FILE)
    states = sorted(path.glob("checkpoint-*/trainer_state.json"),
                    key=lambda p: int(p.parent.name.rsplit("-", 1)[-1]))
    if states:
        return list(json.loads(states[-1].read_text(encoding="utf-8")).get("log_history", []))
    raise PermError(f"no training log in {path} (expected {METRICS_FILE} or checkpoint-*/trainer_state.json)")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    by_step: dict[int, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            by_step.setdefault(int(rec.get("step", 0)), {}).update(rec)  # a resumed step: last wins
    return [by_step[k] for k in sorted(by_step)]


def series(history: Sequence[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    """(steps, values) of one metric, skipping records without it."""
    xs: list[int] = []
    ys: list[float] = []
    for rec in history:
        v = rec.get(key)
        if isinstance(v, (int, float)) and v == v:  # drop NaN
            xs.append(int(rec.get("step", len(xs))))
            ys.append(float(v))
    return xs, ys


def smooth(values: Sequence[float], window: int) -> list[float]:
    """Trailing moving average (window 1 = unchanged)."""
    out, acc = [], 0.0
    for i, v in enumerate(values):
        acc += v
        if i >= window:
            acc -= values[i - window]
        out.append(acc / min(i + 1, window))
    return out


def plot_run(run: str | Path, out: str | Path | None = None, *, window: int | None = None,
             title: str | None = None) -> Path:
    """Draw the run's curves into `out` (default RUN/reward_curves.png); returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    history = read_history(run)
    run_dir = Path(run) if Path(run).is_dir() else Path(run).parent
    target = Path(out) if out else run_dir / PLOT_FILE
    panels = panels_for(history)
    if not panels:
        raise PermError(f"{run}: the training log has no reward metrics yet")
    cols = 2
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(12, 3.4 * rows), squeeze=False)
    for ax, (name, keys) in zip(axes.flat, panels):
        for key, label in keys:
            xs, ys = series(history, key)
            w = window or max(1, len(ys) // 10)
            # a lone point has no line to draw: mark it, or the panel looks empty after step 1
            line, = ax.plot(xs, ys, alpha=0.3 if w > 1 else 1.0, linewidth=1,
                            marker="o" if len(xs) == 1 else None, markersize=5)
            if w > 1:
                ax.plot(xs, smooth(ys, w), color=line.get_color(), linewidth=2,
                        label=f"{label} (avg {w})")
            else:
                line.set_label(label)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("step")
        lo, hi = ax.get_xlim()
        if hi - lo < 2:  # one step logged: show whole steps around it, not 0.995 ... 1.005
            ax.set_xlim((lo + hi) / 2 - 1, (lo + hi) / 2 + 1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(title or f"PERM GRPO: {run_dir.name}")
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=100)
    plt.close(fig)
    return target
