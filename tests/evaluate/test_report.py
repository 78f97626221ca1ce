import re

import pytest
from tests.evaluate.helpers import run_cli

from perm.errors import PermError
from perm.evaluate.report import build_report, load_inputs

PNG = b"\x89PNG\r\n\x1a\n"


def test_report_embeds_every_chart_and_writes_pngs(results, tmp_path):
    out = tmp_path / "rep"
    res = run_cli("report", results["eval"], "-o", out, "--compare", results["compare"],
                  "--human", results["human"], "--train", results["run"], "--title", "My study")
    page = (out / "report.html").read_text()
    charts = re.findall(r'<img class="chart" data-chart="([\w-]+)"', page)
    assert sorted(charts) == ["distributions", "radar", "radar", "reward_length", "training", "winrates"]
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 6
    # self-contained: nothing is fetched from anywhere
    assert not re.search(r'(src|href)="(https?:)?//', page) and "@import" not in page
    assert "<title>My study</title>" in page
    assert "tuned</b> vs base" in page and "human raters (1)" in page and "pairwise judge" in page
    pngs = sorted(p.name for p in (out / "png").iterdir())
    assert pngs == ["distributions.png", "radar-base.png", "radar-tuned.png", "reward_length.png",
                    "training-0.png", "winrates.png"]
    assert all((out / "png" / p).read_bytes().startswith(PNG) for p in pngs)
    assert "Report:" in res.output


def test_report_from_a_comparison_alone(results, tmp_path):
    path = build_report(load_inputs(None, compares=[results["compare"] / "compare.json"]), tmp_path / "r")
    page = path.read_text()
    assert re.findall(r'data-chart="(\w+)"', page) == ["winrates"]


def test_report_input_errors(results, tmp_path):
    with pytest.raises(PermError, match="nothing to report"):
        load_inputs(None)
    with pytest.raises(PermError, match=r"not a `perm compare` result"):
        load_inputs(None, compares=[results["human"]])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PermError, match="eval.json: not found"):
        load_inputs(empty)
