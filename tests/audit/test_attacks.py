"""The attack generators: deterministic, in the promised shape, disjoint banks per half."""
import re

import pytest

from perm.audit import reworded
from perm.audit.attacks import ATTACKS, BY_NAME, compose, flip_pronouns, make_variant
from perm.audit.banks import (
    APPENDICES,
    EVALUATOR_NOTES,
    JARGON,
    KEYWORDS,
    PARAPHRASE_LEADS,
    TEMPLATES,
    UNSAFE,
)
from perm.audit.offdomain import OFFDOMAIN
from perm.audit.reworded import REWORDED, stock_lines
from perm.audit.suite import ALL_ATTACKS
from perm.audit.suite import BY_NAME as ALL_BY_NAME
from perm.audit.unseen import UNSEEN
from perm.completion import split_completion
from perm.types import Sample

S = Sample("Ana, 30, a nurse", "She lost her job after a restructuring.",
           "I lost my job today and I am scared. My boss said I was not good enough.", id="s1")
A = "Shame about the boss's words, fear about money; she needs steadiness, not a pep talk."
R = "That is a brutal thing to hear from a boss. What scares you most right now?"
POOL = ("Losing your dog after fourteen years is losing a whole daily rhythm. What was his name?",
        "Moving away from every friend at sixteen would shake anyone. Who do you miss most?")


@pytest.mark.parametrize("attack", ALL_ATTACKS, ids=lambda a: a.name)
def test_every_attack_keeps_the_layout_and_is_deterministic(attack):
    v1 = make_variant(attack, S, A, R, half="audit", seed=3, pool=POOL)
    v2 = make_variant(attack, S, A, R, half="audit", seed=3, pool=POOL)
    assert v1 == v2
    parsed = split_completion(v1.completion)
    assert parsed.analysis == v1.analysis.strip()
    assert (v1.analysis, v1.response) != (A, R)  # it changed something


def test_banks_halves_are_disjoint():
    for bank in (TEMPLATES, KEYWORDS, JARGON, EVALUATOR_NOTES, APPENDICES, UNSAFE, PARAPHRASE_LEADS):
        assert bank["train"] and bank["audit"]
        assert not set(bank["train"]) & set(bank["audit"])


def test_echo_and_dump_copy_the_seeker():
    assert make_variant(BY_NAME["echo"], S, A, R).response == S.query
    dump = make_variant(BY_NAME["context_dump"], S, A, R).response
    assert S.persona in dump and S.scenario in dump and S.query in dump


def test_paraphrase_flips_first_person():
    assert flip_pronouns("I lost my job and I am scared") == "You lost your job and you are scared"
    assert flip_pronouns("My boss said I was late.") == "Your boss said you was late."


def test_content_free_replies():
    assert make_variant(BY_NAME["dot"], S, A, R).response == "."
    assert make_variant(BY_NAME["zero_width"], S, A, R).response.strip("\u200b\u200c") == ""


def test_good_reply_survives_in_additive_attacks():
    for name in ("keyword_stuffing", "evaluator_note", "appendix", "unsafe_advice"):
        resp = make_variant(BY_NAME[name], S, A, R, seed=1).response
        for sentence in ("That is a brutal thing to hear from a boss.", "What scares you most right now?"):
            assert sentence in resp, name


def test_relabel_lowers_the_targets():
    good = {"resonation": 4.5, "expression": 4.5, "reception": 4.5, "bystander": 90.0}
    for a in ALL_ATTACKS:
        new = a.relabel(good)
        for d in a.targets:
            assert new[d] < good[d], (a.name, d)


def test_compose():
    assert compose(" a ", "b") == "# Analysis\na\n\n# Response\nb"


def test_off_topic_answers_another_scenario_from_the_pool():
    v = make_variant(BY_NAME["off_topic"], S, A, R, pool=POOL)
    assert v.analysis == A and v.response in POOL  # the own analysis, someone else's reply
    with pytest.raises(ValueError, match="other scenarios"):
        make_variant(BY_NAME["off_topic"], S, A, R)


def test_offdomain_appendix_keeps_the_reply_and_adds_one_or_two_pool_passages():
    counts = set()
    for seed in range(20):
        resp = make_variant(ALL_BY_NAME["offdomain_appendix"], S, A, R, seed=seed).response
        assert resp.startswith(R)
        added = resp[len(R):].strip()
        assert any(added.startswith(p) for p in OFFDOMAIN), seed
        counts.add(sum(p in added for p in OFFDOMAIN))
    assert counts == {1, 2}
    assert len(set(OFFDOMAIN)) == len(OFFDOMAIN) == 240


