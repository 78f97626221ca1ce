"""Scored-output files: append as results arrive (crash-safe), resume, final ordering."""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from .errors import PermError


def read_finished(path: str | Path) -> tuple[dict[str, dict[str, Any]], int]:
    """Results already in an output file, by id. A torn last line (a killed job) is dropped
    and truncated away, so appending continues on a clean line. Returns (by_id, torn_lines)."""
    p = Path(path)
    if not p.exists():
        return {}, 0
    done: dict[str, dict[str, Any]] = {}
    good_bytes, torn = 0, 0
    with p.open("rb") as fh:
        for raw in fh:
            try:
                if not raw.endswith(b"\n"):
                    raise ValueError("torn line")
                rec = json.loads(raw)
                if not isinstance(rec, dict) or "id" not in rec:
                    raise ValueError("not a result")
            except ValueError:
                torn += 1
                break
            done[str(rec["id"])] = rec
            good_bytes += len(raw)
    if torn:
        with p.open("r+b") as fh:
            fh.truncate(good_bytes)
    return done, torn


class ResultWriter:
    """Appends one JSON line per finished sample and flushes it to the OS immediately."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: TextIO = self.path.open("a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def rewrite_in_order(path: str | Path, order: Iterable[str]) -> list[str]:
    """Rewrite the file so results follow the input order (atomic replace).

    Results whose id is not in `order` are kept at the end (never dropped); their ids are
    returned so the caller can warn."""
    p = Path(path)
    by_id, _ = read_finished(p)
    tmp = p.with_name(p.name + ".tmp")
    wanted = list(order)
    seen = set(wanted)
    extra = [i for i in by_id if i not in seen]
    with tmp.open("w", encoding="utf-8") as fh:
        for i in [*wanted, *extra]:
            if i in by_id:
                fh.write(json.dumps(by_id[i], ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    return extra


def read_json_doc(path: str | Path, kind: str, what: str,
                  error: type[PermError] = PermError) -> dict[str, Any]:
    """A JSON document written by one of our commands, checked by its `"kind"` field.
    Raises `error` naming the file when it is missing, not JSON, or of another kind."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{p}: not found ({what})") from None
    except ValueError as e:
        raise error(f"{p}: not valid JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("kind") != kind:
        raise error(f"{p}: not a {what} (expected \"kind\": \"{kind}\")")
    return doc
