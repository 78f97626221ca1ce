"""`perm eqbench3` (issue 13.11): scenario selection, timeouts and token caps passed to the
harness, the capping pass-through, and the command itself (no shell script needed)."""
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from tests.evaluate.test_eqbench import FAKE_HARNESS, SCEN, harness  # noqa: F401  (fixture)

from perm.cli import cli
from perm.evaluate.eqbench_proxy import CappingProxy, cap_body
from perm.evaluate.eqbench_run import BridgeError, pick_scenarios
from perm.testing.stub_server import StubConfig, StubServer


class Recorder:
    """A chat-completions endpoint on 127.0.0.1 that records request bodies (and can dawdle)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.bodies: list[dict] = []
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                rec.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                time.sleep(delay)
                out = json.dumps({"choices": [{"message": {"role": "assistant", "content": "Score: 3"}}]}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    pass  # the client gave up

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/chat/completions"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _post(url, body, timeout=30):
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer k"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def test_cap_body():
    assert cap_body({"max_tokens": 8000}, 512) == {"max_tokens": 512}
    assert cap_body({"max_tokens": 100}, 512) == {"max_tokens": 100}
    assert cap_body({"messages": []}, 512) == {"messages": [], "max_tokens": 512}
    assert cap_body({"max_completion_tokens": 9000}, 64) == {"max_completion_tokens": 64}
    assert cap_body({"max_tokens": 8000}, None) == {"max_tokens": 8000}


def test_proxy_caps_tokens_and_times_out_slow_requests():
    with Recorder() as up:
        proxy = CappingProxy(up.url, max_tokens=256).start()
        try:
            status, body = _post(proxy.url, {"model": "j", "max_tokens": 8000, "messages": []})
        finally:
            proxy.stop()
        assert status == 200 and body["choices"][0]["message"]["content"] == "Score: 3"
        assert up.bodies == [{"model": "j", "max_tokens": 256, "messages": []}]
        assert (proxy.requests, proxy.capped) == (1, 1)
    with Recorder(delay=3) as slow:
        proxy = CappingProxy(slow.url, max_tokens=256, timeout=0.5).start()
        try:
            started = time.monotonic()
            status, body = _post(proxy.url, {"max_tokens": 10})
            assert status == 504 and "longer than 0.5s" in body["error"]["message"]
            assert time.monotonic() - started < 2.5
        finally:
            proxy.stop()
    dead = CappingProxy("http://127.0.0.1:9/v1/chat/completions").start()
    try:
        assert _post(dead.url, {"max_tokens": 1})[0] == 502
    finally:
        dead.stop()


def test_pick_scenarios_keeps_the_chosen_ones():
    text = SCEN.read_text()
    picked = pick_scenarios(text, ["3", "205"])
    assert [line.split()[1] for line in picked.splitlines() if line.startswith("######## ")] == ["3", "205"]
    assert "Mum wants to move in" in picked and "Cancelled Birthday" not in picked
    with pytest.raises(BridgeError, match="no scenario 77"):
        pick_scenarios(text, ["3", "77"])


def _run(*args, env=None):
    return CliRunner().invoke(cli, ["eqbench3", "run", *map(str, args)], env=env, catch_exceptions=False)


def test_run_picks_scenarios_and_passes_timeouts_and_caps(harness, tmp_path):  # noqa: F811
    rec = tmp_path / "called.json"
    with StubServer(StubConfig()) as stub, Recorder() as judge:
        res = _run("--harness", harness, "--python", __import__("sys").executable, "--base-url", stub.url,
                   "--judge-model", "judge/x", "--model-name", "my-run", "--scenarios", "2, 205",
                   "--timeout", "90", "--judge-max-tokens", "512", "--judge-timeout", "30",
                   "--max-tokens", "64",
                   env={"FAKE_HARNESS_OUT": str(rec), "JUDGE_API_URL": judge.url, "FAKE_JUDGE": "1"})
        assert res.exit_code == 0, res.output
        assert "rubric score 77.50 / 100" in res.output
        assert judge.bodies and judge.bodies[0]["max_tokens"] == 512  # the harness asked for 8,000
    called = json.loads(rec.read_text())
    assert called["scenario_ids"] == ["2", "205"]  # the harness saw only the chosen scenarios
    assert called["env"]["REQUEST_TIMEOUT"] == "90"
    assert called["env"]["JUDGE_API_URL"] != judge.url  # through the capping pass-through
    assert called["env"]["TEST_API_URL"] != f"{stub.url}/chat/completions"  # --max-tokens
    assert called["judged"]["choices"][0]["message"]["content"] == "Score: 3"
    argv = called["argv"]
    assert argv[argv.index("--runs-file") + 1] == str((harness / "eqbench3_runs.json").resolve())
    assert "my-run" in json.loads((harness / "eqbench3_runs.json").read_text())["abc_my-run"]["model_name"]


def test_run_refuses_unknown_scenarios_and_caps_without_a_judge_url(harness, tmp_path):  # noqa: F811
    with StubServer(StubConfig()) as stub:
        base = ("--harness", harness, "--base-url", stub.url, "--judge-model", "j")
        res = _run(*base, "--scenarios", "2,999", env={"FAKE_HARNESS_OUT": str(tmp_path / "c.json")})
        assert res.exit_code == 2 and "no scenario 999" in res.output
        res = _run(*base, "--judge-max-tokens", "10", env={"JUDGE_API_URL": None})
        assert res.exit_code == 2 and "need JUDGE_API_URL" in res.output
    assert "Traceback" not in res.output


def test_convert_command_picks_scenarios(tmp_path):
    out = tmp_path / "eq.jsonl"
    res = CliRunner().invoke(cli, ["eqbench3", "convert", str(SCEN), "-o", str(out), "--scenarios", "3,1"])
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["eqbench3-3"]
    assert "skipped 1: narrative role-play" in res.output
    bad = CliRunner().invoke(cli, ["eqbench3", "convert", str(SCEN), "-o", str(out), "--scenarios", "42"])
    assert bad.exit_code == 2 and "no scenario 42" in bad.output
