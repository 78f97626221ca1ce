"""A blinded human preference study: export A/B pairs for raters (a self-contained HTML form
and a CSV), import their answers, and report the win rate the way `perm compare` does.

The raters see neither system names nor which side is which: each pair gets an opaque id and
its own random order. The mapping lives only in `key.json`, which stays with the organiser.
"""
from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import PermError
from ..metrics import N_BOOT
from ..runs import read_json_doc
from ..types import Sample
from .pairwise import Choice, shown_text, summarise_judgments, to_system
from .systems import Aligned, name_list

KEY_FILE, FORM_FILE, CSV_FILE = "key.json", "form.html", "pairs.csv"
ANSWER_COLUMNS = ("study", "pair_id", "rater", "choice", "comment")
_CHOICES: dict[str, Choice] = {"1": "A", "2": "B", "tie": "tie", "same": "tie", "=": "tie", "0": "tie"}


class StudyError(PermError, ValueError):
    """A study file or an answer file is unusable (the message names file, line and ids)."""


def _history(sample: Sample) -> list[dict[str, str]]:
    return [{"who": "them" if t.role == "user" else "supporter", "text": t.content}
            for t in sample.history]


def export_study(aligned: Aligned, out_dir: str | Path, *, n: int | None = None, seed: int = 0,
                 title: str = "Which reply would you rather receive?") -> dict[str, Path]:
    """Write form.html, pairs.csv (both blinded) and key.json (the unblinding key)."""
    a, b = aligned.systems[:2]
    rng = random.Random(seed)
    ids = list(aligned.ids)
    rng.shuffle(ids)
    if n is not None:
        if n < 1:
            raise StudyError("--pairs must be at least 1")
        ids = ids[:n]
    width = max(2, len(str(len(ids))))
    pairs: list[dict[str, Any]] = []
    key: dict[str, dict[str, str]] = {}
    for k, sid in enumerate(ids, start=1):
        pid = f"p{k:0{width}d}"
        first = rng.choice(("A", "B"))
        sa, sb = a.by_id[sid], b.by_id[sid]
        texts = [shown_text(sa.completion), shown_text(sb.completion)]
        if first == "B":
            texts.reverse()
        pairs.append({"pair_id": pid, "persona": sa.persona, "scenario": sa.scenario,
                      "history": _history(sa), "message": sa.query,
                      "response_1": texts[0], "response_2": texts[1]})
        key[pid] = {"scenario_id": sid, "first": first}
    study = hashlib.sha256(json.dumps([seed, a.name, b.name, key], sort_keys=True).encode()).hexdigest()[:12]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"key": out / KEY_FILE, "form": out / FORM_FILE, "csv": out / CSV_FILE}
    paths["key"].write_text(json.dumps({
        "kind": "perm-human-key", "version": 1, "study": study, "seed": seed,
        "a": a.name, "b": b.name, "a_file": str(a.path), "b_file": str(b.path), "pairs": key,
    }, indent=2) + "\n", encoding="utf-8")
    with paths["csv"].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["study", "pair_id", "persona", "scenario", "earlier_turns", "message",
                    "response_1", "response_2", "choice", "comment", "rater"])
        for p in pairs:
            turns = "\n".join(f"[{t['who']}] {t['text']}" for t in p["history"])
            w.writerow([study, p["pair_id"], p["persona"], p["scenario"], turns, p["message"],
                        p["response_1"], p["response_2"], "", "", ""])
    paths["form"].write_text(render_form(study, title, pairs), encoding="utf-8")
    return paths


def render_form(study: str, title: str, pairs: Sequence[dict[str, Any]]) -> str:
    """The rater form: one HTML file, no network, answers saved in the browser as you go and
    downloaded as a CSV that `perm human import` reads."""
    template = (resources.files("perm") / "evaluate" / "human_form.html").read_text(encoding="utf-8")
    data = json.dumps({"study": study, "title": title, "pairs": list(pairs)}, ensure_ascii=False)
    data = data.replace("</", "<\\/")  # never close the <script> element from inside the data
    import html

    return template.replace("__TITLE__", html.escape(title)).replace("__STUDY_DATA__", data)


