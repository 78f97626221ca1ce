"""Build the labeller's views of counsel-chat answers (MIT) for the v2 PERM labels.

The answer texts stay outside the repository (../shared/data/human-judged, see its README):
this script re-creates the views deterministically from there into data/v2/labels/view/cc*.jsonl,
which git ignores. Only our labels (ids, scores, rationales) are committed.

Selection (seed 20261204): questions of the upstream *train* split only (val/test questions stay
unseen, for evaluation); 160 questions with two or more answers (up to 3 answers each, chosen at
random) and 60 single-answer questions; shuffled and cut into parts of 240 (cc1, cc2).
Batch 2 (cc3...): every other train-split answer of a question with two or more answers, up to 6
per question (the two questions with ~100 answers each contribute 6), shuffled, parts of 240.

    python3 scripts/data/v2_counselchat_view.py [SHARED_DIR] [--batch 2]
"""
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
BATCH = 2 if "--batch" in sys.argv and sys.argv[sys.argv.index("--batch") + 1] == "2" else 1
SHARED = Path(ARGS[0]) if ARGS and ARGS[0] != "2" else ROOT.parent / "shared" / "data" / "human-judged"
OUT = ROOT / "data" / "v2" / "labels" / "view"
PART = 240


def split_completion(text: str) -> tuple[str, str]:
    head, _, response = text.partition("# Response\n")
    analysis = head.replace("# Analysis\n", "", 1).strip()
    return ("" if analysis == "(none)" else analysis), response.strip()


def main() -> None:
    items = [json.loads(line) for line in open(SHARED / "counsel-chat" / "items.jsonl")]
    by_q = defaultdict(list)
    for it in items:
        if it["meta"]["upstream_split"] == "train":
            by_q[it["meta"]["question_id"]].append(it)
    rng = random.Random(20261204)
    multi = sorted(q for q, v in by_q.items() if len(v) >= 2)
    single = sorted(q for q, v in by_q.items() if len(v) == 1)
    rng.shuffle(multi)
    rng.shuffle(single)
    chosen = []
    for q in multi[:160]:
        answers = sorted(by_q[q], key=lambda i: i["id"])
        rng.shuffle(answers)
        chosen += answers[:3]
    for q in single[:60]:
        chosen += by_q[q]
    rng.shuffle(chosen)
    first = 1
    if BATCH == 2:
        taken = {it["id"] for it in chosen}
        more = []
        for q in multi:
            answers = sorted((a for a in by_q[q] if a["id"] not in taken), key=lambda i: i["id"])
            rng.shuffle(answers)
            more += answers[:max(0, 6 - sum(a["id"] in taken for a in by_q[q]))]
        rng.shuffle(more)
        chosen, first = more, 3
    OUT.mkdir(parents=True, exist_ok=True)
    for k in range(0, len(chosen), PART):
        name = f"cc{k // PART + first}"
        with open(OUT / f"{name}.jsonl", "w") as fh:
            for it in chosen[k:k + PART]:
                analysis, response = split_completion(it["completion"])
                fh.write(json.dumps({"id": it["id"], "persona": it["persona"], "scenario": it["scenario"],
                                     "query": it["query"], "hidden_intention": None,
                                     "history": it.get("history", []), "analysis": analysis,
                                     "response": response}, ensure_ascii=False) + "\n")
        print(f"{OUT / name}.jsonl: {len(chosen[k:k + PART])} items")


if __name__ == "__main__":
    main()
