"""
The apply journal: an append-only file of JSON lines that lets an interrupted apply finish.

The first line is the header, the plan itself included, so a later run can resume it::

    {"journal": "zendesk-ivr-apply-journal", "version": 1, "fingerprint": "<sha256 of the plan>",
     "target": "https://acme.zendesk.com/", "created_at": "...",
     "plan": {"origin": "...", "steps": [...]}}

then one line per event, in the order they happened::

    {"event": "started", "step": "ivr[Support]", "at": "..."}       before a create is sent
    {"event": "done", "step": "ivr[Support]", "ids": {"ivr[Support]": 123,
     "ivr[Support]/default-menu": 124}, "adopted": false, "at": "..."}
    {"event": "failed", "step": "...", "error": "RecordInvalid: ...", "at": "..."}

Each line goes out in one ``write`` and is ``fsync``'ed before the apply goes on, so a step
that depends on another starts only once the other's ``done`` line is on disk. A last line
without its newline was cut short by a crash: it is ignored, and cut off before appending.
Lines are written in ASCII (JSON escapes for everything else) and split on ``\n`` alone, so no
character of a name (U+2028, NEL, a form feed) can end a line early.

A path is a journal of ours or left alone: absent, empty, or starting with our header (or a
header a crash cut short) is ours; anything else is refused before a byte is written.

One apply at a time holds a journal (`JournalLock`): an OS lock on ``<journal>.lock`` beside it,
which the lock file also names the holding process in, and which the OS releases when that
process ends however it ends. A second apply on the same journal is refused at once.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final

import attrs

from .._core.reading import jsontext
from .._exceptions import ZendeskError
from ._constraints import MAX_DEPTH, nesting
from ._steps import Plan

__all__ = ["JournalError", "JournalLocked", "JournalMismatch", "load_plan"]

JOURNAL_FORMAT: Final = "zendesk-ivr-apply-journal"
JOURNAL_VERSION: Final = 1
_EVENTS: Final = ("started", "done", "failed")
#: How every journal begins: a file that does not is not ours.
_HEADER_START: Final = json.dumps({"journal": JOURNAL_FORMAT}, separators=(",", ":"))[:-1].encode()
#: A header holds a plan, whose steps hold route options: as deep as options may be, and then some.
_MAX_HEADER_DEPTH: Final = MAX_DEPTH + 8
_LOCK_FORMAT: Final = "zendesk-ivr-apply-lock"


class JournalError(ZendeskError):
    """A journal file that cannot be used: unreadable, or not a zendesk-ivr journal."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class JournalLocked(JournalError):
    """
    Another apply holds the journal: two applies with one journal would both send the steps
    left to do. Nothing was sent. ``pid`` is the holding process (None when it cannot be read).
    """

    def __init__(self, message: str, *, path: str, pid: int | None) -> None:
        super().__init__(message, path=path)
        self.pid = pid


class JournalMismatch(JournalError):
    """
    A journal written for another plan, or for an apply to another account: resuming with it
    could skip or repeat work, so it is refused before anything is sent.
    """


@attrs.define
class Progress:
    """What a journal says happened: its header, and the steps done, adopted, started, failed."""

    header: dict[str, Any]
    done: dict[str, dict[str, int]] = attrs.Factory(dict)
    adopted: set[str] = attrs.Factory(set)
    started: set[str] = attrs.Factory(set)
    failed: dict[str, str] = attrs.Factory(dict)
    #: Bytes of whole lines; anything after it is a line a crash cut short.
    length: int = 0


def header_for(plan: Plan, target: str) -> dict[str, Any]:
    """The first line of a journal of *plan* applied to the account at *target*."""
    return {
        "journal": JOURNAL_FORMAT,
        "version": JOURNAL_VERSION,
        "fingerprint": plan.fingerprint,
        "target": target,
        "created_at": _now(),
        "plan": plan.to_json(),
    }


