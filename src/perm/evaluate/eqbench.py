"""Read EQ-Bench3's scenario file format and turn its seeker-style scenarios into our data
contract, so a policy can be generated, scored and compared on them with `perm`.

The format (upstream `data/scenario_prompts.txt`): a scenario starts with a line
`######## <id> | <category> | <title>`, each of its turns with `####### Prompt<N>`, and the
lines that follow are that turn's text. Judge notes (`data/scenario_notes.txt`) are `# <id>`
lines, each followed by the notes of that scenario.

"Seeker-style" means someone brings their own situation to the model, in one of three styles:
- `seeker`: a role-play whose cue says so (`[Your sister pulls you aside and lays this out:]`)
  followed by her words: the cue gives the persona and the setting, her words the query;
- `direct`: a message written straight to the model (its text is the query);
- `narrated`: a role-play that tells how someone confides in "you" (`Your friend Kat tells you
  she's been messaging her ex...`) without quoting them: the narration is the scenario, the
  person named in it the persona, and the query says that their words are not quoted (none are
  invented).
Later turns (which presume the model's earlier replies) are kept under `eqbench3.followups`.
Mediation role-plays (two parties), transcript analyses and role-plays where the model *is* the
person with the problem have no seeker and are skipped, each with its reason: of the 46
scenarios upstream ships, 11 convert. Upstream's code is not used; only its file format is read.

    perm eqbench3 convert scenario_prompts.txt --notes scenario_notes.txt -o eq.jsonl
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..data import sample_to_dict
from ..errors import DataError
from ..types import Sample

_SCENARIO = re.compile(r"^########\s*(\S+)(.*)$")
_PROMPT = re.compile(r"^#######\s*Prompt(\d+)", re.IGNORECASE)
_NOTE = re.compile(r"^#\s*(\S+)\s*$")
_BRACKET = re.compile(r"^\[(.*)\]$")
_VERBS = (r"messages|texts|dms|dm's|calls|pulls|sits|comes|tells|says|writes|sends|asks|catches|"
          r"corners|rings|turns|leans|grabs|approaches|vents|confides|looks|lays")
_CUE = re.compile(rf"^(your|my|a|an)\s+(.+?)\s+({_VERBS})\b(.*)$", re.IGNORECASE)
_VERB = re.compile(rf"^(?:{_VERBS})$", re.IGNORECASE)


@dataclass
class EQScenario:
    id: str
    category: str
    title: str
    prompts: list[str]
    line: int


@dataclass
class Converted:
    samples: list[Sample] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (scenario id, reason)


def parse_scenarios(text: str, *, path: str | None = None) -> list[EQScenario]:
    """Scenarios of an EQ-Bench3 scenario file, in file order."""
    out: list[EQScenario] = []
    current: EQScenario | None = None
    lines: list[str] | None = None

    def close_prompt() -> None:
        if current is not None and lines is not None:
            body = "\n".join(lines).strip()
            if body:
                current.prompts.append(body)

    for n, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        head = _SCENARIO.match(stripped)
        if head:
            close_prompt()
            lines = None
            parts = [p.strip() for p in head.group(2).split("|")]
            sid = head.group(1).rstrip("|")
            if any(s.id == sid for s in out):
                raise DataError(f"duplicate scenario id {sid!r}", path=path, line=n)
            current = EQScenario(sid, parts[1] if len(parts) > 1 else "",
                                 parts[2] if len(parts) > 2 else "", [], n)
            out.append(current)
            continue
        if _PROMPT.match(stripped):
            if current is None:
                raise DataError("a '####### Prompt' line before any '######## <id>' scenario line",
                                path=path, line=n)
            close_prompt()
            lines = []
            continue
        if lines is not None:
            lines.append(raw.rstrip("\r"))
    close_prompt()
    return out


def parse_notes(text: str) -> dict[str, str]:
    """Judge notes by scenario id (`# <id>` then its text)."""
    notes: dict[str, list[str]] = {}
    current: str | None = None
    for raw in text.splitlines():
        m = _NOTE.match(raw.strip())
        if m:
            current = m.group(1)
            notes[current] = []
        elif current is not None:
            notes[current].append(raw)
    return {k: "\n".join(v).strip() for k, v in notes.items() if "\n".join(v).strip()}


def _split_brackets(prompt: str) -> tuple[list[str], list[str]]:
    """(bracketed stage-direction lines, the other lines) of one turn."""
    cues: list[str] = []
    body: list[str] = []
    for line in prompt.splitlines():
        m = _BRACKET.match(line.strip())
        (cues if m else body).append(m.group(1).strip() if m else line)
    return cues, body


#: A narration in which someone brings their situation to "you" (their words reported, not quoted).
_NARRATED = re.compile(r"\b(confides?|tells you|told you|dm'?s you|messages you|texts you|vents to you|"
                       r"opens up to you|comes to you|is (?:emotionally )?dumping|unloads on you)\b",
                       re.IGNORECASE)
#: Closing instructions to the model ("Think through...", "What do you say?"), not part of the story.
_INSTRUCTION = re.compile(r"^(think through|say what you|what do you|what are you|what's your|"
                          r"what is your|decide|then decide|firstly|how do you)\b", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    return [x for x in re.split(r"(?<=[.!?])\s+", text.strip()) if x]


def narration(prompt: str) -> str:
    """A narrated turn without its stage directions and its closing instructions to the model."""
    _, body = _split_brackets(prompt)
    paras = [p.strip() for p in re.split(r"\n\s*\n", "\n".join(body).strip()) if p.strip()]
    while paras:
        kept = _sentences(paras[-1])
        while kept and _INSTRUCTION.match(kept[-1].strip()):
            kept.pop()
        if kept:
            paras[-1] = " ".join(kept) if len(kept) < len(_sentences(paras[-1])) else paras[-1]
            break
        paras.pop()
    return "\n\n".join(paras)


def classify(sc: EQScenario) -> tuple[str, str]:
    """('seeker' | 'narrated' | 'direct', cue) for usable scenarios, else ('skip', reason)."""
    if "analy" in sc.category.lower():
        return "skip", "analysis task (interpret a transcript): no seeker"
    if not sc.prompts:
        return "skip", "no '####### Prompt<N>' turns (EQ-Bench3's own reader skips it too)"
    first = sc.prompts[0]
    if re.search(r"^#\s*(scenario act|participant)", first, re.IGNORECASE | re.MULTILINE):
        return "skip", "analysis task (interpret a transcript): no seeker"
    cues, _ = _split_brackets(first)
    if not cues and not first.lstrip().startswith("["):
        return "direct", ""
    preamble = cues[0].lower() if cues else ""
    if "mediat" in preamble or sc.category.lower().startswith("mediation"):
        return "skip", "mediation role-play: two parties, no single seeker"
    for cue in cues[1:]:
        if _CUE.match(cue.rstrip(":. ")) and cue.rstrip().endswith(":"):
            return "seeker", cue.rstrip(":. ")
    story = narration(first)
    if story and _NARRATED.search(story):
        return "narrated", _sentences(story)[0]
    return "skip", ("narrative role-play (the model plays the person with the problem; nobody "
                    "brings it to them): no seeker")


_DESCRIBE = {"is", "was", "has", "had", "who", "lives", "works"}
#: The query of a narrated scenario: the benchmark reports what they said instead of quoting it,
#: and no words are invented for them.
NARRATED_QUERY = ("(They have just told you all of this in person; the benchmark describes what "
                  "they said rather than quoting it.)")


def _persona(cue: str) -> str:
    """`Your friend is boarding at college. She sends...` -> `Your friend, who is boarding at
    college; someone close to you.` (the relation, and any description that follows it)."""
    first = re.split(r"(?<=[.!?])\s+", cue.strip())[0].rstrip(".!? ")
    paren = re.match(r"^(.*?)\s*\(([^)]*)\)", first)
    if paren and len(paren.group(1).split()) <= 5:  # `Your buddy Dave (55, business owner) is ...`
        return f"{paren.group(1)[0].upper()}{paren.group(1)[1:]} ({paren.group(2)}); someone close to you."
    words = first.split()
    cut = next((i for i, w in enumerate(words[1:5], start=1)
                if w.lower() in _DESCRIBE or _VERB.match(w)), min(len(words), 5))
    who = " ".join(words[:cut]).rstrip(",;:")
    rest = " ".join(words[cut:])
    desc = ""
    if cut < len(words) and words[cut].lower() in _DESCRIBE and len(words) - cut > 1:
        desc = f", {'' if words[cut].lower() == 'who' else 'who '}{rest}"
    return f"{who[0].upper()}{who[1:]}{desc}; someone close to you."


def _tag(sc: EQScenario) -> str:
    label = ": ".join(p for p in (sc.category, sc.title) if p)
    return f" (EQ-Bench3 scenario {sc.id}{', ' + label if label else ''})"


def to_sample(sc: EQScenario, notes: dict[str, str] | None = None) -> Sample | str:
    """The sample for one scenario, or the reason it has none."""
    kind, cue = classify(sc)
    if kind == "skip":
        return cue
    _, body = _split_brackets(sc.prompts[0])
    query = "\n".join(body).strip()
    if not query:
        return "the seeker's message is empty"
    if kind == "narrated":
        persona = _persona(cue)
        scenario = f"{narration(sc.prompts[0])}{_tag(sc)}"
        query = NARRATED_QUERY
    elif kind == "seeker":
        persona = _persona(cue)
        scenario = f"{cue[0].upper()}{cue[1:]}.{_tag(sc)}"
    else:
        persona = "Someone who has written to you directly; nothing more is known about them."
        scenario = f"They have messaged you about this.{_tag(sc)}"
    meta: dict[str, object] = {"id": sc.id, "category": sc.category, "title": sc.title,
                               "style": kind, "followups": sc.prompts[1:]}
    if notes and sc.id in notes:
        meta["notes"] = notes[sc.id]
    return Sample(persona=persona, scenario=scenario, query=query, id=f"eqbench3-{sc.id}",
                  extra={"eqbench3": meta})


def convert(path: str | Path, notes_path: str | Path | None = None, *,
            only: list[str] | None = None) -> Converted:
    """Read a scenario file (and optional notes file) into samples plus skipped ids; `only`
    keeps just those scenario ids (an unknown one is an error)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("file not found", path=str(p)) from None
    scenarios = parse_scenarios(text, path=str(p))
    if not scenarios:
        raise DataError("no '######## <id> | <category> | <title>' scenario lines: is this an "
                        "EQ-Bench3 scenario file?", path=str(p))
    if only:
        unknown = [i for i in only if i not in {s.id for s in scenarios}]
        if unknown:
            raise DataError(f"no scenario {', '.join(unknown)} in this file", path=str(p))
        scenarios = [s for s in scenarios if s.id in only]
    try:
        notes = parse_notes(Path(notes_path).read_text(encoding="utf-8")) if notes_path else None
    except FileNotFoundError:
        raise DataError("file not found", path=str(notes_path)) from None
    out = Converted()
    for sc in scenarios:
        got = to_sample(sc, notes)
        if isinstance(got, Sample):
            out.samples.append(got)
        else:
            out.skipped.append((sc.id, got))
    return out


