"""bench.heads_alone: the card's "heads alone" column, reproducible."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from perm.data import parse_record
from perm.local.registry import load_scorer
from perm.scoring import build_requests
from perm.types import DIMENSIONS


def test_heads_alone_switches_the_rules_off_and_says_so(tmp_path: Path) -> None:
    scorer = load_scorer("perm-minilm-v2")
    good = json.loads((Path(__file__).resolve().parents[2] / "src/perm/audit/good.jsonl")
                      .read_text(encoding="utf-8").splitlines()[0])
    analysis, reply = good["completion"].split("# Response", 1)
    quoted = f'You wrote: "{good["query"]}"\n\n{reply.strip()}'  # the seeker's whole message copied
    s = parse_record({"id": "q", "persona": good["persona"], "scenario": good["scenario"], "query": good["query"],
                      "completion": f"{analysis}# Response\n{quoted}"}, path="t", line=1)
    _, reqs = build_requests(s, DIMENSIONS)
    assert reqs
    with_rules = scorer.predict(reqs)
    import bench.heads_alone as ha

    from perm.local.v2 import model
    saved = model.ScorerV2.predict, model.ScorerV2.identity
    try:
        ha.heads_alone()
        ha.heads_alone()  # twice is once
        assert scorer.identity.endswith(ha.SUFFIX) and not scorer.identity.endswith(ha.SUFFIX * 2)
        alone = scorer.predict(reqs)
        # the copied message is discounted by the rules (expression, reception, bystander), not
        # by the heads; resonation reads the analysis, which no rule here touches
        assert alone == saved[0](scorer, reqs, discount_borrowed=False)
        assert alone[0] == with_rules[0]
        assert all(a > r for a, r in zip(alone[1:], with_rules[1:]))  # type: ignore[operator]
    finally:
        model.ScorerV2.predict, model.ScorerV2.identity = saved  # type: ignore[method-assign]
        model.ScorerV2._heads_alone = False  # type: ignore[attr-defined]


@pytest.mark.slow
def test_the_audit_runs_with_the_heads_alone(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = tmp_path / "a.json"
    proc = subprocess.run([sys.executable, "-m", "bench.heads_alone", "--attacks", "echo", "--limit", "3",
                           "--no-progress", "-o", str(out)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], timeout=600)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["judge"].endswith("+heads-alone")
    assert [a["name"] for a in report["attacks"]] == ["echo"]
