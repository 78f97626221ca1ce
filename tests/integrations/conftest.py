"""Fixtures for the engine tests: a live `perm serve` (shared with tests/server)."""
from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _server_helpers() -> Any:
    if "server_helpers" in sys.modules:
        return sys.modules["server_helpers"]
    path = Path(__file__).resolve().parents[1] / "server" / "server_helpers.py"
    spec = importlib.util.spec_from_file_location("server_helpers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["server_helpers"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def helpers() -> Any:
    """tests/server/server_helpers.py (fake configs, WholeBatchRater, ...)."""
    return _server_helpers()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Any]:
    helpers = _server_helpers()
    servers: list[Any] = []

    def start(config: dict[str, Any] | None = None, *args: str) -> Any:
        server = helpers.LiveServer(tmp_path, config or helpers.fake_config(), *args)
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()
