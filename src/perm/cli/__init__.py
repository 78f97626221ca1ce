"""The `perm` command line. Subcommands load lazily so `perm --help` stays fast."""
from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

import click

from ..errors import PermError
from ..extras import COMMAND_EXTRAS, missing_dependency

# name -> "module:function"; each module defines one click command.
COMMANDS: dict[str, tuple[str, str]] = {
    "score": ("perm.cli.score:score", "Score model outputs with PERM (JSONL in, JSONL out)."),
    "audit": ("perm.cli.audit:audit", "Attack suite: do gamed replies score below good ones?"),
    "judges": ("perm.cli.judges:judges", "List judge backends and whether their extras are installed."),
    "distill": ("perm.cli.distill:distill", "Train the embedded local scorer from labelled data."),
    "train": ("perm.cli.train:train", "Train a policy with GRPO and PERM rewards (TRL)."),
    "plot": ("perm.cli.train:plot", "Draw reward curves of a training run as PNG."),
    "serve": ("perm.cli.serve:serve", "Serve PERM rewards over HTTP (incl. OpenRLHF remote RM)."),
    "convert": ("perm.cli.convert:convert", "Convert JSONL into verl (parquet) or OpenRLHF datasets."),
    "recipes": ("perm.cli.recipes:recipes", "List, show or locate the packaged recipes."),
    "generate": ("perm.cli.evaluate:generate", "Generate policy outputs for a scenario set."),
    "simulate": ("perm.cli.simulate:simulate", "Multi-turn: a policy talks with a simulated seeker, scored per turn."),
    "eval": ("perm.cli.evaluate:eval_cmd", "Score and compare systems on the same scenarios."),
    "compare": ("perm.cli.evaluate:compare", "Blinded pairwise preference between two systems."),
    "report": ("perm.cli.evaluate:report", "Build a self-contained HTML report with charts."),
    "human": ("perm.cli.evaluate:human", "Export / import a blinded human preference study."),
    "eqbench3": ("perm.cli.eqbench:eqbench3", "Run EQ-Bench3 against a policy; convert its scenarios."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name][0].split(":")
        try:
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command
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
    """Run `perm` with friendly errors (never a traceback) for expected failures."""
    return run_cli(cli, list(sys.argv[1:] if argv is None else argv), prog="perm")


def run_cli(group: click.Command, args: list[str], *, prog: str) -> Any:
    """Run a click command; PermErrors and missing optional packages become one-line messages
    that say what to do, with exit status 2 (130 for Ctrl-C)."""
    try:
        return group.main(args=args, prog_name=prog, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except PermError as e:
        _fail(str(e))
    except ModuleNotFoundError as e:  # an optional package a command imported unguarded
        command = next((a for a in args if not a.startswith("-")), None)
        feature = f"`{prog} {command}`" if command else f"`{prog}`"
        _fail(str(missing_dependency(e.name or "?", feature, COMMAND_EXTRAS.get(command or ""))))
    except ImportError as e:  # installed but unusable: usually a version mismatch
        _fail(f"{e}. A dependency is installed but cannot be imported (often an incompatible "
              f"version): upgrade it, e.g. pip install -U 'perm-reward[all]'")
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)


def _fail(message: str) -> NoReturn:
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(2)
