"""`perm audit` with the v2 heads alone: the model card's "heads alone" column.

    python -m bench.heads_alone [perm audit options, e.g. --attacks quote_back -o heads.json]

The shipped scorer applies runtime rules on top of its heads (borrowed text, relevance, the
register rule, the cap...; MODEL_CARD.md). This runs the same audit with every rule switched
off (`ScorerV2.predict(..., discount_borrowed=False)`), in this process only, so a row of the
card can be checked: how much of an attack's defeat is the heads' and how much the rules'.
The judge cache is off and the scorer's identity gains `+heads-alone`, so these scores are
never mistaken for the shipped scorer's. Research only; needs nothing beyond `perm audit`.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

SUFFIX = "+heads-alone"


def heads_alone() -> None:
    """Switch the v2 runtime rules off in this process and mark the scorer's identity."""
    from perm.local.v2 import model

    if getattr(model.ScorerV2, "_heads_alone", False):
        return
    predict, identity = model.ScorerV2.predict, model.ScorerV2.identity

    def alone(self: model.ScorerV2, reqs: Sequence[Any], *, discount_borrowed: bool = True) -> list[float | str]:
        return predict(self, reqs, discount_borrowed=False)

    model.ScorerV2.predict = alone  # type: ignore[method-assign]
    model.ScorerV2.identity = property(lambda self: identity.fget(self) + SUFFIX)  # type: ignore[assignment,attr-defined]
    model.ScorerV2._heads_alone = True  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> Any:
    heads_alone()
    from perm.cli import main as perm_main

    return perm_main(["audit", "--no-cache", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
