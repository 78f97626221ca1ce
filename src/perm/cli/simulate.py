"""`perm simulate`: a policy in conversation with a simulated seeker, scored turn by turn."""
from __future__ import annotations

import asyncio
from typing import Any

import click
from rich.console import Console

from ..errors import PermError
from ..runs import STDOUT, check_output_file
from ..signs import describe, rates_of
from .options import build_scoring_config, judge_options
from .score import echo

EPILOG = """\b
Examples:
  perm simulate openai:Qwen2.5-7B-Instruct --policy-base-url http://127.0.0.1:8000/v1 \\
      --scenarios data/scenarios/part1.jsonl --turns 3 -o qwen.jsonl \\
      --seeker openai --seeker-model gpt-4o-mini --judge openai --model gpt-4o-mini
  perm simulate hf:smollm2 --scenarios s.jsonl --turns 2 --seeker fake --judge fake -o demo.jsonl

POLICY is openai:MODEL (with --policy-base-url), hf:MODEL (HF id, directory, .gguf or smollm2,
plus --adapter) or fake. The judge options are those of `perm score`. Re-running with the same
-o resumes. Transcripts: one line per scenario with every turn's output, PERM scores and the
seeker's message and report, why the episode ended, and the episode reward explained line by line
(docs/multiturn.md). `perm report --simulate A.jsonl --simulate B.jsonl` draws them.
"""


