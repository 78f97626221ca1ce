import json

import numpy as np
import pytest
from click.testing import CliRunner

from perm.cli import cli
from perm.local.distill import distill, evaluate, load_labelled
from perm.local.model import LocalModel, default_model_dir
from perm.scoring import PermScorer
from perm.types import Sample

pytest.importorskip("tokenizers")
DATA = "data/perm-empathy"


def first_scenario(split="test"):
    rows = [json.loads(line) for line in open(f"{DATA}/{split}.jsonl")]
    sid = rows[0]["scenario_id"]
    return [r for r in rows if r["scenario_id"] == sid]


def test_local_is_the_default_judge_and_scores_offline():
    scorer = PermScorer()
    # the runtime's rules revision is part of the identity: a resumed run never mixes rule sets
    assert scorer.identity == "local:perm-minilm-v2@r13"
    rows = first_scenario()
    res = scorer.score([Sample(r["persona"], r["scenario"], r["query"], id=r["id"],
                               hidden_intention=r.get("hidden_intention"), completion=r["completion"])
                        for r in rows])
    for r in res:
        if r.format_ok:
            assert 1 <= r.scores["resonation"] <= 5 and 0 <= r.scores["bystander"] <= 100
            assert r.failures == {}
    by_kind = {row["kind"]: res[i] for i, row in enumerate(rows)}
    bad = [k for k in ("cold", "judge_aimed", "service_speak", "advice_dump") if k in by_kind]
    assert bad and all(by_kind["excellent"].reward > by_kind[k].reward for k in bad)


def test_long_and_empty_inputs_never_crash():
    long_text = "# Analysis\n" + "She is sad. " * 5000 + "\n# Response\n" + "I hear you. " * 8000
    scorer = PermScorer()
    (r,) = scorer.score([Sample("p", "s", "q", completion=long_text)])
    assert r.reward is not None and r.terms["length"] < 0  # long: penalised, not crashed
    empty = PermScorer({"on_format_error": "judge"}).score([Sample("p", "s", "q", completion="   ")])
    assert empty[0].reward is not None


def test_packaged_model_is_small_and_documented():
    d = default_model_dir()
    size = sum(p.stat().st_size for p in d.iterdir())
    assert size < 20 * 1024 * 1024
    meta = json.loads((d / "meta.json").read_text())
    assert set(meta["dimensions"]) == {"resonation", "expression", "reception", "bystander"}
    assert meta["seed"] == 0 and meta["n_train"] > 1000


@pytest.mark.slow
def test_distill_is_deterministic_and_learns(tmp_path):
    rows = [json.loads(line) for line in open(f"{DATA}/train.jsonl")][:240]
    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps(r) + "\n" for r in rows))
    a = distill(small, tmp_path / "a", seed=1, folds=3, log=lambda s: None)
    b = distill(small, tmp_path / "b", seed=1, folds=3, log=lambda s: None)
    for d in a.heads:
        np.testing.assert_array_equal(a.heads[d].w, b.heads[d].w)
    report = evaluate(LocalModel.load(tmp_path / "a"), f"{DATA}/dev.jsonl")
    assert report["spearman_expression"] > 0.3  # learns something beyond chance on held-out data


def test_distill_cli_joins_a_judges_scores_by_id(tmp_path, write_jsonl):
    rows = [json.loads(line) for line in open(f"{DATA}/train.jsonl")][:60]
    samples = write_jsonl([{k: r[k] for k in ("id", "persona", "scenario", "query", "completion")}
                           for r in rows], "samples.jsonl")
    scored = write_jsonl([{"id": r["id"], "scores": r["scores"]} for r in rows], "scored.jsonl")
    res = CliRunner().invoke(cli, ["distill", str(samples), "--labels", str(scored), "-o",
                                   str(tmp_path / "m"), "--no-attacks", "--epochs", "3",
                                   "--name", "mine"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "60 examples;" in res.output  # every sample found its judge's scores
    assert "ONNX runtime vs training features" in res.output
    scorer = PermScorer({"judge": {"backend": "local", "model": str(tmp_path / "m")}})
    assert scorer.identity == "local:mine@r13"  # its name and the runtime rules that score with it


def test_unlabelled_lines_are_reported(write_jsonl):
    p = write_jsonl([{"id": "a", "persona": "p", "scenario": "s", "query": "q", "completion": "c"}])
    with pytest.raises(Exception, match="no labels"):
        load_labelled(p)


def test_missing_model_dir_is_a_clear_error(tmp_path):
    from perm.errors import JudgeUnavailable

    with pytest.raises(JudgeUnavailable, match="perm distill"):
        LocalModel.load(tmp_path)
