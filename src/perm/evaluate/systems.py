"""Load the outputs of several systems and line them up by scenario id.

Every evaluation compares systems on the same scenarios, so a missing or extra id, an empty
file, or the same id carrying a different scenario is an error that names the ids (or, with
`intersect=True`, a warning and the common ids only).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..data import load_samples
from ..errors import PermError
from ..types import Sample

SHOW = 8  # ids named in one message before "and N more"


class SystemsMismatch(PermError, ValueError):
    """The systems do not cover the same scenarios (the message names the ids)."""


@dataclass
class System:
    name: str
    path: Path
    samples: list[Sample]

    @property
    def by_id(self) -> dict[str, Sample]:
        return {s.id or "": s for s in self.samples}


@dataclass
class Aligned:
    systems: list[System]
    ids: list[str]  # in the first system's order
    warnings: list[str] = field(default_factory=list)


def name_list(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:SHOW])
    return shown + (f" and {len(ids) - SHOW} more" if len(ids) > SHOW else "")


def parse_spec(spec: str) -> tuple[str | None, str]:
    """`name=path` or `path` -> (name or None, path)."""
    if "=" in spec and not Path(spec).exists():
        name, path = spec.split("=", 1)
        if name and re.fullmatch(r"[\w.\-+ ]+", name):
            return name, path
    return None, spec


def system_name(path: str | Path, taken: set[str]) -> str:
    """A readable, unique name from a file name (a.jsonl -> a, a-2, ...)."""
    base = Path(path).stem or "system"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}-{k}", k + 1
    return name


def load_system(spec: str, taken: set[str] | None = None) -> System:
    """One system's outputs (JSONL with completions); an empty file is an error."""
    name, path = parse_spec(spec)
    taken = taken if taken is not None else set()
    if name is None:
        name = system_name(path, taken)
    elif name in taken:
        raise SystemsMismatch(f"two systems are named {name!r}; give each a unique NAME=PATH")
    data = load_samples(path, require_completion=True)
    if not data.samples:
        raise SystemsMismatch(f"{path}: no outputs (the file is empty)")
    taken.add(name)
    return System(name, Path(path), data.samples)


def _situation(s: Sample) -> tuple[object, ...]:
    return (s.persona.strip(), s.scenario.strip(), s.query.strip(), s.history)


def align(systems: Sequence[System], *, intersect: bool = False) -> Aligned:
    """Check the systems share their ids (and scenarios); return the ids to compare."""
    if not systems:
        raise SystemsMismatch("no systems given")
    ref = systems[0]
    ref_ids = [s.id or "" for s in ref.samples]
    ref_set = set(ref_ids)
    common = set(ref_ids)
    problems: list[str] = []
    for other in systems[1:]:
        theirs = set(other.by_id)
        lacks = [i for i in ref_ids if i not in theirs]
        extra = [s.id or "" for s in other.samples if (s.id or "") not in ref_set]
        if lacks:
            problems.append(f"{other.name} ({other.path}) lacks {len(lacks)} id(s) of "
                            f"{ref.name}: {name_list(lacks)}")
        if extra:
            problems.append(f"{other.name} ({other.path}) has {len(extra)} id(s) that "
                            f"{ref.name} lacks: {name_list(extra)}")
        common &= theirs
    ids = [i for i in ref_ids if i in common]
    differ = [i for i in ids if any(_situation(o.by_id[i]) != _situation(ref.by_id[i])
                                    for o in systems[1:])]
    if differ:
        raise SystemsMismatch(
            f"the same id holds a different scenario in different systems: {name_list(differ)} "
            "(persona, scenario, query or history differ); were the outputs generated from "
            "the same scenario file?")
    if problems and not intersect:
        raise SystemsMismatch("the systems do not cover the same scenarios:\n  "
                              + "\n  ".join(problems)
                              + "\nRegenerate the missing outputs, or pass --intersect to "
                                "compare on the shared ids only.")
    if not ids:
        raise SystemsMismatch("the systems share no scenario ids")
    return Aligned(list(systems), ids, problems)


def load_aligned(specs: Sequence[str], *, intersect: bool = False,
                 exactly: int | None = None) -> Aligned:
    """Load every `name=path` / `path` spec and align them."""
    if exactly is not None and len(specs) != exactly:
        raise SystemsMismatch(f"expected {exactly} system files, got {len(specs)}")
    taken: set[str] = set()
    return align([load_system(s, taken) for s in specs], intersect=intersect)
