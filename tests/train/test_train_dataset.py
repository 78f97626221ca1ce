"""Training data: JSONL scenarios -> prompts + reward columns, with a stable holdout."""
from __future__ import annotations

import json

import pytest

from perm.errors import ConfigError, DataErrors
from perm.rewards.trl import build_samples
from perm.train.config import DataSection
from perm.train.dataset import expand_paths, is_holdout, load_prompts, load_split, to_row


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


ROWS = [{"id": f"s{i}", "persona": "p", "scenario": "s", "query": f"q{i}"} for i in range(200)]


def test_holdout_is_stable_disjoint_and_about_the_asked_size(tmp_path):
    write(tmp_path / "a.jsonl", ROWS)
    cfg = DataSection(train=[str(tmp_path / "*.jsonl")], holdout_fraction=0.25)
    train, dev = load_split(cfg)
    assert {s.id for s in train}.isdisjoint({s.id for s in dev})
    assert len(train) + len(dev) == 200 and 30 <= len(dev) <= 70
    # adding scenarios never moves an old one across the split
    write(tmp_path / "b.jsonl", [{**r, "id": f"new{i}"} for i, r in enumerate(ROWS[:50])])
    train2, dev2 = load_split(cfg)
    assert {s.id for s in dev} <= {s.id for s in dev2}
    assert is_holdout("s1", 0.0) is False


def test_max_prompts_caps_training(tmp_path):
    write(tmp_path / "a.jsonl", ROWS)
    train, _ = load_split(DataSection(train=[str(tmp_path / "a.jsonl")], max_prompts=5))
    assert len(train) == 5


def test_duplicate_ids_across_files_are_reported(tmp_path):
    write(tmp_path / "a.jsonl", ROWS[:2])
    write(tmp_path / "b.jsonl", ROWS[1:3])
    with pytest.raises(DataErrors, match="duplicate id 's1'"):
        load_prompts(expand_paths([str(tmp_path / "*.jsonl")]))


def test_unmatched_glob_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no file matches"):
        expand_paths([str(tmp_path / "*.jsonl")])


def test_rows_carry_what_the_reward_needs(tmp_path):
    rec = {"id": "h", "persona": "p", "scenario": "s", "query": "q", "hidden_intention": "hi",
           "history": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    (sample,) = load_prompts([write(tmp_path / "a.jsonl", [rec])])
    row = to_row(sample)
    assert row["prompt"][0]["role"] == "system"
    cols = {k: [v] for k, v in row.items() if k != "prompt"}
    (back,) = build_samples(["# Analysis\na\n# Response\nb"], cols)
    assert (back.id, back.persona, back.hidden_intention, back.history) == (
        sample.id, sample.persona, sample.hidden_intention, sample.history)


def test_dataset_builds_with_mixed_optional_columns(tmp_path):
    pytest.importorskip("datasets")
    from perm.train.dataset import to_dataset

    rows = [ROWS[0], {**ROWS[1], "hidden_intention": "x",
                      "history": [{"role": "user", "content": "a"}]}]
    ds = to_dataset(load_prompts([write(tmp_path / "a.jsonl", rows)]))
    assert len(ds) == 2 and ds[0]["hidden_intention"] is None and ds[1]["history"].startswith("[")
