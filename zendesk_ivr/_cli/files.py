"""Where ``-o FILE`` goes: written whole or not at all, and a refusal that says what refused."""

from __future__ import annotations

import os

from .errors import UsageError


def write_output(output: str, text: str) -> None:
    """Replace *output* only once *text* is wholly on disk: a failed write keeps the old file."""
    try:
        from .._files import write_atomically  # noqa: PLC0415 - tempfile: only for -o

        write_atomically(output, text)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {_cause(output, exc)}") from None


def _cause(output: str, exc: OSError) -> str:
    """
    The errno of the step that failed, named: the file is written as a new file beside it and
    renamed into place, so a folder that takes no new file (``/proc``, a read-only mount) fails
    on that new file, not on *output* (which may well exist).
    """
    reason = exc.strerror or str(exc)
    folder = os.path.dirname(os.path.abspath(output))
    if os.path.isdir(output):
        return "it is a folder"
    if not os.path.isdir(folder):
        return f"no folder {folder} ({reason})"
    if exc.filename is not None and os.path.abspath(exc.filename) != os.path.abspath(output):
        return (
            f"cannot create a new file in {folder} ({reason}); -o writes a new file there and "
            "renames it into place"
        )
    return reason
