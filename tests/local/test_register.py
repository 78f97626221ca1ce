"""The v2 runtime's register discount: a passage that is neither support talk (far from every
passage of our training replies) nor about this seeker (low z against other seekers' contexts)
counts as borrowed text; a reply's own passages, short lines and requested practical help do
not."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from perm.local.v2.register import (
    EXPRESSION_FULL,
    EXPRESSION_NONE,
    NEIGHBOURS,
    QUIET_FULL,
    QUIET_NONE,
    RELATED_FULL,
    RELATED_NONE,
    SUPPORT_FULL,
    SUPPORT_NONE,
    WORDS,
    Z_FULL,
    Z_NONE,
    Settings,
    bank_passages,
    off_share,
    off_shares,
    off_weights,
    own_reply,
    related,
    support,
    weights,
)
from perm.local.v2.relevance import unit, zscore, zscores
from perm.types import DimensionRequest, Sample

DIM = 32
RNG = np.random.default_rng(0)
SUPPORT_DIR = unit(RNG.normal(size=DIM))
#: the support bank: passages close to one direction ("what supporters say")
BANK = unit(SUPPORT_DIR + 0.15 * RNG.normal(size=(200, DIM)))
#: other seekers' contexts (the relevance bank)
CONTEXTS = unit(RNG.normal(size=(64, DIM)))
CONTEXT = unit(RNG.normal(size=DIM))
#: r7's rule: support alone decides whether a passage is support talk, no cap, no r13 test
R7 = Settings(expression=None, cap=False, related=None)


def _far() -> np.ndarray:
    """A passage far from the support bank and from this seeker's context."""
    v = RNG.normal(size=DIM)
    v -= (v @ SUPPORT_DIR) * SUPPORT_DIR + (v @ CONTEXT) * CONTEXT
    return unit(v)


def test_the_measures_at_the_settings_edges():
    near = unit(SUPPORT_DIR + 0.1 * RNG.normal(size=DIM))
    got = support(np.stack([near, _far()]), BANK)
    assert got[0] > SUPPORT_NONE and got[1] < SUPPORT_FULL
    # the mean of the k nearest rows, not the nearest one
    sims = np.sort(BANK @ unit(near))[::-1]
    assert got[0] == pytest.approx(sims[:NEIGHBOURS].mean(), abs=1e-5)
    assert support(near[None, :], BANK, k=1)[0] == pytest.approx(sims[0], abs=1e-5)


def _off(*passages: tuple[np.ndarray, int]) -> float:
    """`off_shares` of one reply made of (embedding, word count) passages."""
    emb = np.stack([e for e, _ in passages])
    return off_shares([(emb, [n for _, n in passages], CONTEXT)], CONTEXTS, BANK, R7)[0]


def test_a_far_passage_about_nobody_counts_and_support_talk_does_not():
    own = unit(SUPPORT_DIR + 0.2 * RNG.normal(size=DIM))
    long_words = int(WORDS[1])
    assert _off((own, 60), (_far(), long_words)) == pytest.approx(long_words / (60 + long_words))
    assert _off((own, 60), (own, 40)) == 0.0


def test_short_lines_single_passages_and_passages_about_this_seeker_never_count():
    own = unit(SUPPORT_DIR + 0.2 * RNG.normal(size=DIM))
    far = _far()
    # a short line (a sign-off, "Your move.") is spared whatever it says
    assert _off((own, 60), (far, int(WORDS[0]))) == 0.0
    # halfway through the word ramp, half of it counts
    mid = int((WORDS[0] + WORDS[1]) / 2)
    half = (mid - WORDS[0]) / (WORDS[1] - WORDS[0])
    assert _off((own, 60), (far, mid)) == pytest.approx(half * mid / (60 + mid))
    # a reply of one passage is the relevance rule's business
    assert _off((far, 80)) == 0.0
    # practical help the seeker asked for: far from support talk, but close to this context
    asked = unit(CONTEXT + 0.05 * RNG.normal(size=DIM))
    assert support(asked[None, :], BANK)[0] < SUPPORT_FULL
    assert _off((own, 60), (asked, 40)) == 0.0


