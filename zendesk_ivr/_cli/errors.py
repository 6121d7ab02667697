"""How the command fails: one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import sys
from typing import NoReturn


class UsageError(Exception):
    """A problem with how the command was called; exit 2 with the message."""


def fail(message: str, code: int = 2) -> NoReturn:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"zendesk-ivr: error: {first_line}", file=sys.stderr)
    raise SystemExit(code)


def describe_os_error(exc: OSError) -> str:
    """What the system said, and about which file: ``cannot open X: Permission denied``."""
    reason = exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    return f"{exc.filename}: {reason}"
