"""
Files written whole or not at all: a temporary file in the same directory, flushed to disk, then
renamed over the target. A failure at any point (a full disk, text that cannot be encoded, an
interrupt) leaves the previous file exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], text: str, *, mode: int | None = None) -> None:
    """Write *text* as UTF-8 to *path*; *mode* defaults to a new file's (0o666 less the umask)."""
    where = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{where.name}.", suffix=".tmp", dir=where.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            os.fchmod(file.fileno(), _new_file_mode() if mode is None else mode)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, where)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    # The rename is durable only once the directory entry is on disk too.
    dir_fd = os.open(where.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _new_file_mode() -> int:
    # mkstemp makes the file 0600; a plain open() would have given 0666 less the umask, which
    # can only be read by setting it.
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
