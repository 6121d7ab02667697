"""The rate limiter on its own: buckets, learning from headers, the pause and the probe."""

from __future__ import annotations

import asyncio
import time

import pytest

import zendesk_ivr
from zendesk_ivr import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_plan_limit_is_learned_from_x_rate_limit() -> None:
    limiter = RateLimiter()
    assert limiter.requests_per_minute is None

    limiter.observe({"x-rate-limit": "700", "x-rate-limit-remaining": "650"})

    assert limiter.requests_per_minute == 700


def test_the_ticketing_header_names_are_understood_too() -> None:
    limiter = RateLimiter()
    limiter.observe({"ratelimit-limit": "400", "ratelimit-remaining": "3"})
    assert limiter.requests_per_minute == 400


def test_learning_can_be_turned_off() -> None:
    limiter = RateLimiter(requests_per_minute=200, learn=False)
    limiter.observe({"x-rate-limit": "700"})
    assert limiter.requests_per_minute == 200


def test_garbage_headers_are_ignored() -> None:
    limiter = RateLimiter()
    limiter.observe({"x-rate-limit": "lots", "x-rate-limit-remaining": ""})
    assert limiter.requests_per_minute is None


async def test_remaining_budget_spent_by_others_slows_this_client() -> None:
    # 6000/min with bursts of 100: but the server says only 0 are left this minute.
    limiter = RateLimiter(requests_per_minute=6000, talk_requests_per_5_minutes=None)
    limiter.observe({"x-rate-limit-remaining": "0"})

    began = time.monotonic()
    await limiter.acquire()
    limiter.settle(None)

    assert time.monotonic() - began >= 0.008  # one token refills in 1/100 s


async def test_the_talk_limit_applies_without_a_plan_limit() -> None:
    limiter = RateLimiter(talk_requests_per_5_minutes=300, learn=False)  # 1 a second
    began = time.monotonic()
    for _ in range(2):
        await limiter.acquire()
        limiter.settle(None)
    assert time.monotonic() - began >= 0.9


def test_a_pause_lasts_as_long_as_the_longest_retry_after() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)

    limiter.pause(10)
    limiter.pause(3)  # a shorter one does not cut the pause short

    assert limiter.paused_for == 10
    clock.now += 4
    assert limiter.paused_for == 6


async def test_acquire_waits_out_a_pause() -> None:
    limiter = RateLimiter(requests_per_minute=6000)
    limiter.pause(0.3)
    began = time.monotonic()
    await limiter.acquire()
    limiter.settle(None)
    assert time.monotonic() - began >= 0.25


async def test_the_first_request_goes_alone_until_its_answer_teaches_the_limit() -> None:
    limiter = RateLimiter()
    await limiter.acquire()  # the probe
    second = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.05)
    assert not second.done()

    limiter.settle({"x-rate-limit": "6000"})
    await asyncio.wait_for(second, 1)
    limiter.settle(None)
    assert limiter.requests_per_minute == 6000


async def test_a_probe_that_got_no_answer_still_lets_the_others_go() -> None:
    limiter = RateLimiter()
    await limiter.acquire()
    waiting = asyncio.create_task(limiter.acquire())
    limiter.settle(None)  # the probe's connection failed
    await asyncio.wait_for(waiting, 1)
    limiter.settle(None)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"requests_per_minute": 0},
        {"requests_per_minute": -5},
        {"talk_requests_per_5_minutes": 0},
        {"burst_seconds": 0},
    ],
)
def test_nonsense_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(zendesk_ivr.ConfigurationError):
        RateLimiter(**kwargs)  # type: ignore[arg-type]
