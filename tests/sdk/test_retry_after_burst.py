"""
A Retry-After that gives no usable wait (0, or an HTTP date already past) is no hint: the client
backs off with jitter, each retry at least half the backoff ceiling after the one before, and
never sends a burst. Timed where it matters, at the server.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from email.utils import formatdate

import pytest

import zendesk_ivr
from zendesk_ivr import Client
from zendesk_ivr.testing import FakeZendesk

BASE = 0.3  # the first backoff ceiling: retries come 0.15-0.3 s, 0.3-0.6 s, 0.6-1.2 s apart
#: How late the log's reader may notice a request on a busy machine.
SLACK = 0.01
RETRIES = 3


async def arrival_times(fake: FakeZendesk, done: asyncio.Event) -> list[float]:
    """When each request reached the fake, read off its request log every millisecond."""
    times: list[float] = []
    while not done.is_set():
        while len(times) < len(fake.requests):
            times.append(time.monotonic())
        await asyncio.sleep(0.001)
    return times


@pytest.mark.parametrize(
    ("status", "retry_after"),
    [
        (429, "0"),
        (429, formatdate(time.time() - 3600, usegmt=True)),  # an hour ago
        (503, "0"),
        (503, formatdate(time.time() - 3600, usegmt=True)),
    ],
    ids=["429-zero", "429-past-date", "503-zero", "503-past-date"],
)
async def test_a_retry_after_of_no_wait_is_backed_off_never_a_burst(
    zendesk_fake: FakeZendesk, status: int, retry_after: str
) -> None:
    zendesk_fake.fail_next(status, retry_after=retry_after, times=RETRIES + 1)
    done = asyncio.Event()
    async with Client(
        base_url=zendesk_fake.url,
        email=zendesk_fake.email,
        api_token=zendesk_fake.api_token,
        max_retries=RETRIES,
        backoff_base=BASE,
    ) as client:
        watching = asyncio.create_task(arrival_times(zendesk_fake, done))
        with pytest.raises(zendesk_ivr.RateLimited if status == 429 else zendesk_ivr.ServerError):
            await client.ivrs.create(name="Support")  # a POST: "not run" retries it all the same
        await asyncio.sleep(0.01)
        done.set()
        times = await watching

    assert [r.method for r in zendesk_fake.requests] == ["POST"] * (RETRIES + 1)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # Each gap is at least half its backoff ceiling (less the log's polling).
    floors = [BASE * 2**retry / 2 for retry in range(RETRIES)]
    assert all(gap >= floor - SLACK for gap, floor in zip(gaps, floors, strict=True)), gaps
    # Counted per 100 ms, as the issue measured: never more than one request in a window.
    per_window = [sum(1 for t in times if start <= t < start + 0.1) for start in times]
    assert max(per_window) == 1, gaps