def test_the_batch_equals_one_reply_at_a_time_and_reads_the_support_bank_only_when_needed(monkeypatch):
    own = unit(SUPPORT_DIR + 0.2 * RNG.normal(size=DIM))
    replies = [(np.stack([own, _far()]), [60, 30], CONTEXT), (np.stack([_far()]), [40], CONTEXT),
               (np.stack([own, own, _far()]), [20, 5, 50], CONTEXT)]
    batch = off_shares(replies, CONTEXTS, BANK, R7)
    assert batch == [off_shares([r], CONTEXTS, BANK, R7)[0] for r in replies]
    assert batch[0] > 0 and batch[1] == 0 and batch[2] > 0
    # support is asked once per batch, only for passages long enough and not about this seeker
    import perm.local.v2.register as register

    asked_rows: list[int] = []

    def counting(rows, bank, k=NEIGHBOURS):
        asked_rows.append(len(rows))
        return support(rows, bank, k)

    monkeypatch.setattr(register, "support", counting)
    asked = unit(CONTEXT + 0.05 * RNG.normal(size=DIM))
    assert off_shares([(np.stack([asked, own]), [60, 5], CONTEXT)], CONTEXTS, BANK, R7) == [0.0]
    assert asked_rows == []
    assert off_shares(replies, CONTEXTS, BANK, R7) == batch
    # one product: the four passages of more than WORDS[0] words in replies of two or more
    # passages (none of them is about CONTEXT); the single-passage reply is not read
    assert asked_rows == [4]
    # the vectorised z equals relevance.zscore
    rows = np.stack([own, asked])
    np.testing.assert_allclose(zscores(rows, CONTEXT, CONTEXTS),
                               [zscore(r, CONTEXT, CONTEXTS) for r in rows], rtol=1e-5, atol=1e-5)


def test_off_share_weighs_each_factor():
    st = R7
    n = int(WORDS[1])
    nan = float("nan")
    full = (n, Z_FULL, SUPPORT_FULL, nan)
    assert off_share([(n, 9.0, 0.9, nan), full], st) == pytest.approx(0.5)
    assert off_share([(n, 9.0, 0.9, nan), (n, Z_NONE, SUPPORT_FULL, nan)], st) == 0.0
    assert off_share([(n, 9.0, 0.9, nan), (n, Z_FULL, SUPPORT_NONE, nan)], st) == 0.0
    mid_z, mid_s = (Z_FULL + Z_NONE) / 2, (SUPPORT_FULL + SUPPORT_NONE) / 2
    assert off_share([(n, 9.0, 0.9, nan), (n, mid_z, mid_s, nan)], st) == pytest.approx(0.125)
    assert off_share([full], st) == 0.0 and off_share([(0, 0.0, 0.0, nan), (0, 0.0, 0.0, nan)], st) == 0.0


def test_since_r8_a_passage_that_expresses_nothing_alone_counts_even_near_support_talk():
    st = Settings()
    n = int(WORDS[1])
    near = SUPPORT_NONE + 0.05  # as close to our replies' passages as support talk
    assert st.expression == (EXPRESSION_FULL, EXPRESSION_NONE) and st.cap
    assert weights([(n, 9.0, 0.9, 4.0), (n, Z_FULL, near, EXPRESSION_FULL)], st) == [0.0, 1.0]
    assert weights([(n, 9.0, 0.9, 4.0), (n, Z_FULL, near, EXPRESSION_NONE)], st) == [0.0, 0.0]
    mid_e = (EXPRESSION_FULL + EXPRESSION_NONE) / 2
    assert weights([(n, 9.0, 0.9, 4.0), (n, Z_FULL, near, mid_e)], st)[1] == pytest.approx(0.5)
    # the larger of the two tests counts; the z and word gates still apply to both
    assert weights([(n, 9.0, 0.9, 4.0), (n, Z_FULL, SUPPORT_FULL, 4.0)], st)[1] == 1.0
    assert weights([(n, 9.0, 0.9, 4.0), (n, Z_NONE, near, 0.0)], st)[1] == 0.0
    assert weights([(n, 9.0, 0.9, 4.0), (int(WORDS[0]), Z_FULL, near, 0.0)], st)[1] == 0.0
    # r7's settings ignore the expression score
    assert weights([(n, 9.0, 0.9, 4.0), (n, Z_FULL, near, 0.0)], R7) == [0.0, 0.0]


