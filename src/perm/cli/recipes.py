"""`perm recipes`: the training and scoring recipes shipped with the package."""
from __future__ import annotations

import click

EPILOG = """\b
Examples:
  perm recipes                              # what ships
  perm recipes show cpu-smollm2 > my.yaml   # a copy to edit
  perm train -c cpu-smollm2 --set 'data.train=[my-prompts.jsonl]'
  accelerate launch --config_file "$(perm recipes path accelerate/zero3)" -m perm.train -c paper-qwen2.5-7b
"""


@click.group(invoke_without_command=True, epilog=EPILOG)
@click.pass_context
def recipes(ctx: click.Context) -> None:
    """List, print or locate the packaged recipes (default: list).

    `perm train -c NAME` and `perm score -c NAME` accept a packaged recipe's name wherever a
    file path goes; a file of that name in the current directory wins.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_cmd)


@recipes.command("list")
def list_cmd() -> None:
    """Name, kind and purpose of every packaged recipe."""
    from ..recipebook import list_recipes

    items = list_recipes()
    width = max(len(r.name) for r in items)
    for r in items:
        click.echo(f"{r.name:<{width}}  {r.kind:<10}  {r.summary}")


@recipes.command()
@click.argument("name")
def show(name: str) -> None:
    """Print recipe NAME (YAML), e.g. to copy and edit it."""
    from ..recipebook import recipe_path

    click.echo(recipe_path(name).read_text(encoding="utf-8"), nl=False)


@recipes.command()
@click.argument("name")
def path(name: str) -> None:
    """Print the file path of recipe NAME (for tools that want a path, e.g. accelerate)."""
    from ..recipebook import recipe_path

    click.echo(str(recipe_path(name)))
