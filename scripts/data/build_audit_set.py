"""Build the packaged audit set (src/perm/audit/good.jsonl): one good supporter turn per
held-out scenario of our own data (the *test* splits of perm-empathy v1 and v2, CC BY 4.0).

Per scenario: the reply with the highest gold reward among those with both sections and gold
expression and reception >= 4 (a reply a scorer must rank above its attacked variants).

    python3 scripts/data/build_audit_set.py
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from perm.completion import split_completion  # noqa: E402

FIELDS = ("id", "persona", "scenario", "query", "hidden_intention", "history", "completion")


def gold_reward(s: dict) -> float:
    e = [s[d] / 5 for d in ("resonation", "expression", "reception")]
    return 3 / sum(1 / x for x in e) + 0.5 * (s["bystander"] / 100 - 1)


def main() -> None:
    best: dict[str, dict] = {}
    for path in (ROOT / "data/perm-empathy/test.jsonl", ROOT / "data/perm-empathy-v2/test.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            s = r["scores"]
            if any(s.get(d) is None for d in ("resonation", "expression", "reception", "bystander")):
                continue
            if not split_completion(r["completion"]).format_ok or s["expression"] < 4 or s["reception"] < 4:
                continue
            if r["scenario_id"] not in best or gold_reward(s) > gold_reward(best[r["scenario_id"]]["scores"]):
                best[r["scenario_id"]] = r
    out = ROOT / "src/perm/audit/good.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for sid in sorted(best):
            fh.write(json.dumps({k: best[sid][k] for k in FIELDS if best[sid].get(k)}, ensure_ascii=False) + "\n")
    print(f"{out}: {len(best)} scenarios")


if __name__ == "__main__":
    main()
