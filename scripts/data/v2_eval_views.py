"""Views of two non-commercial human-judged sources for ONE labelling pass of PERM labels, used
only to measure how far PERM judgments (our teacher) agree with those people's judgments — the
ceiling a distilled scorer can reach on them. These labels are never used to train a scorer.

    python3 scripts/data/v2_eval_views.py [SHARED_DIR]

Writes data/v2/labels/view/refl.jsonl (all 298 AnnoMI reflections) and esf.jsonl (300 ESConv
supporter turns from failed chats that the seeker starred, seed 20261204). Git ignores these
views (the texts stay in ../shared); labels go to data/v2/labels-eval/.
"""
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "human-judged"
OUT = ROOT / "data" / "v2" / "labels" / "view"


def view(it: dict) -> dict:
    head, _, response = it["completion"].partition("# Response\n")
    return {"id": it["id"], "persona": it["persona"], "scenario": it["scenario"], "query": it["query"],
            "hidden_intention": None, "history": it.get("history", []), "analysis": "",
            "response": response.strip()}


def main() -> None:
    refl = [json.loads(x) for x in open(SHARED / "annomi-reflection-ratings" / "items.jsonl")]
    esc = [json.loads(x) for x in open(SHARED / "esconv" / "items.jsonl")]
    esc = [i for i in esc if i["label"].get("next_seeker_feedback") is not None]
    rng = random.Random(20261204)
    rng.shuffle(refl)
    rng.shuffle(esc)
    for name, rows in (("refl", refl), ("esf", esc[:300])):
        with open(OUT / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for it in rows:
                fh.write(json.dumps(view(it), ensure_ascii=False) + "\n")
        print(name, len(rows))


if __name__ == "__main__":
    main()
