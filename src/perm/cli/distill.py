"""`perm distill`: turn any judge's labels into a fast local PERM scorer."""
from __future__ import annotations

import json
from pathlib import Path

import click

EPILOG = """\b
Examples:
  # our gold data -> the packaged scorer
  perm distill data/perm-empathy/train.jsonl -o my-scorer --eval data/perm-empathy/dev.jsonl
  # distil a GPT-4o-mini judge: label outputs with it, then fit a local model on its scores
  perm score outputs.jsonl -o labelled.jsonl --judge openai --model gpt-4o-mini
  perm distill outputs.jsonl --labels labelled.jsonl -o gpt4o-mini-local
  perm score new.jsonl -o scored.jsonl --judge local --model gpt4o-mini-local
"""


@click.command(epilog=EPILOG)
@click.argument("labelled", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory for the fitted scorer (heads.npz + meta.json).")
@click.option("--labels", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Scored JSONL (perm score output) to join with LABELLED by id; otherwise "
                   "LABELLED itself carries 'scores' or dimension keys.")
@click.option("--eval", "eval_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled JSONL to report Spearman / pairwise accuracy on (repeatable).")
@click.option("--name", default="custom", help="Name recorded in the model (judge identity local:NAME).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--folds", type=int, default=5, show_default=True, help="Grouped CV folds for ridge strength.")
def distill(labelled: str, out_dir: str, labels: str | None, eval_files: tuple[str, ...], name: str,
            seed: int, folds: int) -> None:
    """Fit the embedded local scorer (MiniLM features + ridge heads) on labelled outputs.

    LABELLED is JSONL in the data contract with a `completion` and labels. Runs on CPU in
    well under a minute for a few thousand outputs; deterministic for a given seed.
    """
    from ..local.distill import distill as fit
    from ..local.distill import evaluate

    train = labelled
    if labels:
        train = str(Path(out_dir) / "train-joined.jsonl")
        _join(labelled, labels, train)
    model = fit(train, out_dir, seed=seed, folds=folds, name=name, log=click.echo)
    reports = {}
    for path in eval_files:
        reports[path] = evaluate(model, path)
        click.echo(f"{path}: " + json.dumps(reports[path]))
    if reports:
        model.meta["eval"] = reports
        model.save(out_dir)


def _join(samples_path: str, scored_path: str, out: str) -> None:
    scored = {}
    for line in open(scored_path, encoding="utf-8"):
        if line.strip():
            r = json.loads(line)
            scored[str(r.get("id"))] = r.get("scores")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for line in open(samples_path, encoding="utf-8"):
            if not line.strip():
                continue
            r = json.loads(line)
            s = scored.get(str(r.get("id")))
            if s:
                r["scores"] = s
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
                n += 1
    if n == 0:
        raise click.ClickException(f"no ids of {samples_path} have scores in {scored_path}")
