"""`perm judges`: what backends exist and whether they can run here."""
from __future__ import annotations

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..judges.registry import backends


@click.command()
def judges() -> None:
    """List judge backends, what they are, and whether their extras are installed."""
    table = Table(title="PERM judge backends")
    for col in ("name", "available", "install", "what it is"):
        table.add_column(col)
    for info in sorted(backends().values(), key=lambda i: i.name):
        ok = info.available()
        install = info.install()
        table.add_row(info.name, "[green]yes[/]" if ok else "[red]no[/]", escape(install), escape(info.summary))
    Console().print(table)
