"""The embedded scorers: the packaged ones by name, or a folder written by `perm distill`.

A scorer folder holds `meta.json`, whose `format_version` says which implementation reads it:
1 = `perm-minilm-v1` (static word-piece embeddings + ridge heads, `perm.local.model`);
2 = `perm-minilm-v2` (contextual MiniLM embeddings + MLP heads, `perm.local.v2`).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Protocol

from ..errors import JudgeUnavailable
from ..types import DimensionRequest

DEFAULT = "perm-minilm-v2"
PACKAGED = ("perm-minilm-v2", "perm-minilm-v1")  # v1: ~20x faster, easier to game (MODEL_CARD.md)


class ScorerModel(Protocol):
    """What the `local` backend needs from a scorer implementation."""

    @property
    def name(self) -> str: ...

    @property
    def identity(self) -> str:
        """What every result records as the judge (after `local:`): the name, plus the runtime's
        rules revision where the runtime changes scores beyond what the folder holds."""
        ...

    def predict(self, reqs: Sequence[DimensionRequest]) -> list[float | str]:
        """A score per request (in the dimension's range), or an error string."""
        ...

    def warm_up(self) -> None:
        """Load everything the first prediction needs (fail fast with JudgeUnavailable)."""
        ...


def packaged_dir(name: str) -> Path:
    return Path(str(resources.files("perm") / "assets" / name))


def resolve(name_or_path: str | None) -> Path:
    """The folder of a packaged scorer name, or of a path; JudgeUnavailable when neither."""
    key = name_or_path or DEFAULT
    if key in PACKAGED:
        return packaged_dir(key)
    p = Path(key).expanduser()
    if (p / "meta.json").is_file():
        return p
    raise JudgeUnavailable(f"no local scorer {key!r}: give a packaged name "
                           f"({', '.join(PACKAGED)}) or a folder written by `perm distill`")


def load_scorer(name_or_path: str | None = None) -> ScorerModel:
    """Load a local scorer by packaged name or folder."""
    path = resolve(name_or_path)
    try:
        version = json.loads((path / "meta.json").read_text(encoding="utf-8")).get("format_version")
    except (OSError, ValueError) as e:
        raise JudgeUnavailable(f"{path}/meta.json: cannot read it ({e})") from None
    if version == 1:
        from .model import LocalModel

        return LocalModel.load(path)
    if version == 2:
        from .v2.model import ScorerV2

        return ScorerV2.load(path)
    raise JudgeUnavailable(f"{path}: local scorer format {version!r} is not supported by this "
                           "version of perm-reward")
