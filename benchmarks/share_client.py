"""
Child process: one of several workers of one account, each with its own SDK client.

Run as ``python benchmarks/share_client.py '<json>'`` with the URL, credentials, the IVR ids this
worker reads, how many reads, how many in flight and the wall-clock time to start at (so that
all workers start together, after their imports). Prints one JSON line: seconds and failed calls.
The 429s it got are counted by the server, not here.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from zendesk_ivr import Client


async def work(job: dict[str, Any]) -> dict[str, float | int]:
    ivr_ids: list[int] = job["ivr_ids"]
    failed = 0
    async with Client(
        base_url=job["url"],
        email=job["email"],
        api_token=job["api_token"],
        max_concurrency=job["concurrency"],
    ) as client:
        pending = (ivr_ids[n % len(ivr_ids)] for n in range(job["reads"]))

        async def worker() -> None:
            nonlocal failed
            for ivr_id in pending:
                try:
                    async for _menu in client.menus.list(ivr_id):
                        pass
                except Exception:  # counted and reported: the benchmark judges it
                    failed += 1

        # Nothing but what a user sets: where, who, and how many requests in flight.
        await asyncio.sleep(max(0.0, job["start_at"] - time.time()))
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(job["concurrency"])))
        return {"seconds": time.perf_counter() - began, "failed": failed}


def main() -> None:
    sys.stdout.write(json.dumps(asyncio.run(work(json.loads(sys.argv[1])))) + "\n")


if __name__ == "__main__":
    main()
