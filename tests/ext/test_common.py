"""The framework bridges' pure parts (no inspect_ai / lm_eval needed)."""
import subprocess
import sys

import pytest

from perm.errors import ConfigError, DataError
from perm.ext.common import explain, scoring_config, situation
from perm.ext.lmeval import METRICS, doc_to_text, mean_present, result_values, write_task
from perm.scoring import PermScorer
from perm.types import Sample


def test_importing_the_lm_eval_bridge_does_not_import_lm_eval():
    code = "import sys, perm.ext.lmeval; print('lm_eval' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_situation_from_framework_metadata():
    s = situation({"persona": "Ana, 30", "scenario": "Lost her job.", "query": "what now",
                   "history": [{"role": "user", "content": "hi"}], "other": 1}, sample_id=7)
    assert (s.persona, s.query, s.id, len(s.history)) == ("Ana, 30", "what now", "7", 1)
    bare = situation(None, query="I feel alone")
    assert (bare.persona, bare.scenario, bare.query) == ("Not given.", "Not given.", "I feel alone")
    with pytest.raises(DataError, match="query"):
        situation({"persona": "x", "scenario": "y"})


def test_scoring_config_from_path_dict_or_config_with_judge_overrides(tmp_path):
    y = tmp_path / "s.yaml"
    y.write_text("judge: {backend: openai, model: a}\non_format_error: judge\n")
    assert scoring_config(y, model="b").judge.model == "b"
    assert scoring_config(y).on_format_error == "judge"
    cfg = scoring_config({"judge": {"backend": "fake"}, "bystander_coef": 0.2}, base_url="http://h/v1")
    assert (cfg.judge.backend, cfg.judge.base_url, cfg.bystander_coef) == ("fake", ["http://h/v1"], 0.2)
    assert scoring_config(cfg, judge="openai").judge.backend == "openai"
    with pytest.raises(ConfigError, match="bystander_coef"):
        scoring_config({"bystander_coef": -1})


def test_result_values_keep_missing_scores_missing():
    good = "# Analysis\na\n# Response\nb"
    with PermScorer({"judge": {"backend": "fake", "max_reasks": 0,
                               "options": {"answers": ["no score"], "cycle": True}}}) as scorer:
        (res,) = scorer.score([Sample("p", "s", "q", id="x", completion=good)])
    vals = result_values(res)
    assert set(vals) == set(METRICS)
    assert vals["perm_reward"] is None and vals["perm_unscored"] == 1.0
    assert "PERM reward missing" in explain(res) and "no score found" in explain(res)
    assert mean_present([None, 1.0, 3.0, float("nan")]) == 2.0
    assert mean_present([None]) != mean_present([None])  # NaN: nothing to average, no 0


def test_written_lm_eval_task(tmp_path):
    scen = tmp_path / "s.jsonl"
    scen.write_text('{"id": "a", "persona": "p", "scenario": "s", "query": "q"}\n')
    path = write_task(tmp_path / "tasks", scen, {"judge": {"backend": "fake"}})
    text = path.read_text()
    assert path.name == "perm_empathy.yaml" and str(scen.resolve()) in text
    assert text.count("aggregation: !function perm_lmeval_hooks.mean_present") == len(METRICS)
    hooks = (tmp_path / "tasks" / "perm_lmeval_hooks.py").read_text()
    assert "'backend': 'fake'" in hooks
    assert "# Analysis" in doc_to_text({"persona": "p", "scenario": "s", "query": "my question"})
    assert doc_to_text({"persona": "p", "scenario": "s", "query": "my question"}).rstrip().endswith("my question")
