"""`--limit N` takes the first N lines: 0 or a negative N is a usage error, never "all" or
"all but the last"."""
import json

import pytest
from click.testing import CliRunner

from perm.cli import cli


def _commands(path: str, out: str) -> dict[str, list[str]]:
    return {
        "score": ["score", path, "-o", out, "--judge", "fake"],
        "audit": ["audit", path, "--judge", "fake"],
        "generate": ["generate", path, "-o", out, "--backend", "fake"],
        "simulate": ["simulate", "fake", "--scenarios", path, "-o", out, "--seeker", "fake",
                     "--judge", "fake"],
    }


@pytest.mark.parametrize("command", ["score", "audit", "generate", "simulate"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_limit_below_one_is_a_usage_error(tmp_path, command, value):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "a", "persona": "p", "scenario": "s", "query": "q",
                                "completion": "# Analysis\na\n# Response\nb."}) + "\n")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, [*_commands(str(path), str(out))[command], "--limit", value])
    assert res.exit_code == 2, res.output  # click's usage error
    assert "Invalid value for '--limit'" in res.output and "x>=1" in res.output
    assert not out.exists()