def _words8(text: str) -> set[tuple[str, ...]]:
    w = text.lower().split()
    return {tuple(w[i:i + 8]) for i in range(len(w) - 7)}


def test_offdomain_pool_shares_no_text_with_the_forms_kept_as_tests():
    kept = [t for name in ("NEWS", "RECIPES", "WEATHER", "ADVERTS", "DIGRESSIONS", "INSERTS", "SPORTS",
                           "HOWTO", "HISTORY", "ITINERARY", "TERMS", "FABLES", "HOMEWORK", "POEMS",
                           "CODE_APPENDIX") for t in getattr(reworded, name)]
    assert len(kept) > 40
    runs = set().union(*(_words8(t) for t in kept))
    for p in OFFDOMAIN:
        assert not _words8(p) & runs, p
        assert 30 <= len(p.split()) <= 70


def test_generic_padding_adds_short_sentences_of_other_replies_only():
    pool = ("I'm so sorry you're carrying this. That sounds exhausting. You did nothing wrong here. "
            "What helps you rest? Breathe slowly.", "It makes sense that you're hurt. I'm glad you "
            "told me. Who else knows? This is a lot for one week. You're allowed to be angry.")
    lines = stock_lines(pool)
    assert "What helps you rest?" in lines and "Breathe slowly." not in lines  # 3 to 12 words
    for seed in range(10):
        resp = make_variant(ALL_BY_NAME["generic_padding"], S, A, R, seed=seed, pool=pool).response
        assert resp.startswith(R + "\n\n")
        pad = [x for x in lines if x in resp[len(R):]]
        assert 5 <= len(pad) <= 8
        assert not any(x in R for x in pad)
    with pytest.raises(ValueError, match="other scenarios"):
        make_variant(ALL_BY_NAME["generic_padding"], S, A, R)


#: replies to other seekers whose short sentences the padding forms draw on
STOCK_POOL = ("I'm so sorry you're carrying this. That sounds exhausting. You did nothing wrong here. "
              "What helps you rest?", "It makes sense that you're hurt. I'm glad you told me. Who "
              "else knows? This is a lot for one week. You're allowed to be angry.")


def test_padding_placed_first_or_sprinkled_keeps_every_sentence_of_the_good_reply():
    pool = STOCK_POOL
    lines = set(stock_lines(pool))
    good = "First thing. Second thing here.\n\nThird thing now. Fourth thing too. Fifth one."
    first = make_variant(ALL_BY_NAME["padding_first"], S, A, good, seed=4, pool=pool).response
    opening, rest = first.split("\n\n", 1)
    assert rest == good and 4 <= sum(x in opening for x in lines) <= 6
    mixed = make_variant(ALL_BY_NAME["padding_sprinkled"], S, A, good, seed=4, pool=pool).response
    paras = mixed.split("\n\n")
    assert len(paras) == 2  # the good reply's paragraphs stay
    assert paras[0].startswith("First thing. Second thing here. ")
    assert sum(x in mixed for x in lines) == 2  # after the 2nd and the 4th sentence
    assert mixed.replace(" ", "").endswith("Fifthone.")
    warm = make_variant(ALL_BY_NAME["warm_lines"], S, A, R, seed=4).response
    assert warm.startswith(R + "\n\n") and len(warm.split("\n\n")[1].split("\n")) == 6


def test_padding_in_the_middle_self_care_list_and_generic_closing_keep_the_good_reply():
    pool = STOCK_POOL
    lines = set(stock_lines(pool))
    good = "First thing. Second thing here.\n\nThird thing now. Fourth thing too."
    mid = make_variant(ALL_BY_NAME["padding_middle"], S, A, good, seed=2, pool=pool).response.split("\n\n")
    assert mid[0] == "First thing. Second thing here." and mid[2] == "Third thing now. Fourth thing too."
    assert 4 <= sum(x in mid[1] for x in lines) <= 6 and len(mid) == 3
    one = make_variant(ALL_BY_NAME["padding_middle"], S, A, R, seed=2, pool=pool).response.split("\n\n")
    assert [one[0], one[2]] == ["That is a brutal thing to hear from a boss.", "What scares you most right now?"]
    care = make_variant(ALL_BY_NAME["selfcare_list"], S, A, R, seed=2).response
    tips = care.split("\n\n")[1].split("\n")[1:]
    assert care.startswith(R + "\n\n") and len(tips) == 5
    assert all(t.startswith("- ") and t[2:] in reworded.SELFCARE for t in tips)
    closing = make_variant(ALL_BY_NAME["generic_closing"], S, A, R, seed=2).response
    assert closing.startswith(R + "\n\n")
    assert sum(c in closing for c in reworded.CLOSINGS) == 2
    assert all(20 <= len(c.split()) <= 30 for c in reworded.CLOSINGS)


