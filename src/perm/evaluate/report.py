"""`perm report`: one self-contained HTML page (charts embedded as base64 PNG, no network)
from the results of `perm eval`, `perm compare`, `perm human import` and training runs; the
charts are also written as PNG files next to it."""
from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from ..errors import PermError
from ..runs import read_json_doc
from . import charts, conversations, evidence, report_sections
from .evaluation import EVAL_FILE, load_rows, safe_name

COMPARE_FILE = "compare.json"
REPORT_FILE = "report.html"
PNG_DIR = "png"


@dataclass
class ReportInputs:
    eval: dict[str, Any] | None = None
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    compares: list[dict[str, Any]] = field(default_factory=list)
    humans: list[dict[str, Any]] = field(default_factory=list)
    runs: list[Path] = field(default_factory=list)
    transcripts: conversations.Transcripts = field(default_factory=dict)


def load_inputs(eval_dir: str | Path | None, compares: Sequence[str | Path] = (),
                humans: Sequence[str | Path] = (), runs: Sequence[str | Path] = (),
                simulations: Sequence[str | Path] = ()) -> ReportInputs:
    """Read every result the report draws from; errors name the file."""
    inp = ReportInputs()
    if eval_dir is not None:
        d = Path(eval_dir)
        inp.eval = read_json_doc(d / EVAL_FILE if d.is_dir() else d, "perm-eval", "`perm eval` result",
                                 hint=f"give the directory `perm eval -o` wrote, or its {EVAL_FILE}")
        base = d if d.is_dir() else d.parent
        inp.rows = {name: load_rows(base, name) for name in inp.eval["systems"]}
    for c in compares:
        p = Path(c)
        inp.compares.append(read_json_doc(
            p / COMPARE_FILE if p.is_dir() else p, "perm-compare", "`perm compare` result",
            hint=f"give the directory `perm compare -o` wrote, or its {COMPARE_FILE}"))
    for h in humans:
        inp.humans.append(read_json_doc(Path(h), "perm-human", "`perm human import` result",
                                        hint="give the JSON file `perm human import` wrote"))
    for r in runs:
        if not Path(r).exists():
            raise PermError(f"{r}: training run not found")
        inp.runs.append(Path(r))
    inp.transcripts = conversations.load_transcripts(simulations)
    if inp.eval is None and not (inp.compares or inp.humans or inp.runs or inp.transcripts):
        raise PermError("nothing to report: give an eval directory, --compare, --human, --train "
                        "or --simulate")
    return inp


def esc(v: Any) -> str:
    return html.escape(str(v))


def pct(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:.{digits}%}"


def num(v: float | None, digits: int = 3) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def interval(stat: Mapping[str, Any] | None, digits: int = 3, as_pct: bool = False) -> str:
    if not stat or stat.get("lo") is None:
        return ""

    def f(v: float | None) -> str:
        return pct(v) if as_pct else num(v, digits)

    return f"[{f(stat['lo'])}, {f(stat['hi'])}]"


