"""Fixtures for the evaluation tests."""
from __future__ import annotations

import pytest
from tests.evaluate.helpers import output, scenario, write


@pytest.fixture
def two_systems(tmp_path):
    """(base.jsonl, tuned.jsonl) with 8 aligned scenarios; tuned's 4th output is malformed."""
    base = write(tmp_path / "base.jsonl", [output(i, "base") for i in range(8)])
    tuned = write(tmp_path / "tuned.jsonl",
                  [output(i, "tuned") if i != 3 else {**scenario(i), "completion": "tuned wrote no headers"}
                   for i in range(8)])
    return base, tuned


@pytest.fixture
def results(tmp_path, two_systems):
    """Every input `perm report` takes: an eval dir, a compare dir, a human result, a run."""
    import csv
    import json

    from tests.evaluate.helpers import run_cli

    base, tuned = two_systems
    run_cli("eval", base, tuned, "-o", tmp_path / "ev", "--judge", "fake", "--no-progress",
            "--bootstrap", "200")
    run_cli("compare", base, tuned, "-o", tmp_path / "cmp", "--judge", "fake", "--no-progress",
            "--bootstrap", "200")
    run_cli("human", "export", base, tuned, "-o", tmp_path / "study")
    key = json.loads((tmp_path / "study" / "key.json").read_text())
    with open(tmp_path / "answers.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pair_id", "choice", "rater"])
        for k, pid in enumerate(key["pairs"]):
            w.writerow([pid, ("1", "2", "2", "tie")[k % 4], "r1"])
    run_cli("human", "import", tmp_path / "study" / "key.json", tmp_path / "answers.csv",
            "--bootstrap", "200")
    run = tmp_path / "run"
    run.mkdir()
    with open(run / "metrics.jsonl", "w") as fh:
        for step in range(1, 21):
            fh.write(json.dumps({"step": step, "reward": 0.2 + 0.01 * step,
                                 "rewards/empathy/mean": 0.5 + 0.005 * step,
                                 "perm/resonation": 2.5 + 0.05 * step, "kl": 0.001 * step}) + "\n")
    return {"eval": tmp_path / "ev", "compare": tmp_path / "cmp",
            "human": tmp_path / "study" / "human.json", "run": run}
