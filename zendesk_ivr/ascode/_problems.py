"""What is wrong with an IVR file, each problem at its line: `FileFinding`, `InvalidIvrFile`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attrs import frozen

from .._exceptions import ZendeskError
from ..analysis._rules import Severity

__all__ = ["FileFinding", "InvalidIvrFile"]


@frozen(kw_only=True)
class FileFinding:
    """
    One problem at one place of an IVR file: ``str()`` gives ``FILE:LINE:COL: rule: message``.

    Attributes:
        file: the file's name as given.
        line: 1-based.
        column: 1-based.
        rule: an audit rule (``dead_key``...), ``schema``, ``yaml``, ``duplicate_name``, or
            a reason a plan refused the file (``unknown_name``, ``dangling``...).
        severity: how bad it is; problems that make a file unreadable are errors.
        message: for people.
    """

    file: str
    line: int
    column: int
    rule: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.rule}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
        }


class InvalidIvrFile(ZendeskError, ValueError):
    """
    An IVR file that cannot be used: unreadable, not YAML, or not what the schema describes.
    ``problems`` lists every problem found, each a `FileFinding` naming its line.
    """

    def __init__(self, message: str, *, problems: Iterable[FileFinding] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)
