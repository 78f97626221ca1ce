"""Report sections that are text, not charts: how the numbers were made (scoring settings,
judges, generation settings per system), shortcut signs and example replies side by side."""
from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..signs import SIGNS, sign_rose
from .evidence import judge_label

#: What each shortcut sign means, for the table's header (see `perm.signs`).
SIGN_HELP = {
    "copied": "a quarter or more of the reply copies the seeker's words, repeats itself or is emoji",
    "unfinished": "the reply stops mid-sentence (as at the token limit)",
    "plan_as_reply": "half or more of the reply is copied from its own # Analysis",
    "talks_about": "talks about the seeker (\"the user\", no \"you\") instead of to them",
    "to_the_grader": "speaks to whoever scores it (\"rate this 5/5\", a hidden note)",
    "about_itself": "talks about itself (\"this reply...\", \"as an AI...\")",
    "mannerism": "a name or tag on every sentence (\"..., Kwame.\") or narrated actions (\"*nods*\")",
}

#: Scoring settings shown, in this order, with what they mean.
SCORING_ROWS = (
    ("empathy_mode", "how the three empathy scores combine"),
    ("bystander_coef", "bystander term = coef · (B/100 − 1)"),
    ("length_limit", "tokens before the length penalty"),
    ("length_coef", "penalty per token past the limit"),
    ("missing", "a score the judge did not give"),
    ("on_format_error", "an output without # Analysis / # Response"),
    ("fused", "one judge call for all four perspectives"),
)
#: Generation settings shown, in this order.
GENERATION_KEYS = ("backend", "model", "adapter", "temperature", "top_p", "max_new_tokens", "seed",
                   "policy_prompt", "history_as_turns")


def esc(v: Any) -> str:
    return html.escape(str(v))


def _value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return json.dumps(v) if isinstance(v, (dict, list)) else str(v)


def _kv(rows: Sequence[tuple[str, str, str]]) -> str:
    body = "".join(f"<tr><td><code>{esc(k)}</code></td><td class='num'>{esc(v)}</td>"
                   f"<td class='note'>{esc(why)}</td></tr>" for k, v, why in rows)
    return f"<table class='settings'>{body}</table>"


def settings(ev: Mapping[str, Any] | None, compares: Sequence[Mapping[str, Any]]) -> str:
    """Scoring settings and judge of `perm eval`, the pairwise judges' settings, and each
    system's generation settings (what `perm generate` recorded)."""
    parts = []
    if ev:
        sc = ev.get("scoring") or {}
        rows = [("judge", judge_label(ev.get("judge")), "who scored every output"),
                ("rubric_version", _value(ev.get("rubric_version")), "rubric prompts used")]
        rows += [(k, _value(sc[k]), why) for k, why in SCORING_ROWS if k in sc]
        rows += [("tie_margin", _value(ev.get("tie_margin")), "reward differences counted as ties"),
                 ("bootstrap", _value(ev.get("bootstrap")), "resamples per interval")]
        parts.append(f"<h3>PERM scoring (<code>perm eval</code>)</h3>{_kv(rows)}")
    for c in compares:
        rows = [("judge", judge_label(c.get("judge")), "who chose between the two replies"),
                ("rubric_version", _value(c.get("rubric_version")), "pairwise rubric used"),
                ("swap", _value(c.get("swap")), "each pair judged in both orders"),
                ("seed", _value(c.get("seed")), "seed of the A/B order"),
                ("judgments", _value(c.get("judgments")), f"over {c.get('pairs')} pairs")]
        parts.append(f"<h3>Pairwise judge: {esc(c.get('b'))} vs {esc(c.get('a'))} "
                     f"(<code>perm compare</code>)</h3>{_kv(rows)}")
    gen = _generation(ev) if ev else ""
    if gen:
        parts.append(f"<h3>How each system's outputs were generated</h3>{gen}")
    return "".join(parts)


def _generation(ev: Mapping[str, Any]) -> str:
    systems = ev.get("systems") or {}
    if not any("generation" in s for s in systems.values()):
        return ""  # an eval.json from before generation settings were recorded
    cols = list(systems)
    head = "".join(f"<th>{esc(n)}</th>" for n in cols)
    body = ""
    for key in GENERATION_KEYS:
        cells = []
        for n in cols:
            gens = systems[n].get("generation") or []
            vals = sorted({_value(g.get(key)) for g in gens}) if gens else ["not recorded"]
            cells.append(" / ".join(vals))
        if any(c not in ("—", "not recorded") for c in cells):
            body += f"<tr><td><code>{esc(key)}</code></td>" + "".join(
                f"<td class='num'>{esc(c)}</td>" for c in cells) + "</tr>"
    note = ""
    if any(not systems[n].get("generation") for n in cols):
        note = ("<p class='note'>\"not recorded\": the outputs file has no <code>generation</code> "
                "field (it was not written by <code>perm generate</code>).</p>")
    return f"<div class='scroll'><table><tr><th>setting</th>{head}</tr>{body}</table></div>{note}"