def read(path: str | os.PathLike[str]) -> Progress | None:
    """
    The journal at *path*, or None when there is none yet: no file, an empty one, or a header
    a crash cut short. Anything else that is not a journal of ours is refused (`JournalError`),
    so that a mistyped path never costs the file it names.
    """
    where = os.fspath(path)
    try:
        with open(where, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise JournalError(f"cannot read journal {where}: {exc.strerror}", path=where) from None
    whole = raw[: raw.rfind(b"\n") + 1]  # a line without its newline never finished
    if not whole:
        if raw and not (_HEADER_START.startswith(raw) or raw.startswith(_HEADER_START)):
            raise _not_ours(where)
        return None
    lines = whole[:-1].split(b"\n")  # only \n ends a line: names may hold U+2028 and the like
    progress = Progress(header=_parse_header(lines[0], where), length=len(whole))
    for number, line in enumerate(lines[1:], start=2):
        event = _parse(line, where, number)
        step, kind = event.get("step"), event.get("event")
        if not isinstance(step, str) or kind not in _EVENTS:
            raise JournalError(f"journal {where} line {number}: not a journal event", path=where)
        if kind == "started":
            progress.started.add(step)
        elif kind == "failed":
            progress.failed[step] = str(event.get("error"))
        else:
            ids = event.get("ids", {})
            if not isinstance(ids, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in ids.values()
            ):
                raise JournalError(f"journal {where} line {number}: ids must be ids", path=where)
            progress.done[step] = ids
            if event.get("adopted"):
                progress.adopted.add(step)
            progress.failed.pop(step, None)
    return progress


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """
    The plan a journal was written for, to resume an apply that stopped half way (the account
    has changed since, so planning again would give another plan).

    Raises:
        JournalError: *path* is missing, is not a journal, or holds a damaged plan.
    """
    progress = read(path)
    if progress is None:
        where = os.fspath(path)
        raise JournalError(f"journal {where} does not exist or is empty", path=where)
    return plan_in(progress, path)


def plan_in(progress: Progress, path: str | os.PathLike[str]) -> Plan:
    """The plan a journal already read was written for; `JournalError` when it is damaged."""
    where = os.fspath(path)
    try:
        plan = Plan.from_json(progress.header["plan"])
    except (KeyError, ValueError) as exc:
        raise JournalError(f"journal {where} holds no usable plan: {exc}", path=where) from None
    if plan.fingerprint != progress.header.get("fingerprint"):
        raise JournalError(
            f"journal {where} holds a plan that does not match its fingerprint", path=where
        )
    return plan


def check(progress: Progress, *, fingerprint: str, origin: str, target: str, path: str) -> None:
    """Refuse a journal of another plan or account (`JournalMismatch`)."""
    header = progress.header
    if header.get("target") != target:
        raise JournalMismatch(
            f"journal {path} records an apply to {header.get('target')}, not to {target}; "
            "use another journal path",
            path=path,
        )
    if header.get("fingerprint") != fingerprint:
        plan = header.get("plan")
        same_origin = isinstance(plan, Mapping) and plan.get("origin") == origin
        why = (
            "an earlier plan of the same changes (resume it with load_plan)"
            if same_origin
            else "a different plan"
        )
        raise JournalMismatch(
            f"journal {path} was written for {why}; refusing to resume this plan with it "
            "(use another journal path)",
            path=path,
        )


class JournalLock:
    """
    One apply's hold on a journal, taken before the journal is read and kept until its last
    line is written (`lock`). The lock is ``flock`` on ``<journal>.lock``, which also names the
    holding process; the OS drops the lock when that process ends, even killed, so a journal is
    never left locked. Released, the lock file is removed (a killed holder's is reused).
    """

    def __init__(self, path: str, lock_path: str, fd: int) -> None:
        self.path = path
        self._lock_path = lock_path
        self._fd = fd

    def read(self) -> Progress | None:
        """The journal, as `read` gives it; no other apply can change it while this is held."""
        return read(self.path)

    def close(self) -> None:
        """Release the journal (removing the lock file first, so a new holder's is never lost)."""
        fd, self._fd = self._fd, -1
        if fd < 0:
            return
        try:
            if _same_file(fd, self._lock_path):
                with contextlib.suppress(OSError):  # gone already: nothing to tidy
                    os.unlink(self._lock_path)
        finally:
            os.close(fd)

    def __enter__(self) -> JournalLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def lock(path: str | os.PathLike[str]) -> JournalLock:
    """
    Hold the journal at *path* for one apply, or refuse at once: `JournalLocked` (naming the
    process that holds it) when another apply does, `JournalError` when it cannot be locked.
    """
    where = os.fspath(path)
    lock_path = where + ".lock"
    try:
        import fcntl  # noqa: PLC0415 - POSIX only: the import says so where it is needed
    except ImportError:
        raise JournalError(
            f"cannot lock journal {where}: this platform has no POSIX file locks", path=where
        ) from None
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise JournalError(
                f"cannot lock journal {where}: {lock_path}: {exc.strerror}", path=where
            ) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = _holder(fd)
                held_by = f"process {pid}" if pid is not None else "another process"
                raise JournalLocked(
                    f"journal {where} is in use by another apply ({held_by}); nothing was "
                    "sent: let that one finish, or use another journal path",
                    path=where,
                    pid=pid,
                ) from None
            except OSError as exc:
                raise JournalError(
                    f"cannot lock journal {where}: {exc.strerror}", path=where
                ) from None
            # The holder before may have removed the file between our open and our lock: a
            # lock on a file no longer at the path would keep no one else out.
            if _same_file(fd, lock_path):
                _claim(fd, lock_path, where)
                return JournalLock(where, lock_path, fd)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _claim(fd: int, lock_path: str, where: str) -> None:
    """Write this process's id into a lock file that is new, or one of ours."""
    if os.fstat(fd).st_size and _holder(fd) is None:
        raise JournalError(
            f"{lock_path} is not a zendesk-ivr lock file; refusing to touch it (it is where the "
            f"lock of journal {where} goes: use another journal path)",
            path=where,
        )
    os.ftruncate(fd, 0)
    line = json.dumps({"lock": _LOCK_FORMAT, "pid": os.getpid()}) + "\n"
    os.pwrite(fd, line.encode(), 0)


def _holder(fd: int) -> int | None:
    """The process a lock file names, or None (empty, being written, or not ours)."""
    try:
        value = jsontext.loads(os.pread(fd, 200, 0))
    except (OSError, ValueError):
        return None
    if not isinstance(value, dict) or value.get("lock") != _LOCK_FORMAT:
        return None
    pid = value.get("pid")
    return pid if type(pid) is int and pid > 0 else None


def _same_file(fd: int, path: str) -> bool:
    try:
        there = os.stat(path)
    except OSError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


class Journal:
    """An open journal, appended to and synced line by line."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], progress: Progress | None, header: Mapping[str, Any]
    ) -> Journal:
        """
        Open *path* for appending after what *progress* (its `read`) holds, cutting off a line
        a crash left unfinished; a new journal starts with *header*.
        """
        where = os.fspath(path)
        try:
            fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            raise JournalError(f"cannot open journal {where}: {exc.strerror}", path=where) from None
        journal = cls(where, fd)
        try:
            if progress is None:
                os.ftruncate(fd, 0)
                journal._append(dict(header))
                _sync_directory(where)
            elif os.fstat(fd).st_size != progress.length:
                os.ftruncate(fd, progress.length)
        except BaseException:
            journal.close()
            raise
        return journal

    def started(self, step: str) -> None:
        self._append({"event": "started", "step": step, "at": _now()})

    def done(self, step: str, ids: Mapping[str, int], *, adopted: bool = False) -> None:
        record: dict[str, Any] = {"event": "done", "step": step, "ids": dict(ids)}
        if adopted:
            record["adopted"] = True
        self._append({**record, "at": _now()})

    def failed(self, step: str, error: str) -> None:
        self._append({"event": "failed", "step": step, "error": error, "at": _now()})

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def _append(self, record: Mapping[str, Any]) -> None:
        # ASCII: no character of a name can end the line (U+2028, NEL, ...) for any reader.
        line = json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n"
        view = memoryview(line.encode())
        while view:
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)


def _parse_header(line: bytes, where: str) -> dict[str, Any]:
    try:
        header = _parse(line, where, 1)
    except JournalError:
        if line.startswith(_HEADER_START):
            raise  # ours, damaged: say how
        raise _not_ours(where) from None
    if header.get("journal") != JOURNAL_FORMAT:
        raise _not_ours(where)
    if nesting(header, _MAX_HEADER_DEPTH) > _MAX_HEADER_DEPTH:
        raise JournalError(
            f"journal {where} holds a plan nested more than {_MAX_HEADER_DEPTH} levels deep; "
            "no plan made here is",
            path=where,
        )
    if header.get("version") != JOURNAL_VERSION:
        raise JournalError(
            f"journal {where} has version {header.get('version')!r}; this zendesk-ivr reads "
            f"version {JOURNAL_VERSION}",
            path=where,
        )
    if not isinstance(header.get("plan"), dict):
        raise JournalError(f"journal {where} holds no plan", path=where)
    return header


def _not_ours(where: str) -> JournalError:
    return JournalError(
        f"{where} is not a zendesk-ivr journal; refusing to touch it (use another journal path)",
        path=where,
    )


def _parse(line: bytes, where: str, number: int) -> dict[str, Any]:
    try:
        value = jsontext.loads(line)
    except ValueError as exc:
        raise JournalError(
            f"journal {where} line {number} is not a JSON object ({exc})", path=where
        ) from None
    if not isinstance(value, dict):
        raise JournalError(f"journal {where} line {number} is not a JSON object", path=where)
    return value


def _sync_directory(path: str) -> None:
    # A new file's directory entry must reach the disk too, or a crash could lose the file.
    with contextlib.suppress(OSError):  # some systems cannot open a directory
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
