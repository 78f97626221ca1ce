"""The examples in src/perm's docstrings run as tests (the README's test command runs them).
A module whose top-level imports need a heavy optional library is skipped when it is missing."""
from __future__ import annotations

import ast
import doctest
import importlib
import importlib.util
import io
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
EXAMPLE = re.compile(r"^\s*>>> ", re.MULTILINE)


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


WITH_EXAMPLES = sorted(p for p in (SRC / "perm").rglob("*.py")
                       if EXAMPLE.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", WITH_EXAMPLES, ids=module_name)
def test_docstring_examples(path: Path) -> None:
    missing = sorted(m for m in top_level_imports(path) if importlib.util.find_spec(m) is None)
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    module = importlib.import_module(module_name(path))
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = io.StringIO()
    for test in doctest.DocTestFinder().find(module, module.__name__):
        runner.run(test, out=out.write)
    assert runner.failures == 0, out.getvalue()
    assert runner.tries > 0, "the module's examples were not found (not in a docstring?)"


def test_the_examples_are_found():
    assert {module_name(p) for p in WITH_EXAMPLES} >= {"perm.scoring", "perm.metrics", "perm.parsing"}
