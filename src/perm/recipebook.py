"""Recipes shipped inside the package: training recipes (`perm train -c NAME`), scoring configs
(`perm score -c NAME`), an accelerate config and a verl config, found by name.

A name is the recipe's path under `perm/recipes/` without `.yaml` (`cpu-smollm2`,
`accelerate/zero3`). In a source checkout `recipes/` links to the same files.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ConfigError

SUFFIX = ".yaml"


@dataclass(frozen=True)
class Recipe:
    name: str
    kind: str  # train | scoring | accelerate | verl
    summary: str  # the file's first comment line
    path: Path


def recipes_dir() -> Path:
    """The folder of the packaged recipes."""
    return Path(str(resources.files("perm") / "recipes"))


def _kind(name: str) -> str:
    if "/" in name:
        return name.split("/", 1)[0]
    return "scoring" if name.startswith("scoring-") else "train"


def _summary(path: Path, width: int = 100) -> str:
    """The first sentence of the file's leading comment, at most `width` characters."""
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.lstrip("#").strip()
        if not line.startswith("#") or not text:
            break
        words.append(text)
    para = " ".join(words)
    end = para.find(". ")
    first = para[: end + 1] if end >= 0 else para
    return first if len(first) <= width else first[: width - 3].rstrip() + "..."


def list_recipes() -> list[Recipe]:
    """Every packaged recipe, sorted by name."""
    root = recipes_dir()
    found = sorted(root.rglob(f"*{SUFFIX}"))
    out = []
    for p in found:
        name = p.relative_to(root).as_posix()[: -len(SUFFIX)]
        out.append(Recipe(name, _kind(name), _summary(p), p))
    return out


def recipe_path(name: str) -> Path:
    """The file of packaged recipe `name` (`.yaml` optional); ConfigError with the closest names."""
    key = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else name
    names = {r.name: r.path for r in list_recipes()}
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, list(names), n=2)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ConfigError(f"no recipe file or packaged recipe named {name!r}{hint} "
                      f"(packaged: {', '.join(sorted(names))}; see `perm recipes list`)")


def resolve(name_or_path: str | Path) -> Path:
    """An existing file as is, else the packaged recipe of that name (ConfigError if neither)."""
    p = Path(name_or_path).expanduser()
    if p.is_file():
        return p
    if p.exists():
        raise ConfigError(f"{p} is not a file")
    return recipe_path(str(name_or_path))
