"""`perm eqbench3 run|convert`: the EQ-Bench3 bridge (thin edge over perm.evaluate.eqbench*)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import IO, Any

import click

from ..errors import DataError

RUN_EPILOG = """\b
Exit status: 0 when the harness produced a rubric score for this run; the harness's own status
when it failed; 1 when it exited 0 without a rubric score (every judgment failed); 2 for a
usage or server problem.
\b
Environment: JUDGE_API_URL (full .../chat/completions URL) and JUDGE_API_KEY for the harness's
judge; PERM_POLICY_API_KEY for a policy endpoint that needs a key.
\b
Examples:
  perm eqbench3 run --harness ~/eqbench3 --base-url http://127.0.0.1:8000/v1 --served-name perm \\
      --judge-model anthropic/claude-3.7-sonnet --scenarios 9,11,13
  perm eqbench3 run --harness ~/eqbench3 --serve llamacpp --model policy.gguf --judge-model judge \\
      --judge-max-tokens 512 --judge-timeout 120 --max-tokens 1024 -- --threads 2
"""


class _Exit(click.ClickException):
    """A usage or server problem: exit status 2, one plain line."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"eqbench3: {self.message}", err=True)


class _NoScore(_Exit):
    """The harness ran but produced no rubric score: exit status 1."""

    exit_code = 1


def _ids(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [i.strip() for i in value.replace(" ", ",").split(",") if i.strip()]


@click.group(name="eqbench3")
def eqbench3() -> None:
    """EQ-Bench3: run the upstream harness against a policy, or convert its scenarios."""


@eqbench3.command(name="run", epilog=RUN_EPILOG,
                  context_settings={"ignore_unknown_options": False})
@click.option("--harness", envvar="EQBENCH3_DIR", default=None, metavar="DIR",
              help="A checkout of github.com/EQ-bench/eqbench3 (or $EQBENCH3_DIR).")
@click.option("--python", "python", default=None,
              help="The harness's Python [DIR/.venv/bin/python, else python3].")
@click.option("--judge-model", default=None, help="The harness's judge model (required).")
@click.option("--serve", type=click.Choice(["none", "vllm", "llamacpp"]), default="none",
              show_default=True, help="Serve the policy for the run, or use --base-url.")
@click.option("--model", default=None, help="Policy to serve: HF id / directory (vllm) or GGUF file (llamacpp).")
@click.option("--lora", default=None, help="LoRA adapter to serve with --model.")
@click.option("--base-url", default=None, help="A running OpenAI-compatible server (…/v1).")
@click.option("--port", type=int, default=None, help="Port for --serve [a free one].")
@click.option("--served-name", default="policy", show_default=True, help="Model name the server serves.")
@click.option("--model-name", default=None, help="Name of the run in the harness's results [--served-name].")
@click.option("--scenarios", default=None, metavar="IDS",
              help="Only these scenario ids, e.g. 9,11,13 [all].")
@click.option("--iterations", type=int, default=1, show_default=True)
@click.option("--threads", type=int, default=4, show_default=True)
@click.option("--runs-file", type=click.Path(dir_okay=False), default=None,
              help="The harness's runs file [DIR/eqbench3_runs.json].")
@click.option("--elo", is_flag=True, help="Also run the pairwise ELO pass.")
@click.option("--timeout", type=float, default=None,
              help="Seconds the harness waits for one request, policy and judge [its 240].")
@click.option("--judge-timeout", type=float, default=None,
              help="Seconds one judge request may take (through a local pass-through).")
@click.option("--judge-max-tokens", type=int, default=None,
              help="Cap on the judge's answer length (the harness asks for 8,000; cap local stand-ins).")
@click.option("--max-tokens", type=int, default=None,
              help="Cap on the policy's answer length (the harness asks for 12,000).")
@click.option("--wait", type=float, default=600, show_default=True, help="Seconds to wait for the server.")
@click.option("--log", type=click.Path(dir_okay=False), default=None, help="Server log file.")
@click.option("--ctx", type=int, default=8192, show_default=True, help="Context length of a served policy.")
@click.argument("extra", nargs=-1, type=click.UNPROCESSED, metavar="[-- HARNESS ARGS]")
def run_cmd(harness: str | None, scenarios: str | None, runs_file: str | None, log: str | None,
            extra: tuple[str, ...], **kw: Any) -> None:
    """Run EQ-Bench3's rubric pass against a policy (arguments after `--` go to eqbench3.py)."""
    from ..evaluate.eqbench_run import BridgeError, HarnessRun, NoRubricScore, execute

    if not harness:
        raise _Exit("--harness DIR (or EQBENCH3_DIR) is required: a checkout of "
                    "github.com/EQ-bench/eqbench3")
    run = HarnessRun(harness=Path(harness), judge_model=kw.pop("judge_model") or "",
                     scenarios=_ids(scenarios),
                     runs_file=Path(runs_file) if runs_file else None,
                     log=Path(log) if log else None, extra=list(extra),
                     **{k: v for k, v in kw.items() if v is not None})
    try:
        execute(run, log=lambda m: click.echo(f"eqbench3: {m}", err=True))
    except BridgeError as e:
        raise _Exit(str(e)) from None
    except NoRubricScore as e:
        raise _NoScore(str(e)) from None


@eqbench3.command(name="convert")
@click.argument("scenarios_file", metavar="SCENARIOS.txt", type=click.Path(dir_okay=False))
@click.option("--notes", type=click.Path(dir_okay=False), default=None,
              help="Judge notes file (data/scenario_notes.txt format).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output JSONL (our data contract).")
@click.option("--scenarios", "ids", default=None, metavar="IDS", help="Only these scenario ids.")
def convert_cmd(scenarios_file: str, notes: str | None, output: str, ids: str | None) -> None:
    """Convert EQ-Bench3's seeker-style scenarios to perm JSONL (the others are listed with
    the reason they have no seeker)."""
    from ..evaluate.eqbench import convert, write_jsonl

    try:
        res = convert(scenarios_file, notes, only=_ids(ids))
    except DataError as e:
        raise _Exit(str(e)) from None
    if not res.samples:
        raise _Exit(f"{scenarios_file}: no seeker-style scenarios to convert")
    write_jsonl(res.samples, output)
    styles = Counter(s.extra["eqbench3"]["style"] for s in res.samples)
    click.echo(f"wrote {len(res.samples)} scenario(s) to {output} "
               f"({', '.join(f'{n} {k}' for k, n in styles.items())}); skipped {len(res.skipped)}")
    for reason, count in Counter(r for _, r in res.skipped).most_common():
        skipped = ", ".join(i for i, r in res.skipped if r == reason)
        click.echo(f"  skipped {count}: {reason} [{skipped}]")
