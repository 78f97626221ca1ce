"""`local`: the embedded offline PERM scorer (the default judge). No network, no GPU.

`--model PATH` loads a scorer trained with `perm distill`; by default the one shipped in the
package is used. Predictions run in a worker thread so the event loop stays responsive.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from ..config import JudgeConfig
from ..local.model import LocalModel, default_model_dir
from ..types import DimensionRequest


class LocalJudge:
    name = "local"

    def __init__(self, config: JudgeConfig | None = None) -> None:
        self.config = config or JudgeConfig(backend="local")
        self.path = self.config.model or str(default_model_dir())
        self._model: LocalModel | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> LocalModel:
        with self._lock:
            if self._model is None:
                self._model = LocalModel.load(self.path)
            return self._model

    @property
    def identity(self) -> str:
        name = self.model.meta.get("name", "custom") if self._model else None
        return f"local:{name or self._peek_name()}"

    def _peek_name(self) -> str:
        try:
            return str(self.model.meta.get("name", "custom"))
        except Exception:  # identity must never raise; check() reports the real problem
            return "unavailable"

    async def predict(self, requests: Sequence[DimensionRequest]) -> list[float | str]:
        return await asyncio.to_thread(self.model.predict, list(requests))

    async def check(self) -> None:
        await asyncio.to_thread(lambda: self.model.builder())

    async def aclose(self) -> None:
        return None
