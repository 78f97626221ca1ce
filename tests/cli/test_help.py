"""What `--help` promises matches the code it describes."""
import pytest
from click.testing import CliRunner

from perm.cli import cli
from perm.signs import SIGNS


@pytest.mark.parametrize("command", ["audit", "eval"])
def test_help_names_every_shortcut_sign(command):
    res = CliRunner().invoke(cli, [command, "--help"], terminal_width=80)
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    missing = [name for name in SIGNS if name not in text]
    assert not missing, f"`perm {command} --help` does not name {missing}"
