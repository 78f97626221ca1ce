"""Trainer callbacks: a progress bar that shows the reward, a JSONL metrics log, and plots."""
from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transformers import TrainerCallback
from transformers.trainer_callback import ProgressCallback

from .plot import METRICS_FILE, plot_run

if TYPE_CHECKING:
    from transformers import TrainerControl, TrainerState, TrainingArguments

log = logging.getLogger(__name__)

#: Shown on the progress bar, in this order, when logged (short label -> log key).
BAR_KEYS = {"reward": "reward", "emp": "rewards/empathy/mean", "bys": "rewards/bystander/mean",
            "fail": "perm/failure_rate", "kl": "kl"}


class RewardProgressBar(ProgressCallback):
    """tqdm bar over training steps with the latest reward terms as its postfix.

    Replaces transformers' ProgressCallback, which would print every log dict as a line.
    """

    def on_log(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
               logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or self.training_bar is None or not logs:
            return
        post = {label: f"{logs[key]:.3f}" for label, key in BAR_KEYS.items()
                if isinstance(logs.get(key), (int, float)) and math.isfinite(logs[key])}
        if post:
            self.training_bar.set_postfix(post, refresh=False)


class MetricsLogger(TrainerCallback):
    """Appends every log dict (with step and wall time) to OUTPUT_DIR/metrics.jsonl."""

    def __init__(self, output_dir: str | Path) -> None:
        self.path = Path(output_dir) / METRICS_FILE
        self.started = time.time()

    def on_train_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                       **kwargs: Any) -> None:
        if state.is_world_process_zero:
            self.started = time.time() - self._keep_until(state.global_step)

    def _keep_until(self, step: int) -> float:
        """Drop records past `step` (a resumed run redoes them); return their wall time."""
        if not self.path.is_file():
            return 0.0
        if not step:
            self.path.unlink()  # a fresh run in a reused directory starts a fresh log
            return 0.0
        kept, wall = [], 0.0
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("step", 0) <= step:
                kept.append(line)
                wall = max(wall, float(rec.get("wall_s", 0.0)))
        self.path.write_text("".join(f"{k}\n" for k in kept), encoding="utf-8")
        return wall

    def on_log(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
               logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if not state.is_world_process_zero or not logs:
            return
        rec: dict[str, float | str | None] = {"step": state.global_step, "epoch": state.epoch,
                                              "wall_s": round(time.time() - self.started, 3)}
        rec.update({k: v for k, v in logs.items() if isinstance(v, (int, float, str))})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec) + "\n")


class PlotCallback(TrainerCallback):
    """Redraws OUTPUT_DIR/reward_curves.png at every checkpoint and at the end of training."""

    def __init__(self, output_dir: str | Path) -> None:
        self.output_dir = Path(output_dir)

    def _draw(self, state: TrainerState) -> None:
        if not state.is_world_process_zero:
            return
        try:
            plot_run(self.output_dir)
        except Exception as e:  # a plot must never stop training
            log.warning("could not draw reward curves: %s", e)

    def on_save(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                **kwargs: Any) -> None:
        self._draw(state)

    def on_train_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                     **kwargs: Any) -> None:
        self._draw(state)
