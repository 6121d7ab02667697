"""
Child process: list N routes through the SDK and report the listing's own peak memory.

Run as ``python benchmarks/stream_client.py --url URL --count N [--keep]``. It prints one JSON
line: routes read, seconds, the resident set just before the listing and the peak during it.
N routes beyond 10,000 are read as listings of 10,000 (Zendesk's offset listings stop there).

Both are read from the kernel's view of this process (``VmRSS`` and ``VmHWM`` in
``/proc/self/status``), which belong to the memory of this program image alone: a child made by
fork and exec starts them afresh, whereas ``ru_maxrss`` carries the parent's peak over into the
child. Just before the listing the peak is started over (``/proc/self/clear_refs``), so the
imports' own peak cannot hide the listing's. ``--keep`` is the control: a client that keeps
every route, whose peak must grow with N if the method can see anything at all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from zendesk_ivr import Client, IvrRoute

OFFSET_RECORD_CAP = 10_000  # the most records an offset listing of Zendesk's may reach

STATUS = Path("/proc/self/status")


def memory_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` of this process, in MB."""
    for line in STATUS.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # the kernel reports kB
    raise RuntimeError(f"{field} is missing from {STATUS}")


def reset_peak() -> None:
    """Start ``VmHWM`` over from the current resident set (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


async def stream(url: str, count: int, *, keep: bool) -> dict[str, float | int]:
    kept: list[IvrRoute] = []
    async with Client(base_url=url, email="bench@example.com", api_token="bench-token") as client:
        reset_peak()
        before = memory_mb("VmRSS")
        started = time.perf_counter()
        routes = 0
        # Zendesk's offset listings stop at 10,000 records, so a count beyond that is read as
        # several listings of 10,000, one after another through the same client. The route
        # server reads the menu id as the number of routes the menu has.
        per_listing = min(count, OFFSET_RECORD_CAP)
        for _ in range(count // per_listing):
            async for route in client.routes.list(1, per_listing):
                routes += 1
                if keep:
                    kept.append(route)
        seconds = time.perf_counter() - started
        return {
            "routes": routes,
            "seconds": seconds,
            "before_mb": before,
            "peak_mb": memory_mb("VmHWM"),
            "kept": len(kept),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description="Stream routes and report peak memory.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--keep", action="store_true", help="keep every route (the control)")
    args = parser.parse_args()
    result = asyncio.run(stream(args.url, args.count, keep=args.keep))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
