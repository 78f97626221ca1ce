"""The PERM reward server (FastAPI). Import `create_app`; `perm serve` runs it with uvicorn."""
from __future__ import annotations

from .app import create_app
from .limits import ServerLimits

__all__ = ["ServerLimits", "create_app"]
