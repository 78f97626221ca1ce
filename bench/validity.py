"""Validity of a local scorer on real replies judged by people (../shared/data/human-judged), next
to trivial baselines measured on the same items.

    python -m bench.validity --scorer perm-minilm-v2 [--scorer perm-minilm-v1] [--quick] [--by expression]

For each source the metric its README recommends (reward of `# Analysis\\n(none)\\n# Response\\n`
replies, so the ranking comes from expression, reception and bystander; `--by expression` ranks by
that one dimension instead):
  counsel-chat        pairwise accuracy on more-vs-fewer-upvote pairs of the same question;
                      `heldout` = questions of the upstream val/test splits (never trained on)
  reflections         pairwise accuracy on more-vs-fewer "coherent" votes (3 experts + 3 lay)
  esconv              Spearman of the mean per conversation with the seeker's empathy rating,
                      AUC kept vs failed conversations, and within-conversation pairwise accuracy
                      on the seeker's per-turn stars (failed chats)
  annomi              AUC of the mean per session, high- vs low-quality MI
Acts, within one conversation (labels of *which act* a turn performs, not of its quality):
  esconv_acts         empathic acts (reflection of feelings, restatement or paraphrasing,
                      affirmation and reassurance; the strategy its writer chose) vs suggestions
                      and information: pairwise accuracy, the empathic act should win
  annomi_reflection   turns MI experts coded as a reflection vs as therapist input
                      (information, advice)
  annomi_complex      complex vs simple reflections
Baselines: `length` (log words of the reply: longer wins) and `cosine` (untrained MiniLM cosine of
the seeker's context and the reply). Pairwise accuracy counts a tie as half.
Teacher agreement: Spearman and within-context pairwise accuracy against one pass of our PERM
labels of 298 reflections and 300 ESConv turns (eval-only labels, data/v2/labels/passA/).
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "human-judged"
SOURCES = ("counsel-chat", "annomi-reflection-ratings", "esconv", "annomi")
_WORD = re.compile(r"\w+")


def _jl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def load(data: Path, quick: bool, sources: Sequence[str] = SOURCES
         ) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """Items (ESConv: the test and failed splits) and the pair files."""
    items: list[dict[str, Any]] = []
    for src in sources:
        rows = _jl(data / src / "items.jsonl")
        if src == "esconv":
            rows = [r for r in rows if r["meta"]["split"] in ("test", "failed")]
        if quick:
            keep = sorted({_group(r) for r in rows})[:40]
            rows = [r for r in rows if _group(r) in set(keep)]
        items += rows
    pairs = {src: _jl(data / src / "pairs.jsonl") for src in sources if (data / src / "pairs.jsonl").exists()}
    return items, pairs


def _group(r: dict[str, Any]) -> str:
    m = r["meta"]
    return str(m.get("context_id") or m.get("dialogue_id") or f"t{m.get('transcript_id')}")


def _response(r: dict[str, Any]) -> str:
    return r["completion"].split("# Response\n", 1)[-1]


def pair_accuracy(score: dict[str, float], pairs: Sequence[dict[str, Any]]) -> tuple[float, int]:
    right, n = 0.0, 0
    for p in pairs:
        a, b = score.get(p["better_id"]), score.get(p["worse_id"])
        if a is None or b is None or math.isnan(a) or math.isnan(b):
            continue
        n += 1
        right += 1.0 if a > b else (0.5 if a == b else 0.0)
    return (right / n if n else float("nan")), n


EMPATHIC_ACTS = frozenset({"reflection of feelings", "restatement or paraphrasing", "affirmation and reassurance"})
ADVICE_ACTS = frozenset({"providing suggestions", "information"})


def act_of(r: dict[str, Any]) -> str | None:
    """The act a turn performs, by its source's own codes, or None when it is neither kind or mixed.

    ESConv: `empathic` or `advice` when every strategy of the turn is in one of the two sets
    (case aside: upstream spells some strategies two ways). AnnoMI: `complex` or `simple` for a turn coded only
    as reflections of one subtype, `input` for one coded only as therapist input."""
    lab = r["label"]
    if r["source"] == "esconv":
        acts = {x.strip().lower() for x in lab.get("strategies") or []}
        if acts and acts <= EMPATHIC_ACTS:
            return "empathic"
        return "advice" if acts and acts <= ADVICE_ACTS else None
    if r["source"] == "annomi":
        codes = set(lab.get("therapist_behaviours") or [])
        if codes == {"therapist_input"}:
            return "input"
        kinds = set(lab.get("reflection_subtypes") or [])
        if codes == {"reflection"} and len(kinds) == 1 and kinds <= {"complex", "simple"}:
            return kinds.pop()
    return None


def act_pairs(items: Sequence[dict[str, Any]], score: dict[str, float], better: str | set[str],
              worse: str) -> tuple[float, int]:
    """Pairwise accuracy over every (better act, worse act) pair of turns in the same conversation."""
    wanted = {better} if isinstance(better, str) else better
    groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in items:
        act, s = act_of(r), score.get(r["id"])
        if act is None or s is None or math.isnan(s):
            continue
        groups[_group(r)]["better" if act in wanted else act].append(s)
    right, n = 0.0, 0
    for g in groups.values():
        lo = np.array(g.get(worse, []))
        for hi in g.get("better", []):
            n += len(lo)
            right += float((lo < hi).sum() + 0.5 * (lo == hi).sum())
    return (right / n if n else float("nan")), n


def auc(pos: Sequence[float], neg: Sequence[float]) -> float:
    if not pos or not neg:
        return float("nan")
    n = np.array(neg)
    return float(sum((n < p).sum() + 0.5 * (n == p).sum() for p in pos) / (len(pos) * len(neg)))


def metrics(items: Sequence[dict[str, Any]], pairs: dict[str, list[dict[str, Any]]],
            score: dict[str, float]) -> dict[str, float]:
    from perm.metrics import spearman

    out: dict[str, float] = {}
    by_id = {r["id"]: r for r in items}
    cc = pairs.get("counsel-chat", [])
    out["cc_pairs"], _ = pair_accuracy(score, cc)
    out["cc_heldout_pairs"], _ = pair_accuracy(score, [p for p in cc if p["better_id"] in by_id
                                                       and by_id[p["better_id"]]["meta"]["upstream_split"] != "train"])
    out["reflection_pairs"], _ = pair_accuracy(score, pairs.get("annomi-reflection-ratings", []))
    conv: dict[str, list[float]] = defaultdict(list)
    label: dict[str, dict[str, Any]] = {}
    stars: dict[str, list[tuple[int, float]]] = defaultdict(list)
    sess: dict[str, list[float]] = defaultdict(list)
    quality: dict[str, str] = {}
    for r in items:
        s = score.get(r["id"])
        if s is None or math.isnan(s):
            continue
        if r["source"] == "esconv":
            conv[_group(r)].append(s)
            label[_group(r)] = r["label"]
            if r["label"].get("next_seeker_feedback") is not None:
                stars[_group(r)].append((r["label"]["next_seeker_feedback"], s))
        elif r["source"] == "annomi":
            sess[_group(r)].append(s)
            quality[_group(r)] = r["label"]["mi_quality"]
    kept = [g for g in conv if label[g]["collection_outcome"] == "kept" and label[g].get("seeker_empathy")]
    out["esconv_empathy_spearman"] = spearman([float(np.mean(conv[g])) for g in kept],
                                              [label[g]["seeker_empathy"] for g in kept])
    out["esconv_kept_auc"] = auc([float(np.mean(v)) for g, v in conv.items() if label[g]["collection_outcome"] == "kept"],
                                 [float(np.mean(v)) for g, v in conv.items() if label[g]["collection_outcome"] == "failed"])
    right, n = 0.0, 0
    for v in stars.values():
        for i in range(len(v)):
            for j in range(i + 1, len(v)):
                if v[i][0] == v[j][0]:
                    continue
                n += 1
                d = (v[i][1] - v[j][1]) * (v[i][0] - v[j][0])
                right += 1.0 if d > 0 else (0.5 if v[i][1] == v[j][1] else 0.0)
    out["esconv_turn_star_pairs"] = right / n if n else float("nan")
    out["annomi_session_auc"] = auc([float(np.mean(v)) for g, v in sess.items() if quality[g] == "high"],
                                    [float(np.mean(v)) for g, v in sess.items() if quality[g] == "low"])
    out["esconv_acts_pairs"], _ = act_pairs(items, score, "empathic", "advice")
    out["annomi_reflection_vs_input_pairs"], _ = act_pairs(items, score, {"complex", "simple"}, "input")
    out["annomi_complex_vs_simple_pairs"], _ = act_pairs(items, score, "complex", "simple")
    return {k: round(float(v), 4) for k, v in out.items()}


def teacher(items: Sequence[dict[str, Any]], score: dict[str, float]) -> dict[str, Any]:
    """Agreement with our eval-only PERM labels (one pass) of reflections and ESConv turns."""
    from perm.metrics import pairwise_accuracy, spearman

    out: dict[str, Any] = {}
    by_id = {r["id"]: r for r in items}
    for name in ("refl", "esf"):
        path = ROOT / "data" / "v2" / "labels" / "passA" / f"{name}.jsonl"
        if not path.exists():
            continue
        labs = [r for r in _jl(path) if r["id"] in by_id and r["id"] in score]
        gold = [3 / (5 + 5 / r["expression"] + 5 / r["reception"]) + 0.5 * (r["bystander"] / 100 - 1) for r in labs]
        pred = [score[r["id"]] for r in labs]
        acc, n = pairwise_accuracy([_group(by_id[r["id"]]) for r in labs], gold, pred, 0.05)
        out[name] = {"n": len(labs), "spearman": round(spearman(gold, pred), 4),
                     "pairwise": round(acc, 4), "pairs": n}
    return out


RANK_BY = ("reward", "expression", "reception", "bystander")


def score_with(scorer: str, items: Sequence[dict[str, Any]], by: str = "reward") -> dict[str, float]:
    """Each item's reward (or one response-side dimension), NaN where the scorer gave none."""
    from perm.data import parse_record
    from perm.scoring import PermScorer

    samples = [parse_record({k: r[k] for k in ("id", "persona", "scenario", "query", "history", "completion")
                             if r.get(k) is not None}, path="human-judged", line=0) for r in items]
    cfg = {"judge": {"backend": "local", "model": scorer}, "missing": "null"}
    with PermScorer(cfg) as s:
        res = s.score(samples)
    values = [x.reward if by == "reward" else x.scores.get(by) for x in res]
    return {r["id"]: (v if v is not None else float("nan")) for r, v in zip(items, values)}


