"""Runs inside a separate venv that has verl / OpenRLHF installed (see scripts/setup_rl_venv.sh)
and calls *their* reward-loading and remote-RM client code against our adapters and server.
Prints one JSON object on the last line; tests/integrations/test_rl_engines.py checks it.

    python engine_driver.py verl PARQUET RECIPE_DIR
    python engine_driver.py verl-down PARQUET RECIPE_DIR   # the judge fails every call
    python engine_driver.py openrlhf URL ADAPTER_FILE CASES_JSON     # current OpenRLHF
    python engine_driver.py openrlhf-file ADAPTER_FILE CASES_JSON    # file mode only
    python engine_driver.py openrlhf-old URL ADAPTER_FILE CASES_JSON # OpenRLHF <= 0.9.0
"""
from __future__ import annotations

import asyncio
import json
import sys
from types import SimpleNamespace
from typing import Any

GOOD = "# Analysis\nShe is worn out and wants to be taken seriously.\n# Response\nThat is too long to wait."
COMPLETIONS = [GOOD, "no headers at all", GOOD + " I can help with the letter.", GOOD]


class CharTokenizer:
    """One token per character: enough for the engines' decode / tokenize calls."""

    def decode(self, ids: Any, skip_special_tokens: bool = True) -> str:
        return "".join(chr(int(i)) for i in ids if int(i) > 0)

    def __call__(self, text: str, add_special_tokens: bool = False, return_tensors: str = "pt") -> Any:
        import torch

        return {"input_ids": torch.tensor([[ord(c) for c in text]])}


def _dataproto(rows: list[dict[str, Any]], completions: list[str]) -> Any:
    """A verl batch as its reward managers receive it (left-padded prompts, right-padded responses)."""
    import numpy as np
    import torch
    from verl import DataProto

    prompts = [r["extra_info"]["query"] for r in rows]
    p_len = max(len(p) for p in prompts)
    r_len = max(len(c) for c in completions)
    prompt_ids = torch.zeros(len(rows), p_len, dtype=torch.long)
    resp_ids = torch.zeros(len(rows), r_len, dtype=torch.long)
    mask = torch.zeros(len(rows), p_len + r_len, dtype=torch.long)
    for i, (p, c) in enumerate(zip(prompts, completions, strict=True)):
        prompt_ids[i, p_len - len(p):] = torch.tensor([ord(x) for x in p])
        resp_ids[i, :len(c)] = torch.tensor([ord(x) for x in c])
        mask[i, p_len - len(p):p_len + len(c)] = 1
    return DataProto.from_dict(
        tensors={"prompts": prompt_ids, "responses": resp_ids, "attention_mask": mask,
                 "input_ids": torch.cat([prompt_ids, resp_ids], dim=1)},
        non_tensors={"data_source": np.array([r["data_source"] for r in rows], dtype=object),
                     "reward_model": np.array([r["reward_model"] for r in rows], dtype=object),
                     "extra_info": np.array([dict(r["extra_info"]) for r in rows], dtype=object)})


def _last_scores(reward_tensor: Any, data: Any) -> list[float]:
    p_len = data.batch["prompts"].shape[-1]
    lengths = data.batch["attention_mask"][:, p_len:].sum(-1)
    return [float(reward_tensor[i, int(n) - 1]) for i, n in enumerate(lengths)]


def run_verl(parquet: str, recipe_dir: str) -> dict[str, Any]:
    import pandas as pd
    from hydra import compose, initialize_config_dir
    from verl.trainer.ppo.reward import get_custom_reward_fn, load_reward_manager
    from verl.workers.reward_manager.batch import BatchRewardManager
    from verl.workers.reward_manager.naive import NaiveRewardManager

    rows = pd.read_parquet(parquet).head(len(COMPLETIONS)).to_dict("records")
    tok = CharTokenizer()
    out: dict[str, Any] = {"contexts": [{k: v for k, v in r["extra_info"].items()
                                         if k in ("id", "persona", "scenario", "query",
                                                  "hidden_intention")} for r in rows],
                           "completions": COMPLETIONS}
    for name in ("compute_score", "compute_score_async"):
        with initialize_config_dir(config_dir=recipe_dir, version_base=None):
            cfg = compose(config_name="perm_grpo", overrides=[
                "reward.custom_reward_function.reward_kwargs.judge=fake",
                f"reward.custom_reward_function.name={name}"])
        out.setdefault("recipe", {
            "path": cfg.reward.custom_reward_function.path,
            "n": cfg.actor_rollout_ref.rollout.n, "lr": cfg.actor_rollout_ref.actor.optim.lr,
            "adv_estimator": cfg.algorithm.adv_estimator})
        # verl's reward loop manager (the default in verl 0.9), built by verl from the config
        manager = load_reward_manager(cfg, tok)
        data = _dataproto(rows, COMPLETIONS)
        results = [manager.loop.run_until_complete(manager.run_single(data[i:i + 1]))
                   for i in range(len(rows))]
        out[f"reward_loop/{name}"] = [r["reward_score"] for r in results]
        out[f"reward_loop_extra_keys/{name}"] = sorted(results[0]["reward_extra_info"])
    with initialize_config_dir(config_dir=recipe_dir, version_base=None):
        cfg = compose(config_name="perm_grpo",
                      overrides=["reward.custom_reward_function.reward_kwargs.judge=fake"])
    fn = get_custom_reward_fn(cfg)
    data = _dataproto(rows, COMPLETIONS)
    legacy = NaiveRewardManager(tokenizer=tok, num_examine=0, compute_score=fn)(data, return_dict=True)
    out["legacy_naive"] = _last_scores(legacy["reward_tensor"], data)
    out["legacy_naive_extra_lengths"] = sorted({len(v) for v in legacy["reward_extra_info"].values()})
    batch = BatchRewardManager(tokenizer=tok, num_examine=0, compute_score=fn)(data, return_dict=True)
    out["legacy_batch"] = _last_scores(batch["reward_tensor"], data)
    return out


