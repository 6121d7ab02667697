"""What the person at the terminal sees while a command runs, and how they are asked."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._core.wire.observe import Attempt


class Progress:
    """A spinner on stderr counting requests (and steps), only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._requests = 0
        self._status: Any = None
        if sys.stderr.isatty():
            try:
                from rich.console import Console  # noqa: PLC0415 - optional, the cli extra
            except ImportError:
                return
            self._status = Console(stderr=True).status(label)

    def on_attempt(self, _attempt: Attempt) -> None:
        self._requests += 1
        self._show()

    def relabel(self, label: str) -> None:
        self._label = label
        self._show()

    def _show(self) -> None:
        if self._status is not None:
            self._status.update(f"{self._label} ({self._requests} requests)")

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No spinner while the user is asked something."""
        if self._status is not None:
            self._status.stop()
        try:
            yield
        finally:
            if self._status is not None:
                self._status.start()

    def __enter__(self) -> Progress:
        if self._status is not None:
            self._status.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._status is not None:
            self._status.stop()


async def ask(question: str, out: IO[str]) -> str:
    """
    The user's answer to *question*, read from the terminal on stdin once the loop sees it is
    ready, so Ctrl+C at the prompt cancels the command at once (a thread blocked in ``input``
    would not let it end).
    """
    out.write(question)
    out.flush()
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = sys.stdin.fileno()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    try:
        loop.add_reader(fd, readable)
    except NotImplementedError:  # an event loop that cannot watch a terminal (Windows)
        return sys.stdin.readline()
    try:
        await ready
    finally:
        loop.remove_reader(fd)
    return sys.stdin.readline()  # a terminal hands over whole lines: this does not block
