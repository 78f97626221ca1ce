"""`perm-minilm-v2`: contextual MiniLM embeddings + small MLP heads, run with ONNX Runtime.

A scorer folder is a standard Hugging Face model folder (config.json, model.safetensors,
tokenizer files: `transformers.AutoModel` loads the encoder) plus `perm_heads.safetensors`
(the heads) and `meta.json` (format 2: name, training data digests, metrics).

Per request, the encoder embeds the judged text (the analysis for resonation, the reply for the
other perspectives) and the seeker's context; a GRPO group shares one prompt, so each distinct
context is embedded once per batch. Three heads read `head_features` (the text at a middle and
the last layer, the context, their product and cosine, passage-level max-pooling and cosines,
statistics):
  resonation  <- analysis, context
  reply       <- reply, context            -> expression, bystander
  reception   <- reply, context + what the seeker hoped for
A judged text with no letters or digits (empty, ".", zero-width characters) gets each
dimension's floor without asking the model: nothing was said, so nothing can be rated higher;
so does one with a single letter or digit ("b", ":D"), whatever the heads would say.
A reply's scores are then discounted by the share of it that is borrowed: long runs of the
seeker's own words (verbatim or with the pronouns turned round), sentences said twice,
symbol padding and a reply that is mostly its own analysis (`borrowed`); in a folder that ships a bank of contexts, by how little the
reply is about this seeker rather than anyone (`relevance`); and, where it also ships a bank of
its training replies' passages, by the share of passages that are neither support talk nor
about this seeker (`register`: an appended poem, quotes, a forecast); such a reply is also scored
no higher than itself without those passages. An opener said at the start of three or more
sentences ("Kwame, ...") counts as borrowed after its first time, and an analysis that is mostly
its own reply gets resonation's share of that discount (r9).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import JudgeUnavailable
from ...perspectives import SCORE_RANGE
from ...types import DimensionRequest
from ..encoder import make_encoder
from .borrowed import (
    PLAN_MIN_SHARE,
    discount,
    echo_share,
    own_text,
    plan_runs,
    reply_share,
    runs,
    sources,
)
from .heads import Mlp
from .register import STRIP, Settings, off_weights, word_share
from .register import TENSOR as SUPPORT_TENSOR
from .relevance import TENSOR, WORDS, Z_FULL, Z_NONE, fit, unit, zscore
from .text import chunks, context_text, has_content, one_character, statistics, visible, words

FORMAT_VERSION = 2
#: The runtime's rules on top of the heads, recorded in the judge identity
#: (`local:perm-minilm-v2@r13`) so that a resumed run never mixes scores of two rule sets:
#: r1 the heads alone (2026-12-04/05), r2 + the borrowed-text discount (2026-12-06), r3 + the
#: relevance discount (2026-12-06, evening), r4 + a reply that is mostly its own analysis
#: counted as borrowed (2026-12-06, late), r5 + asides to the grader or about the reply itself
#: counted as borrowed (2026-12-06, later), r6 + a judged text of fewer than two letters or
#: digits gets the floor, like an empty one (2026-12-06, afternoon), r7 + passages that are
#: neither support talk nor about this seeker counted as borrowed (`register`, 2026-12-06,
#: seventh session; only in a folder that ships the support bank), r8 + a passage whose own
#: expression score is below what our labellers' good replies' passages get counts as not
#: support talk, and a reply with such passages scores no higher than the reply without them
#: (`register`, 2026-12-06, eighth session), r9 + an opener that starts three or more
#: sentences ("Kwame, ...") counted as borrowed after its first time, and an analysis that is
#: mostly its own reply discounted like a reply that is mostly its analysis (2026-12-07), r10
#: + such a tic counted in any place it is set off by commas: closing a sentence ("..., Kwame.",
#: "..., okay?") or inside one (", Kwame,"), all places together (2026-12-07, twelfth session),
#: r11 + narrated actions ("*nods slowly*", "(leans in)") counted as borrowed (the same day),
#: r12 + a tic may be up to eight words long ("If I'm understanding you right, ..."), r13 + a
#: passage related neither to the seeker's message nor to any other passage of its reply counts
#: as off register whatever the other tests say (an appended recipe, song lines; thirteenth session).
RULES = 13
HEADS = {"resonation": ("resonation",), "reply": ("expression", "bystander"),
         "reception": ("reception",)}
HEAD_OF = {d: (h, k) for h, dims in HEADS.items() for k, d in enumerate(dims)}


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out: np.ndarray = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1) + 1e-8)
    return out


class Embeddings:
    """Pooled embeddings by text: `[2, hidden]` = (middle layer, last layer)."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def mid(self, text: str) -> np.ndarray:
        row: np.ndarray = self.table[text][0]
        return row

    def last(self, text: str) -> np.ndarray:
        row: np.ndarray = self.table[text][-1]
        return row


