"""Assemble data/perm-empathy/{train,dev,test}.jsonl from the authored parts and the two
independent labelling passes, and write the agreement statistics for the data card.

Gold label = the mean of the two passes (a continuous label on the same scale). Items on which
the passes differ by >= 2 points (1-5 dimensions) or >= 25 points (bystander) are listed in
data/perm-empathy/disagreements.jsonl. The split is by scenario (no scenario in two splits),
stratified by category, with a fixed seed.
"""
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from perm.metrics import pearson, qwk, spearman  # noqa: E402

DATA = ROOT / "data"
OUT = DATA / "perm-empathy"
DIMS = ("resonation", "expression", "reception", "bystander")
SPLIT = {"train": 0.7, "dev": 0.15, "test": 0.15}


def jl(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def main() -> None:
    parts = sorted(p.stem for p in (DATA / "labels" / "passA").glob("part*.jsonl")
                   if (DATA / "labels" / "passB" / p.name).exists())
    scen, cands, la, lb = {}, [], {}, {}
    for part in parts:
        scen.update({s["id"]: s for s in jl(DATA / "scenarios" / f"{part}.jsonl")})
        cands += jl(DATA / "candidates" / f"{part}.jsonl")
        la.update({r["id"]: r for r in jl(DATA / "labels" / "passA" / f"{part}.jsonl")})
        lb.update({r["id"]: r for r in jl(DATA / "labels" / "passB" / f"{part}.jsonl")})
    missing = [c["id"] for c in cands if c["id"] not in la or c["id"] not in lb]
    if missing:
        raise SystemExit(f"{len(missing)} candidates lack a label in one pass, e.g. {missing[:5]}")

    by_cat = defaultdict(list)
    for sid, s in sorted(scen.items()):
        by_cat[s.get("category", "other")].append(sid)
    rng = random.Random(20260125)
    split_of = {}
    for _cat, ids in sorted(by_cat.items()):
        rng.shuffle(ids)
        n = len(ids)
        n_dev = max(1, round(n * SPLIT["dev"])) if n >= 3 else 0
        n_test = max(1, round(n * SPLIT["test"])) if n >= 3 else 0
        for i, sid in enumerate(ids):
            split_of[sid] = "test" if i < n_test else ("dev" if i < n_test + n_dev else "train")

    OUT.mkdir(parents=True, exist_ok=True)
    files = {k: open(OUT / f"{k}.jsonl", "w") for k in SPLIT}
    disagreements = []
    agree = {d: ([], []) for d in DIMS}
    for c in cands:
        s, a, b = scen[c["scenario_id"]], la[c["id"]], lb[c["id"]]
        gold = {d: (a[d] + b[d]) / 2 for d in DIMS}
        for d in DIMS:
            agree[d][0].append(a[d])
            agree[d][1].append(b[d])
        gap = {d: abs(a[d] - b[d]) for d in DIMS}
        if any(gap[d] >= (25 if d == "bystander" else 2) for d in DIMS):
            disagreements.append({"id": c["id"], "A": {d: a[d] for d in DIMS}, "B": {d: b[d] for d in DIMS},
                                  "rationale_A": a.get("rationale"), "rationale_B": b.get("rationale")})
        rec = {"id": c["id"], "scenario_id": c["scenario_id"], "category": s.get("category"),
               "kind": c["kind"], "persona": s["persona"], "scenario": s["scenario"], "query": s["query"],
               "hidden_intention": s.get("hidden_intention")}
        if s.get("history"):
            rec["history"] = s["history"]
        rec.update({"completion": c["completion"], "scores": gold,
                    "labels": {"A": {d: a[d] for d in DIMS}, "B": {d: b[d] for d in DIMS}},
                    "rationale": {"A": a.get("rationale"), "B": b.get("rationale")}})
        files[split_of[c["scenario_id"]]].write(json.dumps(rec, ensure_ascii=False) + "\n")
    for f in files.values():
        f.close()
    # scenario-only files (no completions) for generation / training prompts
    for k in SPLIT:
        with open(OUT / f"scenarios-{k}.jsonl", "w") as fh:
            for sid, s in sorted(scen.items()):
                if split_of[sid] == k:
                    row = {key: s[key] for key in ("id", "category", "persona", "scenario", "query",
                                                   "hidden_intention") if key in s}
                    if s.get("history"):
                        row["history"] = s["history"]
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(OUT / "disagreements.jsonl", "w") as fh:
        for r in disagreements:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    stats = {"parts": parts, "scenarios": len(scen), "outputs": len(cands),
             "split_scenarios": {k: sum(v == k for v in split_of.values()) for k in SPLIT},
             "split_outputs": {k: sum(split_of[c["scenario_id"]] == k for c in cands) for k in SPLIT},
             "large_disagreements": len(disagreements), "agreement": {}}
    for d in DIMS:
        x, y = agree[d]
        lo, hi = (0, 100) if d == "bystander" else (1, 5)
        xb, yb = ([round(v / 10) for v in x], [round(v / 10) for v in y]) if d == "bystander" else (x, y)
        stats["agreement"][d] = {
            "qwk": round(qwk(xb, yb, lo // 10 if d == "bystander" else lo, hi // 10 if d == "bystander" else hi), 3),
            "spearman": round(spearman(x, y), 3), "pearson": round(pearson(x, y), 3),
            "exact": round(sum(a == b for a, b in zip(x, y)) / len(x), 3),
            "within_1": round(sum(abs(a - b) <= (10 if d == "bystander" else 1) for a, b in zip(x, y)) / len(x), 3),
            "mean_A": round(sum(x) / len(x), 2), "mean_B": round(sum(y) / len(y), 2)}
    (OUT / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    print(json.dumps(stats, indent=2))


if __name__ == "__main__":
    main()