def load_key(path: str | Path) -> dict[str, Any]:
    return read_json_doc(path, "perm-human-key", "study key written by `perm human export`",
                         error=StudyError)


def read_answers(key: dict[str, Any], paths: Sequence[str | Path]) -> tuple[list[dict[str, Any]], int]:
    """Rating records from answer CSVs, checked against the key. Returns (records, blanks)."""
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    unknown: list[str] = []
    blanks = 0
    for path in paths:
        p = Path(path)
        if not p.is_file():
            raise StudyError(f"{p}: answer file not found")
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            cols = {c.strip().lower() for c in reader.fieldnames or []}
            if not {"pair_id", "choice"} <= cols:
                raise StudyError(f"{p}: needs the columns pair_id and choice (has: "
                                 f"{', '.join(sorted(cols)) or 'none'})")
            for line, raw in enumerate(reader, start=2):
                row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
                study = row.get("study")
                if study and study != key["study"]:
                    raise StudyError(f"{p}:{line}: answers to study {study}, but the key is for "
                                     f"study {key['study']}")
                pid, choice = row["pair_id"], row["choice"].lower()
                if pid not in key["pairs"]:
                    unknown.append(f"{pid or '(blank)'} ({p.name}:{line})")
                    continue
                if not choice:
                    blanks += 1
                    continue
                if choice not in _CHOICES:
                    raise StudyError(f"{p}:{line}: pair {pid}: choice must be 1, 2 or tie, "
                                     f"got {row['choice']!r}")
                rater = row.get("rater") or p.stem
                where = f"{p.name}:{line}"
                if (rater, pid) in seen:
                    raise StudyError(f"{where}: rater {rater!r} answered pair {pid} twice "
                                     f"(first at {seen[(rater, pid)]})")
                seen[(rater, pid)] = where
                entry = key["pairs"][pid]
                order = "AB" if entry["first"] == "A" else "BA"
                shown = _CHOICES[choice]
                records.append({"pair": entry["scenario_id"], "pair_id": pid, "order": order,
                                "rater": rater, "shown_choice": shown,
                                "winner": to_system(shown, order),
                                "comment": row.get("comment", "")})
    if unknown:
        raise StudyError(f"answers name {len(unknown)} pair id(s) that are not in the study "
                         f"key: {name_list(unknown)}")
    return records, blanks


def rater_agreement(records: Sequence[dict[str, Any]]) -> float | None:
    """Share of rater pairs (on the same item) who gave the same answer; None if no overlap."""
    by_pair: dict[str, list[str]] = {}
    for r in records:
        by_pair.setdefault(r["pair_id"], []).append(r["winner"])
    agree = total = 0
    for answers in by_pair.values():
        for i in range(len(answers)):
            for j in range(i + 1, len(answers)):
                total += 1
                agree += answers[i] == answers[j]
    return agree / total if total else None


def import_answers(key_path: str | Path, answer_paths: Sequence[str | Path], *,
                   n_boot: int = N_BOOT) -> dict[str, Any]:
    """The human study's result: B's win rate over A, position bias, raters and coverage."""
    if not answer_paths:
        raise StudyError("no answer files given")
    key = load_key(key_path)
    records, blanks = read_answers(key, answer_paths)
    if not records:
        raise StudyError("the answer files hold no answers (every choice is blank)")
    raters: dict[str, int] = {}
    for r in records:
        raters[r["rater"]] = raters.get(r["rater"], 0) + 1
    summary = summarise_judgments(records, n_boot=n_boot)
    summary["position"].pop("consistency", None)
    summary["position"].pop("both_orders", None)
    answered = {r["pair_id"] for r in records}
    return {"kind": "perm-human", "version": 1, "study": key["study"], "a": key["a"], "b": key["b"],
            **summary, "ratings": len(records), "blank": blanks, "raters": raters,
            "pairs_total": len(key["pairs"]), "pairs_answered": len(answered),
            "rater_agreement": rater_agreement(records)}