@click.command(epilog=EPILOG)
@click.argument("policy_arg", metavar="POLICY")
@click.option("--scenarios", "-s", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Scenarios JSONL (the data contract; a `seeker` object sets behaviour).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Transcripts JSONL, or - for standard output (no resume).")
@click.option("--turns", "-n", type=click.IntRange(1, 50), default=None, help="Policy turns at most [3].")
@click.option("--env-config", type=click.Path(exists=True, dir_okay=False), default=None,
              help="YAML env config (seeker, turns, end_on, stop_on_format_error, reward, and the "
                   "judge as `scoring`; docs/multiturn.md); flags win.")
@click.option("--seeker", "seeker_backend", default=None,
              help="Seeker backend: openai, ollama, hf, vllm, or fake (a scripted stand-in).")
@click.option("--seeker-model", default=None, help="Seeker model name.")
@click.option("--seeker-base-url", multiple=True, help="OpenAI-compatible seeker URL (repeatable).")
@click.option("--seeker-temperature", type=float, default=None, help="Seeker temperature [0.7].")
@click.option("--play-to-limit", is_flag=True, help="Ignore need met / leaving: play every turn.")
@click.option("--policy-base-url", multiple=True, help="OpenAI-compatible policy URL (repeatable).")
@click.option("--adapter", type=click.Path(exists=True, file_okay=False), default=None,
              help="LoRA adapter or fine-tuned checkpoint for an hf policy.")
@click.option("--name", default=None, help="System name stored in every line [the model name].")
@click.option("--policy-temperature", "policy_temperature", default=0.7, show_default=True)
@click.option("--max-new-tokens", default=1024, show_default=True, help="Policy tokens per turn.")
@click.option("--seed", default=1234, show_default=True, help="Policy sampling seed.")
@click.option("--batch-size", default=16, show_default=True, help="Episodes played together.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the first N scenarios.")
@click.option("--skip-invalid", is_flag=True,
              help="Skip bad scenario lines (each reported with file, line and field) instead of "
                   "stopping before any episode is played.")
@click.option("--overwrite", is_flag=True, help="Discard transcripts already in the output.")
@judge_options
def simulate(policy_arg: str, scenarios: str, output: str, turns: int | None,
             env_config: str | None, seeker_backend: str | None, seeker_model: str | None,
             seeker_base_url: tuple[str, ...], seeker_temperature: float | None,
             play_to_limit: bool, policy_base_url: tuple[str, ...], adapter: str | None,
             name: str | None, policy_temperature: float, max_new_tokens: int, seed: int,
             batch_size: int, limit: int | None, skip_invalid: bool, overwrite: bool,
             **kw: Any) -> None:
    """Let POLICY talk with a simulated seeker, scoring every turn with PERM."""
    from ..data import load_samples
    from ..env import SeekerEnv, build_env_config, load_env_config
    from ..env.behaviour import check_behaviours
    from ..errors import DataErrors
    from ..evaluate.generate import PolicySpec, create_policy
    from ..evaluate.simulate import parse_policy, simulate_run, simulation_run, simulation_stamp

    console = Console(stderr=True)
    try:
        backend, model = parse_policy(policy_arg)
        spec = PolicySpec(backend=backend, model=model, base_url=tuple(policy_base_url),
                          adapter=adapter, temperature=policy_temperature,
                          max_new_tokens=max_new_tokens, seed=seed)
        loaded = load_env_config(env_config) if env_config else None
        env_data = loaded.model_dump(mode="json") if loaded is not None else {}
        # the judge: the env config's `scoring` section when it has one, else -c; flags win
        env_scoring = (env_data.pop("scoring", None) if loaded is not None
                       and "scoring" in loaded.model_fields_set else None)
        if env_scoring is not None and kw.get("config_file"):
            raise click.UsageError("the judge is set twice: --env-config has a `scoring` section "
                                   "and -c names a scoring config; keep one")
        seeker = dict(env_data.get("seeker") or {})
        for key, value in (("backend", seeker_backend), ("model", seeker_model),
                           ("base_url", list(seeker_base_url) or None),
                           ("temperature", seeker_temperature)):
            if value is not None:
                seeker[key] = value
        if not seeker.get("backend"):
            raise click.UsageError("name the seeker's backend: --seeker openai|ollama|hf|vllm|fake "
                                   "(or seeker.backend in --env-config)")
        env_data["seeker"] = seeker
        env_data["scoring"] = build_scoring_config(kw, base=env_scoring).model_dump(mode="json")
        if turns is not None:
            env_data["turns"] = turns
        if play_to_limit:
            env_data["end_on"] = []
        env = SeekerEnv(build_env_config(env_data, "perm simulate"))
        data = load_samples(scenarios, skip_invalid=skip_invalid)
        bad = check_behaviours(data.samples, path=scenarios, lines=data.lines)
        if bad and not skip_invalid:
            raise DataErrors(bad)
        for err in [*data.errors, *bad]:
            console.print(f"[yellow]skipped[/] {err}")
        bad_lines = {e.line for e in bad}
        kept = [s for s, line in zip(data.samples, data.lines) if line not in bad_lines]
        samples = kept[:limit] if limit else kept
        if not samples:
            raise click.ClickException(f"{scenarios}: no scenarios")
        if output != STDOUT:
            check_output_file(output, inputs=[scenarios])
        policy = create_policy(spec)
        system = name or policy.model
        run = simulation_run(output, samples, simulation_stamp(env, system), overwrite=overwrite)
        echo(console, run.resume().messages("episodes already in"))
        if "fake" in (seeker["backend"], env.config.scoring.judge.backend):
            console.print("[yellow]note[/] a fake seeker or judge is a scripted stand-in: these "
                          "transcripts carry no meaning")
        ended: dict[str, int] = {}
        shown: list[dict[str, bool]] = []  # each policy turn's shortcut signs (perm.signs)

        def count(ep: Any) -> None:
            ended[str(ep.end)] = ended.get(str(ep.end), 0) + 1
            shown.extend(t.signs for t in ep.turns if t.signs is not None)

        asyncio.run(simulate_run(env, policy, spec, run, batch_size=batch_size, on_episode=count))
        run.finish()
    except PermError as e:
        raise click.ClickException(str(e)) from None
    ends = ", ".join(f"{n} {why}" for why, n in sorted(ended.items())) or "none played"
    where = "" if run.to_stdout else f"; {len(run.records())} transcript(s) in {output}"
    console.print(f"{system}: {sum(ended.values())} episode(s) played (ended: {ends}){where}")
    if shown:
        console.print(f"Shortcut signs over {len(shown)} policy turn(s): {describe(rates_of(shown))}")
