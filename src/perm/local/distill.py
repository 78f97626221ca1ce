"""Fit the local scorer from labelled outputs (`perm distill`).

Input: JSONL records in the data contract with a `completion` and labels, given either as a
`scores` object (the output of `perm score` merged with its input, or our gold files) or as
top-level `resonation` / `expression` / `reception` / `bystander` keys. Records whose label for a
dimension is missing are left out of that dimension's head only.

Each dimension gets a ridge regression (closed form, dual) with its strength chosen by
cross-validation grouped by scenario, so the same scenario never sits in both a fit and a check.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..data import iter_records, parse_record
from ..errors import DataError, DataErrors
from ..metrics import pairwise_accuracy, spearman
from ..scoring import build_requests
from ..types import DIMENSIONS, Dimension, Sample
from .encoders import StaticEncoder
from .model import Head, LocalModel
from .v2.data import labels_of

DEFAULT_BLOCKS = {"ngrams": 1.0, "text": 1.0, "ctx_text": 1.0, "stats": 0.5}
ALPHAS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
Progress = Callable[[str], None]


@dataclass
class Labelled:
    samples: list[Sample]
    labels: list[dict[str, float | None]]
    groups: list[str]


def _labels_of(rec: dict[str, Any]) -> dict[str, float | None]:
    return dict(labels_of(rec))


def group_of(sample: Sample) -> str:
    key = sample.extra.get("scenario_id") or f"{sample.persona}\n{sample.scenario}\n{sample.query}"
    return hashlib.sha1(str(key).encode()).hexdigest()[:12]


def load_labelled(path: str | Path) -> Labelled:
    out = Labelled([], [], [])
    errors: list[DataError] = []
    for n, rec in iter_records(path):
        try:
            if isinstance(rec, DataError):
                raise rec
            sample = parse_record(rec, path=str(path), line=n)
            if sample.completion is None:
                raise DataError("missing required field", field="completion", path=str(path), line=n)
            labels = _labels_of(rec)
            if all(v is None for v in labels.values()):
                raise DataError("no labels (expected 'scores' or dimension keys)", field="scores",
                                path=str(path), line=n)
        except DataError as e:
            errors.append(e)
            continue
        out.samples.append(sample)
        out.labels.append(labels)
        out.groups.append(group_of(sample))
    if errors:
        raise DataErrors(errors)
    return out


def _ridge(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """Ridge in dual form (n << d): w = X^T (X X^T + a I)^-1 (y - mean)."""
    mu = float(y.mean())
    k = x @ x.T
    a = np.linalg.solve(k + alpha * np.eye(len(k)), y - mu)
    return x.T @ a, mu


def _cv_alpha(x: np.ndarray, y: np.ndarray, groups: Sequence[str], folds: int, seed: int) -> tuple[float, float]:
    uniq = sorted(set(groups))
    rng = np.random.default_rng(seed)
    rng.shuffle(uniq)
    fold_of = {g: i % folds for i, g in enumerate(uniq)}
    f = np.array([fold_of[g] for g in groups])
    best = (ALPHAS[0], -np.inf)
    for alpha in ALPHAS:
        pred = np.zeros_like(y)
        for k in range(folds):
            tr, te = f != k, f == k
            if not te.any() or not tr.any():
                continue
            w, b = _ridge(x[tr], y[tr], alpha)
            pred[te] = x[te] @ w + b
        rho = spearman(y.tolist(), pred.tolist())
        if rho > best[1]:
            best = (alpha, rho)
    return best


def features_for(model: LocalModel, data: Labelled, dim: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    reqs, ys, gs = [], [], []
    for s, lab, g in zip(data.samples, data.labels, data.groups):
        if lab.get(dim) is None:
            continue
        _, r = build_requests(s, [cast(Dimension, dim)], "judge")
        reqs.append(r[0])  # type: ignore[index]
        ys.append(lab[dim])
        gs.append(g)
    return model.builder().build(reqs), np.array(ys, dtype=np.float64), gs


def distill(train: str | Path, out_dir: str | Path, *, seed: int = 0, folds: int = 5,
            name: str = "custom", max_tokens: int = 1024, log: Progress = print,
            block_weights: dict[str, float] | None = None) -> LocalModel:
    """Fit every dimension's head on `train`, save to `out_dir`, return the model."""
    t0 = time.perf_counter()
    data = load_labelled(train)
    log(f"loaded {len(data.samples)} labelled outputs from {train} "
        f"({len(set(data.groups))} scenarios)")
    enc = StaticEncoder(max_tokens=max_tokens)
    texts = [s.completion or "" for s in data.samples]
    idf = enc.fit_idf(texts)
    model = LocalModel({}, idf, {
        "name": name, "encoder": enc.name, "max_tokens": max_tokens, "seed": seed,
        "block_weights": block_weights or dict(DEFAULT_BLOCKS),
        "train_file": str(train), "train_digest": hashlib.sha256(Path(train).read_bytes()).hexdigest()[:16],
        "n_train": len(data.samples)})
    stats = model.stats_slice()
    cv: dict[str, dict[str, float]] = {}
    for dim in DIMENSIONS:
        x, y, g = features_for(model, data, dim)
        if len(y) < 10:
            log(f"{dim}: only {len(y)} labels, skipped")
            continue
        mean, std = x[:, stats].mean(0), x[:, stats].std(0)
        std = np.where(std < 1e-6, 1.0, std)  # a constant statistic stays 0 after centring
        x = model.standardise(x, mean, std)
        alpha, rho = _cv_alpha(x, y, g, folds, seed)
        w, b = _ridge(x, y, alpha)
        model.heads[dim] = Head(w.astype(np.float32), b, alpha, mean, std)
        cv[dim] = {"alpha": alpha, "cv_spearman": round(rho, 4), "n": len(y)}
        log(f"{dim}: n={len(y)} alpha={alpha:g} grouped-CV Spearman={rho:.3f}")
    model.meta["cv"] = cv
    model.meta["fit_seconds"] = round(time.perf_counter() - t0, 1)
    model.save(out_dir)
    log(f"saved to {out_dir} in {model.meta['fit_seconds']}s")
    return model


def evaluate(model: LocalModel, path: str | Path, config: Any = None) -> dict[str, Any]:
    """Spearman per dimension and pairwise reward accuracy of `model` against labels in `path`."""
    from ..config import build_config
    from ..scoring import combine

    data = load_labelled(path)
    cfg = config or build_config({"missing": "available"})
    preds: dict[str, list[float]] = {}
    report: dict[str, Any] = {"n": len(data.samples)}
    for dim in model.heads:
        x, y, _ = features_for(model, data, dim)
        p = model.predict_features(dim, x)
        preds[dim] = list(p)
        report[f"spearman_{dim}"] = round(spearman(y.tolist(), p.tolist()), 4)
    gold_r, pred_r = [], []
    for i, lab in enumerate(data.labels):
        tok = 0
        gold_r.append(combine(lab, {}, tok, cfg).reward or 0.0)
        pred_r.append(combine({d: preds[d][i] for d in preds}, {}, tok, cfg).reward or 0.0)
    acc, n_pairs = pairwise_accuracy(data.groups, gold_r, pred_r, 0.1)
    report.update(pairwise_accuracy=round(acc, 4), pairs=n_pairs,
                  spearman_reward=round(spearman(gold_r, pred_r), 4))
    return report


def write_json(path: str | Path, obj: Any) -> None:
    Path(path).write_text(json.dumps(obj, indent=2) + "\n")
