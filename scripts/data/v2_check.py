"""Check one authored or labelled part of the v2 data (fields, ids, counts, value ranges).

    python3 scripts/data/v2_check.py data/v2 w3            # scenarios + candidates of part w3
    python3 scripts/data/v2_check.py data/v2 w3 --labels A  # pass A's labels of part w3

Exits non-zero and lists every problem as `file:line: field: why`.
"""
import argparse
import json
import sys
from collections import Counter
from pathlib import Path

SETTINGS = {"forum", "chat", "qa_site", "companion_app", "multi_turn", "text_message"}
REGISTERS = {"forum_peer", "therapist_answer", "chatbot_short", "llm_long", "friend_text",
             "perm_layout", "policy_small", "counsellor_turn", "volunteer_turn"}
QUALITIES = {"excellent", "good", "mixed", "weak", "poor"}
WITH_ANALYSIS = {"perm_layout", "policy_small"}


def read(path: Path, problems: list[str]) -> list[tuple[int, dict]]:
    rows = []
    if not path.exists():
        problems.append(f"{path}: missing")
        return rows
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{path}:{n}: invalid JSON: {e}")
            continue
        if not isinstance(obj, dict):
            problems.append(f"{path}:{n}: not an object")
            continue
        rows.append((n, obj))
    return rows


def need_str(obj: dict, key: str, where: str, problems: list[str], empty_ok: bool = False) -> None:
    v = obj.get(key)
    if not isinstance(v, str) or (not empty_ok and not v.strip()):
        problems.append(f"{where}: {key}: must be a {'string' if empty_ok else 'non-empty string'}")


def check_part(root: Path, part: str) -> list[str]:
    problems: list[str] = []
    sp = root / "scenarios" / f"{part}.jsonl"
    cp = root / "candidates" / f"{part}.jsonl"
    scen = {}
    for n, s in read(sp, problems):
        where = f"{sp}:{n}"
        for k in ("id", "category", "persona", "scenario", "query", "hidden_intention", "language", "style"):
            need_str(s, k, where, problems)
        if s.get("setting") not in SETTINGS:
            problems.append(f"{where}: setting: {s.get('setting')!r} not in {sorted(SETTINGS)}")
        if not str(s.get("id", "")).startswith(f"{part}-s"):
            problems.append(f"{where}: id: should start with {part}-s")
        h = s.get("history", [])
        if not isinstance(h, list) or any(not isinstance(t, dict) or t.get("role") not in ("user", "assistant")
                                          or not isinstance(t.get("content"), str) for t in h):
            problems.append(f"{where}: history: list of {{role: user|assistant, content}}")
        if s.get("id") in scen:
            problems.append(f"{where}: id: duplicate {s.get('id')}")
        scen[s.get("id")] = s
    per = Counter()
    seen = set()
    for n, c in read(cp, problems):
        where = f"{cp}:{n}"
        cid, sid = c.get("id"), c.get("scenario_id")
        if cid in seen:
            problems.append(f"{where}: id: duplicate {cid}")
        seen.add(cid)
        if sid not in scen:
            problems.append(f"{where}: scenario_id: unknown {sid!r}")
        elif not str(cid).startswith(f"{sid}-c"):
            problems.append(f"{where}: id: should start with {sid}-c")
        if c.get("register") not in REGISTERS:
            problems.append(f"{where}: register: {c.get('register')!r} not in {sorted(REGISTERS)}")
        if c.get("quality") not in QUALITIES:
            problems.append(f"{where}: quality: {c.get('quality')!r} not in {sorted(QUALITIES)}")
        need_str(c, "flaw", where, problems)
        need_str(c, "response", where, problems)
        need_str(c, "analysis", where, problems, empty_ok=True)
        if c.get("register") in WITH_ANALYSIS and not str(c.get("analysis", "")).strip():
            problems.append(f"{where}: analysis: register {c.get('register')} needs an analysis")
        if c.get("register") not in WITH_ANALYSIS and str(c.get("analysis", "")).strip():
            problems.append(f"{where}: analysis: register {c.get('register')} must have analysis \"\"")
        per[sid] += 1
    for sid in scen:
        if per[sid] < 8:
            problems.append(f"{cp}: scenario {sid} has {per[sid]} replies (want 10)")
    return problems


def check_labels(root: Path, part: str, which: str) -> list[str]:
    problems: list[str] = []
    view = {o["id"]: o for _, o in read(root / "labels" / "view" / f"{part}.jsonl", problems)}
    lp = root / "labels" / f"pass{which}" / f"{part}.jsonl"
    got = set()
    for n, lab in read(lp, problems):
        where = f"{lp}:{n}"
        i = lab.get("id")
        if i not in view:
            problems.append(f"{where}: id: not in the view: {i!r}")
            continue
        got.add(i)
        has_analysis = bool(view[i].get("analysis", "").strip())
        for d in ("resonation", "expression", "reception"):
            v = lab.get(d)
            if d == "resonation" and not has_analysis:
                if v is not None:
                    problems.append(f"{where}: resonation: must be null when there is no analysis")
                continue
            if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 5:
                problems.append(f"{where}: {d}: whole number 1-5, got {v!r}")
        parts = lab.get("bystander_parts")
        if not (isinstance(parts, list) and len(parts) == 5 and all(isinstance(p, int) and 0 <= p <= 20 for p in parts)):
            problems.append(f"{where}: bystander_parts: five whole numbers 0-20")
        elif lab.get("bystander") != sum(parts):
            problems.append(f"{where}: bystander: must equal the sum of bystander_parts")
        need_str(lab, "rationale", where, problems)
    missing = sorted(set(view) - got)
    if missing:
        problems.append(f"{lp}: {len(missing)} view items have no label, e.g. {missing[:3]}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", type=Path)
    ap.add_argument("part")
    ap.add_argument("--labels", choices=["A", "B"])
    a = ap.parse_args()
    problems = check_labels(a.root, a.part, a.labels) if a.labels else check_part(a.root, a.part)
    for p in problems:
        print(p)
    print(f"{a.part}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