def img(png: bytes, chart: str, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="chart" data-chart="{esc(chart)}" alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def _p(p: float | None) -> str:
    return "—" if p is None else ("< 0.001" if p < 0.001 else f"{p:.3f}")


class Builder:
    def __init__(self, inp: ReportInputs, out_dir: Path) -> None:
        self.inp, self.out = inp, out_dir
        self.pngs: dict[str, bytes] = {}
        names = list((inp.eval or {}).get("systems", {}))
        for doc in [*inp.compares, *inp.humans]:
            names += [n for n in (doc["a"], doc["b"]) if n not in names]
        names += [n for n in inp.transcripts if n not in names]
        self.colors = {n: charts.color(i) for i, n in enumerate(names)}

    def chart(self, key: str, png: bytes, alt: str, kind: str | None = None) -> str:
        """Remember the PNG (written to OUT/png/KEY.png) and embed it; `kind` is its
        data-chart attribute (default: the key)."""
        self.pngs[key] = png
        return img(png, kind or key, alt)

    def cards(self) -> str:
        ev = self.inp.eval
        if not ev:
            return ""
        out = []
        stand_in = (f'<div class="ci standin-note">scored by a stand-in judge ({esc(ev["judge"])}): '
                    'these numbers carry no meaning</div>') if evidence.is_stand_in(ev.get("judge")) else ""
        for name, s in ev["systems"].items():
            sc = s.get("scores", {})
            rows = [("Empathy", num(s["empathy"]["mean"])),
                    *[(charts.LABELS[d], num(sc[d]["mean"], 2 if d != "bystander" else 1)) for d in sc],
                    ("Format kept", pct(s["format_ok_rate"], 1)),
                    ("Judge failures", pct(s["judge_failure_rate"], 1)),
                    ("Median length", f"{num(s['length']['median'], 0)} tok")]
            kv = "".join(f"<span>{esc(k)}</span><span>{esc(v)}</span>" for k, v in rows)
            out.append(f'<div class="card" style="--c:{self.colors[name]}"><div class="name">'
                       f'<span class="dot"></span>{esc(name)}</div>'
                       f'<div class="big">{num(s["reward"]["mean"])}</div>'
                       f'<div class="ci">mean reward {esc(interval(s["reward"]))} · n={s["n"]}</div>'
                       f'{stand_in}'
                       f'<div class="kv">{kv}</div></div>')
        return f'<div class="cards">{"".join(out)}</div>'

    def evidence(self) -> list[evidence.Evidence]:
        return evidence.collect(self.inp.eval, self.inp.compares, self.inp.humans)

    def head_to_head(self) -> str:
        items = self.evidence()
        if not items:
            return ""
        rows = []
        for it in items:
            rate = it.rate
            cls = "" if rate is None or not it.significant else "good" if rate > 0.5 else "bad"
            extra = []
            md = it.doc.get("mean_diff") or {}
            if md.get("mean") is not None:
                extra.append(f"reward difference {md['mean']:+.3f} {interval(md)}")
            pos = it.doc.get("position")
            if pos and pos.get("first_rate") is not None:
                extra.append(f"first-shown reply chosen in {pct(pos['first_rate'])} of decisive "
                             f"verdicts {interval({'lo': pos['lo'], 'hi': pos['hi']}, as_pct=True)}")
                if pos.get("consistency") is not None:
                    extra.append(f"same winner in both orders: {pct(pos['consistency'])}")
            if it.failed:
                what = "answer" if it.kind == "human" else "verdict" if it.kind == "pairwise" else "reward"
                extra.append(f"{it.failed} of {it.total} pair(s) without a usable {what}")
            if it.stand_in:
                extra.append("stand-in judge: these numbers carry no meaning")
            verdict = ("no result" if rate is None else
                       ("beats" if rate > 0.5 else "trails") if it.significant else "not significant")
            rows.append(
                f"<tr class=\"{'standin' if it.stand_in else ''}{' failed' if rate is None else ''}\">"
                f"<td><b>{esc(it.b)}</b> vs {esc(it.a)}</td><td>{esc(it.source)}</td>"
                f'<td class="num {cls}">{pct(rate, 1)}</td>'
                f'<td class="num">{esc(interval(it.doc, as_pct=True))}</td>'
                f'<td class="num">{it.wins} / {it.ties} / {it.losses}</td>'
                f'<td class="num">{_p(it.p)}</td><td>{esc(verdict)}</td>'
                f'<td class="note">{esc("; ".join(extra))}</td></tr>')
        table = ("<div class='scroll'><table><tr><th>comparison</th><th>evidence</th><th>win rate</th>"
                 "<th>95 % interval</th><th>W / T / L</th><th>sign test p</th><th>verdict</th>"
                 "<th>notes</th></tr>" + "".join(rows) + "</table></div>")
        warns = "".join(f'<p class="warn">{esc(w)}</p>' for w in evidence.disagreements(items))
        chart = self.chart("winrates", charts.win_rates(
            [{"label": i.label, "rate": i.rate, "lo": i.lo, "hi": i.hi, "stand_in": i.stand_in,
              "failed": i.failed, "total": i.total} for i in items]), "Win rates with 95 % intervals")
        return self.section("Head to head", "How often the second system beats the first on the "
                            "same scenario, by PERM reward, by a blinded judge and by people. "
                            f"\"Beats\" needs a sign test below p = {evidence.ALPHA}; stand-in "
                            "judges are marked and never make the headline.",
                            chart + warns + table)

    def section(self, title: str, lead: str, body: str) -> str:
        return f'<section class="block"><h2>{esc(title)}</h2><p class="lead">{esc(lead)}</p>{body}</section>'

    def eval_sections(self) -> str:
        ev, rows = self.inp.eval, self.inp.rows
        if not ev:
            return ""
        dims = ev["dimensions"]
        parts = [self.section("Score distributions", "Where each system's outputs land on every "
                              "PERM perspective, the combined empathy and the reward.",
                              self.chart("distributions", charts.distributions(rows, dims),
                                         "Per-dimension score distributions"))]
        radars = "".join(self.chart(f"radar-{safe_name(n)}", charts.radar(n, i, ev["systems"]),
                                    f"Profile of {n}", "radar")
                         for i, n in enumerate(ev["systems"]))
        parts.append(self.section("Profiles", "Each axis runs from worst to best: 1–5 scores as "
                                  "(s − 1) / 4, the bystander score / 100, and the share of outputs "
                                  "that kept the # Analysis / # Response format. Dashed: the other "
                                  "systems.", f'<div class="radars">{radars}</div>'))
        limit = (ev.get("scoring") or {}).get("length_limit")
        length_rows = "".join(
            f"<tr><td>{esc(n)}</td><td class='num'>{num(s['length']['mean'], 0)}</td>"
            f"<td class='num'>{num(s['length']['median'], 0)}</td><td class='num'>{num(s['length']['p90'], 0)}</td>"
            f"<td class='num'>{s['length']['max'] if s['length']['max'] is not None else '—'}</td>"
            f"<td class='num'>{pct(s['length']['over_limit'], 1)}</td></tr>"
            for n, s in ev["systems"].items())
        parts.append(self.section(
            "Reward and length", "Does the judge reward length? Each dot is one output.",
            self.chart("reward_length", charts.reward_vs_length(rows, limit), "Reward against length")
            + "<table><tr><th>system</th><th>mean tokens</th><th>median</th><th>90th pct</th>"
              f"<th>max</th><th>over {esc(limit)}</th></tr>{length_rows}</table>"))
        table = report_sections.signs(ev)
        if table:
            parts.append(self.section(
                "Shortcut signs", "Text checks, no judge: the share of each system's outputs that "
                "show a shape reward models are known to over-rate. Real replies show some of them "
                "too; what matters is a rate that rises with training (marked ▲ against the first "
                "system: up 10 points, or up 5 and at least doubled). Read those outputs before "
                "trusting a higher reward.", table + report_sections.shared_lines(ev)))
        head = "".join(f"<th>{esc(charts.LABELS.get(k, k))}</th>" for k in ["reward", "empathy", *dims])
        digits = [3, 3, *[1 if d == "bystander" else 2 for d in dims]]
        body = ""
        for n, s in ev["systems"].items():
            stats = [s["reward"], s["empathy"], *[s["scores"][d] for d in dims]]
            cells = "".join(f"<td class='num'>{num(st['mean'], k)}<br><span class='note'>"
                            f"{esc(interval(st, k))}</span></td>" for st, k in zip(stats, digits, strict=True))
            body += (f"<tr><td>{esc(n)}</td>{cells}<td class='num'>{pct(s['format_ok_rate'], 1)}</td>"
                     f"<td class='num'>{pct(s['judge_failure_rate'], 1)}</td>"
                     f"<td class='num'>{pct(s['reward_missing_rate'], 1)}</td></tr>")
        parts.append(self.section("All numbers", "Means with bootstrap 95 % intervals; failures "
                                  "are judge calls that gave no usable score (never imputed "
                                  "unless configured).",
                                  f"<div class='scroll'><table><tr><th>system</th>{head}<th>format "
                                  f"kept</th><th>judge failures</th><th>reward missing</th></tr>"
                                  f"{body}</table></div>"))
        return "".join(parts)

    def examples(self) -> str:
        body = report_sections.examples(self.inp.eval, self.colors)
        if not body:
            return ""
        return self.section("Example replies", "The scenarios where the systems' PERM rewards differ "
                            "most, each system's reply side by side (what the person would read: the "
                            "# Response section, or the whole output when its format is broken).", body)

    def settings(self) -> str:
        body = report_sections.settings(self.inp.eval, self.inp.compares)
        if not body:
            return ""
        return self.section("How these numbers were made", "Scoring and judging settings, and how "
                            "each system's outputs were generated.", body)

    def training(self) -> str:
        if not self.inp.runs:
            return ""
        body = "".join(self.chart(f"training-{i}", charts.training_curves(r),
                                  f"Training curves of {r.name}", "training")
                       for i, r in enumerate(self.inp.runs))
        return self.section("Training", "Reward and its parts over GRPO steps.", body)

    def conversations(self) -> str:
        """The per-turn view of `perm simulate` transcripts."""
        tr = self.inp.transcripts
        if not tr:
            return ""
        chart = self.chart("turns", conversations.turn_chart(tr), "Reward and seeker feeling over turns")
        pair = conversations.side_by_side(tr, self.colors)
        return self.section("Conversations", "Multi-turn episodes with a simulated seeker "
                            "(`perm simulate`): every policy turn scored with PERM given the "
                            "whole history, and the seeker's own report after it (a later turn "
                            "averages over the episodes that reached it). One scenario is shown "
                            "turn by turn for two systems: the one where their episode rewards "
                            "differ most.",
                            conversations.stand_in_note(tr) + chart
                            + conversations.summary_table(tr) + self.turn_signs() + pair)

    def turn_signs(self) -> str:
        """The shortcut signs over each system's policy turns (transcripts that record them)."""
        table = report_sections.sign_table(conversations.sign_rates(self.inp.transcripts), "policy turns")
        if not table:
            return ""
        return ("<h3>Shortcut signs</h3><p class='note'>The share of each system's policy turns "
                "that show a shape reward models are known to over-rate (▲: up 10 points over "
                "the first system, or up 5 and at least doubled). Read those turns before "
                "trusting a higher reward.</p>" + table)

    def headline(self) -> str:
        """The claim the evidence supports (see `perm.evaluate.evidence.headline`)."""
        items = self.evidence()
        got = evidence.headline(items)
        if got is None:
            return ""
        text, source = got
        dis = "".join(f'<div class="disagree">{esc(d)}</div>' for d in evidence.disagreements(items))
        return (f'<div class="headline">{esc(text)} <span class="src">{esc(source)}</span></div>'
                + dis)

    def build(self, title: str) -> str:
        ev = self.inp.eval or {}
        chips = []
        if ev:
            chips += [f"{ev['ids']} scenarios", f"{len(ev['systems'])} systems",
                      f"judge {ev['judge']}", f"rubric {ev['rubric_version']}"]
            if evidence.is_stand_in(ev["judge"]):
                chips[-2] += " · stand-in"
        chips += [f"pairwise judge {c.get('judge')}" + (" · stand-in" if evidence.is_stand_in(c.get("judge")) else "")
                  for c in self.inp.compares]
        chips += [f"{h['ratings']} human ratings" for h in self.inp.humans]
        chips += [f"{len(rows)} conversations of {name}" for name, rows in self.inp.transcripts.items()]
        warns = "".join(f'<p class="warn">{esc(w)}</p>' for w in ev.get("warnings", []))
        content = (self.cards() + warns + self.head_to_head() + self.examples() + self.eval_sections()
                   + self.conversations() + self.settings() + self.training())
        from .. import __version__ as version

        return Template((resources.files("perm") / "evaluate" / "report.html").read_text(encoding="utf-8")
                        ).substitute(
            title=esc(title), version=esc(version),
            subtitle="Empathy judged from the supporter's, the seeker's and a bystander's point of view",
            chips="".join(f'<span class="chip">{esc(c)}</span>' for c in chips),
            headline=self.headline(), content=content,
            generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            bootstrap=esc(ev.get("bootstrap", 2000)))


def build_report(inp: ReportInputs, out_dir: str | Path, *, title: str = "PERM evaluation report") -> Path:
    """Write OUT/report.html and OUT/png/*.png; returns the HTML path."""
    out = Path(out_dir)
    builder = Builder(inp, out)
    page = builder.build(title)
    (out / PNG_DIR).mkdir(parents=True, exist_ok=True)
    for key, png in builder.pngs.items():
        (out / PNG_DIR / f"{key}.png").write_bytes(png)
    path = out / REPORT_FILE
    path.write_text(page, encoding="utf-8")
    return path
