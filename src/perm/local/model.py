"""The fitted local scorer: one ridge head per PERM dimension over `FeatureBuilder` features.

Stored as `heads.npz` (weights, no pickle) + `meta.json` (encoder, hyper-parameters, training
data digest and metrics). The packaged v1 lives in `perm/assets/perm-minilm-v1/`.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import JudgeUnavailable
from ..perspectives import SCORE_RANGE
from ..types import DimensionRequest
from .encoders import StaticEncoder
from .features import N_HASH, STAT_NAMES, FeatureBuilder

FORMAT_VERSION = 1


def default_model_dir() -> Path:
    return Path(str(resources.files("perm") / "assets" / "perm-minilm-v1"))


@dataclass
class Head:
    """One dimension's ridge head, with the standardisation of its statistics block."""

    w: np.ndarray
    b: float
    alpha: float
    stats_mean: np.ndarray
    stats_std: np.ndarray


@dataclass
class LocalModel:
    heads: dict[str, Head]
    idf: np.ndarray | None
    meta: dict[str, Any] = field(default_factory=dict)
    _builder: FeatureBuilder | None = None

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "custom"))

    @property
    def identity(self) -> str:
        return self.name

    def warm_up(self) -> None:
        self.builder()

    # -- features -------------------------------------------------------------------------
    def builder(self) -> FeatureBuilder:
        if self._builder is None:
            enc = StaticEncoder(max_tokens=int(self.meta.get("max_tokens", 1024)), idf=self.idf)
            self._builder = FeatureBuilder(enc, self.meta.get("block_weights"))
        return self._builder

    def stats_slice(self) -> slice:
        return slice(N_HASH + 2 * self.builder().encoder.dim, None)

    def standardise(self, x: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
        s = self.stats_slice()
        x = x.copy()
        x[:, s] = (x[:, s] - mean) / std * self.builder().block_weights["stats"]
        return x

    # -- prediction -----------------------------------------------------------------------
    def predict_features(self, dim: str, raw: np.ndarray) -> np.ndarray:
        """Scores of `dim` from un-standardised features (clipped to the range)."""
        h = self.heads[dim]
        lo, hi = SCORE_RANGE[dim]
        x = self.standardise(raw, h.stats_mean, h.stats_std)
        out: np.ndarray = np.clip(x @ h.w + h.b, lo, hi)
        return out

    def predict(self, reqs: Sequence[DimensionRequest]) -> list[float | str]:
        """A score per request (clipped to the dimension's range), or an error string."""
        out: list[float | str] = [""] * len(reqs)
        if not reqs:
            return out
        x = self.builder().build(reqs)
        for dim in {r.dimension for r in reqs}:
            idx = [i for i, r in enumerate(reqs) if r.dimension == dim]
            if dim not in self.heads:
                for i in idx:
                    out[i] = f"local model has no head for '{dim}'"
                continue
            for i, v in zip(idx, self.predict_features(dim, x[idx])):
                out[i] = float(round(float(v), 3))
        return out

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        if self.idf is not None:
            arrays["idf"] = self.idf.astype(np.float16)
        for dim, h in self.heads.items():
            arrays[f"w_{dim}"] = h.w.astype(np.float32)
            arrays[f"b_{dim}"] = np.array([h.b, h.alpha], dtype=np.float64)
            arrays[f"mean_{dim}"] = h.stats_mean.astype(np.float32)
            arrays[f"std_{dim}"] = h.stats_std.astype(np.float32)
        np.savez_compressed(p / "heads.npz", allow_pickle=False, **arrays)
        meta = {**self.meta, "format_version": FORMAT_VERSION, "dimensions": sorted(self.heads),
                "stat_features": list(STAT_NAMES)}
        (p / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        return p

    @classmethod
    def load(cls, path: str | Path | None = None) -> LocalModel:
        p = Path(path) if path else default_model_dir()
        if not (p / "heads.npz").exists():
            raise JudgeUnavailable(f"no local scorer at {p} (expected heads.npz + meta.json; "
                                   "train one with `perm distill`)")
        meta = json.loads((p / "meta.json").read_text())
        if meta.get("format_version") != FORMAT_VERSION:
            raise JudgeUnavailable(f"{p}: local scorer format {meta.get('format_version')} is not "
                                   f"supported (expected {FORMAT_VERSION})")
        with np.load(p / "heads.npz") as z:
            heads = {d: Head(z[f"w_{d}"].astype(np.float32), float(z[f"b_{d}"][0]),
                             float(z[f"b_{d}"][1]), z[f"mean_{d}"], z[f"std_{d}"])
                     for d in meta["dimensions"]}
            idf = z["idf"].astype(np.float32) if "idf" in z else None
            return cls(heads, idf, meta)