def write_jsonl(samples: list[Sample], path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with Path(path).open("w", encoding="utf-8") as fh:
        for s in samples:
            fh.write(json.dumps(sample_to_dict(s), ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m perm.evaluate.eqbench",
                                 description="Convert EQ-Bench3 seeker-style scenarios to perm JSONL.")
    ap.add_argument("scenarios", help="EQ-Bench3 scenario file (data/scenario_prompts.txt format)")
    ap.add_argument("--notes", default=None, help="judge notes file (data/scenario_notes.txt format)")
    ap.add_argument("-o", "--output", required=True, help="output JSONL (our data contract)")
    ap.add_argument("--only", default=None, help="only these scenario ids (comma-separated)")
    a = ap.parse_args(argv)
    try:
        res = convert(a.scenarios, a.notes, only=a.only.split(",") if a.only else None)
    except DataError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
    if not res.samples:
        print(f"Error: {a.scenarios}: no seeker-style scenarios to convert", file=sys.stderr)
        return 2
    write_jsonl(res.samples, a.output)
    print(f"wrote {len(res.samples)} scenario(s) to {a.output}; skipped {len(res.skipped)}")
    for reason, count in Counter(r for _, r in res.skipped).most_common():
        ids = ", ".join(i for i, r in res.skipped if r == reason)
        print(f"  skipped {count}: {reason} [{ids}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
