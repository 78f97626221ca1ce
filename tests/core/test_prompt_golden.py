"""Golden files pin the rendered judge prompts: a rubric or template change shows up as a diff
here and must come with a rubric version bump. Regenerate with PERM_UPDATE_GOLDEN=1."""
import json
import os
from pathlib import Path

import pytest

from perm.config import load_config
from perm.perspectives import RUBRIC_VERSION
from perm.scoring import PermScorer
from perm.types import Sample, Turn

GOLDEN = Path(__file__).parent / "golden"
SAMPLE = Sample(
    persona="A 52-year-old bus driver, recently widowed.",
    scenario="His wife died in March; he has started cooking for one.",
    query="made her soup recipe tonight. tasted wrong. stupid thing to be upset about",
    id="golden-1", hidden_intention="to hear that missing her in small things is not stupid",
    history=(Turn("user", "evenings are the worst"), Turn("assistant", "Evenings can be so long.")),
    completion="# Analysis\nGrief in the ordinary.\n# Response\nIt isn't stupid at all.")


@pytest.mark.parametrize("mode", ["per_dimension", "fused"])
def test_rendered_prompts_match_golden(mode):
    scorer = PermScorer({"judge": {"backend": "fake"}, "fused": mode == "fused"})
    rendered = json.dumps(scorer.render(SAMPLE), indent=1, ensure_ascii=False)
    path = GOLDEN / f"{RUBRIC_VERSION}-{mode}.json"
    if os.environ.get("PERM_UPDATE_GOLDEN") or not path.exists():
        path.write_text(rendered + "\n", encoding="utf-8")
    assert rendered + "\n" == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("recipe", sorted(Path("recipes").glob("scoring-*.yaml")))
def test_scoring_recipes_are_valid(recipe):
    cfg = load_config(recipe)
    assert cfg.length_limit == 768 and cfg.bystander_coef == 0.5