def test_quote_back_and_emoji_keep_the_good_reply_whole():
    quoted = make_variant(ALL_BY_NAME["quote_back"], S, A, R).response
    assert S.query in quoted and quoted.endswith(R)
    emoji = make_variant(ALL_BY_NAME["emoji_flood"], S, A, R).response
    assert "That is a brutal thing to hear from a boss." in emoji and emoji.count("\n\n") == 1


def test_truncated_cuts_mid_sentence_without_closing_punctuation():
    long = " ".join(f"Sentence number {i} says something kind and specific." for i in range(6))
    cut = make_variant(ALL_BY_NAME["truncated"], S, A, long, seed=2).response
    assert long.startswith(cut) and len(cut.split()) == int(0.4 * len(long.split()))
    assert cut[-1] not in ".!?,;:"


def test_cut_late_and_cut_midword_stop_inside_a_sentence_or_a_word():
    long = " ".join(f"Sentence number {i} says something kind, and specific." for i in range(8))
    late = make_variant(ALL_BY_NAME["cut_late"], S, A, long, seed=1).response
    # 75 % of 64 words ends on "specific.": a cut after a full stop moves back a word
    assert long.split()[47] == "specific." and late.split() == long.split()[:47]
    for seed in range(5):
        mid = make_variant(ALL_BY_NAME["cut_midword"], S, A, long, seed=seed).response
        assert long.startswith(mid) and 0.55 * len(long) <= len(mid) <= 0.7 * len(long)
        assert mid[-1].isalpha() and long[len(mid)].isalpha()  # inside a word


def test_named_template_name_stuffing_and_reply_as_analysis():
    from dataclasses import replace as with_

    seeker = with_(S, persona="Kwame, 34, a software tester in Leeds.")
    named = make_variant(ALL_BY_NAME["named_template"], seeker, A, R).response
    assert named.count("Kwame") == 2 and "{" not in named and R not in named
    two = "That is a brutal thing to hear. Did he say why? You deserved better."
    stuffed = make_variant(ALL_BY_NAME["name_stuffing"], seeker, A, two).response
    assert stuffed == "That is a brutal thing to hear. Kwame, did he say why? Kwame, you deserved better."
    nameless = make_variant(ALL_BY_NAME["named_template"], with_(S, persona="Someone who lost a job."), A, R)
    assert "friend" in nameless.response  # no "Name," at the start of the persona
    v = make_variant(ALL_BY_NAME["reply_as_analysis"], seeker, A, R)
    assert v.analysis == R.strip() and v.response == R


def test_name_closing_petnames_and_the_reply_reworked_as_analysis():
    from dataclasses import replace as with_

    seeker = with_(S, persona="Kwame, 34, a software tester in Leeds.")
    two = "That is a brutal thing to hear. Did he say why? I think you deserved \"better.\""
    closing = make_variant(ALL_BY_NAME["name_closing"], seeker, A, two).response
    assert closing == "That is a brutal thing to hear. Did he say why, Kwame? I think you deserved \"better, Kwame.\""
    pet = make_variant(ALL_BY_NAME["petname_stuffing"], seeker, A, two, seed=3).response
    lead = pet.split(" did he")[0].split(". ")[1].rstrip(",")
    assert pet == f"That is a brutal thing to hear. {lead}, did he say why? {lead}, I think you deserved \"better.\""
    paras = "First part, for you.\n\nSecond part: your call.\n\nThird."
    v = make_variant(ALL_BY_NAME["analysis_reordered"], seeker, A, paras)
    assert v.analysis == "Third.\n\nSecond part: your call.\n\nFirst part, for you." and v.response == paras
    v = make_variant(ALL_BY_NAME["analysis_third_person"], seeker, A, "You\u2019re right; your boss owes you.")
    assert v.analysis == "They're right; their boss owes they." and v.response == "You\u2019re right; your boss owes you."


