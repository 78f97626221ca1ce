"""The `local` backend's bookkeeping, independent of which scorer model it wraps."""
import asyncio

from perm.config import JudgeConfig
from perm.judges.local import LocalRater
from perm.scoring import PermScorer
from perm.types import Sample

GOOD = "# Analysis\nshe is tired\n# Response\nThat sounds exhausting."


class Model:
    """A scorer model that breaks on one sample (as a tokenizer could on odd text)."""

    name = "stub"

    def __init__(self):
        self.calls = 0

    def warm_up(self):
        pass

    def predict(self, reqs):
        self.calls += 1
        if any("BOOM" in r.sample.query for r in reqs):
            raise ValueError("cannot encode this text")
        return [3.0 if r.dimension != "bystander" else 60.0 for r in reqs]


def rater_with(model):
    rater = LocalRater(JudgeConfig(backend="local"))
    rater._model = model
    return rater


def test_one_bad_sample_costs_only_itself():
    model = Model()
    samples = [Sample("p", "s", "fine", id="a", completion=GOOD),
               Sample("p", "s", "BOOM", id="b", completion=GOOD),
               Sample("p", "s", "also fine", id="c", completion=GOOD)]
    res = PermScorer(rater=rater_with(model)).score(samples)
    assert [r.outcome for r in res] == ["scored", "failed", "scored"]
    assert res[0].reward is not None and res[2].reward is not None
    assert res[1].reward is None
    assert all("ValueError: cannot encode this text" in v for v in res[1].failures.values())


def test_ratings_arrive_per_sample_in_chunks():
    model = Model()
    rater = rater_with(model)
    reqs = [[object()]] * 0  # no jobs: nothing to do, no call
    asyncio.run(rater.rate(reqs, lambda k, r: None))
    assert model.calls == 0
    samples = [Sample("p", "s", f"q{i}", id=str(i), completion=GOOD) for i in range(130)]
    seen = []
    PermScorer(rater=rater).score(samples, on_result=lambda i, r: seen.append(i))
    assert sorted(seen) == list(range(130))
    assert model.calls == 3  # 64 + 64 + 2 samples


def test_identity_never_raises():
    rater = LocalRater(JudgeConfig(backend="local", model="/no/such/scorer"))
    assert rater.identity == "local:/no/such/scorer"
