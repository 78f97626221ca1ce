import csv
import json

import pytest
from tests.evaluate.helpers import run_cli

from perm.evaluate.human import StudyError, export_study, import_answers, load_key
from perm.evaluate.systems import load_aligned


def _answers(path, key, pick, rater="r1", study=None):
    """Write an answer CSV: `pick(system_shown_first) -> '1' | '2' | 'tie' | ''`."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["study", "pair_id", "rater", "choice", "comment"])
        for pid, entry in key["pairs"].items():
            w.writerow([study or key["study"], pid, rater, pick(entry["first"]), ""])
    return path


def test_export_is_blinded_and_self_contained(two_systems, tmp_path):
    aligned = load_aligned([f"base={two_systems[0]}", f"tuned={two_systems[1]}"])
    paths = export_study(aligned, tmp_path / "study", seed=1)
    form = paths["form"].read_text()
    key = load_key(paths["key"])
    assert len(key["pairs"]) == 8 and key["a"] == "base" and key["b"] == "tuned"
    assert {e["first"] for e in key["pairs"].values()} == {"A", "B"}  # the order varies
    # raters never see system names or scenario ids
    for secret in ("base.jsonl", "tuned.jsonl", '"a":', "scenario_id"):
        assert secret not in form
    assert key["study"] in form and "http://" not in form and "https://" not in form
    assert "<script src" not in form and "<link" not in form
    with open(paths["csv"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 8 and set(rows[0]) >= {"study", "pair_id", "response_1", "response_2", "choice"}
    # the first response of each row is the system the key says was shown first
    for row in rows:
        first = key["pairs"][row["pair_id"]]["first"]
        assert (first == "A") == ("base says" in row["response_1"])


def test_export_samples_pairs_and_escapes_script_tags(tmp_path):
    from tests.evaluate.helpers import output, write

    a = write(tmp_path / "a.jsonl", [output(i, "a", query=f"</script><b>hi {i}</b>") for i in range(6)])
    b = write(tmp_path / "b.jsonl", [output(i, "b", query=f"</script><b>hi {i}</b>") for i in range(6)])
    paths = export_study(load_aligned([str(a), str(b)]), tmp_path / "st", n=3)
    assert len(load_key(paths["key"])["pairs"]) == 3
    form = paths["form"].read_text()
    assert form.count("</script>") == 2  # only the two real script elements close


def test_import_reports_the_win_rate_and_position_bias(two_systems, tmp_path):
    aligned = load_aligned([str(p) for p in two_systems])
    paths = export_study(aligned, tmp_path / "study")
    key = load_key(paths["key"])
    # rater 1 always prefers system B (tuned); rater 2 always picks the first-shown response
    prefer_b = _answers(tmp_path / "r1.csv", key, lambda first: "2" if first == "A" else "1")
    first = _answers(tmp_path / "r2.csv", key, lambda first: "1", rater="r2")
    only_b = import_answers(paths["key"], [prefer_b], n_boot=200)
    assert only_b["rate"] == 1.0 and only_b["wins"] == 8 and only_b["p_sign"] < 0.01
    both = import_answers(paths["key"], [prefer_b, first], n_boot=200)
    assert both["ratings"] == 16 and both["raters"] == {"r1": 8, "r2": 8}
    assert both["pairs_answered"] == 8 and both["pairs_total"] == 8
    assert 0 <= both["rater_agreement"] <= 1
    b_first = sum(e["first"] == "B" for e in key["pairs"].values())
    assert both["position"]["first_rate"] == pytest.approx((8 + b_first) / 16)


def test_import_errors_name_the_problem(two_systems, tmp_path):
    aligned = load_aligned([str(p) for p in two_systems])
    paths = export_study(aligned, tmp_path / "study")
    key = load_key(paths["key"])
    wrong_study = _answers(tmp_path / "w.csv", key, lambda f: "1", study="deadbeef0000")
    with pytest.raises(StudyError, match="answers to study deadbeef0000"):
        import_answers(paths["key"], [wrong_study])
    bad = tmp_path / "bad.csv"
    bad.write_text("pair_id,choice\np01,maybe\n")
    with pytest.raises(StudyError, match=r"bad.csv:2: pair p01: choice must be 1, 2 or tie, got 'maybe'"):
        import_answers(paths["key"], [bad])
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("pair_id,choice\np99,1\nzz,2\n")
    with pytest.raises(StudyError, match=r"2 pair id\(s\) that are not in the study key: p99"):
        import_answers(paths["key"], [unknown])
    twice = tmp_path / "twice.csv"
    twice.write_text("pair_id,choice,rater\np01,1,x\np01,2,x\n")
    with pytest.raises(StudyError, match="rater 'x' answered pair p01 twice"):
        import_answers(paths["key"], [twice])
    blank = _answers(tmp_path / "blank.csv", key, lambda f: "")
    with pytest.raises(StudyError, match="hold no answers"):
        import_answers(paths["key"], [blank])
    nocols = tmp_path / "nocols.csv"
    nocols.write_text("a,b\n1,2\n")
    with pytest.raises(StudyError, match="needs the columns pair_id and choice"):
        import_answers(paths["key"], [nocols])
    with pytest.raises(StudyError, match="not valid JSON"):
        import_answers(tmp_path / "bad.csv", [blank])


def test_human_cli_roundtrip(two_systems, tmp_path):
    base, tuned = two_systems
    study = tmp_path / "study"
    res = run_cli("human", "export", base, tuned, "-o", study, "--pairs", "5", "--seed", "2")
    assert "keep" in res.output and (study / "form.html").exists()
    key = json.loads((study / "key.json").read_text())
    ans = _answers(tmp_path / "a.csv", key, lambda first: "tie")
    res = run_cli("human", "import", study / "key.json", ans)
    result = json.loads((study / "human.json").read_text())
    assert result["kind"] == "perm-human" and result["rate"] == 0.5 and result["ties"] == 5
    assert "Human preference" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("pair_id,choice\nnope,1\n")
    res = run_cli("human", "import", study / "key.json", bad, ok=False)
    assert res.exit_code != 0 and "nope" in res.output
