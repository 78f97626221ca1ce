"""Charts of an evaluation as PNG bytes (matplotlib, Agg backend): score distributions, one
radar per system, reward against length, win rates with intervals, training curves."""
from __future__ import annotations

import io
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PermError

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

PALETTE = ("#4f46e5", "#e11d48", "#059669", "#d97706", "#0891b2", "#7c3aed", "#65a30d", "#db2777")
INK, MUTED, GRID = "#1f2430", "#6b7280", "#e5e7eb"
LABELS = {"resonation": "Resonation", "expression": "Expression", "reception": "Reception",
          "bystander": "Bystander", "reward": "Reward", "empathy": "Empathy"}
STYLE: dict[RcKeyType, Any] = {
    "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
    "axes.edgecolor": "#d1d5db", "axes.labelcolor": INK, "axes.titlesize": 12,
    "axes.titleweight": "bold", "axes.titlelocation": "left", "axes.titlepad": 10,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.color": GRID, "grid.linewidth": 0.8, "xtick.color": MUTED, "ytick.color": MUTED,
    "font.size": 10, "legend.frameon": False, "font.family": "DejaVu Sans",
}


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


@contextmanager
def styled() -> Iterator[None]:
    """Draw with pyplot under the report's style (Agg backend; a missing matplotlib names the
    extra). Callers import pyplot inside the block, so that it is typed."""
    try:
        import matplotlib
    except ImportError:
        raise PermError("charts need matplotlib: pip install 'perm-reward[eval]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from cycler import cycler

    rc: dict[RcKeyType, Any] = {**STYLE, "axes.prop_cycle": cycler(color=list(PALETTE))}
    with plt.rc_context(rc):
        yield


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def _horizontal() -> dict[str, Any]:
    """Horizontal box plots across matplotlib versions (`vert` is deprecated from 3.10)."""
    import matplotlib

    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}


def _values(rows: Sequence[Mapping[str, Any]], key: str) -> list[float]:
    out = []
    for r in rows:
        v = r.get(key) if key in ("reward", "empathy") else (r.get("scores") or {}).get(key)
        if isinstance(v, (int, float)) and not math.isnan(v):
            out.append(float(v))
    return out


def distributions(rows: Mapping[str, Sequence[Mapping[str, Any]]], dims: Sequence[str]) -> bytes:
    """One panel per dimension: share of each 1-5 level per system; bystander, empathy and
    reward as box plots with every sample as a dot."""
    import numpy as np

    names = list(rows)
    panels = [*[d for d in dims if d != "bystander"], *[d for d in dims if d == "bystander"],
              "empathy", "reward"]
    cols = 3
    nrows = math.ceil(len(panels) / cols)
    with styled():
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter

        fig, axes = plt.subplots(nrows, cols, figsize=(13, 3.6 * nrows), squeeze=False)
        for ax, key in zip(axes.flat, panels, strict=False):  # spare axes are hidden
            if key in ("resonation", "expression", "reception"):
                width = 0.8 / max(1, len(names))
                for i, name in enumerate(names):
                    vals = np.rint(_values(rows[name], key))
                    share = [(vals == k).mean() if len(vals) else 0 for k in range(1, 6)]
                    xs = np.arange(1, 6) + (i - (len(names) - 1) / 2) * width
                    ax.bar(xs, share, width * 0.92, color=color(i), label=name, zorder=3)
                ax.set_xticks(range(1, 6))
                ax.set_ylabel("share of outputs")
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
                ax.grid(axis="x", visible=False)
                ax.set_title(f"{LABELS[key]} (1–5)")
            else:
                data = [_values(rows[n], key) for n in names]
                pos = list(range(len(names), 0, -1))
                live = [(d, p) for d, p in zip(data, pos, strict=True) if d]
                if live:
                    bp = ax.boxplot([d for d, _ in live], positions=[p for _, p in live],
                                    **_horizontal(), widths=0.55, patch_artist=True, showfliers=False,
                                    medianprops={"color": INK, "linewidth": 1.5},
                                    whiskerprops={"color": MUTED}, capprops={"color": MUTED}, zorder=2)
                    for patch, (_, p) in zip(bp["boxes"], live, strict=True):
                        i = len(names) - p
                        patch.set(facecolor=color(i) + "33", edgecolor=color(i))
                rng = np.random.default_rng(0)
                for i, d in enumerate(data):
                    y = pos[i] + rng.uniform(-0.18, 0.18, len(d))
                    ax.scatter(d, y, s=10, color=color(i), alpha=0.55, zorder=3, linewidths=0)
                ax.set_yticks(pos, names)
                ax.grid(axis="y", visible=False)
                unit = " (0–100)" if key == "bystander" else ""
                ax.set_title(f"{LABELS[key]}{unit}")
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="upper center", ncol=min(6, len(names)),
                       bbox_to_anchor=(0.5, 1.02))
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        return to_png(fig)


