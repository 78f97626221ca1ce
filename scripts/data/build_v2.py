"""Assemble data/perm-empathy-v2/ from the authored v2 parts and the two labelling passes.

    python3 scripts/data/build_v2.py

Writes {train,dev,test}.jsonl (one reply per line: the sample fields, `completion` in the PERM
layout, gold `scores` = mean of the two passes, both passes' `labels`, `register`, `quality`,
`flaw`, `part`, `scenario_id`), `counsel-chat-labels.jsonl` (our PERM labels of counsel-chat
answers: ids and scores only; the answer texts stay in ../shared/data/human-judged and are
joined at training time), `stats.json` (counts, agreement between the passes, length check) and
`disagreements.jsonl`. Deterministic: split by scenario within each part, seed 20261204.

A reply without private notes gets the completion `# Analysis\n(none)\n# Response\n<reply>`
(the human-judged sources use the same convention) and no resonation label: there is nothing
to judge, and the scorer gives an empty analysis the floor by rule.
"""
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from perm.metrics import qwk, spearman  # noqa: E402

V2 = ROOT / "data" / "v2"
OUT = ROOT / "data" / "perm-empathy-v2"
DIMS = ("resonation", "expression", "reception", "bystander")
SEED = 20261204


def jl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def gold(a: dict, b: dict) -> dict:
    return {d: (None if a.get(d) is None or b.get(d) is None else (a[d] + b[d]) / 2) for d in DIMS}


def completion(analysis: str, response: str) -> str:
    return f"# Analysis\n{analysis.strip() or '(none)'}\n# Response\n{response.strip()}"


def split_ids(ids: list[str], rng: random.Random) -> dict[str, str]:
    ids = sorted(ids)
    rng.shuffle(ids)
    n = len(ids)
    n_test, n_dev = max(1, round(n * 0.15)), max(1, round(n * 0.15))
    return {s: ("test" if i < n_test else "dev" if i < n_test + n_dev else "train") for i, s in enumerate(ids)}


def agreement(pairs: list[tuple[dict, dict]]) -> dict:
    out = {}
    for d in DIMS:
        xs = [(a[d], b[d]) for a, b in pairs if a.get(d) is not None and b.get(d) is not None]
        if not xs:
            continue
        x, y = [p[0] for p in xs], [p[1] for p in xs]
        scale = 10 if d == "bystander" else 1
        lo, hi = (0, 10) if d == "bystander" else (1, 5)
        out[d] = {"n": len(xs), "spearman": round(spearman(x, y), 3),
                  "qwk": round(qwk([round(v / scale) for v in x], [round(v / scale) for v in y], lo, hi), 3),
                  "exact": round(sum(a == b for a, b in xs) / len(xs), 3),
                  "within_1": round(sum(abs(a - b) <= (10 if d == "bystander" else 1) for a, b in xs) / len(xs), 3)}
    return out


def main() -> None:
    parts = sorted(p.stem for p in (V2 / "candidates").glob("w*.jsonl"))
    rng = random.Random(SEED)
    rows, pairs, disagreements = defaultdict(list), [], []
    for part in parts:
        scen = {s["id"]: s for s in jl(V2 / "scenarios" / f"{part}.jsonl")}
        la = {r["id"]: r for r in jl(V2 / "labels" / "passA" / f"{part}.jsonl")}
        lb = {r["id"]: r for r in jl(V2 / "labels" / "passB" / f"{part}.jsonl")}
        split = split_ids(list(scen), rng)
        for c in jl(V2 / "candidates" / f"{part}.jsonl"):
            a, b, s = la[c["id"]], lb[c["id"]], scen[c["scenario_id"]]
            pairs.append((a, b))
            if any(a.get(d) is not None and b.get(d) is not None
                   and abs(a[d] - b[d]) >= (25 if d == "bystander" else 2) for d in DIMS):
                disagreements.append({"id": c["id"], "A": {d: a.get(d) for d in DIMS},
                                      "B": {d: b.get(d) for d in DIMS},
                                      "rationale_A": a.get("rationale"), "rationale_B": b.get("rationale")})
            rec = {"id": c["id"], "scenario_id": c["scenario_id"], "part": part,
                   "category": s.get("category"), "setting": s.get("setting"),
                   "language": s.get("language"), "style": s.get("style"),
                   "register": c["register"], "quality": c["quality"], "flaw": c["flaw"],
                   "persona": s["persona"], "scenario": s["scenario"], "query": s["query"],
                   "hidden_intention": s.get("hidden_intention")}
            if s.get("history"):
                rec["history"] = s["history"]
            rec.update({"completion": completion(c.get("analysis", ""), c["response"]),
                        "scores": gold(a, b),
                        "labels": {"A": {d: a.get(d) for d in DIMS}, "B": {d: b.get(d) for d in DIMS}},
                        "rationale": {"A": a.get("rationale"), "B": b.get("rationale")}})
            rows[split[c["scenario_id"]]].append(rec)
    OUT.mkdir(parents=True, exist_ok=True)
    for k in ("train", "dev", "test"):
        with open(OUT / f"{k}.jsonl", "w", encoding="utf-8") as fh:
            for r in rows[k]:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(OUT / "disagreements.jsonl", "w", encoding="utf-8") as fh:
        for r in disagreements:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    # counsel-chat: our labels only (ids + scores); the texts are joined at training time
    cc_pairs, cc_rows = [], []
    for part in ("cc1", "cc2", "cc3", "cc4", "cc5"):
        la = {r["id"]: r for r in jl(V2 / "labels" / "passA" / f"{part}.jsonl")}
        lb = {r["id"]: r for r in jl(V2 / "labels" / "passB" / f"{part}.jsonl")}
        for i in sorted(la):
            cc_pairs.append((la[i], lb[i]))
            cc_rows.append({"id": i, "scores": gold(la[i], lb[i]),
                            "labels": {"A": {d: la[i].get(d) for d in DIMS}, "B": {d: lb[i].get(d) for d in DIMS}}})
    with open(OUT / "counsel-chat-labels.jsonl", "w", encoding="utf-8") as fh:
        for r in cc_rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    allrows = [r for k in rows for r in rows[k]]
    words = [len(r["completion"].split("# Response\n", 1)[1].split()) for r in allrows]
    reward_proxy = [sum((r["scores"][d] - 1) / 4 for d in ("expression", "reception")) for r in allrows]
    stats = {
        "parts": parts, "scenarios": len({r["scenario_id"] for r in allrows}), "replies": len(allrows),
        "split_replies": {k: len(v) for k, v in rows.items()},
        "split_scenarios": {k: len({r["scenario_id"] for r in v}) for k, v in rows.items()},
        "registers": dict(Counter(r["register"] for r in allrows)),
        "quality": dict(Counter(r["quality"] for r in allrows)),
        "languages": dict(Counter(r["language"] for r in allrows)),
        "with_analysis": sum("(none)" not in r["completion"].split("# Response")[0] for r in allrows),
        "spearman_reply_words_vs_expression_plus_reception": round(spearman(words, reward_proxy), 3),
        "agreement": agreement(pairs), "large_disagreements": len(disagreements),
        "counsel_chat": {"answers": len(cc_rows), "agreement": agreement(cc_pairs)},
    }
    (OUT / "stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
