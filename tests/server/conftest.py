"""Fixtures for the reward server tests: fake-judge apps in process, and real uvicorn."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_helpers import LiveServer, fake_config

from perm.server import create_app


@pytest.fixture
def make_client() -> Iterator[Any]:
    """make_client(config_or_scorer, **create_app kwargs) -> a started TestClient."""
    clients: list[TestClient] = []

    def make(scorer: Any = None, **kw: Any) -> TestClient:
        client = TestClient(create_app(scorer if scorer is not None else fake_config(), **kw))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Any) -> TestClient:
    return make_client()  # type: ignore[no-any-return]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Any]:
    servers: list[LiveServer] = []

    def start(config: dict[str, Any] | None = None, *args: str, **kw: Any) -> LiveServer:
        server = LiveServer(tmp_path, config or fake_config(), *args, **kw)
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()