def test_the_expression_test_is_asked_only_for_passages_not_about_their_seeker():
    own = unit(SUPPORT_DIR + 0.2 * RNG.normal(size=DIM))
    asked = unit(CONTEXT + 0.05 * RNG.normal(size=DIM))
    replies = [(np.stack([asked, own, _far(), _far()]), [60, 30, 5, 40], CONTEXT),
               (np.stack([own]), [40], CONTEXT)]
    seen: list[list[tuple[int, int]]] = []

    def expression(where):
        seen.append(list(where))
        return np.zeros(len(where))  # expresses nothing: counts wherever it is asked

    got = off_weights(replies, CONTEXTS, BANK, Settings(related=None), expression)
    # not the passage about the seeker, the short one, a lone passage, nor the far one that
    # support alone already counts in full
    assert seen == [[(0, 1)]]
    assert got == [[0.0, 1.0, 0.0, 1.0], [0.0]]
    with pytest.raises(ValueError, match="expression score"):
        off_weights(replies, CONTEXTS, BANK, Settings())
    # r13 also asks it of a long passage related to nothing in the reply or the message
    seen.clear()
    assert off_weights(replies, CONTEXTS, BANK, Settings(), expression) == got
    assert seen == [[(0, 1), (0, 3)]]


def test_related_is_the_closest_of_the_context_and_the_other_passages():
    a = unit(CONTEXT + 0.3 * _far())  # about the seeker
    b = _far()
    c = unit(b + 0.2 * RNG.normal(size=DIM))  # speaks to b, not to the seeker
    got = related(np.stack([a, b, c]), CONTEXT)
    cos = lambda x, y: float(unit(x) @ unit(y))  # noqa: E731
    assert got[0] == pytest.approx(max(cos(a, CONTEXT), cos(a, b), cos(a, c)), abs=1e-5)
    assert got[1] == pytest.approx(max(cos(b, CONTEXT), cos(b, a), cos(b, c)), abs=1e-5)
    assert got[1] == pytest.approx(cos(b, c), abs=1e-5) and got[1] < 0.99  # never itself (1.0)


def test_since_r13_a_quiet_passage_related_to_nothing_counts_whatever_z_and_support_say():
    st = Settings()
    n = int(WORDS[1])
    nan = float("nan")
    talk = (9.0, 0.9)  # about this seeker (z) and close to our replies' passages (support)
    quiet, loud = QUIET_FULL, QUIET_NONE  # expression read alone, at the ends of its ramp
    # related at or below the 1st percentile of good replies' passages, and expressing no more
    # alone than the 10th percentile of them: counts in full
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, quiet, RELATED_FULL)], st) == [0.0, 1.0]
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, quiet, RELATED_NONE)], st) == [0.0, 0.0]
    # a passage that reads as support talk on its own is spared, however unrelated
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, loud, 0.0)], st) == [0.0, 0.0]
    mid_r, mid_q = (RELATED_FULL + RELATED_NONE) / 2, (QUIET_FULL + QUIET_NONE) / 2
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, quiet, mid_r)], st)[1] == pytest.approx(0.5)
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, mid_q, 0.0)], st)[1] == pytest.approx(0.5)
    # the word ramp still gates it, and a lone passage is never counted
    assert weights([(n, *talk, 4.0, 0.9), (int(WORDS[0]), *talk, 0.0, 0.0)], st)[1] == 0.0
    assert weights([(n, *talk, 0.0, 0.0)], st) == [0.0]
    # the larger of the two routes counts; a missing or nan value, or r12's settings, add nothing
    assert weights([(n, *talk, 4.0, 0.9), (n, Z_FULL, SUPPORT_FULL, 4.0, 0.9)], st)[1] == 1.0
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, quiet)], st) == [0.0, 0.0]
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, quiet, nan)], st) == [0.0, 0.0]
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, nan, 0.0)], st) == [0.0, 0.0]
    assert weights([(n, *talk, 4.0, 0.9), (n, *talk, quiet, 0.0)], Settings(related=None)) == [0.0, 0.0]


def test_since_r13_off_weights_measure_related_on_long_passages_of_long_replies():
    own = unit(CONTEXT + 0.5 * _far())  # about this seeker
    loose = _far()  # far from the context, from the support bank and from `own`
    pair = unit(loose + 0.1 * RNG.normal(size=DIM))  # a second paragraph on the same subject
    expr = lambda where: np.full(len(where), QUIET_FULL)  # noqa: E731  (expresses little alone)
    got = off_weights([(np.stack([own, loose]), [40, 40], CONTEXT),
                       (np.stack([own, loose, pair]), [40, 40, 40], CONTEXT),
                       (np.stack([own, loose]), [40, int(WORDS[0])], CONTEXT)], CONTEXTS, BANK,
                      Settings(support=(-1.0, -0.5)), expr)  # support never counts here
    assert got[0] == [0.0, 1.0]  # related to nothing: counts
    assert got[1][0] == 0.0 and got[1][1] < 1.0  # two paragraphs that speak to each other
    assert got[2] == [0.0, 0.0]  # too short to count


