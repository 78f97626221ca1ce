"""`perm audit` at the command line: progress, which good replies it uses, the table's width."""
import json

from click.testing import CliRunner
from tests.helpers import GOOD

from perm.cli import cli


def _good(i: int, completion: str = GOOD) -> dict[str, str]:
    return {"id": f"g{i}", "persona": "p", "scenario": f"s{i}", "query": f"I feel lost ({i}).",
            "completion": f"{completion} ({i})"}


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def audit(*args: str):
    return CliRunner().invoke(cli, ["audit", *args, "--judge", "fake"], env={"COLUMNS": "80"})


def test_audit_shows_a_progress_bar_on_stderr_unless_told_not_to(tmp_path):
    good = _write(tmp_path / "good.jsonl", [_good(1)])
    res = audit(good, "--attacks", "echo,dot")
    assert res.exit_code == 0, res.output
    assert "scoring" in res.stderr and "3/3" in res.stderr  # the good reply and two variants
    assert "3/3" not in res.stdout
    quiet = audit(good, "--attacks", "echo,dot", "--no-progress")
    assert quiet.exit_code == 0, quiet.output
    assert "3/3" not in quiet.output and "Attack success" in quiet.stdout


def test_audit_names_the_good_replies_it_skips_and_limits_the_usable_ones(tmp_path):
    good = _write(tmp_path / "good.jsonl", [_good(1), _good(2, "just a reply, no sections"),
                                            _good(3), _good(4, "no sections either")])
    out = tmp_path / "audit.json"
    res = audit(good, "--attacks", "echo", "--limit", "2", "-o", str(out))
    assert res.exit_code == 0, res.output
    said = " ".join(res.stderr.split())
    assert f"skipped {good}:2: field 'completion': missing # Response section" in said
    assert f"{good}:4" not in said  # past the second usable reply: never read for the audit
    (echo,) = json.loads(out.read_text())["attacks"]
    assert echo["scenarios"] == 2  # --limit counts usable replies (g1 and g3)
    bad = _write(tmp_path / "bad.jsonl", [_good(1, "no sections")])
    res = audit(bad, "--attacks", "echo")
    assert res.exit_code != 0
    said = " ".join(res.output.split())
    assert f"{bad}:1" in said and "no good reply with both # Analysis and # Response" in said


def test_audit_table_headers_are_whole_at_80_columns(tmp_path):
    good = _write(tmp_path / "good.jsonl", [_good(1), _good(2)])
    res = audit(good)  # every attack, the longest names included
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    words = [line.translate(str.maketrans("┃│", "  ")).split() for line in lines]
    header = next(w for w in words if "attack" in w)
    assert header == ["attack", "reward", "res.", "expr.", "recep.", "byst.", "mean", "Δ", "signs"]
    assert "…" not in res.stdout
    legend = " ".join(res.stdout.split())
    assert "res. resonation, expr. expression, recep. reception, byst. bystander" in legend
