"""Where results may be written, and the JSONL files of resumable runs: read what a killed run
left (a torn last line is cut off), rewrite in input order atomically.

Every check here runs before anything is judged: an output that is one of the inputs (also
through a symlink or a hard link), a device, a pipe, a directory where a file is wanted, or a
place that cannot be written is refused with a message naming the path.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PermError

#: `-o -`: stream the results to standard output (no resume).
STDOUT = "-"


class OutputError(PermError):
    """An output path that cannot be used; the message names it and says why."""


class ResultFileError(PermError):
    """An existing output file holds something that is not a result of this command."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISFIFO, "named pipe (FIFO)"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)  # follows symlinks: a link to /dev/null is a device
    except FileNotFoundError:
        return None
    except OSError as e:
        raise OutputError(f"{path}: cannot be used as output ({e.strerror})") from None


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file (symlinks followed; hard links compared by inode)."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _check_inputs(path: Path, inputs: Sequence[str | Path], option: str) -> None:
    for inp in inputs:
        if same_file(path, inp):
            alias = "" if Path(inp) == path else f" ({inp}, through a link)"
            raise OutputError(f"{option} {path} is an input file{alias}: writing the results there "
                              "would destroy it. Write them to another file.")


def _check_writable_dir(directory: Path) -> None:
    """The directory (or, when it does not exist yet, its nearest existing ancestor) must
    accept a new file; probed by creating and removing one, which also catches read-only
    file systems and /proc, where permission bits say nothing."""
    probe_in = directory
    while not probe_in.exists():
        if probe_in.parent == probe_in:
            break
        probe_in = probe_in.parent
    if not probe_in.is_dir():
        raise OutputError(f"cannot write in {directory}: {probe_in} is not a directory")
    try:
        fd, name = tempfile.mkstemp(dir=probe_in, prefix=".perm-probe-")
    except OSError as e:
        raise OutputError(f"cannot write in {directory}: creating a file in {probe_in} failed "
                          f"({e.strerror or e})") from None
    os.close(fd)
    os.unlink(name)


def check_output_file(path: str | Path, *, inputs: Sequence[str | Path] = (),
                      option: str = "-o") -> Path:
    """Refuse an output file that cannot hold resumable results; returns the path."""
    p = Path(path)
    st = _stat(p)
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            hint = " (for standard output use -o -)" if stat.S_ISCHR(st.st_mode) or \
                stat.S_ISFIFO(st.st_mode) else ""
            raise OutputError(f"{option} {p} is a {_kind(st.st_mode)}, not a regular file: results "
                              f"go to a file that a later run can read back to resume{hint}")
        _check_inputs(p, inputs, option)
        if not os.access(p, os.W_OK):
            raise OutputError(f"{option} {p}: not writable (permission denied)")
    _check_writable_dir(p.parent)
    return p


def check_output_dir(path: str | Path, *, inputs: Sequence[str | Path] = (),
                     files: Iterable[str] = (), option: str = "-o") -> Path:
    """Refuse an output directory that is not one or cannot be written, and check each of
    `files` (relative paths inside it) as an output file; returns the directory."""
    d = Path(path)
    st = _stat(d)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{option} {d} is a {_kind(st.st_mode) if not stat.S_ISREG(st.st_mode) else 'file'}, "
                          "not a directory")
    _check_writable_dir(d)
    for name in files:
        check_output_file(d / name, inputs=inputs, option=option)
    return d


@dataclass
class Finished:
    """What an output file holds: results by id (a later line of an id wins over an earlier
    one), the line each came from, and whether a torn last line was cut off."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    torn: int = 0


def read_finished(path: str | Path, *, truncate: bool = True) -> Finished:
    """Results already in an output file.

    A torn last line (a killed job) is dropped and, with `truncate`, cut off so that appending
    continues on a clean line. A bad line before the last one is not a crash artefact: it
    raises ResultFileError naming file and line, and nothing is changed."""
    p = Path(path)
    out = Finished()
    if not p.exists():
        return out
    good_bytes, bad_line, line_no = 0, 0, 0
    bad_why = ""
    with p.open("rb") as fh:
        for raw in fh:
            line_no += 1
            if bad_line:  # a bad line followed by more lines: not a torn tail
                raise ResultFileError(f"{p}:{bad_line}: {bad_why}, and it is not the last line "
                                      "(so not left by an interrupted run). Fix or remove that "
                                      "line, or write to another output")
            if not raw.strip() and raw.endswith(b"\n"):
                good_bytes += len(raw)
                continue
            try:
                rec = json.loads(raw) if raw.endswith(b"\n") else None
            except ValueError:
                rec = None
            if not isinstance(rec, dict) or "id" not in rec:
                bad_line = line_no
                bad_why = "not a JSON line" if rec is None else 'a JSON line without an "id"'
                continue
            out.records[str(rec["id"])] = rec
            out.lines[str(rec["id"])] = line_no
            good_bytes += len(raw)
    if bad_line:
        out.torn = 1
        if truncate:
            with p.open("r+b") as fh:
                fh.truncate(good_bytes)
    return out


def rewrite_in_order(path: str | Path, order: Iterable[str], *,
                     drop: Collection[str] = ()) -> list[str]:
    """Rewrite the file so results follow `order` (atomic replace; one line per id).

    Ids in `drop` (stale results whose replacement never came) are left out. Results whose id
    is not in `order` are kept at the end (never dropped); their ids are returned so the caller
    can warn. A symlinked output is rewritten where the link points."""
    p = Path(os.path.realpath(path))
    if not p.is_file():  # never replace a device or pipe, whatever a caller checked before
        raise OutputError(f"{path} is not a regular file; nothing was rewritten")
    by_id = {k: v for k, v in read_finished(p).records.items() if k not in drop}
    wanted = list(order)
    seen = set(wanted)
    extra = [i for i in by_id if i not in seen]
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for i in [*wanted, *extra]:
                if i in by_id:
                    fh.write(json.dumps(by_id[i], ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        mode = stat.S_IMODE(os.stat(p).st_mode)
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return extra


def write_json(path: str | Path, doc: dict[str, Any]) -> Path:
    """Write a JSON document (a summary) atomically, so a crash never leaves half of one."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        os.chmod(tmp, stat.S_IMODE(os.stat(p).st_mode) if p.is_file() else 0o644)
        os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return p


def read_json_doc(path: str | Path, kind: str, what: str,
                  error: type[PermError] = PermError, hint: str = "") -> dict[str, Any]:
    """A JSON document written by one of our commands, checked by its `"kind"` field.
    Raises `error` naming the file when it is missing, not JSON, or of another kind; `hint`
    (what to give instead) ends that message."""
    p = Path(path)
    tail = f": {hint}" if hint else ""
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{p}: not found ({what}){tail}") from None
    except ValueError as e:
        raise error(f"{p} is not a {what} (not valid JSON: {e}){tail}") from None
    if not isinstance(doc, dict) or doc.get("kind") != kind:
        raise error(f"{p} is not a {what} (expected \"kind\": \"{kind}\"){tail}")
    return doc
