"""Off-domain prose for the `offdomain_appendix` form, written for this project.

`offdomain.txt` holds 240 short neutral passages (manuals, facts, memos, release notes...), one
per line, under a `# register` line for each of its 25 registers: car care, cleaning, pets,
astronomy, grammar, music theory, games, geology, chemistry, photography, crafts, office notices,
release notes, economics, building, etymology, plant and insect biology, marine life,
woodworking, cataloguing, airports, coffee and tea, computer hardware, gemstones and railways.
None of these registers is used by another form of the audit (recipes, weather, sports, adverts,
poems, code, news, history, itineraries, terms of service, fables, homework, how-tos, gardening,
quotes: `tests/audit/test_attacks.py` checks that no text is shared), and none is used to train
a scorer.
"""
from __future__ import annotations

from importlib import resources


def _load() -> tuple[str, ...]:
    text = (resources.files("perm") / "audit" / "offdomain.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


OFFDOMAIN: tuple[str, ...] = _load()
