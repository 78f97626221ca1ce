import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

GOOD = "# Analysis\nShe feels guilty and alone.\n# Response\nThat sounds so heavy. I'm here."


def make_record(i: int, **kw):
    rec = {"id": f"s{i}", "persona": "A 40-year-old teacher.", "scenario": "Her father died.",
           "query": f"I can't stop thinking about it ({i})", "completion": GOOD + f" ({i})"}
    rec.update(kw)
    return rec


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