RADAR_AXES = (("resonation", "Resonation"), ("expression", "Expression"),
              ("reception", "Reception"), ("bystander", "Bystander"), ("format", "Format kept"))


def radar_values(summary: Mapping[str, Any]) -> list[float]:
    """A system's profile on 0-1 axes: 1-5 scores as (s-1)/4, bystander /100, format rate."""
    out = []
    for key, _ in RADAR_AXES:
        if key == "format":
            v = summary.get("format_ok_rate")
        else:
            m = (summary.get("scores") or {}).get(key, {}).get("mean")
            v = None if m is None else (m / 100 if key == "bystander" else (m - 1) / 4)
        out.append(0.0 if v is None else max(0.0, min(1.0, float(v))))
    return out


def radar_labels(summary: Mapping[str, Any]) -> list[str]:
    """Axis labels with the system's own values (`3.42 / 5`, `71.5 / 100`, `88%`; `—` when missing)."""
    out = []
    for key, label in RADAR_AXES:
        if key == "format":
            v = summary.get("format_ok_rate")
            text = "—" if v is None else f"{v:.0%}"
        else:
            m = (summary.get("scores") or {}).get(key, {}).get("mean")
            text = "—" if m is None else (f"{m:.1f} / 100" if key == "bystander" else f"{m:.2f} / 5")
        out.append(f"{label}\n{text}")
    return out


def radar(name: str, index: int, summaries: Mapping[str, Mapping[str, Any]]) -> bytes:
    """One system's profile, with the other systems as faint outlines for reference."""
    import numpy as np

    angles = np.linspace(0, 2 * np.pi, len(RADAR_AXES), endpoint=False).tolist()
    loop = [*angles, angles[0]]
    with styled():
        import matplotlib.pyplot as plt
        from matplotlib.projections.polar import PolarAxes

        fig = plt.figure(figsize=(4.4, 4.4))
        ax = fig.add_subplot(projection="polar")
        assert isinstance(ax, PolarAxes)  # what projection="polar" makes; typed as Axes
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)
        for other, summ in summaries.items():
            if other != name:
                v = radar_values(summ)
                ax.plot(loop, [*v, v[0]], color="#9ca3af", linewidth=1, alpha=0.7, linestyle="--")
        v = radar_values(summaries[name])
        ax.plot(loop, [*v, v[0]], color=color(index), linewidth=2.2)
        ax.fill(loop, [*v, v[0]], color=color(index), alpha=0.22)
        ax.scatter(angles, v, color=color(index), s=22, zorder=3)
        ax.set_xticks(angles, radar_labels(summaries[name]))
        ax.tick_params(axis="x", colors=INK, pad=6)
        ax.set_ylim(0, 1)
        ax.set_yticks([0.25, 0.5, 0.75, 1.0], ["", "", "", ""])
        ax.spines["polar"].set_color(GRID)
        ax.set_title(name, color=color(index), loc="center", pad=16)
        return to_png(fig)


def _length_points(rs: Sequence[Mapping[str, Any]]) -> tuple[list[tuple[float, float]], list[float]]:
    """(tokens, reward) of the outputs with a finite reward; tokens of those without one."""
    pts, missing = [], []
    for r in rs:
        tokens = r.get("tokens")
        x = float(tokens) if isinstance(tokens, (int, float)) and math.isfinite(tokens) else 0.0
        y = r.get("reward")
        if isinstance(y, (int, float)) and not isinstance(y, bool) and math.isfinite(y):
            pts.append((x, float(y)))
        else:
            missing.append(x)
    return pts, missing


