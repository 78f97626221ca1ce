"""Helpers shared by the reward server tests (fake-judge configs, a live `perm serve`)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from perm.judges.fake import FakeJudge
from perm.rating import LLMRater, Rater, Rating, RatingsDone
from perm.scoring import PermScorer
from perm.types import DimensionRequest

GOOD = "# Analysis\nShe is worn out and wants to be taken seriously.\n# Response\nThat sounds exhausting."
CHATML_PROMPT = ("<|im_start|>system\nAnswer with # Analysis then # Response.<|im_end|>\n"
                 "<|im_start|>user\n{query}<|im_end|>\n<|im_start|>assistant\n")


def sample(i: int = 0, **over: Any) -> dict[str, Any]:
    rec = {"id": f"s{i}", "persona": f"Persona {i}, a night-shift nurse.",
           "scenario": f"Scenario {i}: the boiler has been broken for weeks.",
           "query": f"Query {i}: I need a firm letter to my landlord.",
           "completion": GOOD.replace("exhausting", f"exhausting ({i})")}
    rec.update(over)
    return rec


def fake_config(**options: Any) -> dict[str, Any]:
    return {"judge": {"backend": "fake", "options": options, "max_retries": 0, "max_reasks": 0}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`perm serve` in a subprocess on 127.0.0.1 and a free port."""

    def __init__(self, tmp: Path, config: dict[str, Any], *args: str,
                 env: dict[str, str] | None = None) -> None:
        cfg = tmp / "scoring.json"
        cfg.write_text(json.dumps(config))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (tmp / "server.log").open("w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "perm.cli", "serve", "--config", str(cfg), "--port",
             str(self.port), "--log-level", "warning", *args],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.output()}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return int(self.proc.returncode)


def direct_scores(records: list[dict[str, Any]], config: dict[str, Any] | None = None
                  ) -> list[dict[str, Any]]:
    """What PermScorer itself says about these records (the server must agree exactly)."""
    from perm.data import parse_record

    with PermScorer(config or fake_config()) as scorer:
        return [r.to_dict() for r in scorer.score([parse_record(r) for r in records])]


class WholeBatchRater(Rater):
    """Like the embedded scorer: text it cannot encode fails every sample of the batch."""

    def __init__(self) -> None:
        super().__init__()
        self.inner = LLMRater(FakeJudge())

    @property
    def identity(self) -> str:
        return self.inner.identity

    async def rate(self, jobs: Sequence[Sequence[DimensionRequest]], done: RatingsDone) -> None:
        try:
            for reqs in jobs:
                for r in reqs:
                    (r.sample.persona + r.sample.query + r.analysis + r.response).encode()
        except UnicodeEncodeError as e:
            for k, reqs in enumerate(jobs):
                done(k, [Rating(None, f"scorer error: {type(e).__name__}")] * len(reqs))
            return
        await self.inner.rate(jobs, done)
