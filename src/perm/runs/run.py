"""One resumable run: a list of jobs, one JSONL output line per finished job.

The protocol every command shares (`perm score`, `perm eval`, `perm compare`, `perm generate`):
read what an earlier run left (a torn last line is cut off) -> refuse lines another producer
wrote (judge, rubric, settings) -> judge again what failed (when asked) or whose sample changed
-> append each result as it finishes, flushed -> rewrite the file in job order at the end.
`-o -` streams to standard output instead, in job order as results can be emitted, no resume.
`drive` does the work under one check and one teardown.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TextIO, TypeVar

from ..errors import PermError
from .files import STDOUT, Finished, read_finished, rewrite_in_order
from .provenance import Stamp

J = TypeVar("J")
Record = dict[str, Any]

OVERWRITE_HINT = "use another -o, or pass --overwrite to discard them and start over"


class ResumeRefused(PermError):
    """The output holds results another producer (judge, rubric, settings, system) made."""


class Worker(Protocol):
    """What does a run's work: a scorer, a pairwise judge, a policy."""

    async def check(self) -> None: ...

    async def aclose(self) -> None: ...


@dataclass
class ResumeReport:
    """What resuming found in the output, for the messages a command prints."""

    path: str
    total: int
    kept: int = 0
    torn: int = 0
    changed: int = 0  # the sample changed since its line was written: done again
    retried: int = 0  # failed lines done again (--retry-failed)
    unknown: int = 0  # lines written without provenance (an older perm): kept as they are
    overwritten: int = 0

    def messages(self, done_phrase: str = "already scored in") -> list[tuple[str, str]]:
        """(level, text) pairs; level is `warn` or `info`."""
        out: list[tuple[str, str]] = []
        if self.torn:
            out.append(("warn", f"{self.path}: dropped a torn last line from an interrupted run"))
        if self.overwritten:
            out.append(("warn", f"--overwrite: discarding {self.overwritten} result(s) in {self.path}"))
        if self.unknown:
            out.append(("warn", f"{self.unknown} line(s) in {self.path} carry no provenance (written "
                                "by an older perm: unknown scoring settings and sample); kept as "
                                "they are. Pass --overwrite to judge them again."))
        if self.changed:
            out.append(("warn", f"{self.changed} sample(s) changed since their line in {self.path} "
                                "was written: doing them again"))
        if self.retried:
            out.append(("info", f"--retry-failed: doing {self.retried} failed line(s) again"))
        if self.kept:
            out.append(("info", f"Resuming: {self.kept} of {self.total} {done_phrase} {self.path}"))
        return out


