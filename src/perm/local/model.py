"""The fitted local scorer: one ridge head per PERM dimension over `FeatureBuilder` features.

Stored as `heads.npz` (weights, no pickle) + `meta.json` (encoder, hyper-parameters, training
data digest and metrics). The packaged default lives in `perm/assets/local-scorer/`.
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
from ..types import SCORE_RANGE, DimensionRequest
from .encoders import StaticEncoder
from .features import N_HASH, STAT_NAMES, FeatureBuilder

FORMAT_VERSION = 1


def default_model_dir() -> Path:
    return Path(str(resources.files("perm") / "assets" / "local-scorer"))


@dataclass
class Head:
    w: np.ndarray
    b: float
    alpha: float


@dataclass
class LocalModel:
    heads: dict[str, Head]
    stats_mean: np.ndarray
    stats_std: np.ndarray
    idf: np.ndarray | None
    meta: dict[str, Any] = field(default_factory=dict)
    _builder: FeatureBuilder | None = None

    # -- features -------------------------------------------------------------------------
    def builder(self) -> FeatureBuilder:
        if self._builder is None:
            enc = StaticEncoder(max_tokens=int(self.meta.get("max_tokens", 1024)), idf=self.idf)
            self._builder = FeatureBuilder(enc, self.meta.get("block_weights"))
        return self._builder

    def standardise(self, x: np.ndarray) -> np.ndarray:
        s = N_HASH + 2 * self.builder().encoder.dim
        x = x.copy()
        x[:, s:] = (x[:, s:] - self.stats_mean) / self.stats_std * self.builder().block_weights["stats"]
        return x

    def features(self, reqs: Sequence[DimensionRequest]) -> np.ndarray:
        return self.standardise(self.builder().build(reqs))

    # -- prediction -----------------------------------------------------------------------
    def predict_features(self, dim: str, x: np.ndarray) -> np.ndarray:
        h = self.heads[dim]
        lo, hi = SCORE_RANGE[dim]
        return np.clip(x @ h.w + h.b, lo, hi)

    def predict(self, reqs: Sequence[DimensionRequest]) -> list[float | str]:
        """A score per request (clipped to the dimension's range), or an error string."""
        out: list[float | str] = [""] * len(reqs)
        if not reqs:
            return out
        x = self.features(reqs)
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
        arrays: dict[str, np.ndarray] = {"stats_mean": self.stats_mean, "stats_std": self.stats_std}
        if self.idf is not None:
            arrays["idf"] = self.idf.astype(np.float16)
        for dim, h in self.heads.items():
            arrays[f"w_{dim}"] = h.w.astype(np.float32)
            arrays[f"b_{dim}"] = np.array([h.b, h.alpha], dtype=np.float64)
        np.savez_compressed(p / "heads.npz", **arrays)
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
            heads = {d: Head(z[f"w_{d}"].astype(np.float32), float(z[f"b_{d}"][0]), float(z[f"b_{d}"][1]))
                     for d in meta["dimensions"]}
            idf = z["idf"].astype(np.float32) if "idf" in z else None
            return cls(heads, z["stats_mean"], z["stats_std"], idf, meta)
