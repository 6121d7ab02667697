"""
Child process: list N routes through the SDK and report this process's peak memory.

Run as ``python benchmarks/stream_client.py --url URL --count N`` against the route server. It
prints one JSON line: routes read, seconds, and ``ru_maxrss`` (the peak resident set) before the
listing and after it, the peak started over just before the listing where the OS allows it.
A process of its own is the only honest way to read a peak: in the benchmark's own process the
peak would be whatever an earlier scenario left behind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time

from zendesk_ivr import Client, RateLimiter


def reset_peak() -> bool:
    """
    Start the peak over from the current size (Linux >= 4.0), so the import of aiohttp and
    the SDK, which can outgrow a whole listing, does not hide what the listing itself takes.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


async def stream(url: str, count: int) -> dict[str, float | bool]:
    async with Client(
        base_url=url,
        email="bench@example.com",
        api_token="bench-token",
        rate_limiter=RateLimiter(talk_requests_per_5_minutes=None),
    ) as client:
        reset = reset_peak()
        before = peak_rss_mb()
        started = time.perf_counter()
        routes = 0
        # The route server reads the menu id as the number of routes the menu has.
        async for _route in client.routes.list(1, count):
            routes += 1
        seconds = time.perf_counter() - started
        return {
            "routes": routes,
            "requests": client.requests_sent,
            "seconds": seconds,
            "peak_before_mb": before,
            "peak_mb": peak_rss_mb(),
            "peak_reset": reset,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description="Stream routes and report peak memory.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    sys.stdout.write(json.dumps(asyncio.run(stream(args.url, args.count))) + "\n")


if __name__ == "__main__":
    main()