def run_verl_down(parquet: str, recipe_dir: str) -> dict[str, Any]:
    """verl's reward-loop manager scoring one sample at a time while the judge is down
    (PERM_CONFIG and PERM_MAX_FAILED_SAMPLES come from the environment): rewards until the
    adapter raises, and what it raised."""
    import pandas as pd
    from hydra import compose, initialize_config_dir
    from verl.trainer.ppo.reward import load_reward_manager

    rows = pd.read_parquet(parquet).head(6).to_dict("records")
    with initialize_config_dir(config_dir=recipe_dir, version_base=None):
        cfg = compose(config_name="perm_grpo",
                      overrides=["reward.custom_reward_function.reward_kwargs.judge=fake"])
    manager = load_reward_manager(cfg, CharTokenizer())
    data = _dataproto(rows, [GOOD] * len(rows))
    out: dict[str, Any] = {"scores": [], "missing": [], "resonation": [], "raised": None}
    for i in range(len(rows)):
        try:
            result = manager.loop.run_until_complete(manager.run_single(data[i:i + 1]))
        except Exception as e:  # what verl would see: it stops the run
            out["raised"] = f"{type(e).__name__}: {e}"
            break
        out["scores"].append(result["reward_score"])
        out["missing"].append(result["reward_extra_info"]["missing"])
        out["resonation"].append(repr(result["reward_extra_info"]["resonation"]))
    return out


def run_openrlhf(url: str, adapter_file: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    from openrlhf.utils.agent import SingleTurnAgentExecutor

    class Engine:  # stands in for a vLLM engine: "generates" the planned completion
        def __init__(self, completion: str) -> None:
            self.completion = completion

        async def generate(self, prompt_ids: Any, params: Any, multi_modal_data: Any = None) -> Any:
            ids = [ord(c) for c in self.completion + "<|im_end|>"]
            return SimpleNamespace(outputs=[SimpleNamespace(token_ids=ids, finish_reason="stop",
                                                            logprobs=None)])

    params = SimpleNamespace(max_tokens=4096, logprobs=None)
    out: dict[str, Any] = {}
    targets = (("http", [url]), ("func", adapter_file)) if url else (("func", adapter_file),)
    for mode, target in targets:
        executor = SingleTurnAgentExecutor(remote_rm_url=target)

        async def run_all(ex: Any = executor) -> list[Any]:
            return list(await asyncio.gather(*(
                ex.execute(c["prompt"], c["label"], params, 8192, CharTokenizer(),
                           Engine(c["completion"])) for c in cases)))

        outputs = asyncio.run(run_all())
        out[mode] = [{"reward": _flat(o["reward"]), "scores": _flat(o["scores"]),
                      "extra_logs": {k: _flat(v) for k, v in o["extra_logs"].items()}}
                     for o in outputs]
    return out


def run_openrlhf_old(url: str, adapter_file: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
    """OpenRLHF <= 0.9.0 (`--remote_rm_url`): its real HTTP client, `request_api_wrapper`, and
    its file loader; results merged the way its `update_samples_with_rewards`
    (openrlhf/trainer/ppo_utils/experience_maker.py) does: torch.cat of torch.as_tensor."""
    import importlib.util

    import torch
    from openrlhf.utils.remote_rm_utils import request_api_wrapper

    queries = [c["prompt"] + c["completion"] + "<|im_end|>" for c in cases]
    prompts, labels = [c["prompt"] for c in cases], [c["label"] for c in cases]
    half = len(cases) // 2  # two shards, as with two reward servers or two micro-batches
    http = [request_api_wrapper(url, {"query": queries[a:b], "prompts": prompts[a:b],
                                      "labels": labels[a:b]}, try_max_times=1)
            for a, b in ((0, half), (half, len(cases)))]
    spec = importlib.util.spec_from_file_location("reward_func", adapter_file)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    func = [module.reward_func(queries[a:b], prompts[a:b], labels[a:b])
            for a, b in ((0, half), (half, len(cases)))]
    out: dict[str, Any] = {}
    for mode, infos in (("http", http), ("func", func)):
        out[mode] = {
            "rewards": torch.cat([torch.as_tensor(i["rewards"]) for i in infos]).tolist(),
            "scores": torch.cat([torch.as_tensor(i["scores"]) for i in infos]).tolist(),
            "extra_logs": {k: torch.cat([torch.as_tensor(i["extra_logs"][k]) for i in infos]).tolist()
                           for k in infos[0]["extra_logs"]}}
    return out


def _flat(value: Any) -> Any:
    if hasattr(value, "tolist"):
        value = value.tolist()
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "verl":
        result = run_verl(*args)
    elif mode == "verl-down":
        result = run_verl_down(*args)
    elif mode == "openrlhf":
        result = run_openrlhf(args[0], args[1], json.loads(args[2]))
    elif mode == "openrlhf-file":
        result = run_openrlhf("", args[0], json.loads(args[1]))
    elif mode == "openrlhf-old":
        result = run_openrlhf_old(args[0], args[1], json.loads(args[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
