"""bench.loso_finetune's pieces: what the cross-encoder reads, its schedule, and that training on
pairs pushes the better reply up (the loss has the right sign), with the real packaged encoder."""
import pytest
from bench.loso_finetune import (
    CONTEXT_TOKENS,
    REPLY_TOKENS,
    Settings,
    _Encoded,
    context_of,
    lr_factor,
    pack,
    score,
    steps_for,
    train,
)


def test_pack_keeps_the_end_of_the_context_and_the_start_of_the_reply():
    ctx, reply = list(range(1000, 1000 + CONTEXT_TOKENS + 7)), list(range(5000, 5000 + REPLY_TOKENS + 9))
    seq, start = pack(ctx, reply, cls=101, sep=102)
    assert seq[0] == 101 and seq[-1] == 102
    assert seq[1:1 + CONTEXT_TOKENS] == ctx[-CONTEXT_TOKENS:]  # the seeker's latest words survive
    assert seq[start - 1] == 102 and seq[start:-1] == reply[:REPLY_TOKENS]
    short, s2 = pack([7, 8], [9], cls=1, sep=2)
    assert short == [1, 7, 8, 2, 9, 2] and s2 == 4


def test_context_is_scenario_then_the_last_turns_then_the_message():
    item = {"scenario": "S", "query": "q",
            "history": [{"role": "user" if k % 2 else "assistant", "content": str(k)} for k in range(6)]}
    assert context_of(item).splitlines() == ["S", "Supporter: 2", "Seeker: 3", "Supporter: 4",
                                             "Seeker: 5", "Seeker: q"]
    assert context_of({"query": "only"}) == "Seeker: only"


def test_training_on_no_pairs_is_an_error_not_an_endless_loop():
    with pytest.raises(ValueError, match="no training pairs"):
        train(None, [], Settings(), print)  # type: ignore[arg-type]


def test_schedule_warms_up_decays_to_zero_and_caps_the_pairs():
    s = Settings(max_pairs=100, epochs=1.0, pairs_per_step=16)
    assert steps_for(1000, s) == 7 and steps_for(20, s) == 2 and steps_for(0, s) == 1
    factors = [lr_factor(k, 50, 0.1) for k in range(50)]
    assert factors[0] == pytest.approx(0.2) and max(factors) == pytest.approx(0.92)
    assert factors[4] > factors[10] > factors[40] > factors[49] > 0
    assert factors.index(max(factors)) == 4


def _item(i: str, reply: str) -> dict:
    return {"id": i, "scenario": "A friend is upset.", "query": "My dog died this morning and I can't stop crying.",
            "completion": f"# Analysis\n(none)\n# Response\n{reply}"}


@pytest.mark.slow
def test_training_on_pairs_ranks_the_better_replies_of_those_pairs_first():
    warm = ["I'm so sorry about your dog. Losing a companion like that hurts, and crying makes sense.",
            "That is a real loss. It's okay to cry as much as you need today; he was family.",
            "I'm sorry. Mornings like this are brutal. Do you want to tell me about him?"]
    cold = ["Dogs are replaceable. Buy another one.", "Stop crying, it is only an animal.",
            "The weather will be sunny tomorrow with light winds."]
    items = {f"w{k}": _item(f"w{k}", t) for k, t in enumerate(warm)}
    items.update({f"c{k}": _item(f"c{k}", t) for k, t in enumerate(cold)})
    pairs = [(f"w{k}", f"c{k}", "g") for k in range(3)]
    enc = _Encoded(items)
    logs: list[str] = []
    model = train(enc, pairs * 4, Settings(max_pairs=12, epochs=4, pairs_per_step=6, encoder_lr=1e-4,
                                           head_lr=1e-2, warmup=0.0), logs.append)
    got = score(model, enc, list(items))
    assert all(got[b] > got[w] for b, w, _ in pairs), got
    assert logs and logs[-1].startswith("  step 8/8")


def _mini_data(root):
    """A tiny copy of the human-judged layout: two pairs per source, warm beats cold."""
    import json

    warm = ["I'm so sorry, that sounds really painful. I'm here with you.",
            "That must hurt a lot. It makes sense that you feel this way."]
    cold = ["Whatever. Move on.", "The printer needs new toner."]

    def item(src, i, reply, ctx, **label):
        return {"id": i, "source": src, "persona": "p", "scenario": "s", "query": "I feel awful today.",
                "completion": f"# Analysis\n(none)\n# Response\n{reply}", "label": label,
                "meta": {"context_id": ctx, "dialogue_id": ctx}}

    for src in ("counsel-chat", "annomi-reflection-ratings"):
        d = root / src
        d.mkdir(parents=True)
        rows = [item(src, f"{src}-{k}-{kind}", text, f"{src}-c{4 * k}")  # c0, c4: one per fold
                for k in range(2) for kind, text in (("w", warm[k]), ("c", cold[k]))]
        (d / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        (d / "pairs.jsonl").write_text("".join(json.dumps({"better_id": f"{src}-{k}-w", "worse_id": f"{src}-{k}-c"}) + "\n"
                                               for k in range(2)))
    (root / "esconv").mkdir()
    rows = [item("esconv", f"e-{k}-{kind}", text, f"e-c{4 * k}", next_seeker_feedback=5 if kind == "w" else 1)
            for k in range(2) for kind, text in (("w", warm[k]), ("c", cold[k]))]
    (root / "esconv" / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "annomi").mkdir()
    (root / "annomi" / "items.jsonl").write_text(json.dumps(item("annomi", "a-0", warm[0], "t0")) + "\n")


@pytest.mark.slow
def test_run_reports_each_left_out_source_and_the_same_source_ceiling(tmp_path):
    from bench.loso_finetune import run

    _mini_data(tmp_path)
    tiny = Settings(max_pairs=4, epochs=1, pairs_per_step=4)
    logs: list[str] = []
    out = run(tmp_path, logs.append, settings=tiny)
    assert out["kind"] == "perm-loso-finetune" and set(out["results"]) == {
        "counsel-chat", "annomi-reflection-ratings", "esconv"}
    for row in out["results"].values():
        assert row["test pairs"] == 2 and row["length"] == 1.0  # the warm replies are the longer ones
        assert 0.0 <= row["fine-tuned on the other sources"] <= 1.0
    assert any("training on 4 of the 4 pairs of the other sources" in m for m in logs)
    ceil = run(tmp_path, logs.append, ceiling=True, settings=tiny)
    assert ceil["kind"] == "perm-loso-finetune-ceiling"
    assert any(m.startswith("esconv, fold 1: training on 1 pairs") for m in logs)
    assert all(set(r) == {"length", "ceiling: fine-tuned on the same source (2 folds by context)",
                          "test pairs", "seconds"} for r in ceil["results"].values())
