import json
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


def test_report_marks_a_shortcut_sign_that_rises_over_the_first_system(results, tmp_path):
    page = build_report(load_inputs(results["eval"]), tmp_path / "rep").read_text()
    section = page[page.index("Shortcut signs"):page.index("Lines said to many seekers")]
    assert "talks about the seeker" in section  # the legend says what each sign means
    rows = re.findall(r"<tr><td>(\w+)</td>(.*?)</tr>", section)
    assert [name for name, _ in rows] == ["base", "tuned"]
    assert "▲" not in rows[0][1] and "<strong>12.5 %</strong>" in rows[1][1] and "▲ 12 pts" in rows[1][1]


@pytest.mark.parametrize(("rate", "base", "marked"), [
    (0.20, 0.10, True), (0.19, 0.10, False), (0.129, 0.048, True), (0.12, 0.07, False),
    (0.04, 0.0, False), (0.05, 0.0, True), (None, 0.1, False), (0.5, None, False)])
def test_a_sign_is_marked_when_it_rises_ten_points_or_doubles_by_five(rate, base, marked):
    from perm.signs import sign_rose

    assert sign_rose(rate, base) is marked


def test_report_of_an_eval_without_signs_has_no_signs_section(results, tmp_path):
    """eval.json files written before the signs existed still make a report."""
    inp = load_inputs(results["eval"])
    for s in inp.eval["systems"].values():
        del s["signs"]
    page = build_report(inp, tmp_path / "rep").read_text()
    assert "Shortcut signs" not in page and "All numbers" in page


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


def test_report_of_a_jsonl_file_says_what_it_expects(tmp_path):
    lines = tmp_path / "some.jsonl"
    lines.write_text('{"id": "a"}\n{"id": "b"}\n')
    res = run_cli("report", lines, "-o", tmp_path / "rep", ok=False)
    said = " ".join(res.output.split())
    assert res.exit_code != 0 and "Traceback" not in said
    assert f"{lines} is not a `perm eval` result" in said and "not valid JSON" in said
    assert "give the directory `perm eval -o` wrote, or its eval.json" in said
    other = tmp_path / "other.json"
    other.write_text('{"kind": "perm-compare"}')
    res = run_cli("report", other, "-o", tmp_path / "rep", ok=False)
    assert "give the directory `perm eval -o` wrote, or its eval.json" in " ".join(res.output.split())


def test_report_shows_scoring_and_generation_settings(results, tmp_path, two_systems):
    page = build_report(load_inputs(results["eval"], compares=[results["compare"]]), tmp_path / "r").read_text()
    settings = page[page.index("How these numbers were made"):]
    assert re.search(r"<code>on_format_error</code></td><td class='num'>penalize</td>", settings)
    assert re.search(r"<code>judge</code></td><td class='num'>fake:fake \(stand-in judge", settings)
    assert "<code>swap</code></td><td class='num'>yes</td>" in settings  # the pairwise judge's
    # the fixture's outputs carry no `generation` record: said so, not left blank
    assert "not recorded" in settings


def test_generation_settings_and_examples_come_from_the_outputs(tmp_path):
    from tests.evaluate.helpers import output, write

    gen = {"backend": "hf", "model": "smollm2", "temperature": 0.0, "max_new_tokens": 256, "seed": 7}
    base = write(tmp_path / "base.jsonl", [output(i, "base", generation={**gen, "sample": 0})
                                           for i in range(6)])
    greedy = write(tmp_path / "greedy.jsonl",
                   [output(i, "greedy", generation={**gen, "temperature": 0.7, "sample": 0})
                    if i != 2 else {**output(i, "greedy"), "completion": "no headers at all (2)"}
                    for i in range(6)])
    run_cli("eval", base, greedy, "-o", tmp_path / "ev", "--judge", "fake", "--no-progress",
            "--bootstrap", "50")
    ev = json.loads((tmp_path / "ev" / "eval.json").read_text())
    assert ev["systems"]["base"]["generation"] == [{k: v for k, v in gen.items()}]
    assert ev["systems"]["greedy"]["generation"][0]["temperature"] == 0.7
    examples = ev["examples"]
    assert len(examples) == 3 and all(set(x["replies"]) == {"base", "greedy"} for x in examples)
    broken = [x for x in examples if x["id"] == "s2"]
    assert broken, "the malformed output's scenario (largest reward gap) is among the examples"
    assert broken[0]["replies"]["greedy"]["response"] == "no headers at all (2)"
    assert broken[0]["replies"]["greedy"]["format_ok"] is False
    page = build_report(load_inputs(tmp_path / "ev"), tmp_path / "r").read_text()
    gen_table = page[page.index("How each system's outputs were generated"):]
    assert re.search(r"<code>temperature</code></td><td class='num'>0.0</td><td class='num'>0.7</td>",
                     gen_table)
    shown = page[page.index("Example replies"):page.index("Score distributions")]
    assert shown.count("class='reply'") == 6
    assert "base says: that sounds so heavy, I&#x27;m here" in shown
    assert "format broken: shown as written" in shown


def test_radar_axes_carry_the_values():
    from perm.evaluate.charts import radar_labels

    summary = {"scores": {"resonation": {"mean": 3.4167}, "expression": {"mean": None},
                          "reception": {"mean": 2.0}, "bystander": {"mean": 71.52}},
               "format_ok_rate": 0.875}
    assert radar_labels(summary) == ["Resonation\n3.42 / 5", "Expression\n—", "Reception\n2.00 / 5",
                                     "Bystander\n71.5 / 100", "Format kept\n88%"]


def test_reward_against_length_keeps_outputs_without_a_reward():
    from perm.evaluate.charts import _length_points, reward_vs_length

    rows = [{"tokens": 40, "reward": 0.5}, {"tokens": 80, "reward": None},
            {"tokens": None, "reward": float("nan")}, {"tokens": 60, "reward": True}]
    assert _length_points(rows) == ([(40.0, 0.5)], [80.0, 0.0, 60.0])
    # every reward missing (e.g. --on-format-error null on malformed outputs): still a chart
    png = reward_vs_length({"a": [{"tokens": 10, "reward": None}] * 3}, 768)
    assert png.startswith(PNG) and len(png) > 5000
