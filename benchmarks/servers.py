"""
Start the benchmark servers in child processes and talk to their control endpoints.

Each server is a script in this folder that prints one JSON line (its URL and whatever else the
benchmark needs) and serves until terminated. A separate process is the point: a client and a
server sharing one event loop and one core would each slow the other down, and the numbers
would say nothing about either.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
STARTUP_TIMEOUT = 120.0
#: With two cores or more, servers get the last core and clients the others, so neither waits
#: for the other's time slice; with one core (or ``--no-pin``) nothing is pinned.
SERVER_CPU: int | None = (os.cpu_count() or 1) - 1 if (os.cpu_count() or 1) > 1 else None


def no_pinning() -> None:
    global SERVER_CPU  # noqa: PLW0603 - one switch for the whole run, set before anything starts
    SERVER_CPU = None


def pin(pid: int, cpus: set[int]) -> None:
    """Keep *pid* on *cpus* where the OS allows it (Linux); elsewhere leave it to the OS."""
    if hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(pid, cpus)


def client_cpus() -> set[int] | None:
    if SERVER_CPU is None:
        return None
    return set(range(SERVER_CPU))


@dataclass
class Child:
    process: subprocess.Popen[str]
    info: dict[str, Any]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def spawn(script: str, *args: str) -> Child:
    """Start ``python benchmarks/<script> <args>`` and wait for its JSON line."""
    process = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / script), *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    if SERVER_CPU is not None:
        pin(process.pid, {SERVER_CPU})
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=STARTUP_TIMEOUT)
    line = process.stdout.readline() if ready else ""
    if not line:
        Child(process, {}).close()
        raise RuntimeError(f"{script} did not start (exit code {process.poll()})")
    return Child(process, json.loads(line))


class FakeServer:
    """A seeded `FakeZendesk` in a child process, with its counters read over HTTP."""

    def __init__(self, child: Child) -> None:
        self._child = child
        info = child.info
        self.url: str = info["url"]
        self.email: str = info["email"]
        self.api_token: str = info["api_token"]
        self.ivr_ids: list[int] = info["ivr_ids"]
        self._control: str = info["control"]

    def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self._control + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    def stats(self) -> dict[str, Any]:
        """``requests`` since the last reset, ``rate_limited`` in total, ``cpu_seconds``."""
        return self._call("GET", "/stats")

    def log(self) -> list[tuple[str, int | None, bool]]:
        """``(path, window, refused)`` of each request since the last reset, from the server."""
        rows = self._call("GET", "/log")["rows"]
        return [(path, window, refused) for path, window, refused in rows]

    def reset(self) -> dict[str, Any]:
        return self._call("POST", "/reset", {})

    def configure(self, **settings: Any) -> dict[str, Any]:
        return self._call("POST", "/configure", settings)


@contextlib.contextmanager
def fake_server(
    *, ivrs: int, menus: int, routes: int, max_page_size: int = 100
) -> Iterator[FakeServer]:
    child = spawn(
        "fake_server.py",
        f"--ivrs={ivrs}",
        f"--menus={menus}",
        f"--routes={routes}",
        f"--max-page-size={max_page_size}",
    )
    try:
        yield FakeServer(child)
    finally:
        child.close()


class CountingServer:
    """A server of made-up pages in a child process; it counts the requests it answered."""

    def __init__(self, child: Child) -> None:
        self.url: str = child.info["url"]

    def requests(self) -> int:
        with urllib.request.urlopen(self.url + "/stats", timeout=30) as response:
            served: int = json.loads(response.read())["requests"]
            return served


@contextlib.contextmanager
def counting_server(script: str) -> Iterator[CountingServer]:
    """`route_server.py` (scenario 4) or `page_server.py` (scenario 6)."""
    child = spawn(script)
    try:
        yield CountingServer(child)
    finally:
        child.close()