def test_settings_round_trip_through_meta_and_default_where_absent():
    s = Settings(support=(0.2, 0.3), z=(0.0, 1.0), words=(5, 9), neighbours=3, expression=(1.0, 2.0))
    assert Settings.from_meta(s.as_meta()) == s and Settings.from_meta(R7.as_meta()) == R7
    assert Settings.from_meta({}) == Settings() == Settings.from_meta({"bank": 10, "layer": "last"})
    assert Settings().as_meta() == {"support": [SUPPORT_FULL, SUPPORT_NONE], "z": [Z_FULL, Z_NONE],
                                    "words": list(WORDS), "neighbours": NEIGHBOURS,
                                    "expression": [EXPRESSION_FULL, EXPRESSION_NONE], "cap": True,
                                    "related": [RELATED_FULL, RELATED_NONE], "quiet": [QUIET_FULL, QUIET_NONE]}
    # a folder that records r12's settings (no `related`) gets r13's test; null switches it off
    assert Settings.from_meta({"related": None}).related is None


def test_the_bank_holds_our_own_replies_passages_only():
    assert own_reply("v1") and own_reply("v2:w3")
    assert not own_reply("attack:appendix") and not own_reply("counsel-chat")
    passages = {"a long reply": ["first part.", "second part."]}
    got = bank_passages(["a long reply", "short", "", "  ", "short"], lambda r: passages.get(r, []))
    assert got == ["first part.", "second part.", "short"]


SAMPLE = Sample("Dana, 31, a nurse on night shifts.", "Her sister has not spoken to her since the wedding.",
                "My sister stopped talking to me after I missed her wedding because my flight was "
                "cancelled, and now the whole family acts like I did it on purpose.", id="reg1")
REPLY = ("Missing your sister's wedding when the flight was cancelled, and then having the family "
         "treat it as a choice, would hurt anyone: you lost the day and then got blamed for losing it.\n\n"
         "It sounds like the silence from her is the hardest part. Have you been able to tell her, or "
         "anyone in the family, how much you wanted to be there and what it was like to sit in that "
         "airport?")
#: written for this test; not one of the audit's appendices
UNRELATED = ("The museum's new wing opens on Saturday with an exhibition of early Dutch sea charts, "
             "and tickets can be booked online or bought at the door from ten in the morning until "
             "late in the afternoon.")


def _without_rule(scorer):  # the same heads and relevance rule, no support bank
    other = copy.copy(scorer)
    other.support = None
    return other


def test_the_packaged_scorer_ships_a_support_bank(packaged_v2):
    assert packaged_v2.support is not None
    assert packaged_v2.support.shape == (packaged_v2.meta["register"]["bank"], 384)
    assert packaged_v2.support.dtype == np.float32  # stored as float16, computed in float32
    assert np.allclose(np.linalg.norm(packaged_v2.support, axis=1), 1, atol=2e-3)
    assert Settings.from_meta(packaged_v2.meta["register"]) == Settings()


def test_an_appended_unrelated_paragraph_costs_and_the_reply_alone_is_untouched(packaged_v2):
    dims = ("expression", "reception", "bystander")
    plain = _without_rule(packaged_v2)
    reqs = [DimensionRequest(d, SAMPLE, "", REPLY) for d in dims]  # type: ignore[arg-type]
    assert packaged_v2.predict(reqs) == plain.predict(reqs)
    padded = [DimensionRequest(d, SAMPLE, "", f"{REPLY}\n\n{UNRELATED}") for d in dims]  # type: ignore[arg-type]
    with_rule, without = packaged_v2.predict(padded), plain.predict(padded)
    assert all(float(a) < float(b) for a, b in zip(with_rule, without))


def test_a_malformed_support_bank_is_a_clear_load_error(packaged_v2, tmp_path):
    import shutil

    from safetensors.numpy import load_file, save_file

    from perm.errors import JudgeUnavailable
    from perm.local.v2.model import ScorerV2

    folder = tmp_path / "bad"
    shutil.copytree(packaged_v2.path, folder)
    tensors = load_file(str(folder / "perm_heads.safetensors"))
    tensors["register.bank"] = tensors["register.bank"][0]
    save_file(tensors, str(folder / "perm_heads.safetensors"))
    with pytest.raises(JudgeUnavailable, match="register.bank.*at least 2 embeddings"):
        ScorerV2.load(folder)