def baselines(items: Sequence[dict[str, Any]]) -> dict[str, dict[str, float]]:
    from perm.data import parse_record
    from perm.local.encoder import OnnxEncoder
    from perm.local.v2.text import context_text

    length = {r["id"]: math.log1p(len(_WORD.findall(_response(r)))) for r in items}
    enc = OnnxEncoder()
    samples = [parse_record({k: r[k] for k in ("id", "persona", "scenario", "query", "history")
                             if r.get(k) is not None}, path="human-judged", line=0) for r in items]
    texts = [_response(r) for r in items]
    ctxs = [context_text(s) for s in samples]
    uniq = sorted(set(texts) | set(ctxs))
    emb = dict(zip(uniq, enc.encode(uniq)[:, 0]))
    cos = {}
    for r, t, c in zip(items, texts, ctxs):
        a, b = emb[t], emb[c]
        cos[r["id"]] = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-8))
    return {"length": length, "cosine": cos}


def run(scorers: Sequence[str], data: Path, quick: bool, log: Callable[[str], None] = print,
        with_baselines: bool = True, sources: Sequence[str] = SOURCES, by: str = "reward") -> dict[str, Any]:
    items, pairs = load(data, quick, sources)
    log(f"{len(items)} human-judged replies from {data}")
    table: dict[str, Any] = {}
    for name, score in (baselines(items) if with_baselines else {}).items():
        table[name] = {"metrics": metrics(items, pairs, score), "teacher": teacher(items, score)}
        log(f"{name}: {json.dumps(table[name]['metrics'])}")
    for s in scorers:
        started = time.perf_counter()
        score = score_with(s, items, by)
        table[s] = {"metrics": metrics(items, pairs, score), "teacher": teacher(items, score),
                    "seconds": round(time.perf_counter() - started, 1),
                    "unscored": sum(math.isnan(v) for v in score.values())}
        log(f"{s}: {json.dumps(table[s]['metrics'])}")
    return {"kind": "perm-validity", "data": str(data), "quick": quick, "items": len(items), "ranked_by": by,
            "results": table}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scorer", action="append", default=None, help="packaged name or folder (repeatable)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--quick", action="store_true", help="40 contexts per source")
    ap.add_argument("--no-baselines", action="store_true", help="skip the length and cosine baselines")
    ap.add_argument("--sources", default=",".join(SOURCES), help="comma-separated subset of %(default)s")
    ap.add_argument("--by", choices=RANK_BY, default="reward",
                    help="rank the scorers' replies by their reward or by one dimension [%(default)s]")
    ap.add_argument("-o", "--output", type=Path, default=None)
    a = ap.parse_args(argv)
    if not (a.data / "counsel-chat" / "items.jsonl").exists():
        print(f"no human-judged data at {a.data} (see ../shared/data/human-judged/README.md)", file=sys.stderr)
        return 2
    sources = [x for x in a.sources.split(",") if x]
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        print(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}", file=sys.stderr)
        return 2
    emit(run(a.scorer or ["perm-minilm-v2"], a.data, a.quick, with_baselines=not a.no_baselines,
             sources=sources, by=a.by), a.output)
    return 0


def emit(doc: dict[str, Any], output: Path | None) -> None:
    """Print the JSON document, and write it to `output` too when given."""
    text = json.dumps(doc, indent=2) + "\n"
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
