"""Reward columns of any sequence type, clear errors for wrong shapes, and the compact
completions log that `log_completions=True` prints (one line per completion)."""
from __future__ import annotations

import asyncio
import io
from contextlib import redirect_stdout

import pytest
from tests.rewards.test_trl_rewards import N, call_all, columns, completions

from perm.data import load_samples
from perm.errors import DataError
from perm.policy import build_messages
from perm.rewards.completion_log import MAX_ROWS, install, print_compact, rows
from perm.rewards.trl import build_samples, perm_reward_funcs

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_a_datasets_column_works_like_a_list() -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict(columns())
    as_columns = {name: ds[name] for name in ds.column_names}
    assert type(as_columns["persona"]).__name__ == "Column"  # not a list: what users pass
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    want = asyncio.run(call_all(funcs, completions(), columns()))
    funcs = perm_reward_funcs({"judge": {"backend": "fake"}})
    assert asyncio.run(call_all(funcs, completions(), as_columns)) == want


def test_tuples_and_arrays_are_columns_too() -> None:
    np = pytest.importorskip("numpy")
    cols = columns()
    cols["persona"] = tuple(cols["persona"])
    cols["query"] = np.array(cols["query"])
    assert build_samples(completions(), cols) == build_samples(completions(), columns())


def test_a_column_of_the_wrong_length_says_so() -> None:
    with pytest.raises(DataError, match=r"field 'persona': has 3 values for 4 completions"):
        build_samples(completions(), columns(persona=["p"] * 3))


def test_a_single_value_instead_of_a_column_says_what_was_passed() -> None:
    with pytest.raises(DataError, match=r"field 'scenario': expected one value per completion "
                                        r"\(4\), got str 'Her husband"):
        build_samples(completions(), columns(scenario="Her husband died."))


def test_missing_columns_list_what_is_needed_and_what_was_given() -> None:
    cols = columns()
    del cols["persona"], cols["query"]
    with pytest.raises(DataError, match=r"needs the dataset columns persona, scenario, query "
                                        r"\(given: category, hidden_intention, history, id, scenario\)"):
        build_samples(completions(), cols)


def test_unrelated_columns_of_other_shapes_are_ignored() -> None:
    got = build_samples(completions(), columns(category="grief", tags=[1, 2]))
    assert got == build_samples(completions(), columns())


def real_batch(n: int = 4):
    samples = load_samples(ROOT / "examples" / "samples.jsonl").samples[:n]
    prompts = [build_messages(s) for s in samples]
    comps = [[{"role": "assistant", "content": s.completion}] for s in samples]
    rewards = {"empathy": [0.5] * n, "bystander": [-0.1] * n, "length": [0.0] * n}
    extra = {"resonation": [3.0] * n, "expression": [2.0] * n, "reception": [4.0] * n,
             "bystander_score": [70.0] * n, "outcome": ["scored"] * n, "failures": [""] * n}
    return prompts, comps, rewards, extra


def printed(fn, *args, **kw) -> list[str]:
    buf = io.StringIO()
    with redirect_stdout(buf):
        fn(*args, **kw)
    return buf.getvalue().splitlines()


def test_perm_reward_funcs_make_trls_completion_log_one_line_each(monkeypatch) -> None:
    grpo_trainer = pytest.importorskip("trl.trainer.grpo_trainer")
    from trl.trainer.utils import print_prompt_completions_sample as trls

    monkeypatch.setattr(grpo_trainer, "print_prompt_completions_sample", trls)
    monkeypatch.setenv("COLUMNS", "80")
    prompts, comps, rewards, extra = real_batch(4)
    before = printed(grpo_trainer.print_prompt_completions_sample, prompts, comps, rewards,
                     [0.1] * 4, 3, None, extra=extra)
    perm_reward_funcs({"judge": {"backend": "fake"}})
    after = printed(grpo_trainer.print_prompt_completions_sample, prompts, comps, rewards,
                    [0.1] * 4, 3, None, extra=extra)
    assert len(before) > 500  # TRL's full table: the prompt alone wraps over hundreds of lines
    assert len(after) <= 10
    assert sum(" 0.400 " in line for line in after) == 4  # one line per completion


def test_the_compact_log_falls_back_to_trls_printer_on_a_new_signature(monkeypatch) -> None:
    grpo_trainer = pytest.importorskip("trl.trainer.grpo_trainer")
    seen = []
    monkeypatch.setattr(grpo_trainer, "print_prompt_completions_sample",
                        lambda *a, **k: seen.append((a, k)))
    assert install()
    grpo_trainer.print_prompt_completions_sample("a new", "argument", "layout", surprise=1)
    assert seen == [(("a new", "argument", "layout"), {"surprise": 1})]
    assert install()  # idempotent: no double wrapping
    assert not getattr(seen, "_perm_compact", False)


def test_rows_cut_long_batches_and_show_missing_rewards() -> None:
    n = 64
    prompts = [[{"role": "user", "content": f"About: x\n\nTheir message to you:\nhello {i}"}]
               for i in range(n)]
    comps = [f"# Analysis\na\n# Response\nreply {i}" for i in range(n)]
    rewards = {"empathy": [0.5] * n, "length": [None] + [0.0] * (n - 1)}
    header, body = rows(prompts, comps, rewards, None, {"outcome": ["scored"] * n,
                                                         "failures": ['{"bystander": "x"}'] * n})
    assert header == ["#", "seeker", "reply", "reward", "outcome"]
    assert len(body) == MAX_ROWS
    first = body[0]
    i = int(first[0])
    assert first[1] == f"hello {i}" and first[2] == f"reply {i}"  # the seeker's words, the reply
    assert first[4] == "scored: bystander"
    _, all_rows = rows(prompts, comps, rewards, None, None, limit=n)
    assert all_rows[0][3] == "-" and all_rows[1][3] == "0.500"


def test_print_compact_fits_one_line_per_completion(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    prompts, comps, rewards, extra = real_batch(N)
    lines = printed(print_compact, prompts, comps, rewards, [0.25] * N, 7, extra=extra)
    assert lines[0].startswith("step 7: 4 completions")
    assert all(len(line) <= 80 for line in lines)
    assert sum("R3 E2 C4 B70" in line for line in lines) == N
