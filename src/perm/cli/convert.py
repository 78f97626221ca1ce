"""`perm convert verl|openrlhf`: our JSONL -> the prompt datasets of verl and OpenRLHF."""
from __future__ import annotations

import click

_inputs = click.argument("inputs", nargs=-1, required=True,
                         type=click.Path(exists=True, dir_okay=False))
_system = click.option("--system-prompt-file", type=click.Path(exists=True, dir_okay=False),
                       default=None,
                       help="Use this file's text as the system message (an empty file: none) "
                            "[perm's policy prompt].")


@click.group()
def convert() -> None:
    """Convert JSONL in the data contract into an RL engine's prompt dataset.

    The policy prompt is the one `perm train` uses (a system message asking for `# Analysis`
    then `# Response`); each row carries the sample's context so the engine's PERM reward can
    judge it. Ids must be unique across all INPUTS.
    """


@convert.command()
@_inputs
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Parquet file to write.")
@click.option("--data-source", default="perm", show_default=True, help="Value of data_source.")
@click.option("--split", default="train", show_default=True, help="Stored in extra_info.split.")
@click.option("--ability", default="empathy", show_default=True)
@_system
def verl(inputs: tuple[str, ...], output: str, data_source: str, split: str, ability: str,
         system_prompt_file: str | None) -> None:
    """verl's RL parquet (for perm.integrations.verl:compute_score). Needs pyarrow."""
    from ..convert import load_all, system_prompt_from, write_verl

    n = write_verl(load_all(inputs), output, data_source=data_source, split=split, ability=ability,
                   system_prompt=system_prompt_from(system_prompt_file))
    click.echo(f"wrote {n} rows to {output}")


@convert.command()
@_inputs
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="JSONL file to write.")
@_system
def openrlhf(inputs: tuple[str, ...], output: str, system_prompt_file: str | None) -> None:
    """OpenRLHF prompt JSONL (`--data.input_key messages --data.label_key perm`)."""
    from ..convert import load_all, system_prompt_from, write_openrlhf

    n = write_openrlhf(load_all(inputs), output,
                       system_prompt=system_prompt_from(system_prompt_file))
    click.echo(f"wrote {n} lines to {output}")
