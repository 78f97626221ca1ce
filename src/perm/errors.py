"""Typed exceptions. The CLI and server turn these into friendly messages at the edge."""
from __future__ import annotations


class PermError(Exception):
    """Base class of every error perm raises on purpose."""


class ConfigError(PermError, ValueError):
    """A setting is invalid; the message names the field and the value."""


class DataError(PermError, ValueError):
    """One bad input record, located by file, line and field."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path, self.line, self.field, self.reason = path, line, field, message
        where = ":".join(str(p) for p in (path, line) if p is not None)
        prefix = f"{where}: " if where else ""
        fld = f"field '{field}': " if field else ""
        super().__init__(f"{prefix}{fld}{message}")


class DataErrors(PermError, ValueError):
    """Several bad records at once, so a user can fix a file in one pass."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = errors
        head = f"{len(errors)} invalid record(s):\n"
        shown = "\n".join(f"  {e}" for e in errors[:50])
        more = f"\n  ... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(head + shown + more)


class JudgeError(PermError):
    """A judge call failed. `retryable` marks transport faults worth another try."""

    def __init__(self, message: str, *, retryable: bool = False,
                 retry_after: float | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable, self.retry_after, self.status = retryable, retry_after, status


class JudgeUnavailable(PermError):
    """The judge cannot be used at all (missing key, unreachable endpoint, missing extra)."""


class BackendNotFound(PermError, KeyError):
    """An unknown judge backend name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class MissingDependency(PermError, ImportError):
    """An optional package is not installed; the message names the pip command that adds it
    (built by `perm.extras.missing_dependency`)."""

    def __init__(self, message: str, *, module: str | None = None) -> None:
        super().__init__(message)
        self.name = module  # ImportError's field: the missing top-level module
