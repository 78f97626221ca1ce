"""Fixtures for every test: isolated cache and keys, a JSONL writer. Helpers live in tests/helpers.py."""
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture
def write_jsonl(tmp_path: Path):
    def _write(records, name="in.jsonl"):
        p = tmp_path / name
        with p.open("w") as fh:
            for r in records:
                fh.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
        return p
    return _write


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Never touch the user's real cache dir or keys from tests."""
    monkeypatch.setenv("PERM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PERM_JUDGE_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
