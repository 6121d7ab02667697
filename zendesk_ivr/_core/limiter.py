"""
`RateLimiter`: spend the account's request budget evenly instead of finding its end by 429s.

Zendesk limits requests per account, per minute by plan (200, 400, 700 or 2,500), plus 15,000 per
5 minutes across all Talk endpoints. The limiter keeps a token bucket for each, learns the plan
limit from ``X-Rate-Limit`` and the budget left from ``X-Rate-Limit-Remaining`` (other programs
spend the same budget), and when one request is told to wait (429 or 503 with Retry-After) it
pauses every task that shares it, so the rest do not each spend a request to find out.

One limiter may be shared by several clients of the same account: pass it as ``rate_limiter=``.
It may outlive an event loop (a module-level limiter used by one ``asyncio.run`` after another),
but serves one loop at a time.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Mapping

from .settings import check_number

logger = logging.getLogger("zendesk_ivr")

TALK_REQUESTS_PER_5_MINUTES = 15_000


class _Bucket:
    """Tokens refill at *rate* per second up to *capacity*; one request takes one token."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def refill(self, now: float) -> None:
        if now <= self.stamp:
            return  # a pause pushed the stamp ahead: nothing refills until it is over
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_time(self, now: float) -> float:
        self.refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class RateLimiter:
    """
    Token buckets for the plan limit and the Talk limit, plus an account-wide pause.

    Args:
        requests_per_minute: the plan's limit; None until the server's ``X-Rate-Limit`` says.
        talk_requests_per_5_minutes: the Talk-wide limit (15,000); None to not apply it.
        burst_seconds: how many seconds of budget may go out at once after a quiet spell.
        learn: follow ``X-Rate-Limit`` / ``X-Rate-Limit-Remaining`` when the server sends them.
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        *,
        talk_requests_per_5_minutes: float | None = TALK_REQUESTS_PER_5_MINUTES,
        burst_seconds: float = 1.0,
        learn: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_number("requests_per_minute", requests_per_minute, none_ok=True)
        check_number("talk_requests_per_5_minutes", talk_requests_per_5_minutes, none_ok=True)
        check_number("burst_seconds", burst_seconds)
        rpm, talk = requests_per_minute, talk_requests_per_5_minutes
        self._burst_seconds = float(burst_seconds)
        self._learn = learn
        self._clock = clock
        now = clock()
        self._plan = None if rpm is None else self._bucket(rpm / 60, now)
        self._talk = None if talk is None else self._bucket(talk / 300, now)
        self._paused_until = 0.0
        # Until the first answer says what the plan allows, one request goes alone (the probe)
        # so a cold start does not spend a burst of 429s finding out.
        self._probing = False
        self._probed = not learn or self._plan is not None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._probe_done = asyncio.Event()

    def _bind_to_running_loop(self) -> None:
        # asyncio primitives belong to one loop; a limiter kept at module level may outlive it
        # (one asyncio.run after another), so they are made anew for each loop in turn.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._lock = asyncio.Lock()
            self._probe_done = asyncio.Event()
            self._probing = False
            if self._probed:
                self._probe_done.set()

    def _bucket(self, rate: float, now: float) -> _Bucket:
        return _Bucket(rate, max(1.0, rate * self._burst_seconds), now)

    @property
    def requests_per_minute(self) -> float | None:
        """The plan limit in force, configured or learned."""
        return None if self._plan is None else self._plan.rate * 60

    @property
    def paused_for(self) -> float:
        """Seconds until the account-wide pause ends (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def _wait_time(self, now: float) -> float:
        wait = self._paused_until - now
        for bucket in (self._plan, self._talk):
            if bucket is not None:
                wait = max(wait, bucket.wait_time(now))
        return wait

    def try_acquire(self) -> bool:
        """
        Take a token if one is there right now, without waiting and without jumping the queue
        of tasks already waiting; False means call `acquire`.
        """
        self._bind_to_running_loop()
        if self._lock.locked() or self._probing or not self._probed:
            return False
        if self._wait_time(self._clock()) > 0:
            return False
        self._take()
        return True

    def _take(self) -> None:
        for bucket in (self._plan, self._talk):
            if bucket is not None:
                bucket.tokens -= 1
        if not self._probed:
            self._probing = True

    async def acquire(self) -> None:
        """
        Wait for a token (and for any pause to end), then take it. Every acquire must be
        followed by `settle` once the request is over.
        """
        self._bind_to_running_loop()
        # The lock queues waiters first come, first served, so none starves.
        async with self._lock:
            if self._probing:
                await self._probe_done.wait()
            # Sleeping, not an Event: the wait is a computed time, nothing else can end it early.
            while (wait := self._wait_time(self._clock())) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            self._take()

    def settle(self, headers: Mapping[str, str] | None) -> None:
        """A request is over: learn from its headers (None when no response came)."""
        if headers is not None:
            self.observe(headers)
        if self._probing:
            self._probing = False
            self._probed = True
            self._probe_done.set()

    def pause(self, seconds: float) -> None:
        """Hold back every task sharing this limiter for *seconds* (a Retry-After)."""
        until = self._clock() + seconds
        if until > self._paused_until:
            self._paused_until = until
            logger.debug("rate limited: pausing all requests for %.1f s", seconds)
        # The server's bucket is empty now, and fills from the end of the pause: so does ours,
        # or the first moment after the pause would spend a whole burst into another 429 storm.
        for bucket in (self._plan, self._talk):
            if bucket is not None:
                bucket.refill(self._clock())
                bucket.tokens = min(bucket.tokens, 1.0)
                bucket.stamp = max(bucket.stamp, self._paused_until)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn from a response's rate-limit headers (lower-case names)."""
        if not self._learn:
            return
        limit = _header_number(headers, "x-rate-limit", "ratelimit-limit")
        now = self._clock()
        if limit is not None and limit > 0:
            rate = limit / 60
            if self._plan is None:
                self._plan = self._bucket(rate, now)
            elif not math.isclose(self._plan.rate, rate):
                self._plan.refill(now)
                self._plan.rate = rate
                self._plan.capacity = max(1.0, rate * self._burst_seconds)
                self._plan.tokens = min(self._plan.tokens, self._plan.capacity)
        remaining = _header_number(headers, "x-rate-limit-remaining", "ratelimit-remaining")
        if remaining is not None and self._plan is not None:
            self._plan.refill(now)
            self._plan.tokens = min(self._plan.tokens, max(0.0, remaining))

    def __repr__(self) -> str:
        rpm = self.requests_per_minute
        return f"<RateLimiter {'learning' if rpm is None else f'{rpm:g}/min'}>"


def _header_number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            try:
                return float(value)
            except ValueError:
                continue
    return None
