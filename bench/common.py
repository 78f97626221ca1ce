"""Shared benchmark helpers: machine facts, synthetic samples, a stub judge in its own process,
medians, and JSON result files."""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shlex
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from perm.types import Sample

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# Synthetic but realistically sized sample text (our own words): a GRPO completion has a short
# private analysis and a reply of a few paragraphs.
_PERSONA = ("A {age}-year-old night-shift nurse who moved to a new city last spring, keeps her "
            "worries to herself, and jokes when things get heavy. She is close to her sister but "
            "rarely calls because she does not want to be a burden.")
_SCENARIO = ("After a twelve-hour shift she learns that the promotion she trained for went to a "
             "colleague who joined six months ago. Her manager said she is 'too valuable on the "
             "floor'. Rent went up this month and she has been sleeping badly for weeks.")
_QUERY = ("honestly it's fine, I guess I'm just tired. they said I'm too valuable where I am, "
          "which is a compliment right? I don't know why I keep replaying it. case {i}")
_ANALYSIS = ("She is minimising a real disappointment with humour and fatigue. Underneath is hurt "
             "at being overlooked and a fear that her reliability is the very thing keeping her "
             "stuck. The 'compliment' framing is how she is trying to make it acceptable. She "
             "probably wants permission to be upset without being seen as ungrateful. Draft {j}.")
_RESPONSE = ("That doesn't sound fine, and it makes sense that it keeps replaying. Being told you "
             "are 'too valuable' to move up can feel like being thanked and held back in the same "
             "breath, especially after you put in the training.\n\nYou are allowed to be "
             "disappointed and still be good at your job. If you want, we could think about what "
             "you would like to ask your manager, or just talk about how the last few weeks have "
             "been. Either is fine. Variant {j}.")


def make_samples(n: int, generations: int = 8, prefix: str = "b") -> list[Sample]:
    """n samples as GRPO groups: every `generations` consecutive samples share one prompt."""
    out = []
    for k in range(n):
        i, j = divmod(k, generations)
        out.append(Sample(
            persona=_PERSONA.format(age=25 + i % 30), scenario=_SCENARIO, query=_QUERY.format(i=i),
            completion=f"# Analysis\n{_ANALYSIS.format(j=j)}\n# Response\n{_RESPONSE.format(j=j)}",
            id=f"{prefix}{k}"))
    return out


def sample_record(s: Sample) -> dict[str, Any]:
    return {"id": s.id, "persona": s.persona, "scenario": s.scenario, "query": s.query,
            "completion": s.completion}


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def summary(values: Sequence[float], digits: int = 4) -> dict[str, Any]:
    """Median, min, max and every repeat (so noise is visible)."""
    vals = [float(v) for v in values]
    return {"median": round(median(vals), digits), "min": round(min(vals), digits),
            "max": round(max(vals), digits), "n": len(vals), "all": [round(v, digits) for v in vals]}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"nproc": os.cpu_count(), "cpu_model": cpu_model(), "python": platform.python_version(),
            "platform": platform.platform(), "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "loadavg_at_start": [round(x, 2) for x in load] if load else None,
            "versions": {d: _version(d) for d in ("perm-reward", "aiohttp", "openai", "httpx", "torch", "trl")}}


def write_result(name: str, data: dict[str, Any], out_dir: Path | None = None) -> Path:
    out = out_dir or RESULTS
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StubProcess:
    """The stub judge server (perm.testing.stub_server) in its own process, so that its CPU
    time is not counted as the client's. Counters come from its /stats endpoint."""

    def __init__(self, *, latency: float = 0.0, jitter: float = 0.0, fault_rate: float = 0.0,
                 faults: Sequence[str] | None = None, hang_seconds: float = 30.0,
                 retry_after: float = 0.05, seed: int = 0, token_latency: float = 0.0,
                 pad_words: int = 0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.args = [sys.executable, "-m", "perm.testing.stub_server", "--port", str(self.port),
                     "--latency", str(latency), "--jitter", str(jitter), "--fault-rate", str(fault_rate),
                     "--hang-seconds", str(hang_seconds), "--retry-after", str(retry_after),
                     "--seed", str(seed), "--token-latency", str(token_latency),
                     "--pad-words", str(pad_words)]
        if faults:
            self.args += ["--faults", ",".join(faults)]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> str:
        return shlex.join(["python", *self.args[1:]])

    def __enter__(self) -> StubProcess:
        self.proc = subprocess.Popen(self.args, cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"stub server exited: {err[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/models", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("stub server did not start within 30 s")

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=30) as r:
            return json.loads(r.read())  # type: ignore[no-any-return]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the stub process has used so far."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset(self) -> None:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/reset", data=b"", method="POST")
        urllib.request.urlopen(req, timeout=30).read()

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()


def openai_scoring_config(url: str, **judge: Any) -> dict[str, Any]:
    """A scoring config dict for perm's own OpenAI-compatible judge pointed at the stub."""
    return {"judge": {"backend": "openai", "base_url": [url], "model": "stub-judge",
                      "api_key_env": ["PERM_BENCH_NO_KEY"], **judge}}