def test_since_r8_an_appended_passage_that_counts_cannot_lift_the_reply(packaged_v2):
    """The cap: the padded reply scores no higher than the reply without the passage, before
    the discount takes its share; the heads alone (`discount_borrowed=False`) are untouched."""
    dims = ("expression", "reception", "bystander")
    alone = [DimensionRequest(d, SAMPLE, "", REPLY) for d in dims]  # type: ignore[arg-type]
    padded = [DimensionRequest(d, SAMPLE, "", f"{REPLY}\n\n{UNRELATED}") for d in dims]  # type: ignore[arg-type]
    uncapped = copy.copy(packaged_v2)
    uncapped.register = Settings(cap=False)
    capped = packaged_v2.predict(padded)
    assert all(float(a) < float(b) for a, b in zip(capped, packaged_v2.predict(alone)))
    assert all(float(a) <= float(b) for a, b in zip(capped, uncapped.predict(padded)))
    assert packaged_v2.predict(padded, discount_borrowed=False) == uncapped.predict(padded, discount_borrowed=False)
    # one batch with other replies gives the same scores as the reply on its own
    mixed = packaged_v2.predict([*alone, *padded])
    assert mixed[3:] == capped and mixed[:3] == packaged_v2.predict(alone)


def test_since_r8_the_cap_is_what_makes_a_short_practical_reply_plus_a_paragraph_lose(packaged_v2):
    """A reply the heads rate low (an HR summary written for the seeker: expression 1.8): the
    heads rate it higher with any paragraph appended, by more than the discount takes off. Only
    the cap ranks the padded reply below it (measured when the cap was written; the museum
    paragraph above is not one of the audit's appendices)."""
    from importlib import resources
    from pathlib import Path

    from perm.completion import split_completion
    from perm.data import load_samples

    good = load_samples(Path(str(resources.files("perm") / "audit" / "good.jsonl"))).samples
    sample = next(s for s in good if s.id == "p5-s022-c6")
    reply = split_completion(sample.completion or "").response
    dims = ("expression", "reception", "bystander")
    alone = packaged_v2.predict([DimensionRequest(d, sample, "", reply) for d in dims])  # type: ignore[arg-type]
    padded = [DimensionRequest(d, sample, "", f"{reply}\n\n{UNRELATED}") for d in dims]  # type: ignore[arg-type]
    uncapped = copy.copy(packaged_v2)
    uncapped.register = Settings(cap=False)
    assert all(float(a) > float(b) for a, b in zip(uncapped.predict(padded), alone))
    assert all(float(a) < float(b) for a, b in zip(packaged_v2.predict(padded), alone))


#: written for this test; not one of the audit's appendices
BOOK_SALE = ("The library's autumn book sale runs from the third to the ninth, with paperbacks at "
             "fifty pence, hardbacks at a pound and a children's corner near the reading room.")


def test_since_r13_a_paragraph_about_nothing_here_no_longer_lifts_a_good_reply(packaged_v2):
    """Measured when r13 was written: after this audit reply, r12's tests let the notice
    through (its z against other seekers' contexts was not low) and the heads rated the padded
    reply higher on all three response-side dimensions. It is related neither to the seeker's
    message nor to the reply, and reads as nothing a supporter would say: now it costs."""
    import dataclasses
    from importlib import resources
    from pathlib import Path

    from perm.completion import split_completion
    from perm.data import load_samples

    good = load_samples(Path(str(resources.files("perm") / "audit" / "good.jsonl"))).samples
    sample = next(s for s in good if s.id == "w4-s015-c02")
    reply = split_completion(sample.completion or "").response
    dims = ("expression", "reception", "bystander")
    alone = [DimensionRequest(d, sample, "", reply) for d in dims]  # type: ignore[arg-type]
    padded = [DimensionRequest(d, sample, "", f"{reply}\n\n{BOOK_SALE}") for d in dims]  # type: ignore[arg-type]
    r12 = copy.copy(packaged_v2)
    r12.register = dataclasses.replace(packaged_v2.register, related=None)
    assert all(float(a) >= float(b) for a, b in zip(r12.predict(padded), r12.predict(alone)))
    assert all(float(a) < float(b) for a, b in zip(packaged_v2.predict(padded), packaged_v2.predict(alone)))
