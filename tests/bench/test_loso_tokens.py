"""bench.loso_tokens' features on hand-made token vectors: a reply that takes up the seeker's
words scores higher than one that does not, and a side without tokens gives zeros."""
import numpy as np
from bench.loso_tokens import CUTS, QUANTILES, maxsim_features, seeker_text


def _unit(m: np.ndarray) -> np.ndarray:
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def test_a_reply_that_takes_up_the_seekers_words_gets_higher_best_match_summaries():
    rng = np.random.default_rng(0)
    ctx = _unit(rng.normal(size=(12, 16)))
    echoing = _unit(ctx[:6] + 0.1 * rng.normal(size=(6, 16)))  # near six context tokens
    unrelated = _unit(rng.normal(size=(6, 16)))
    a, b = maxsim_features([echoing], [ctx]), maxsim_features([unrelated], [ctx])
    width = 2 * (1 + len(QUANTILES) + len(CUTS)) + 2
    assert a.shape == b.shape == (width,)
    assert a[0] > 0.9 > 0.6 > b[0]  # mean best cosine of the reply's tokens
    per_side = 1 + len(QUANTILES) + len(CUTS)
    assert a[per_side] > b[per_side]  # the context's tokens are better covered too
    assert a[1 + len(QUANTILES)] == 1.0 and b[1 + len(QUANTILES)] < 0.5  # share above 0.5


def test_a_side_without_tokens_gives_zeros_for_its_layer_only():
    rng = np.random.default_rng(1)
    r, c = _unit(rng.normal(size=(3, 8))), _unit(rng.normal(size=(4, 8)))
    f = maxsim_features([np.zeros((0, 8)), r], [c, c])
    half = len(f) // 2
    assert not f[:half].any() and f[half:].any()


def test_seeker_text_is_the_last_turns_and_the_message():
    item = {"query": "q", "history": [{"role": "user", "content": str(k)} for k in range(5)]}
    assert seeker_text(item) == "2\n3\n4\nq"
    assert seeker_text({"query": "only"}) == "only"
