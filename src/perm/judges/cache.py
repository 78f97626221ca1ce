"""sqlite response cache: makes long jobs resumable and repeated scoring free.

The key covers exactly what determines an answer: backend + model, rubric version, messages and
sampling parameters — not the endpoint URL, API key or concurrency. Only answers that parsed
are stored, so a rerun retries what failed. Each put commits (WAL mode), so a killed job loses
at most the calls in flight.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ..types import Message


def cache_key(identity: str, rubric_version: str, messages: Sequence[Message],
              params: Sequence[object]) -> str:
    payload = json.dumps([identity, rubric_version, messages, params], ensure_ascii=False,
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT "
                         "NOT NULL, identity TEXT, created REAL)")
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT answer FROM answers WHERE key=?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return str(row[0])

    def put(self, key: str, answer: str, identity: str = "") -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?)",
                             (key, answer, identity, time.time()))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