def reward_vs_length(rows: Mapping[str, Sequence[Mapping[str, Any]]], limit: int | None) -> bytes:
    """Each output's reward against its length in tokens, with a binned mean per system; outputs
    without a reward are drawn as crosses under the axis band, never dropped silently."""
    import numpy as np

    data = {name: _length_points(rs) for name, rs in rows.items()}
    with styled():
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(11, 4.6))
        top, n_missing = 0.0, 0
        ys = [y for pts, _ in data.values() for _, y in pts]
        floor = (min(ys) if ys else 0.0) - 0.08 * max(0.25, (max(ys) - min(ys)) if ys else 1.0)
        for i, (name, (pts, missing)) in enumerate(data.items()):
            if pts:
                x, y = np.array(pts, dtype=float).T
                top = max(top, float(x.max()))
                ax.scatter(x, y, s=16, color=color(i), alpha=0.55, linewidths=0, label=name, zorder=3)
                if len(x) >= 8 and np.ptp(x) > 0:
                    edges = np.unique(np.quantile(x, np.linspace(0, 1, 7)))
                    mids, means = [], []
                    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
                        m = (x >= lo) & (x <= hi)
                        if m.any():
                            mids.append(x[m].mean())
                            means.append(y[m].mean())
                    ax.plot(mids, means, color=color(i), linewidth=2.2, zorder=4)
            if missing:
                n_missing += len(missing)
                top = max(top, max(missing))
                ax.scatter(missing, [floor] * len(missing), marker="x", s=22, color=color(i),
                           linewidths=1.2, zorder=3, label=f"{name}: reward missing ({len(missing)})")
        if not ys and not n_missing:
            ax.text(0.5, 0.5, "no outputs to plot", transform=ax.transAxes, ha="center",
                    va="center", color=MUTED, fontsize=12)
        elif not ys:
            ax.text(0.5, 0.6, "no output has a reward: every cross is an output whose reward is "
                    "missing", transform=ax.transAxes, ha="center", va="center", color=MUTED)
        if limit is not None and top >= 0.6 * limit:
            ax.axvline(limit, color=MUTED, linestyle="--", linewidth=1)
            ax.annotate("length penalty starts", (limit, ax.get_ylim()[1]), xytext=(4, -12),
                        textcoords="offset points", color=MUTED, fontsize=9)
        ax.set_xlabel("output length (tokens)")
        ax.set_ylabel("PERM reward")
        ax.set_title("Reward against length (lines: mean per length bin; ×: reward missing)")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", ncol=min(4, len(rows) * 2))
        return to_png(fig)


def win_rates(items: Sequence[Mapping[str, Any]]) -> bytes:
    """Horizontal bars from 50 % to each win rate, with its 95 % interval and a label; a
    comparison without a result is listed with its failure count, a stand-in judge's in grey."""
    with styled():
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter

        fig, ax = plt.subplots(figsize=(11, 0.75 * len(items) + 1.4))
        for k, it in enumerate(reversed(items)):
            rate, lo, hi = it["rate"], it.get("lo"), it.get("hi")
            if rate is None:
                ax.annotate(f"no result: {it.get('failed', 0)} of {it.get('total', 0)} pairs failed",
                            (0.5, k), xytext=(8, 0), textcoords="offset points", va="center",
                            fontsize=9, color=PALETTE[1])
                continue
            c = MUTED if it.get("stand_in") else PALETTE[2] if rate > 0.5 else PALETTE[1] if rate < 0.5 else MUTED
            ax.barh(k, rate - 0.5, left=0.5, height=0.5, color=c + ("55" if it.get("stand_in") else "cc"),
                    zorder=3, hatch="//" if it.get("stand_in") else None, edgecolor=c)
            if lo is not None and hi is not None:
                ax.errorbar(rate, k, xerr=[[rate - lo], [hi - rate]], color=INK, capsize=4,
                            linewidth=1.2, zorder=4)
            text = f"{rate:.0%}" + (f"  [{lo:.0%}–{hi:.0%}]" if lo is not None else "")
            ax.annotate(text, (hi if hi is not None else rate, k), xytext=(8, 0),
                        textcoords="offset points", va="center", fontsize=9, color=INK)
        ax.axvline(0.5, color=INK, linewidth=1)
        ax.set_yticks(range(len(items)), [it["label"] for it in reversed(items)])
        ax.set_ylim(-0.6, len(items) - 0.4)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.grid(axis="y", visible=False)
        ax.set_title("Win rate of the second system (ties count half; bars: 95 % interval; "
                     "hatched grey: stand-in judge)")
        return to_png(fig)


def training_curves(run: str | Path) -> bytes:
    """A training run's reward curves (drawn by `perm.train.plot`, in the report's style)."""
    import tempfile

    from ..train.plot import plot_run

    with styled(), tempfile.TemporaryDirectory() as tmp:
        path = plot_run(run, Path(tmp) / "curves.png", title=f"Training: {Path(run).name}")
        return path.read_bytes()
