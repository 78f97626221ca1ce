"""The CPU speed-up of TRL's fused LM head scores completion tokens exactly as before."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")


def test_compact_cpu_logprobs_match_full_ones():
    from transformers import AutoModelForCausalLM, LlamaConfig
    from trl.trainer import utils as trl_utils

    from perm.train.trainer import compact_logprobs_on_cpu

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(LlamaConfig(
        vocab_size=500, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=1))
    trl_utils.add_fused_lm_head(model)
    ids = torch.randint(0, 500, (3, 40))
    labels = ids.clone()
    labels[:, :30] = -100

    def logps():
        model.zero_grad()
        out = model(input_ids=ids, labels=labels, fused_lm_head=True).log_probs
        out.sum().backward()
        return out.detach(), model.lm_head.weight.grad.clone()

    original = trl_utils._use_triton
    try:
        full, full_grad = logps()
        assert compact_logprobs_on_cpu()
        assert trl_utils._use_triton(torch.device("cpu"))
        compact, compact_grad = logps()
    finally:
        trl_utils._use_triton = original
    torch.testing.assert_close(compact, full)
    torch.testing.assert_close(compact_grad, full_grad)
