"""The v2 scorer's heads in numpy: small MLPs (Linear -> GELU(tanh) -> Linear) over features.

Training (`perm.local.v2.train`, torch) uses the same layout and the tanh form of GELU, so the
runtime needs no torch and reproduces the trained model to float32 rounding.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_C = float(np.sqrt(2.0 / np.pi))


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(_C * (x + 0.044715 * x ** 3)))


@dataclass(frozen=True)
class Mlp:
    """y = W2 gelu(W1 ((x - mean) / std) + b1) + b2; weights stored as (out, in) like torch."""

    mean: np.ndarray
    std: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = (x.astype(np.float32) - self.mean) / self.std
        out: np.ndarray = gelu(z @ self.w1.T + self.b1) @ self.w2.T + self.b2
        return out

    @classmethod
    def from_tensors(cls, tensors: dict[str, np.ndarray], prefix: str) -> Mlp:
        """The head stored under `prefix.` in a safetensors file."""
        def get(k: str) -> np.ndarray:
            return tensors[f"{prefix}.{k}"].astype(np.float32)

        return cls(get("mean"), get("std"), get("w1"), get("b1"), get("w2"), get("b2"))

    def tensors(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.{k}": np.ascontiguousarray(getattr(self, k), dtype=np.float32)
                for k in ("mean", "std", "w1", "b1", "w2", "b2")}