class _FileSink:
    def __init__(self, path: Path, truncate: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: TextIO = path.open("w" if truncate else "a", encoding="utf-8")

    def write(self, key: str, line: str) -> None:
        self._fh.write(line)
        self._fh.flush()  # a killed run keeps every line written before

    def skip(self, key: str) -> None:
        pass

    def close(self) -> None:
        self._fh.close()


class _OrderedStream:
    """Writes lines to a stream in job order: each as soon as every earlier job is through."""

    def __init__(self, keys: Sequence[str], stream: TextIO) -> None:
        self._pos = {k: i for i, k in enumerate(keys)}
        self._buf: dict[int, str | None] = {}
        self._next = 0
        self._stream = stream
        self.broken = False  # the reader went away (e.g. `| head`): stop writing, keep judging

    def write(self, key: str, line: str | None) -> None:
        self._buf[self._pos[key]] = line
        while self._next in self._buf:
            self._emit(self._buf.pop(self._next))
            self._next += 1
        self._flush()

    def skip(self, key: str) -> None:
        self.write(key, None)

    def _emit(self, line: str | None) -> None:
        if line is None or self.broken:
            return
        try:
            self._stream.write(line)
        except BrokenPipeError:
            self.broken = True

    def _flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self.broken = True

    def close(self) -> None:
        for i in sorted(self._buf):  # gaps: jobs that produced nothing
            self._emit(self._buf.pop(i))
        self._flush()


class ResumableRun(Generic[J]):
    """The jobs of one output file (or `-` for standard output) and what is left to do.

    `key(job)` is the line's `id`; `stamp` the provenance every line carries and every kept
    line must match; `digest(job)` a hash of the job's input (a line whose input changed is
    done again); `redo(line)` says which kept lines to do again (`--retry-failed`)."""

    def __init__(self, path: str | Path, jobs: Sequence[J], key: Callable[[J], str], *,
                 stamp: Stamp | None = None, digest: Callable[[J], str] | None = None,
                 redo: Callable[[Record], bool] | None = None, overwrite: bool = False,
                 hint: str = OVERWRITE_HINT) -> None:
        self.to_stdout = str(path) == STDOUT
        self.path = Path(path)
        self.jobs = list(jobs)
        self.key = key
        self.stamp = stamp
        self._digest = digest
        self._redo = redo
        self.overwrite = overwrite
        self.hint = hint
        self._by_key = {key(j): j for j in self.jobs}
        self.done: dict[str, Record] = {}
        self.todo: list[J] = list(self.jobs)
        self._found = Finished()
        self._dropped: set[str] = set()
        self._written: dict[str, Record] = {}
        self._sink: _FileSink | _OrderedStream | None = None
        self.report = ResumeReport("<stdout>" if self.to_stdout else str(path), len(self.jobs))

    @property
    def keys(self) -> list[str]:
        return list(self._by_key)

    # -- before the work --------------------------------------------------------------------
    def resume(self) -> ResumeReport:
        """Read what an earlier run left and decide what is left to do (refusing lines that
        another producer wrote, when the stamp is known already)."""
        if self.to_stdout or not self.path.exists():
            return self.report
        if self.overwrite:  # counted, not parsed: a damaged file is discarded all the same
            with self.path.open("rb") as fh:
                self.report.overwritten = sum(1 for line in fh if line.strip())
            return self.report
        self._found = read_finished(self.path)
        self.report.torn = self._found.torn
        if self.stamp is not None:
            self.claim(self.stamp)
        self._plan()
        return self.report

    def claim(self, stamp: Stamp) -> None:
        """Check every line found against `stamp` (ResumeRefused naming what differs) and use
        it for the lines written from now on."""
        self.stamp = stamp
        field_name, want = stamp.producer
        problems: list[str] = []
        for k, rec in self._found.records.items():
            where = f"{self.path}:{self._found.lines.get(k, '?')}"
            have = rec.get(field_name)
            if have is None:
                raise ResumeRefused(f"{where}: a line without {field_name!r}: not a result of this "
                                    f"command. Is -o the right file? ({self.hint})")
            if str(have) != want:
                problems.append(f"{self.path} already holds results of {field_name} {str(have)!r}, "
                                f"not {want!r}")
                break
        for name, value in stamp.settings.items():
            other = next((str(r[name]) for r in self._found.records.values()
                          if r.get(name) is not None and str(r[name]) != value), None)
            if other is not None:
                what = stamp.flags.get(name, name)
                problems.append(f"{self.path} holds results made with other settings ({name} "
                                f"{other} there, {value} now; changed by {what})")
        if problems:
            raise ResumeRefused("; ".join(problems) + f": {self.hint}")

    def _plan(self) -> None:
        settings = tuple(self.stamp.settings) if self.stamp is not None else ()
        for k, rec in self._found.records.items():
            job = self._by_key.get(k)
            if job is None:
                continue  # not among this run's jobs: kept at the end of the file
            if self._redo is not None and self._redo(rec):
                self.report.retried += 1
                self._dropped.add(k)
                continue
            stale = self._digest is not None and "sample_hash" in rec and \
                rec["sample_hash"] != self._digest(job)
            if stale:
                self.report.changed += 1
                self._dropped.add(k)
                continue
            if any(rec.get(s) is None for s in settings) or \
                    (self._digest is not None and "sample_hash" not in rec):
                self.report.unknown += 1
            self.done[k] = rec
        self.todo = [j for j in self.jobs if self.key(j) not in self.done]
        self.report.kept = len(self.done)

    # -- the work -----------------------------------------------------------------------------
    def open(self) -> None:
        """Open the output for appending (or truncate it under --overwrite; or stdout)."""
        if self._sink is not None:
            return
        if self.to_stdout:
            self._sink = _OrderedStream([self.key(j) for j in self.todo], sys.stdout)
        else:
            self._sink = _FileSink(self.path, truncate=self.overwrite)

    def write(self, key: str, record: Record) -> Record:
        """Append one finished job's line, stamped with its provenance; returns the line."""
        line = dict(record)
        if self.stamp is not None:
            line.update(self.stamp.fields())
        if self._digest is not None:
            line["sample_hash"] = self._digest(self._by_key[key])
        if self._sink is None:
            raise RuntimeError("ResumableRun.write before open()")
        self._sink.write(key, json.dumps(line, ensure_ascii=False) + "\n")
        self._written[key] = line
        return line

    def skip(self, key: str) -> None:
        """A job that produced no line (it failed; a later run does it again)."""
        if self._sink is not None:
            self._sink.skip(key)

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None

    @property
    def stdout_broken(self) -> bool:
        """Whether standard output closed before every line was written."""
        return isinstance(self._sink, _OrderedStream) and self._sink.broken

    # -- after the work -----------------------------------------------------------------------
    def finish(self) -> list[str]:
        """Rewrite the file in job order (stale lines that were not replaced are left out);
        returns the ids found in the file that are not among the jobs (kept at the end)."""
        self.close()
        if self.to_stdout or not self.path.exists():
            return []
        return rewrite_in_order(self.path, self.keys, drop=self._dropped - set(self._written))

    def records(self) -> list[Record]:
        """The run's lines in job order (for stdout: the lines written by this run)."""
        if self.to_stdout:
            return [self._written[k] for k in self.keys if k in self._written]
        found = read_finished(self.path, truncate=False).records
        return [found[k] for k in self.keys if k in found]


def abandon(worker: Worker) -> None:
    """Close a worker whose run never started (preparing it failed: refused resume, bad output)."""
    import asyncio

    asyncio.run(worker.aclose())


async def drive(worker: Worker, runs: Sequence[ResumableRun[J]],
                work: Callable[[], Awaitable[object]],
                on_start: Callable[[], None] | None = None) -> None:
    """Check the worker (then `on_start()`) and open the outputs (only when there is something
    to do), do the work, and always close the outputs and the worker, whatever happened."""
    try:
        if any(r.todo for r in runs):
            await worker.check()
            if on_start is not None:
                on_start()
            for r in runs:
                r.open()
            await work()
    finally:
        for r in runs:
            r.close()
        await worker.aclose()
