"""Run the upstream EQ-Bench3 harness (github.com/EQ-bench/eqbench3, not part of perm) against
a policy: serve it (vLLM or llama.cpp) or use a running server, point the harness at it, run
the rubric pass, and succeed only when the harness produced a rubric score for this run.

Three things the harness cannot do by itself are done here: run a subset of scenarios (a
shadow of the harness directory whose scenario file holds only the chosen ones), cap the tokens
its judge and the tested model may generate (`eqbench_proxy`), and tell a run in which every
judgment failed (it exits 0 then) from one that worked (the runs file is read afterwards)."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import PermError
from .eqbench import parse_scenarios
from .eqbench_proxy import CappingProxy, free_port

SCENARIO_FILE = Path("data") / "scenario_prompts.txt"
RUNS_FILE = "eqbench3_runs.json"
ELO_FILE = "elo_results_eqbench3.json"

Log = Callable[[str], None]


class BridgeError(PermError):
    """A usage or server problem (exit status 2)."""


class NoRubricScore(PermError):
    """The harness exited 0 without a rubric score for this run (exit status 1)."""


@dataclass
class HarnessRun:
    harness: Path
    judge_model: str
    python: str | None = None
    serve: Literal["none", "vllm", "llamacpp"] = "none"
    model: str | None = None
    lora: str | None = None
    base_url: str | None = None
    port: int | None = None
    served_name: str = "policy"
    model_name: str | None = None
    iterations: int = 1
    threads: int = 4
    runs_file: Path | None = None
    elo: bool = False
    wait: float = 600.0
    log: Path | None = None
    ctx: int = 8192
    scenarios: list[str] | None = None
    timeout: float | None = None  # the harness's REQUEST_TIMEOUT (policy and judge calls)
    judge_timeout: float | None = None
    judge_max_tokens: int | None = None
    max_tokens: int | None = None  # cap on the tested model's answers
    extra: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.model_name or self.served_name


def pick_scenarios(text: str, ids: Sequence[str]) -> str:
    """The scenario file with only the scenarios `ids` (in file order); unknown ids are an error."""
    known = [s.id for s in parse_scenarios(text)]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise BridgeError(f"--scenarios: no scenario {', '.join(unknown)} in the harness's "
                          f"{SCENARIO_FILE} (it has {', '.join(known[:12])}{' ...' if len(known) > 12 else ''})")
    keep, out = False, []
    for line in text.splitlines(keepends=True):
        if line.startswith("######## "):
            keep = line.split()[1].rstrip("|") in ids
        if keep:
            out.append(line)
    return "".join(out)


def shadow_harness(harness: Path, ids: Sequence[str], where: Path) -> Path:
    """A directory that looks like the harness (links to everything) but whose scenario file
    holds only `ids`; the harness reads its data relative to its working directory."""
    text = (harness / SCENARIO_FILE).read_text(encoding="utf-8")
    shadow = where / "harness"
    shadow.mkdir(parents=True)
    for entry in harness.iterdir():
        if entry.name != "data":
            (shadow / entry.name).symlink_to(entry.resolve())
    (shadow / "data").mkdir()
    for entry in (harness / "data").iterdir():
        if entry.name != SCENARIO_FILE.name:
            (shadow / "data" / entry.name).symlink_to(entry.resolve())
    (shadow / SCENARIO_FILE).write_text(pick_scenarios(text, ids), encoding="utf-8")
    return shadow


def _when(text: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def rubric_score(runs_path: Path, model: str, started: dt.datetime) -> float:
    """The 0-20 rubric score of `model`'s run finished after `started`; NoRubricScore says why not."""
    fail = f"the harness exited 0 but produced no rubric score for {model!r}"
    try:
        runs = json.loads(runs_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NoRubricScore(f"{fail}: it wrote no runs file ({runs_path})") from None
    except ValueError as e:
        raise NoRubricScore(f"{fail}: {runs_path} is not valid JSON ({e})") from None
    errors = []
    for key, run in (runs.items() if isinstance(runs, dict) else []):
        if not isinstance(run, dict) or run.get("model_name", run.get("test_model")) != model:
            continue
        res = run.get("results") or {}
        stamp = res.get("rubric_calculation_time") or run.get("end_time")
        try:
            if not stamp or _when(stamp) < started:
                continue  # an earlier run of the same model
        except ValueError:
            continue
        score = res.get("average_rubric_score")
        if res.get("rubric_error"):
            errors.append(f"{key}: {res['rubric_error']}")
        elif isinstance(score, (int, float)) and not isinstance(score, bool):
            return float(score)
        else:
            errors.append(f"{key}: average_rubric_score is {score!r}")
    raise NoRubricScore(f"{fail} in {runs_path}" + (f" ({'; '.join(errors)})" if errors else
                                                     " (no run of it finished)") + "; see the harness's log")


def wait_ready(base_url: str, wait: float, proc: subprocess.Popen[bytes] | None, log: Path | None) -> None:
    """Until the server lists its models (a policy server may take minutes to load)."""
    key = os.environ.get("PERM_POLICY_API_KEY")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise BridgeError(f"the policy server exited early; see {log}")
        req = urllib.request.Request(f"{base_url}/models",
                                     headers={"Authorization": f"Bearer {key}"} if key else {})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise BridgeError(f"{base_url} did not answer within {wait:g}s" + (f"; see {log}" if proc else ""))


def server_command(run: HarnessRun, port: int, python: str) -> list[str]:
    """The command that serves the policy (vLLM, llama-server, or llama-cpp-python's server)."""
    if not run.model:
        raise BridgeError(f"--serve {run.serve} needs --model")
    if run.serve == "vllm":
        if not shutil.which("vllm"):
            raise BridgeError("vllm is not installed (pip install vllm) or not on PATH")
        cmd = ["vllm", "serve", run.model, "--host", "127.0.0.1", "--port", str(port),
               "--max-model-len", str(run.ctx)]
        if run.lora:
            cfg = Path(run.lora) / "adapter_config.json"
            rank = json.loads(cfg.read_text()).get("r", 16) if cfg.exists() else 16
            return [*cmd, "--served-model-name", f"{run.served_name}-base", "--enable-lora",
                    "--lora-modules", f"{run.served_name}={run.lora}", "--max-lora-rank", str(rank)]
        return [*cmd, "--served-model-name", run.served_name]
    if not Path(run.model).is_file():
        raise BridgeError(f"{run.model}: GGUF file not found")
    if shutil.which("llama-server"):
        cmd = ["llama-server", "-m", run.model, "--host", "127.0.0.1", "--port", str(port),
               "--alias", run.served_name, "-c", str(run.ctx)]
        return [*cmd, "--lora", run.lora] if run.lora else cmd
    cmd = [python, "-m", "llama_cpp.server", "--model", run.model, "--host", "127.0.0.1",
           "--port", str(port), "--model_alias", run.served_name, "--n_ctx", str(run.ctx)]
    return [*cmd, "--lora_path", run.lora] if run.lora else cmd


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def harness_args(run: HarnessRun, runs_file: Path, elo_file: Path | None) -> list[str]:
    args = ["eqbench3.py", "--test-model", run.served_name, "--model-name", run.name,
            "--judge-model", run.judge_model, "--iterations", str(run.iterations),
            "--threads", str(run.threads), "--runs-file", str(runs_file)]
    if elo_file is not None:
        args += ["--elo-results-file", str(elo_file)]
    return args + ([] if run.elo else ["--no-elo"]) + list(run.extra)


def _runs_path(run: HarnessRun, cwd: Path) -> Path:
    """The runs file the harness will write (an explicit --runs-file after `--` wins)."""
    path = Path(run.runs_file) if run.runs_file else run.harness / RUNS_FILE
    extra = list(run.extra)
    if "--runs-file" in extra[:-1]:
        path = Path(extra[extra.index("--runs-file") + 1])
        path = path if path.is_absolute() else cwd / path
    return path.resolve()


def execute(run: HarnessRun, log: Log = print) -> float | None:
    """Serve, run the harness, check the result. Returns the 0-100 rubric score (None with
    --no-rubric); raises BridgeError / NoRubricScore, or SystemExit with the harness's status."""
    harness = Path(run.harness)
    if not (harness / "eqbench3.py").is_file():
        raise BridgeError(f"{harness}/eqbench3.py not found: is --harness an EQ-Bench3 checkout?")
    if not run.judge_model:
        raise BridgeError("--judge-model is required (the harness's judge, e.g. anthropic/claude-3.7-sonnet)")
    if run.serve == "none" and not run.base_url:
        raise BridgeError("give --base-url of a running OpenAI-compatible server, or --serve vllm|llamacpp")
    judge_url = os.environ.get("JUDGE_API_URL")
    if (run.judge_max_tokens or run.judge_timeout) and not judge_url:
        raise BridgeError("--judge-max-tokens / --judge-timeout need JUDGE_API_URL (the judge's "
                          "full .../chat/completions URL) in the environment")
    python = run.python or (str(harness / ".venv/bin/python") if (harness / ".venv/bin/python").exists()
                            else shutil.which("python3") or sys.executable)
    proc: subprocess.Popen[bytes] | None = None
    proxies: list[CappingProxy] = []
    with tempfile.TemporaryDirectory(prefix="perm-eqbench3-") as tmp:
        try:
            base_url = (run.base_url or "").rstrip("/")
            if run.serve != "none":
                port = run.port or free_port()
                log_path = run.log or Path(tmp) / f"server-{port}.log"
                cmd = server_command(run, port, sys.executable)
                log(f"starting: {' '.join(cmd)} (log: {log_path})")
                with open(log_path, "wb") as fh:
                    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
                base_url = f"http://127.0.0.1:{port}/v1"
            wait_ready(base_url, run.wait, proc, run.log)
            env = {**os.environ, "TEST_API_URL": f"{base_url}/chat/completions",
                   "TEST_API_KEY": os.environ.get("PERM_POLICY_API_KEY") or os.environ.get("TEST_API_KEY")
                   or "local-no-key"}
            if run.max_tokens:
                proxies.append(CappingProxy(env["TEST_API_URL"], run.max_tokens).start())
                env["TEST_API_URL"] = proxies[-1].url
            if run.judge_max_tokens or run.judge_timeout:
                proxies.append(CappingProxy(str(judge_url), run.judge_max_tokens, run.judge_timeout).start())
                env["JUDGE_API_URL"] = proxies[-1].url
            elif not judge_url:
                log("JUDGE_API_URL is unset; the harness falls back to its .env / defaults")
            if run.timeout:
                env["REQUEST_TIMEOUT"] = str(int(run.timeout))
            cwd = shadow_harness(harness, run.scenarios, Path(tmp)) if run.scenarios else harness
            runs_path = _runs_path(run, harness)
            elo = (harness / ELO_FILE).resolve() if run.scenarios else None
            args = harness_args(run, runs_path, elo)
            log(f"running: (cd {cwd} && {python} {' '.join(args)}) against {env['TEST_API_URL']}")
            started = dt.datetime.now(dt.timezone.utc)
            status = subprocess.run([python, *args], cwd=cwd, env=env).returncode
            if status != 0:
                raise SystemExit(status)
            if "--no-rubric" in run.extra:
                return None
            score = rubric_score(runs_path, run.name, started) * 5
            log(f"rubric score {score:.2f} / 100 (in {runs_path})")
            return score
        finally:
            for p in proxies:
                p.stop()
                if p.capped or p.timeouts:
                    log(f"capped {p.capped} of {p.requests} request(s) to {p.upstream} at "
                        f"{p.max_tokens} tokens; {p.timeouts} timed out")
            _stop(proc)
