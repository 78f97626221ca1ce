"""Reward-curve plots from a run's metrics log."""
from __future__ import annotations

import json

import pytest

from perm.errors import PermError
from perm.train.plot import panels_for, plot_run, read_history, series, smooth

pytest.importorskip("matplotlib")


def write_metrics(path, n=12):
    with path.open("w") as fh:
        for step in range(1, n + 1):
            fh.write(json.dumps({"step": step, "reward": 0.1 * step, "rewards/empathy/mean": 0.5,
                                 "rewards/bystander/mean": -0.2, "rewards/length/mean": 0.0,
                                 "perm/resonation": 3.0, "perm/bystander_score": 60.0,
                                 "perm/failure_rate": 0.0, "kl": float("nan")}) + "\n")


def test_plot_writes_a_png(tmp_path):
    write_metrics(tmp_path / "metrics.jsonl")
    out = plot_run(tmp_path)
    assert out == tmp_path / "reward_curves.png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_resumed_steps_are_not_counted_twice(tmp_path):
    p = tmp_path / "metrics.jsonl"
    write_metrics(p, 3)
    with p.open("a") as fh:
        fh.write(json.dumps({"step": 3, "reward": 9.0}) + "\n")
    xs, ys = series(read_history(tmp_path), "reward")
    assert xs == [1, 2, 3] and ys[-1] == 9.0


def test_nan_values_are_skipped_and_smoothing_is_a_trailing_mean(tmp_path):
    write_metrics(tmp_path / "metrics.jsonl", 3)
    assert series(read_history(tmp_path), "kl") == ([], [])
    assert smooth([1.0, 3.0, 5.0], 2) == [1.0, 2.0, 4.0]


def test_falls_back_to_trainer_state(tmp_path):
    ckpt = tmp_path / "checkpoint-4"
    ckpt.mkdir()
    (ckpt / "trainer_state.json").write_text(json.dumps(
        {"log_history": [{"step": 2, "reward": 0.3}, {"step": 4, "reward": 0.5}]}))
    assert series(read_history(tmp_path), "reward") == ([2, 4], [0.3, 0.5])
    assert plot_run(tmp_path, tmp_path / "x.png").is_file()


def test_no_log_is_a_clear_error(tmp_path):
    with pytest.raises(PermError, match="no training log"):
        plot_run(tmp_path)


def test_the_shortcut_signs_get_their_own_panel_when_logged(tmp_path):
    write_metrics(tmp_path / "metrics.jsonl", 3)
    assert not any(name.startswith("Shortcut signs") for name, _ in panels_for(read_history(tmp_path)))
    with (tmp_path / "metrics.jsonl").open("a") as fh:
        fh.write(json.dumps({"step": 4, "reward": 0.5, "perm/sign_unfinished": 0.75,
                             "perm/sign_copied": 0.0, "perm/shared_lines": 0.25}) + "\n")
    panels = dict(panels_for(read_history(tmp_path)))
    signs = next(keys for name, keys in panels.items() if name.startswith("Shortcut signs"))
    assert signs == [("perm/sign_copied", "copied"), ("perm/sign_unfinished", "unfinished"),
                     ("perm/shared_lines", "lines said to many seekers")]
    assert plot_run(tmp_path).stat().st_size > 10_000


def test_a_series_of_one_step_is_drawn_as_a_point(tmp_path, monkeypatch):
    """After the first logged step a line of one point is invisible: it gets a marker."""
    import matplotlib.pyplot as plt

    figures = []
    close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: (figures.append(fig), close(fig)))
    write_metrics(tmp_path / "metrics.jsonl", 1)
    plot_run(tmp_path)
    lines = [ln for ax in figures[0].axes for ln in ax.lines]
    assert lines and all(ln.get_marker() == "o" for ln in lines)
    assert all(ax.get_xlim() == (0.0, 2.0) for ax in figures[0].axes if ax.get_visible())
    figures.clear()
    write_metrics(tmp_path / "metrics.jsonl", 4)  # a real line: no markers
    plot_run(tmp_path)
    assert all(ln.get_marker() in ("None", None, "") for ax in figures[0].axes for ln in ax.lines)
