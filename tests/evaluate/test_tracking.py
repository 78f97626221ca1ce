"""`--report-to` for `perm eval` and `perm compare` (issue 13.12): the summary reaches
TensorBoard (read back with tensorboard's own reader); W&B is imported only when asked for."""
import sys

import pytest
from tests.evaluate.helpers import run_cli

from perm.errors import PermError
from perm.evaluate import tracking

pytest.importorskip("tensorboard", reason="the tensorboard package is needed (pip install tensorboard)")


def _read(log_dir):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(log_dir))
    acc.Reload()
    return {tag: acc.Scalars(tag)[-1].value for tag in acc.Tags()["scalars"]}


def test_eval_logs_its_summary_to_tensorboard(two_systems, tmp_path):
    import json

    base, tuned = two_systems
    out = tmp_path / "ev"
    res = run_cli("eval", base, tuned, "-o", out, "--judge", "fake", "--no-progress", "--bootstrap",
                  "50", "--report-to", "tensorboard")
    assert f"TensorBoard: {out / 'tensorboard'}" in res.output.replace("\n", "")
    got = _read(out / "tensorboard")
    summary = json.loads((out / "eval.json").read_text())
    assert got["eval/base/reward"] == pytest.approx(summary["systems"]["base"]["reward"]["mean"])
    assert got["eval/tuned/format_ok_rate"] == pytest.approx(7 / 8)
    assert got["eval/tuned/resonation"] == pytest.approx(summary["systems"]["tuned"]["scores"]["resonation"]["mean"])
    assert got["eval/tuned_vs_base/win_rate"] == pytest.approx(summary["pairs"][0]["rate"])
    assert got["eval/tuned_vs_base/p_sign"] == pytest.approx(summary["pairs"][0]["p_sign"])


def test_compare_logs_its_summary_to_tensorboard(two_systems, tmp_path):
    base, tuned = two_systems
    out = tmp_path / "cmp"
    run_cli("compare", base, tuned, "-o", out, "--judge", "fake", "--no-progress", "--bootstrap",
            "50", "--report-to", "tensorboard", "--report-to", "none")
    got = _read(out / "tensorboard")
    assert {"compare/tuned_vs_base/win_rate", "compare/tuned_vs_base/p_sign",
            "compare/tuned_vs_base/first_shown_rate", "compare/tuned_vs_base/failed_pairs"} <= set(got)
    assert got["compare/tuned_vs_base/pairs"] == 8


def test_no_tracker_writes_nothing_and_wandb_is_lazy(two_systems, tmp_path, monkeypatch):
    base, tuned = two_systems
    run_cli("compare", base, tuned, "-o", tmp_path / "c", "--judge", "fake", "--no-progress",
            "--bootstrap", "20")
    assert not (tmp_path / "c" / "tensorboard").exists()
    assert "wandb" not in sys.modules
    monkeypatch.setitem(sys.modules, "wandb", None)  # not installed
    res = run_cli("compare", base, tuned, "-o", tmp_path / "c2", "--judge", "fake", "--no-progress",
                  "--bootstrap", "20", "--report-to", "wandb", ok=False)
    assert res.exit_code == 1 and "needs wandb: pip install wandb" in res.output
    assert "results are written" in res.output and (tmp_path / "c2" / "compare.json").exists()


def test_wandb_gets_the_scalars_and_the_settings(monkeypatch, tmp_path):
    calls = {}

    class Run:
        summary: dict = {}

        def log(self, d):
            calls["log"] = d

        def finish(self):
            calls["finished"] = True

    class FakeWandb:
        @staticmethod
        def init(**kw):
            calls["init"] = kw
            return Run()

    monkeypatch.setitem(sys.modules, "wandb", FakeWandb)
    monkeypatch.setenv("WANDB_PROJECT", "proj")
    lines = tracking.report(["wandb"], tmp_path / "my-run", {"eval/a/reward": 0.5}, job_type="eval",
                            config={"judge": "openai:x"})
    assert lines == ["Weights & Biases: logged"]
    assert calls["init"] == {"project": "proj", "name": "my-run", "job_type": "eval",
                             "config": {"judge": "openai:x"}}
    assert calls["log"] == {"eval/a/reward": 0.5} and calls["finished"]


def test_scalars_skip_missing_values():
    summary = {"a": "x", "b": "y", "rate": None, "lo": None, "hi": None, "p_sign": 1.0,
               "position": {"first_rate": None}, "failed": 4, "pairs": 4}
    assert tracking.compare_scalars(summary) == {"compare/y_vs_x/p_sign": 1.0,
                                                 "compare/y_vs_x/failed_pairs": 4.0,
                                                 "compare/y_vs_x/pairs": 4.0}
    with pytest.raises(PermError, match="unknown tracker"):
        tracking.report(["mlflow"], ".", {}, job_type="eval", config={})
