import asyncio
import time

from perm.calling import RateLimiter
from perm.scoring import PermScorer
from perm.testing.stub_server import StubServer
from perm.types import Sample


def test_rate_limiter_spaces_requests():
    async def go():
        limiter = RateLimiter(rpm=600)  # one start every 0.1 s
        t = time.perf_counter()
        await asyncio.gather(*(limiter.wait() for _ in range(5)))
        return time.perf_counter() - t

    assert 0.38 <= asyncio.run(go()) < 1.0


def test_api_key_never_reaches_cache_or_results(tmp_path, monkeypatch):
    monkeypatch.setenv("PERM_JUDGE_API_KEY", "sk-very-secret-777")
    cache = tmp_path / "c.sqlite"
    with StubServer() as stub:
        scorer = PermScorer({"judge": {"backend": "openai", "base_url": [stub.url], "model": "m",
                                       "cache": str(cache)}})
        res = scorer.score([Sample("p", "s", "q", id="a",
                                   completion="# Analysis\na\n# Response\nb")])
        scorer.close()
    assert res[0].reward is not None
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("c.sqlite*"))
    assert b"sk-very-secret" not in blob
    assert "sk-very-secret" not in str(res[0].to_dict())