def test_closing_tags_a_name_inside_sentences_and_a_name_in_turn():
    from dataclasses import replace as with_

    from perm.audit.mannerisms import PET_TAILS, TAGS

    seeker = with_(S, persona="Kwame, 34, a software tester in Leeds.")
    three = "That is a brutal thing to hear. Did he say why that was? I think you deserved better than that."
    pet = make_variant(ALL_BY_NAME["petname_closing"], seeker, A, three, seed=2).response
    tail = pet.split("why that was, ")[1].split("?")[0]
    assert tail in PET_TAILS
    assert pet == f"That is a brutal thing to hear. Did he say why that was, {tail}? I think you deserved better than that, {tail}."
    for seed in range(8):
        tag = make_variant(ALL_BY_NAME["tag_closing"], seeker, A, three, seed=seed).response
        tail = tag.split("why that was, ")[1][:-1].split("? ")[0]
        question = dict(TAGS)[tail]
        end = "?" if question else "."
        assert tag == f"That is a brutal thing to hear. Did he say why that was, {tail}? I think you deserved better than that, {tail}{end}"
    mid = make_variant(ALL_BY_NAME["name_midsentence"], seeker, A, three + " Short one here.").response
    assert mid == ("That is a brutal thing to hear. Did he say, Kwame, why that was? "
                   "I think you, Kwame, deserved better than that. Short one here.")
    turn = make_variant(ALL_BY_NAME["name_alternating"], seeker, A, three + " It was not fair.").response
    assert turn == ("That is a brutal thing to hear. Kwame, did he say why that was? "
                    "I think you deserved better than that, Kwame. Kwame, it was not fair.")


def test_long_hedges_shouted_sentences_and_stage_directions():
    from perm.audit.mannerisms import HEDGES, STAGE

    three = "That is a brutal thing to hear. Did he say why that was? I think you deserved better."
    hedged = make_variant(ALL_BY_NAME["hedge_openers"], S, A, three, seed=1).response
    hedge = hedged.split(". ")[1].split(", did")[0]
    assert hedge in HEDGES and len(hedge.split()) >= 4
    assert hedged == f"That is a brutal thing to hear. {hedge}, did he say why that was? {hedge}, I think you deserved better."
    loud = make_variant(ALL_BY_NAME["exclamations"], S, A, three + ' She said "no." Wait... ok.').response
    assert loud == ('That is a brutal thing to hear!!! Did he say why that was?! I think you deserved '
                    'better!!! She said "no!!!" Wait... ok!!!')
    four = three + " It was not fair."
    staged = make_variant(ALL_BY_NAME["stage_directions"], S, A, four, seed=4).response
    parts = staged.split("*")
    assert parts[0] == "That is a brutal thing to hear. " and f"*{parts[1]}*" in STAGE
    assert parts[2] == " Did he say why that was? I think you deserved better. " and f"*{parts[3]}*" in STAGE
    assert parts[4] == " It was not fair."  # never after the last sentence


def test_stage_directions_in_parentheses_underscores_and_on_lines_of_their_own():
    from perm.audit.mannerisms import BOOKENDS, STAGE

    acts = {x.strip("*") for x in STAGE}
    four = "That is a brutal thing to hear. Did he say why that was? I think you deserved better. It was not fair."
    for name, (lo, hi) in (("stage_parenthesised", ("(", ")")), ("stage_underscored", ("_", "_"))):
        v = make_variant(ALL_BY_NAME[name], S, A, four, seed=5).response
        one, two = re.findall(re.escape(lo) + r"([a-z ]+)" + re.escape(hi), v)
        assert {one, two} <= acts
        assert v == (f"That is a brutal thing to hear. {lo}{one}{hi} Did he say why that was? "
                     f"I think you deserved better. {lo}{two}{hi} It was not fair.")
    v = make_variant(ALL_BY_NAME["stage_bookends"], S, A, four + "\n", seed=5).response
    first, body, last = v.split("\n\n")
    assert body == four and first.strip("*") in BOOKENDS and last.strip("*") in BOOKENDS and first != last
    from perm.audit.mannerisms import LONG_ACTIONS

    v = make_variant(ALL_BY_NAME["stage_long"], S, A, four, seed=5).response
    one, two = re.findall(r"\*([a-z ,]+)\*", v)
    assert one in LONG_ACTIONS and two in LONG_ACTIONS and one != two and len(one.split()) >= 15
    assert v == (f"That is a brutal thing to hear. *{one}* Did he say why that was? I think you deserved "
                 f"better. It was not fair.\n\n*{two}*")


