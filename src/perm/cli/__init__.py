"""The `perm` command line. Subcommands load lazily so `perm --help` stays fast."""
from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from ..errors import PermError

# name -> "module:function"; each module defines one click command.
COMMANDS: dict[str, tuple[str, str]] = {
    "score": ("perm.cli.score:score", "Score model outputs with PERM (JSONL in, JSONL out)."),
    "judges": ("perm.cli.judges:judges", "List judge backends and whether their extras are installed."),
    "distill": ("perm.cli.distill:distill", "Train the embedded local scorer from labelled data."),
    "train": ("perm.cli.train:train", "Train a policy with GRPO and PERM rewards (TRL)."),
    "plot": ("perm.cli.train:plot", "Draw reward curves of a training run as PNG."),
    "serve": ("perm.cli.serve:serve", "Serve PERM rewards over HTTP (incl. OpenRLHF remote RM)."),
    "generate": ("perm.cli.evaluate:generate", "Generate policy outputs for a scenario set."),
    "eval": ("perm.cli.evaluate:eval_cmd", "Score and compare systems on the same scenarios."),
    "compare": ("perm.cli.evaluate:compare", "Blinded pairwise preference between two systems."),
    "report": ("perm.cli.evaluate:report", "Build a self-contained HTML report with charts."),
    "human": ("perm.cli.evaluate:human", "Export / import a blinded human preference study."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name][0].split(":")
        try:
            return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith("perm."):
                return _unavailable(name, f"not available in this build ({e.name} missing)")
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _unavailable(name: str, why: str) -> click.Command:
    @click.command(name=name, help=why)
    def cmd() -> None:
        raise click.ClickException(why)

    return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="perm-reward")
def cli() -> None:
    """PERM: psychology-grounded empathy rewards for LLMs.

    Score a model turn (`# Analysis` + `# Response`) from the supporter's, the seeker's and a
    bystander's view, combine the scores into a reward, and use it to train and evaluate
    policies. Start with `perm score --help`.
    """


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except PermError as e:
        click.secho(f"Error: {e}", fg="red", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
