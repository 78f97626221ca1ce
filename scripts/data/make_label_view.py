"""Build the labeller's view of a data part: every candidate with its scenario context, in a
shuffled order and WITHOUT the author's intended `kind`, so labels cannot echo the author."""
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "data"


def main(part: str) -> None:
    scen = {json.loads(line)["id"]: json.loads(line) for line in open(ROOT / "scenarios" / f"{part}.jsonl") if line.strip()}
    cands = [json.loads(line) for line in open(ROOT / "candidates" / f"{part}.jsonl") if line.strip()]
    random.Random(f"view-{part}").shuffle(cands)
    out = ROOT / "labels" / "view" / f"{part}.jsonl"
    with out.open("w") as fh:
        for c in cands:
            s = scen[c["scenario_id"]]
            rec = {"id": c["id"], "persona": s["persona"], "scenario": s["scenario"],
                   "query": s["query"], "hidden_intention": s.get("hidden_intention"),
                   "history": s.get("history", []), "completion": c["completion"]}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{out}: {len(cands)} items")


if __name__ == "__main__":
    for part in sys.argv[1:]:
        main(part)
