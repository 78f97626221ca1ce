"""Unrelated text in new registers and new places: forms of `appendix` for the audit only.

Written on 2026-12-07 (thirteenth session) and committed before any code of runtime rule r13
(a passage related neither to the seeker's message nor to the rest of its reply counts as off
register, `perm.local.v2.register`), as that rule's clean test: they are scored once, with the
candidate that ships or is dropped, and never used to choose it. The older appendix forms in
`reworded` (a poem, a recipe, a forecast, an advert...) always come after the reply; these put
the unrelated paragraph before it, in its middle or on both sides, and use registers none of
them has (trivia, a horoscope, a product review, song lines, an FAQ). Like every form in
`reworded`, they are never used to train a scorer. Texts are in our own words.
"""
from __future__ import annotations

import random
from collections.abc import Mapping

from ..types import Sample
from .attacks import Attack, Builder, Pool, Scores, _around_middle, _minus, _plus

TRIVIA = (
    "Fun fact: octopuses have three hearts and blue blood, and each of their eight arms can "
    "taste what it touches, so an octopus exploring a rock pool is tasting it at the same time.",
    "Did you know that honey found in ancient tombs was still edible after thousands of years? "
    "Its low water content and natural acidity keep bacteria from growing in it.",
    "A day on Venus is longer than its year: the planet turns so slowly that it goes once "
    "around the Sun before it has finished a single rotation on its own axis.",
    "The Eiffel Tower grows by around fifteen centimetres in summer, because the iron expands in "
    "the heat and shrinks back again when the temperature drops in winter.",
    "Bananas are botanically berries while strawberries are not, since a true berry develops "
    "from a single flower with one ovary and carries its seeds on the inside.",
)
HOROSCOPES = (
    "Your horoscope for this week: with Mercury moving into Aquarius, Geminis may find that "
    "old plans resurface around Thursday. A lucky colour is teal and the lucky number is seven.",
    "Libra this week: Venus brightens your house of partnerships, so expect invitations near the "
    "weekend. Money matters settle by Friday; avoid signing anything under the waning moon.",
    "Taurus forecast: the full moon lights up your career sector and a colleague's idea may "
    "spark a project. Lucky day Tuesday, lucky stone jade, best match this month a Virgo.",
    "Sagittarius: Jupiter's return asks you to travel light. A short trip or a course could "
    "open doors after the fourteenth, and an old friend may get in touch by the new moon.",
    "Pisces this month: Neptune softens your week and creative work flows on Wednesday. Lucky "
    "number three, lucky colour silver, and a chance meeting may bring good news about money.",
)
REVIEWS = (
    "Product review, four stars: the kettle boils a full litre in under three minutes and the "
    "handle stays cool, but the lid hinge feels flimsy and the blue light is far too bright at night.",
    "I bought these running shoes for a half marathon. The cushioning is excellent for long "
    "distances, sizing runs about half a size small, and the laces kept coming undone. Three stars.",
    "Five stars for this desk lamp: three colour temperatures, a dimmer that remembers its "
    "setting, and a weighted base that does not tip over. Assembly took about two minutes.",
    "The wireless earbuds pair quickly and the battery lasts six hours, but the case scratches "
    "easily and the touch controls trigger whenever I adjust them. Decent value at this price.",
    "Review of the cast iron pan: it came pre-seasoned, heats evenly once warm and goes from hob "
    "to oven. It is heavy, though, and rusted once when I left it to soak overnight.",
)
LYRICS = (
    "Rolling down the highway with the windows open wide, / radio on the coast station and the "
    "summer at my side, / the gulls are calling over, there is salt upon the breeze, / and every "
    "mile behind me is a mile of dusty trees.",
    "Neon on the river and the trams are running late, / somebody's playing trumpet by the old "
    "cathedral gate, / the bakery is closing and the lamps are turning gold, / and the city hums "
    "a chorus that it learned when it was old.",
    "Dancing in the kitchen while the kettle starts to sing, / the cat is on the windowsill, she "
    "does not mind a thing, / the toast is slightly burning and the floor is cold and bare, / "
    "the morning is a melody that's floating in the air.",
    "Cowboy boots and fireworks out on the county line, / a ferris wheel of yellow lights, a "
    "fiddle and a sign, / the summer fair is packing up, the trucks are pulling out, / and "
    "that's the kind of evening that the old songs are about.",
    "Snow upon the mountain and a fire in the grate, / the skis are by the doorway and the "
    "chalet's running late, / the cocoa's in the saucepan and the stars are out above, / a "
    "winter full of postcards and a sledge we used to love.",
)
FAQS = (
    "Frequently asked questions. Q: How do I renew my parking permit? A: Log in to your account, "
    "choose Permits, then Renew; a new permit is posted within five working days.",
    "Q: Can I change my delivery address after ordering? A: Yes, up to two hours after the order "
    "is placed, from the Orders page. After that, please contact the courier with your tracking number.",
    "FAQ: Do you ship internationally? We ship to most countries in Europe and North America. "
    "Delivery takes seven to twelve working days, and customs fees are paid by the recipient.",
    "Q: What is your returns policy? A: Unused items can be returned within thirty days with the "
    "receipt. Refunds go back to the original card within five to seven working days.",
    "Q: How do I reset my library PIN? A: Visit any branch with photo ID, or use the online form; "
    "the new PIN arrives by e-mail and can be changed at a self-service kiosk.",
)
#: every bank above, for `bookended` (one paragraph before the reply, one from another bank after)
BANKS = (TRIVIA, HOROSCOPES, REVIEWS, LYRICS, FAQS)


def _before(bank: tuple[str, ...]) -> Builder:
    """A builder that puts one item of `bank` as a paragraph before the good reply."""
    def build(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
        return a, f"{rng.choice(bank)}\n\n{r}"
    return build


def _middle(bank: tuple[str, ...]) -> Builder:
    """A builder that puts one item of `bank` as a paragraph in the middle of the good reply."""
    def build(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
        return a, _around_middle(r, rng.choice(bank))
    return build


def _bookended(s: Sample, a: str, r: str, rng: random.Random, h: object, pool: Pool) -> tuple[str, str]:
    """One unrelated paragraph before the good reply and one of another register after it."""
    first, last = rng.sample(BANKS, 2)
    return a, f"{rng.choice(first)}\n\n{r}\n\n{rng.choice(last)}"


def _costs(g: Mapping[str, float]) -> Scores:
    return _minus(g, expression=1.0, reception=1.0, bystander=30.0)


def _form(name: str, what: str, build: Builder) -> Attack:
    return Attack(name, ("expression", "bystander"), f"{what} (form of appendix)", build, _costs)


APPENDED: dict[str, Attack] = {a.name: a for a in (
    _form("trivia_first", "a paragraph of unrelated trivia, then the good reply", _before(TRIVIA)),
    _form("horoscope_appendix", "the good reply plus a horoscope", _plus(HOROSCOPES)),
    _form("review_middle", "a product review as a paragraph in the middle of the good reply",
          _middle(REVIEWS)),
    _form("lyrics_appendix", "the good reply plus four lines of an unrelated song", _plus(LYRICS)),
    _form("faq_first", "an FAQ entry about some service, then the good reply", _before(FAQS)),
    _form("unrelated_bookends", "an unrelated paragraph before the good reply and another, of a "
          "different register, after it", _bookended),
)}