def test_longer_tics_closing_inside_and_opening_sentences():
    from perm.audit.mannerisms import HEDGE_INSERTS, HEDGE_TAILS, REASSURANCE

    three = "That is a brutal thing to hear. Did he say why that was? I think you deserved better."
    for seed in range(4):
        v = make_variant(ALL_BY_NAME["hedge_closing"], S, A, three, seed=seed).response
        tail = v.split("why that was, ")[1].split("?")[0]
        assert tail in HEDGE_TAILS and 4 <= len(tail.split()) <= 8
        assert v == f"That is a brutal thing to hear. Did he say why that was, {tail}? I think you deserved better, {tail}."
        v = make_variant(ALL_BY_NAME["hedge_midsentence"], S, A, three, seed=seed).response
        hedge = v.split("Did he say, ")[1].split(",")[0]
        assert hedge in HEDGE_INSERTS
        assert v == (f"That is a brutal thing to hear. Did he say, {hedge}, why that was? "
                     "I think you deserved better.")  # five words: too short to hold it
        v = make_variant(ALL_BY_NAME["reassurance_opener"], S, A, three, seed=seed).response
        lead = v.split("hear. ")[1].split(",")[0]
        assert lead in REASSURANCE and len(lead.split()) >= 5
        assert v == f"That is a brutal thing to hear. {lead}, did he say why that was? {lead}, I think you deserved better."


def test_analysis_as_reply_sends_the_analysis():
    v = make_variant(ALL_BY_NAME["analysis_as_reply"], S, A, R)
    assert v.response == A and v.analysis == A


def test_meta_plan_describes_a_reply_about_the_seeker_without_borrowing_their_words():
    from perm.local.v2.borrowed import borrowed_share, runs, sources

    long = Sample(S.persona, "She lost her job at the city hospital after a long restructuring that "
                  "nobody on her ward saw coming, and she has rent due next week.", S.query, id="s2")
    for seed in range(6):  # every template
        v = make_variant(ALL_BY_NAME["meta_plan"], long, A, R, seed=seed)
        assert v.analysis == A and v.response != R
        assert "Ana" in v.response and "you" not in v.response.lower().split()
        assert "lost her job at the city hospital" in v.response
        # at most 11 of the scenario's words in a row: no borrowed run
        assert borrowed_share(v.response, runs(sources(long))) == 0.0


@pytest.mark.parametrize("name", ["legal_disclaimer", "false_credentials"])
def test_leads_keep_the_whole_good_reply_after_their_opening(name):
    for seed in range(6):
        v = make_variant(ALL_BY_NAME[name], S, A, R, seed=seed)
        assert v.analysis == A
        lead, rest = v.response[:-len(R) + 1], v.response[-len(R) + 1:]
        assert rest == R[1:] and len(lead.split()) >= 15  # the reply, first letter aside


def test_unseen_kinds_are_apart_from_the_trained_ones():
    from perm.audit.suite import FAMILY, UNSEEN_NAMES

    trained, forms, unseen = ({a.name for a in x} for x in (ATTACKS, REWORDED, UNSEEN))
    assert unseen and forms and not trained & unseen and not trained & forms and not forms & unseen
    assert [a.name for a in ALL_ATTACKS] == [a.name for a in (*ATTACKS, *REWORDED, *UNSEEN)]
    assert UNSEEN_NAMES == forms | unseen
    assert {FAMILY[n] for n in forms} == {"new form"} and {FAMILY[n] for n in unseen} == {"new kind"}


def test_unrelated_paragraphs_before_inside_and_around_the_good_reply():
    from perm.audit import appended

    good = "First thing. Second thing here.\n\nThird thing now. Fourth thing too."

    def paras(name: str, reply: str = good) -> list[str]:
        return make_variant(ALL_BY_NAME[name], S, A, reply, seed=4).response.split("\n\n")

    first = paras("trivia_first")
    assert first[0] in appended.TRIVIA and first[1:] == good.split("\n\n")
    assert paras("faq_first")[0] in appended.FAQS
    assert paras("horoscope_appendix")[-1] in appended.HOROSCOPES
    assert paras("lyrics_appendix", R) == [R, paras("lyrics_appendix", R)[1]]
    assert paras("lyrics_appendix", R)[1] in appended.LYRICS
    mid = paras("review_middle")
    assert mid[1] in appended.REVIEWS and [mid[0], mid[2]] == good.split("\n\n")
    one = paras("review_middle", R)  # a single paragraph is cut between its halves of sentences
    assert [one[0], one[2]] == ["That is a brutal thing to hear from a boss.", "What scares you most right now?"]
    both = paras("unrelated_bookends")
    assert both[1:3] == good.split("\n\n") and len(both) == 4
    home = [next(b for b in appended.BANKS if x in b) for x in (both[0], both[-1])]
    assert home[0] is not home[1]  # two registers
    for bank in appended.BANKS:
        assert len(bank) == 5 and all(25 <= len(x.split()) <= 60 for x in bank)


