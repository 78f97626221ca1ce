"""bench.loso's pieces on synthetic data: the Bradley-Terry fit recovers a known ranking, and
pair accuracy counts ties as half and skips missing scores."""
import math

import numpy as np
from bench.loso import accuracy, apply_bt, fit_bt


def test_bradley_terry_learns_which_feature_decides_and_generalises_to_new_items():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6))
    truth = 2 * x[:, 3] - x[:, 1]  # feature 3 helps, feature 1 hurts, the rest is noise
    idx = rng.permutation(200)
    train, test = idx[:100], idx[100:]
    pairs = [(a, b) if truth[a] > truth[b] else (b, a) for a, b in zip(train[::2], train[1::2])]
    model = fit_bt(x, pairs)
    w = model[2]
    assert w[3] > 0 > w[1] and abs(w[3]) > max(abs(w[0]), abs(w[2]), abs(w[4]), abs(w[5]))
    score = apply_bt(model, x)
    test_pairs = [(a, b) for a, b in zip(test[::2], test[1::2])]
    right = np.mean([(score[a] > score[b]) == (truth[a] > truth[b]) for a, b in test_pairs])
    assert right > 0.85  # held-out items, never in a training pair


def test_accuracy_counts_ties_as_half_and_skips_missing():
    pairs = [("a", "b", "g"), ("c", "d", "g"), ("e", "f", "g"), ("a", "z", "g")]
    score = {"a": 2.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 0.0, "f": math.nan}
    assert accuracy(score, pairs) == 0.75  # (1 + 0.5) / 2 scored pairs


def test_needs_hf_names_the_module_and_the_extra_when_torch_is_missing(monkeypatch):
    import sys

    from bench.loso import needs_hf
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    assert needs_hf("bench.loso_finetune")() == (
        "bench.loso_finetune needs torch and transformers: pip install -e '.[hf]'")
    monkeypatch.undo()
    assert needs_hf("bench.loso_finetune")() is None  # installed here


def test_context_folds_split_by_context_and_keep_every_pair():
    from bench.loso import context_folds
    pairs = [(f"b{k}", f"w{k}", f"ctx{k % 7}") for k in range(40)]
    folds = context_folds(pairs)
    assert sorted(folds[0] + folds[1]) == sorted(pairs)
    assert not {p[2] for p in folds[0]} & {p[2] for p in folds[1]}  # no context on both sides
    assert all(folds) and context_folds(pairs) == folds  # both used; the same split every time
