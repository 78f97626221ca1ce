"""Runs inside the verl / OpenRLHF venv and drives *their* multi-turn code with our adapters
(issue 15.3). Prints one JSON object on the last line; tests/integrations/test_multiturn_engines.py
checks it against episodes replayed with `perm.env.SeekerEnv` in the main venv.

    python multiturn_driver.py openrlhf ADAPTER_FILE TOKENIZER_DIR CASES_JSON
    python multiturn_driver.py verl MODEL_DIR CASES_JSON AGENT_LOOP_YAML RECIPE_DIR
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from types import SimpleNamespace
from typing import Any


def policy_output(k: int) -> str:
    """The scripted policy's turn k (1-based): a well-formed output."""
    return f"# Analysis\nTurn {k}: they feel unheard.\n# Response\nThat sounds hard. What happened next ({k})?"


def run_openrlhf(adapter: str, tokenizer_dir: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    spec = importlib.util.spec_from_file_location("agent_module", adapter)  # as OpenRLHF loads it
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    from openrlhf.utils.agent import AgentExecutorBase

    assert issubclass(module.AgentExecutor, AgentExecutorBase)
    executor = module.AgentExecutor()

    class Engine:  # stands in for vLLM: the scripted policy, one turn per call, in tokens
        def __init__(self) -> None:
            self.turn = 0

        async def generate(self, prompt_ids: Any, params: Any, multi_modal_data: Any = None) -> Any:
            self.turn += 1
            text = policy_output(self.turn)
            ids = tok(text=text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
            return SimpleNamespace(outputs=[SimpleNamespace(token_ids=ids, text=text,
                                                            finish_reason="stop", logprobs=None)])

    params = SimpleNamespace(max_tokens=None, logprobs=None)

    async def run_all() -> list[Any]:
        return list(await asyncio.gather(*(
            executor.execute(c["prompt"], c["label"], SimpleNamespace(**vars(params)), 4096, tok, Engine())
            for c in cases)))

    outs = asyncio.run(run_all())
    result = []
    for o in outs:
        obs = o["observation_tokens"]
        result.append({"reward": float(o["reward"]), "scores": float(o["scores"]),
                       "extra_logs": {k: float(v) for k, v in o["extra_logs"].items()},
                       "actions": [tok.decode(obs[a:b]) for a, b in o["action_ranges"]],
                       "between": [tok.decode(obs[b:a]) for (_, b), (a, _) in
                                   zip(o["action_ranges"], o["action_ranges"][1:])],
                       "truncated": o["truncated"]})
    return {"episodes": result}


def _runs(mask: list[int], ids: list[int], tok: Any) -> tuple[list[str], list[str]]:
    """The response's policy spans (mask 1) and environment spans (mask 0), decoded."""
    policy, env, start = [], [], 0
    for k in range(1, len(mask) + 1):
        if k == len(mask) or mask[k] != mask[start]:
            (policy if mask[start] else env).append(tok.decode(ids[start:k]))
            start = k
    return policy, env


def run_verl(model: str, cases: list[dict[str, Any]], agent_yaml: str, recipe: str) -> dict[str, Any]:
    """verl's own AgentLoopWorker (hydra-composed from recipes/verl/perm_grpo.yaml) generates a
    batch with our agent loop; a scripted policy stands in for the LLM server."""
    import numpy as np
    from hydra import compose, initialize_config_dir
    from transformers import AutoTokenizer
    from verl import DataProto
    from verl.experimental.agent_loop.agent_loop import AgentLoopWorker
    from verl.workers.rollout.replica import TokenOutput

    with initialize_config_dir(config_dir=recipe, version_base=None):
        cfg = compose(config_name="perm_grpo", overrides=[
            f"actor_rollout_ref.model.path={model}",
            f"actor_rollout_ref.rollout.agent.agent_loop_config_path={agent_yaml}",
            "actor_rollout_ref.rollout.agent.default_agent_loop=perm_seeker",
            "actor_rollout_ref.rollout.prompt_length=1024",
            "actor_rollout_ref.rollout.response_length=1024"])
    tok = AutoTokenizer.from_pretrained(model)

    class Client:  # stands in for verl's LLM server client: the scripted policy, in tokens
        def __init__(self) -> None:
            self.turns: dict[str, int] = {}

        async def generate(self, *, request_id: str, prompt_ids: Any, sampling_params: Any,
                           **kwargs: Any) -> Any:
            k = self.turns[request_id] = self.turns.get(request_id, 0) + 1
            ids = tok(policy_output(k), add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
            return TokenOutput(token_ids=ids)

    worker = AgentLoopWorker(cfg, llm_client=Client())
    batch = DataProto.from_dict(non_tensors={
        "raw_prompt": np.array([c["prompt"] for c in cases], dtype=object),
        "extra_info": np.array([c["extra_info"] for c in cases], dtype=object),
        "index": np.arange(len(cases))})
    out = asyncio.run(worker.generate_sequences(batch))
    result = []
    for i in range(len(cases)):
        mask = out.batch["response_mask"][i].tolist()
        n = int(out.batch["attention_mask"][i, -len(mask):].sum())
        ids = out.batch["responses"][i].tolist()[:n]
        policy, env = _runs(mask[:n], ids, tok)
        result.append({"rm_score": float(out.batch["rm_scores"][i].sum()),
                       "rm_nonzero": int((out.batch["rm_scores"][i] != 0).sum()),
                       "policy": policy, "env": env,
                       "turn_scores": list(out.non_tensor_batch["turn_scores"][i]),
                       "perm": dict(out.non_tensor_batch["perm"][i]),
                       "num_turns": int(out.non_tensor_batch["__num_turns__"][i])})
    return {"episodes": result}


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "openrlhf":
        adapter, tok_dir, cases = args
        out = run_openrlhf(adapter, tok_dir, json.loads(open(cases).read()))
    elif mode == "verl":
        model, cases, agent_yaml, recipe = args
        out = run_verl(model, json.loads(open(cases).read()), agent_yaml, recipe)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