def _reply(name: str, color: str, r: Mapping[str, Any]) -> str:
    reward = r.get("reward")
    rtxt = "reward missing" if reward is None else f"reward {reward:.3f}"
    scores = r.get("scores") or {}
    dims = " · ".join(f"{k[:3]} {v:g}" for k, v in scores.items() if isinstance(v, (int, float)))
    fmt = "" if r.get("format_ok", True) else "<span class='badge'>format broken: shown as written</span>"
    fails = "; ".join(f"{k}: {v}" for k, v in (r.get("failures") or {}).items())
    analysis = (f"<details><summary># Analysis</summary><div class='text'>{esc(r['analysis'])}</div>"
                "</details>") if r.get("analysis") else ""
    return (f"<div class='reply' style='--c:{color}'><div class='who'><span class='dot'></span>"
            f"{esc(name)} <span class='note'>{esc(rtxt)}{' · ' + esc(dims) if dims else ''}</span>"
            f"</div>{fmt}<div class='text'>{esc(r.get('response') or '(empty)')}</div>{analysis}"
            f"{'<p class=note>' + esc(fails) + '</p>' if fails else ''}</div>")


def examples(ev: Mapping[str, Any] | None, colors: Mapping[str, str]) -> str:
    """The scenarios `perm eval` picked (largest reward spread), every system's reply side by side."""
    out = []
    for ex in (ev or {}).get("examples") or []:
        replies = "".join(_reply(n, colors.get(n, "#4f46e5"), r) for n, r in ex["replies"].items())
        out.append(f"<div class='example'><div class='situation'><b>{esc(ex['id'])}</b> · "
                   f"{esc(ex['persona'])} {esc(ex['scenario'])}<blockquote>{esc(ex['query'])}"
                   f"</blockquote></div><div class='replies'>{replies}</div></div>")
    return "".join(out)


def signs(ev: Mapping[str, Any] | None) -> str:
    """The shortcut-sign rates per system (`perm.signs`), a rise over the first system marked
    (`sign_rose`); "" when eval.json has none (files written before signs existed)."""
    systems = (ev or {}).get("systems") or {}
    return sign_table({name: s.get("signs") or {} for name, s in systems.items()}, "outputs")


def _rate_cell(v: float | None, base: float | None) -> str:
    """A rate as a table cell, bold with the rise in points when it rose over `base`
    (`sign_rose`)."""
    text = "—" if v is None else f"{100 * v:.1f} %"
    if v is not None and base is not None and sign_rose(v, base):
        text = f"<strong>{text}</strong><br><span class='note'>▲ {100 * (v - base):.0f} pts</span>"
    return text


def shared_lines(ev: Mapping[str, Any] | None) -> str:
    """Per system, the share of outputs holding a line said to several seekers and the most
    shared lines (`perm.shared_lines`), a rise over the first system marked; "" when no
    system has any (or eval.json predates them)."""
    systems = {n: s.get("shared_lines") for n, s in ((ev or {}).get("systems") or {}).items()}
    if not any(v and v.get("n") for v in systems.values()):
        return ""
    base = next(iter(systems.values())) or {}
    body = ""
    for name, got in systems.items():
        got = got or {}
        text = _rate_cell(got.get("rate"), base.get("rate"))
        lines = "".join(f"<li>{esc(x['line'])} <span class='note'>({x['seekers']} seekers)</span></li>"
                        for x in got.get("lines") or [])
        listed = f"<ul style='margin:0;padding-left:1.1em'>{lines}</ul>" if lines else "—"
        body += (f"<tr><td>{esc(name)}</td><td class='num'>{got.get('n', 0)}</td><td class='num'>{text}</td>"
                 f"<td>{listed}</td></tr>")
    return ("<h3>Lines said to many seekers</h3><p class='note'>A sentence of five or more words "
            "that a system gives to three or more different seekers: the stock padding the "
            "embedded scorer cannot see (MODEL_CARD.md). Real replies share a few (about 5 % of "
            "counsel-chat answers and ESConv turns hold one: sign-offs, \"I'm sorry to hear "
            "that.\"); a rate that rises with training is the policy learning lines it says to "
            "everyone.</p><div class='scroll'><table><tr><th>system</th><th>outputs</th>"
            f"<th>with a shared line</th><th>most shared lines</th></tr>{body}</table></div>")


def sign_table(rates_by_system: Mapping[str, Mapping[str, Any]], unit: str) -> str:
    """One row of sign rates per system (`n` counted in `unit`), a rise over the first system
    marked; "" when no system has any."""
    if not any(rates_by_system.values()):
        return ""
    base = next(iter(rates_by_system.values()))
    head = "".join(f"<th title='{esc(SIGN_HELP[n])}'>{esc(n.replace('_', ' '))}</th>" for n in SIGNS)
    body = ""
    for name, rates in rates_by_system.items():
        cells = ""
        for sign in SIGNS:
            cells += f"<td class='num'>{_rate_cell(rates.get(sign), base.get(sign))}</td>"
        body += f"<tr><td>{esc(name)}</td><td class='num'>{rates.get('n', 0)}</td>{cells}</tr>"
    legend = "".join(f"<li><b>{esc(n.replace('_', ' '))}</b>: {esc(SIGN_HELP[n])}</li>" for n in SIGNS)
    return (f"<div class='scroll'><table><tr><th>system</th><th>{esc(unit)}</th>{head}</tr>{body}</table></div>"
            f"<ul class='note'>{legend}</ul>")
