"""Lines a system says to many different seekers (`perm.shared_lines`), in eval.json
and in the report."""
from __future__ import annotations

import json
import re

from tests.evaluate.helpers import output, run_cli, scenario, write

from perm.evaluate.report import build_report, load_inputs
from perm.shared_lines import MIN_SEEKERS, MIN_WORDS, WINDOW, SharedLineWindow, shared_lines
from perm.types import Sample

STOCK = "You are not alone in this, ever."


def _turn(persona: str, reply: str, query: str = "It happened again.") -> Sample:
    return Sample(persona, "A hard week at work.", query, completion=f"# Analysis\nnotes\n# Response\n{reply}")


def test_a_line_given_to_three_seekers_is_shared_and_counted_once_per_output():
    outs = [_turn(f"P{i}", f"Your boss did that to you on day {i}. {STOCK}") for i in range(3)]
    outs.append(_turn("P3", "Day three sounds like the worst one. What happened after?"))
    got = shared_lines(outs)
    assert (MIN_WORDS, MIN_SEEKERS) == (5, 3)
    assert got == {"n": 4, "rate": 0.75, "lines": [{"line": STOCK, "seekers": 3}]}


def test_wording_is_folded_but_short_lines_and_one_seekers_turns_are_not_shared():
    variants = ["You are NOT alone in this, ever!", "\u201cYou are not alone   in this, ever\u201d",
                "you are not alone in this, ever"]
    folded = shared_lines([_turn(f"P{i}", f"{v}\nSee you soon.") for i, v in enumerate(variants)])
    assert folded["rate"] == 1.0 and folded["lines"][0]["seekers"] == 3
    short = shared_lines([_turn(f"P{i}", "I hear you. That is hard.") for i in range(5)])  # under 5 words
    assert short == {"n": 5, "rate": 0.0, "lines": []}
    one_seeker = shared_lines([_turn("P0", STOCK, query=f"turn {k}") for k in range(5)])
    assert one_seeker["rate"] == 0.0  # five turns of one conversation are one seeker


def test_outputs_without_a_reply_are_left_out():
    empty = [Sample("P", "S", "Q", completion="# Analysis\nx\n# Response\n..."), Sample("P", "S", "Q", completion="")]
    assert shared_lines(empty) == {"n": 0, "rate": None, "lines": []}
    assert shared_lines([]) == {"n": 0, "rate": None, "lines": []}


def test_eval_records_them_and_the_report_marks_a_rise(tmp_path):
    base = write(tmp_path / "base.jsonl", [output(i, "base", persona=f"Person {i}") for i in range(6)])
    padded = [{**scenario(i, persona=f"Person {i}"),
               "completion": f"# Analysis\nnotes ({i})\n# Response\nThat sounds heavy ({i}). {STOCK}\n"
                             "Be <gentle> with [bold]yourself[/bold] tonight, okay?"} for i in range(6)]
    tuned = write(tmp_path / "tuned.jsonl", padded)
    res = run_cli("eval", base, tuned, "-o", tmp_path / "ev", "--judge", "fake", "--no-progress", "--bootstrap", "50")
    said = " ".join(res.output.split())
    assert re.search(r"lines said to many seekers │ +0\.0% │ +100\.0% │", res.output)
    assert ('Lines said to many seekers rose in tuned over base: 0.0 % -> 100.0 % of outputs (most shared: '
            '"Be <gentle> with [bold]yourself[/bold] tonight, okay?", to 6 seekers)') in said
    ev = json.loads((tmp_path / "ev" / "eval.json").read_text())
    assert ev["systems"]["base"]["shared_lines"] == {"n": 6, "rate": 0.0, "lines": []}
    assert ev["systems"]["tuned"]["shared_lines"]["rate"] == 1.0
    assert [x["seekers"] for x in ev["systems"]["tuned"]["shared_lines"]["lines"]] == [6, 6]
    page = build_report(load_inputs(tmp_path / "ev"), tmp_path / "rep").read_text()
    section = page[page.index("Lines said to many seekers"):page.index("All numbers")]
    assert "<strong>100.0 %</strong>" in section and "▲ 100 pts" in section
    assert "Be &lt;gentle&gt; with [bold]yourself[/bold] tonight, okay? <span class='note'>(6 seekers)" in section
    # an eval.json written before shared lines existed still makes a report, without the table
    inp = load_inputs(tmp_path / "ev")
    for s in inp.eval["systems"].values():
        del s["shared_lines"]
    page = build_report(inp, tmp_path / "rep2").read_text()
    assert "Shortcut signs" in page and "Lines said to many seekers" not in page


def test_the_training_window_counts_seekers_over_recent_batches_and_forgets_old_ones():
    window = SharedLineWindow()
    assert WINDOW == 512
    assert [window.rate([_turn(f"P{i}", STOCK)]) for i in range(4)] == [0.0, 0.0, 1.0, 1.0]
    assert window.rate([_turn("P9", "Nothing in common with the others here.")]) == 0.0
    assert window.rate([Sample("P", "S", "Q", completion="")]) is None  # no reply: nothing to rate
    small = SharedLineWindow(size=2)  # the first seeker's output is forgotten by the third batch
    assert [small.rate([_turn(f"P{i}", STOCK)]) for i in range(3)] == [0.0, 0.0, 0.0]
    assert len(small._recent) == 2 and set(small._who) == {"you are not alone in this, ever"}


def test_window_flags_each_output_nan_without_a_reply_and_a_pickled_copy_starts_empty():
    import math
    import pickle
    from concurrent.futures import ThreadPoolExecutor

    import pytest

    window = SharedLineWindow()
    got = window.flags([_turn("P0", STOCK), None, Sample("P", "S", "Q", completion=""),
                        _turn("P1", STOCK), _turn("P2", f"{STOCK} And more.")])
    assert [0.0 if math.isnan(x) else x for x in got] == [1.0, 0.0, 0.0, 1.0, 1.0]
    assert math.isnan(got[1]) and math.isnan(got[2])  # refused, or no reply: no flag
    copy = pickle.loads(pickle.dumps(window))
    assert copy.size == WINDOW and not copy._recent and copy.flags([_turn("P3", STOCK)]) == [0.0]
    with pytest.raises(ValueError, match="at least 1"):
        SharedLineWindow(size=0)
    # many threads at once (verl's and OpenRLHF's reward calls): no output lost, counts intact
    busy = SharedLineWindow(size=10_000)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: busy.flags([_turn(f"P{i % 50}", STOCK)]), range(400)))
    assert len(busy._recent) == 400 and len(busy._who["you are not alone in this, ever"]) == 50