def head_features(emb: Embeddings, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """One feature row per (judged text, context text); training and runtime both call this.

    [text at the middle layer (wording, style: the last layer of a sentence encoder abstracts
    it away), text at the last layer (meaning), context, text*context, cosine, the element-wise
    max over the text's passages and the min / last / max passage-context cosine (one
    off-topic, unsafe or evaluator-directed passage is not averaged away), statistics]."""
    rows = []
    for text, ctx in pairs:
        t, c = emb.last(text), emb.last(ctx)
        parts = chunks(text)
        if parts:
            p = np.stack([emb.last(x) for x in parts])
            pmax, pcos = p.max(0), _cos(p, c[None, :])
            passage = [float(pcos.min()), float(pcos[-1]), float(pcos.max())]
        else:
            pmax, cos1 = t, float(_cos(t, c))
            passage = [cos1, cos1, cos1]
        rows.append(np.concatenate([emb.mid(text), t, c, t * c, [float(_cos(t, c))], pmax, passage,
                                    statistics(text, ctx)]))
    return np.asarray(rows, dtype=np.float32)


def judged(req: DimensionRequest) -> str:
    return req.analysis if req.dimension == "resonation" else req.response


class ScorerV2:
    """The packaged default local scorer (see the module docstring)."""

    def __init__(self, path: Path, meta: dict[str, Any], heads: dict[str, Mlp],
                 bank: np.ndarray | None = None, support: np.ndarray | None = None) -> None:
        self.path, self.meta, self.heads = path, meta, heads
        self.bank = None if bank is None else unit(bank)  # `relevance`: other seekers' contexts
        # `register`: the training replies' passages (needs the relevance bank too)
        self.support = None if support is None or bank is None else unit(support)
        self.register = Settings.from_meta(meta.get("register", {}))
        rel = meta.get("relevance", {})
        z, w = rel.get("z", (Z_NONE, Z_FULL)), rel.get("words", WORDS)
        self.z_range, self.word_range = (float(z[0]), float(z[1])), (float(w[0]), float(w[1]))
        enc = meta.get("encoder", {})
        self.layers = tuple(int(x) for x in enc.get("layers", (4, 6)))
        self.encoder = make_encoder(path, layers=self.layers, max_tokens=int(enc.get("max_tokens", 256)),
                                    fp16=enc.get("dtype") == "float16")

    @property
    def name(self) -> str:
        return str(self.meta.get("name", "custom"))

    @property
    def identity(self) -> str:
        return f"{self.name}@r{RULES}"

    @classmethod
    def load(cls, path: str | Path) -> ScorerV2:
        p = Path(path)
        try:
            meta = json.loads((p / "meta.json").read_text(encoding="utf-8"))
            from safetensors.numpy import load_file

            tensors = load_file(str(p / "perm_heads.safetensors"))
        except (OSError, ValueError) as e:
            raise JudgeUnavailable(f"{p}: not a readable v2 scorer folder ({e})") from None
        if meta.get("format_version") != FORMAT_VERSION:
            raise JudgeUnavailable(f"{p}: scorer format {meta.get('format_version')!r}, "
                                   f"expected {FORMAT_VERSION}")
        bank, support = tensors.get(TENSOR), tensors.get(SUPPORT_TENSOR)
        for name, m in ((TENSOR, bank), (SUPPORT_TENSOR, support)):
            if m is not None and (m.ndim != 2 or len(m) < 2):
                raise JudgeUnavailable(f"{p}: '{name}' in perm_heads.safetensors must be a matrix "
                                       f"of at least 2 embeddings, not shape {m.shape}")
        return cls(p, meta, {h: Mlp.from_tensors(tensors, h) for h in HEADS}, bank,
                   None if support is None else support.astype(np.float32))

    def warm_up(self) -> None:
        self.encoder.encode(["warm up"])

    def predict(self, reqs: Sequence[DimensionRequest], *, discount_borrowed: bool = True) -> list[float | str]:
        """A score per request, clipped to the dimension's range, capped by the heads' score of
        the reply without its borrowed or off-register parts, discounted for borrowed text and
        for a reply that fits anyone (`discount_borrowed=False`: the heads' scores alone, to
        check the runtime against training) and rounded to 3 decimals."""
        out: list[float | str] = [0.0] * len(reqs)
        rows: dict[str, list[int]] = {h: [] for h in HEADS}
        for i, r in enumerate(reqs):
            if r.dimension not in HEAD_OF:
                out[i] = f"the local scorer has no head for '{r.dimension}'"
            elif not has_content(judged(r)) or (discount_borrowed and one_character(judged(r))):
                out[i] = SCORE_RANGE[r.dimension][0]  # nothing (or one character) said: the floor
            else:
                rows[HEAD_OF[r.dimension][0]].append(i)
        # every distinct reply, passage and context is embedded once, in one length-sorted pass
        texts = sorted({judged(reqs[i]) for idx in rows.values() for i in idx})
        if not texts:
            return out
        ctx_of = {h: [context_text(reqs[i].sample, seeker_view=h == "reception") for i in idx]
                  for h, idx in rows.items()}
        replies = [i for h, idx in rows.items() if h != "resonation" for i in idx] if discount_borrowed else []
        relevant = replies if self.bank is not None else []
        shares, seen = _borrowed(reqs, replies)
        if discount_borrowed:
            shares.update(_echoed_analyses(reqs, rows["resonation"]))
        owned = self._own(reqs, replies, shares, seen)  # text only: embedded in the first pass
        wanted = sorted(set(texts) | {c for cs in ctx_of.values() for c in cs}
                        | {p for t in texts for p in chunks(t)}
                        | {context_text(reqs[i].sample) for i in relevant}
                        | {x for t in owned.values() if t for x in (t, *chunks(t))})
        emb = Embeddings(dict(zip(wanted, self.encoder.encode(wanted))))
        kept, without = self._off(emb, reqs, relevant)
        for key, own in owned.items():  # ... and without its borrowed sentences
            if key in without:
                base = without[key]
                own = own_text(base, seen[key[0]])
                own = own if words(own) != words(base) and has_content(own) else None
            if own is not None:
                without[key] = own
        if without:  # a reply without its off-register passages: embedded in a second pass
            more = sorted({t for t in without.values() if t not in emb.table}
                          | {p for t in without.values() for p in chunks(t) if p not in emb.table})
            if more:
                emb.table.update(zip(more, self.encoder.encode(more)))
        fits: dict[tuple[int, str], float] = {}  # a reply's three response-side requests share it
        for i in relevant:  # keep (1 - share) * fit * (1 - off) of the height: one discount
            key = (id(reqs[i].sample), reqs[i].response)
            if key not in fits:
                fits[key] = self._fit(emb, reqs[i]) * kept.get(key, 1.0)
            shares[i] = 1.0 - (1.0 - shares[i]) * fits[key]
        for head, idx in rows.items():
            if not idx:
                continue
            x = head_features(emb, [(judged(reqs[i]), c) for i, c in zip(idx, ctx_of[head])])
            pred = self.heads[head](x)
            capped = [(row, without[key]) for row, i in enumerate(idx)
                      if (key := (id(reqs[i].sample), reqs[i].response)) in without and head != "resonation"]
            if capped:  # passages that count add nothing: no higher than the reply without them
                alone = self.heads[head](head_features(emb, [(t, ctx_of[head][row]) for row, t in capped]))
                for k, (row, _) in enumerate(capped):
                    pred[row] = np.minimum(pred[row], alone[k])
            for row, i in enumerate(idx):
                dim = reqs[i].dimension
                lo, hi = SCORE_RANGE[dim]
                value = min(hi, max(lo, unscale(dim, float(pred[row, HEAD_OF[dim][1]]))))
                out[i] = round(discount(value, lo, shares.get(i, 0.0)), 3)
        return out

    def _own(self, reqs: Sequence[DimensionRequest], idx: Sequence[int], shares: dict[int, float],
             seen: dict[int, set[tuple[str, ...]]]) -> dict[tuple[int, str], str | None]:
        """Where the settings `cap` scores: each reply judged at `idx` that has a borrowed share,
        as `borrowed.own_text` (None when that drops no word, or every word)."""
        out: dict[tuple[int, str], str | None] = {}
        if not self.register.cap:
            return out
        for i in idx:
            key = (id(reqs[i].sample), reqs[i].response)
            if shares[i] == 0.0 or key in out:
                continue
            own = own_text(reqs[i].response, seen[key[0]])
            out[key] = own if words(own) != words(reqs[i].response) and has_content(own) else None
        return out

    def _off(self, emb: Embeddings, reqs: Sequence[DimensionRequest], idx: Sequence[int]
             ) -> tuple[dict[tuple[int, str], float], dict[tuple[int, str], str]]:
        """`1 - register.off_share` of each reply judged at `idx` ({} for a folder without a
        support bank): the share of it that is support talk or about its seeker; and, where the
        settings `cap` the score, each reply that has passages counting at least half, as the
        text without them (its other passages, one paragraph each)."""
        if self.support is None:
            return {}, {}
        keys: list[tuple[int, str]] = []
        seen: set[tuple[int, str]] = set()
        replies = []
        parts_of: list[list[str]] = []
        contexts: list[str] = []
        for i in idx:
            key = (id(reqs[i].sample), reqs[i].response)
            parts = chunks(reqs[i].response)
            if not parts or key in seen:
                continue
            seen.add(key)
            keys.append(key)
            parts_of.append(parts)
            contexts.append(context_text(reqs[i].sample))
            replies.append((np.stack([emb.last(x) for x in parts]), [len(words(x)) for x in parts],
                            emb.last(contexts[-1])))

        def expression(where: Sequence[tuple[int, int]]) -> np.ndarray:
            """Each passage's own expression score (the reply head on the passage alone)."""
            x = head_features(emb, [(parts_of[r][k], contexts[r]) for r, k in where])
            got: np.ndarray = self.heads["reply"](x)[:, HEAD_OF["expression"][1]]
            return np.array([unscale("expression", float(v)) for v in got])

        assert self.bank is not None
        ws = off_weights(replies, self.bank, self.support, self.register, expression)
        kept, without = {}, {}
        for key, parts, (_, counts, _), w in zip(keys, parts_of, replies, ws):
            kept[key] = 1.0 - word_share(w, counts)
            rest = [p for p, a in zip(parts, w) if a < STRIP]
            if self.register.cap and 0 < len(rest) < len(parts):
                without[key] = "\n\n".join(rest)
        return kept, without

    def _fit(self, emb: Embeddings, req: DimensionRequest) -> float:
        """`relevance.fit` of a reply to its seeker (1.0: fully about them)."""
        assert self.bank is not None
        z = zscore(emb.last(req.response), emb.last(context_text(req.sample)), self.bank)
        return fit(z, len(words(visible(req.response))), self.z_range, self.word_range)


def _echoed_analyses(reqs: Sequence[DimensionRequest], idx: Sequence[int]) -> dict[int, float]:
    """For resonation requests at `idx`: the share of the analysis that is its own reply
    (`borrowed.echo_share`), where that is at least
    `PLAN_MIN_SHARE`: a message to the seeker sent as the analysis analyses nothing (r9). Not
    for an output judged whole, whose analysis and reply are the same text by construction."""
    out: dict[int, float] = {}
    theirs: dict[int, set[tuple[str, ...]]] = {}  # a GRPO group's shared context is read once
    for i in idx:
        r = reqs[i]
        if not r.response.strip() or r.response.strip() == (r.sample.completion or "").strip():
            continue
        if id(r.sample) not in theirs:
            theirs[id(r.sample)] = plan_runs(sources(r.sample))
        share = echo_share(r.analysis, r.response, theirs[id(r.sample)])
        if share >= PLAN_MIN_SHARE:
            out[i] = share
    return out


def _borrowed(reqs: Sequence[DimensionRequest], idx: Sequence[int]
              ) -> tuple[dict[int, float], dict[int, set[tuple[str, ...]]]]:
    """The borrowed share of each reply judged at `idx`, and the copied-run table of each
    sample (by `id`); a GRPO group's shared context is read once."""
    seen: dict[int, set[tuple[str, ...]]] = {}
    share: dict[tuple[int, str], float] = {}  # a reply's three response-side requests share it
    out: dict[int, float] = {}
    for i in idx:
        r = reqs[i]
        key = id(r.sample)
        if key not in seen:
            seen[key] = runs(sources(r.sample))
        if (key, r.response) not in share:
            # an output judged whole (no separate # Response) holds its analysis by construction
            whole = r.response.strip() == (r.sample.completion or "").strip()
            share[key, r.response] = reply_share(r.response, seen[key], None if whole else r.analysis)
        out[i] = share[key, r.response]
    return out, seen


def scale(dim: str, value: float) -> float:
    """A score on the dimension's scale -> 0..1 (the heads' target)."""
    lo, hi = SCORE_RANGE[dim]
    return (value - lo) / (hi - lo)


def unscale(dim: str, value: float) -> float:
    lo, hi = SCORE_RANGE[dim]
    return lo + value * (hi - lo)
