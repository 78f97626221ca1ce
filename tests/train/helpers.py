"""Helpers for the training tests: the packaged SmolLM2 file name, a tiny Llama architecture
and a handful of scenarios."""
from __future__ import annotations

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
TINY_LLAMA = {"model_type": "llama", "hidden_size": 32, "intermediate_size": 64,
              "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
              "max_position_embeddings": 2048}
SCENARIOS = [
    {"id": f"t{i}", "persona": f"Person {i}, {30 + i}, a nurse.", "scenario": "A hard week at work.",
     "query": f"i'm so tired of everything ({i})"} for i in range(6)
]
SCENARIOS[0]["hidden_intention"] = "wants to be told it is fine to rest"
SCENARIOS[1]["history"] = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
