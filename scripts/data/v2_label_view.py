"""Build the labeller's view of authored v2 parts: every reply with its scenario context, in a
shuffled order and WITHOUT the author's register, quality or flaw, so labels cannot echo them.

    python3 scripts/data/v2_label_view.py w1 w2 ...
"""
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "data" / "v2"


def main(part: str) -> None:
    scen = {}
    for line in open(ROOT / "scenarios" / f"{part}.jsonl", encoding="utf-8"):
        if line.strip():
            s = json.loads(line)
            scen[s["id"]] = s
    cands = [json.loads(line) for line in open(ROOT / "candidates" / f"{part}.jsonl", encoding="utf-8")
             if line.strip()]
    random.Random(f"v2-view-{part}").shuffle(cands)
    out = ROOT / "labels" / "view" / f"{part}.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for c in cands:
            s = scen[c["scenario_id"]]
            rec = {"id": c["id"], "persona": s["persona"], "scenario": s["scenario"], "query": s["query"],
                   "hidden_intention": s.get("hidden_intention"), "history": s.get("history", []),
                   "analysis": c.get("analysis", ""), "response": c["response"]}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{out}: {len(cands)} items")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        main(p)
