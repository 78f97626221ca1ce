"""The seeker's chat backend names itself as the seeker when it cannot work."""
import asyncio

import pytest

from perm.config import JudgeConfig
from perm.env.seeker import create_seeker_model
from perm.errors import JudgeUnavailable


def test_an_hf_seeker_that_cannot_load_is_called_the_seeker(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    model = create_seeker_model(JudgeConfig(backend="hf", model=str(tmp_path / "no-such-model")))
    with pytest.raises(JudgeUnavailable, match="hf seeker could not load"):
        asyncio.run(model.check())
