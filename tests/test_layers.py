"""Every import inside src/perm points down the layers of docs/architecture.md, so an upward
import fails CI. The check reads the source (every import statement, also the lazy ones
inside functions and those only for type checkers); it imports nothing."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: Top to bottom. A module may import its own unit, its layer and the layers below it.
#: A unit is a top-level module or subpackage of perm (`perm.judges.openai` -> judges);
#: "" is the package itself (`from perm import __version__`).
LAYERS: list[tuple[str, set[str]]] = [
    ("edge", {"cli"}),
    ("applications", {"server", "evaluate"}),
    ("training", {"train"}),
    ("adapters", {"rewards", "integrations", "runs", "api", "convert", "ext", "env"}),
    ("algorithm", {"scoring"}),
    ("parts", {"rating", "perspectives", "parsing", "aggregate", "judges", "calling", "completion",
               "policy", "local", "audit", "signs", "shared_lines"}),
    ("foundation", {"types", "config", "errors", "text", "data", "metrics", "models", "extras",
                    "recipebook", ""}),
]
#: Test support: production code never imports it.
TEST_ONLY = {"testing"}
#: Known exceptions, each with its reason.
ALLOWED = {
    ("perm.train.__main__", "perm.cli"): "`python -m perm.train` is `perm train` (accelerate launch -m)",
    ("perm.local.distill", "perm.scoring"): "perm.local is being rewritten; distill moves up then",
}
RANK = {u: k for k, (_, units) in enumerate(LAYERS) for u in units}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path) -> Iterator[tuple[str, int, bool]]:
    """(imported perm module, line, at module level) for every import in one file."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def is_module(dotted: str) -> bool:
        base = root.joinpath(*dotted.split("."))
        return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()

    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        eager = id(node) in top
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "perm":
                    yield alias.name, node.lineno, eager
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "perm":
                continue
            for alias in node.names:  # `from . import aggregate` imports the module perm.aggregate
                sub = f"{source}.{alias.name}"
                yield (sub if is_module(sub) else source), node.lineno, eager


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def sources(root: Path) -> list[Path]:
    return sorted((root / "perm").rglob("*.py"))


def upward_imports(root: Path) -> list[str]:
    """Every import that points up the layers (or into test support), as `file:line: a -> b`."""
    found = []
    for path in sources(root):
        src = module_name(path, root)
        if src == "perm" or unit(src) in TEST_ONLY:  # the lazy facade re-exports, imports nothing
            continue
        for target, line, _ in imports(path, root):
            a, b = unit(src), unit(target)
            if a == b or (src, target) in ALLOWED:
                continue
            where = f"{path.relative_to(root)}:{line}: {src} -> {target}"
            if b in TEST_ONLY:
                found.append(f"{where} (test support)")
            elif RANK[b] < RANK[a]:
                found.append(f"{where} ({LAYERS[RANK[a]][0]} -> {LAYERS[RANK[b]][0]})")
    return found


def import_cycle(root: Path) -> list[str] | None:
    """A cycle of module-level imports, if there is one."""
    graph = {module_name(p, root): sorted({t for t, _, eager in imports(p, root) if eager})
             for p in sources(root)}
    state: dict[str, int] = {}  # 1 on the current path, 2 finished

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return trail[trail.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt, [*trail, nxt])):
                return cycle
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module, [module])):
            return cycle
    return None


def test_every_unit_has_a_layer():
    units = {unit(module_name(p, SRC)) for p in sources(SRC)} - TEST_ONLY
    assert units <= set(RANK), f"put these in a layer of LAYERS: {sorted(units - set(RANK))}"


def test_imports_point_down_the_layers():
    upward = upward_imports(SRC)
    assert not upward, "imports that point up the layers:\n" + "\n".join(upward)


def test_no_import_cycles_at_module_level():
    assert import_cycle(SRC) is None


def test_the_known_exceptions_still_exist():
    found = {(module_name(p, SRC), t) for p in sources(SRC) for t, _, _ in imports(p, SRC)}
    stale = [f"{a} -> {b}" for a, b in ALLOWED if (a, b) not in found]
    assert not stale, f"remove from ALLOWED, the import is gone: {stale}"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_check_finds_upward_lazy_and_test_support_imports(tmp_path):
    write(tmp_path, "perm/__init__.py", "")
    write(tmp_path, "perm/types.py", "def f():\n    from .scoring import PermScorer\n")
    write(tmp_path, "perm/scoring.py", "from . import types\nfrom .judges import fake\n")
    write(tmp_path, "perm/judges/__init__.py", "")
    write(tmp_path, "perm/judges/fake.py", "from ..types import Sample\n")
    write(tmp_path, "perm/cli/__init__.py", "import perm.testing.stub\n")
    write(tmp_path, "perm/testing/stub.py", "from ..judges import fake\n")
    assert upward_imports(tmp_path) == [
        "perm/cli/__init__.py:1: perm.cli -> perm.testing.stub (test support)",
        "perm/types.py:2: perm.types -> perm.scoring (foundation -> algorithm)",
    ]
    assert import_cycle(tmp_path) is None  # the upward import is lazy
    write(tmp_path, "perm/types.py", "from .scoring import PermScorer\n")
    cycle = import_cycle(tmp_path)
    assert cycle is not None and cycle[0] == cycle[-1] and {"perm.scoring", "perm.types"} <= set(cycle)
