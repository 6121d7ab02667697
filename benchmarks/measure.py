"""Timing helpers shared by the scenarios: a stopwatch and the statistics the tables show."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from types import TracebackType


class Stopwatch:
    """Wall and CPU time of this process over a ``with`` block (the server's is not in it)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0
        self._wall = 0.0
        self._cpu = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.seconds = time.perf_counter() - self._wall
        self.cpu_seconds = time.process_time() - self._cpu


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float]) -> float:
    """Half the range as a share of the median: how much to trust the median's digits."""
    if len(values) < 2:
        return 0.0
    middle = statistics.median(values)
    return (max(values) - min(values)) / 2 / middle if middle else 0.0