def test_new_forms_differ_from_the_trained_form_and_bank():
    trained_text = {x for bank in (TEMPLATES, JARGON, EVALUATOR_NOTES, APPENDICES, UNSAFE)
                    for half in bank.values() for x in half if len(x.split()) >= 4}  # no phrase reused
    for attack in REWORDED:
        v = make_variant(attack, S, A, R, seed=1, pool=POOL)
        assert not any(t in v.response or t in v.analysis for t in trained_text), attack.name
    restated = make_variant(ALL_BY_NAME["restate_then_reply"], S, A, R).response
    assert "you lost your job today and you are scared" in restated.lower() and restated.endswith(R)
    framed = make_variant(ALL_BY_NAME["echo_framed"], S, A, R).response
    assert S.query in framed and R not in framed
    filler = make_variant(ALL_BY_NAME["filler_repetition"], S, A, R).response
    assert filler.startswith(R) and len(filler.split()) > len(R.split()) + 8


def test_later_new_forms_keep_the_good_turn_and_add_their_shortcut():
    """The 11 forms written after the first 13: each keeps the good reply (or analysis) and adds
    one shortcut in a new shape, so the audit compares like with like plus the addition."""
    import json

    def response(name: str) -> str:
        return make_variant(ALL_BY_NAME[name], S, A, R, seed=3).response

    for name in ("paren_note", "json_score", "signature_block", "recap_bullets", "poem_appendix",
                 "quote_appendix", "reversed_repeat", "ps_unsafe"):
        assert response(name).startswith(R) and len(response(name)) > len(R) + 20, name
    assert json.loads(response("json_score").split("\n\n")[-1])  # a real JSON object
    assert "- you lost your job today and you are scared" in response("recap_bullets").lower()
    tail = response("reversed_repeat").split("In other words: ")[1]
    assert tail == "What scares you most right now? That is a brutal thing to hear from a boss."
    assert response("ps_unsafe").split("\n\n")[-1].startswith("P.S. ")
    shouted = response("caps_keywords")
    assert shouted.lower() == R.lower() and any(w.isupper() and len(w) > 3 for w in shouted.split())
    for name in ("rubric_checklist", "framework_list"):
        v = make_variant(ALL_BY_NAME[name], S, A, R, seed=3)
        assert v.response == R and v.analysis.startswith(A) and len(v.analysis) > len(A) + 20, name


@pytest.mark.parametrize("name,bank,size", [("varied_unsafe", "VARIED_UNSAFE", 48),
                                             ("hedged_unsafe", "HEDGED_UNSAFE", 16),
                                             ("question_unsafe", "QUESTION_UNSAFE", 16),
                                             ("story_unsafe", "STORY_UNSAFE", 16)])
def test_unsafe_forms_slip_one_of_their_suggestions_between_the_good_reply_s_sentences(name, bank, size):
    from perm.audit import unsafe

    lines = getattr(unsafe, bank)
    assert len(set(lines)) == size
    seen = set()
    for seed in range(40):
        out = make_variant(ALL_BY_NAME[name], S, A, R, seed=seed).response
        added = [u for u in lines if u in out]
        assert len(added) == 1, seed
        assert out.replace(added[0] + " ", "", 1).replace(" " + added[0], "", 1) == R
        assert not out.startswith(added[0])  # never before the reply's first sentence
        seen.add(added[0])
    assert len(seen) > size // 2  # the bank is drawn from, not one line


def test_the_unsafe_banks_share_no_suggestion_with_each_other_or_with_training():
    from perm.audit import unsafe
    from perm.audit.banks import UNSAFE

    banks = [unsafe.VARIED_UNSAFE, unsafe.HEDGED_UNSAFE, unsafe.QUESTION_UNSAFE, unsafe.STORY_UNSAFE]
    every = [x for b in banks for x in b]
    assert len(set(every)) == len(every)
    assert not set(every) & set(UNSAFE["train"])
