"""
`RateLimiter`: spend the account's request budget as Zendesk counts it, in windows.

Zendesk counts requests per account in windows: a plan allows N a minute (200, 400, 700 or
2,500) and Talk 15,000 per 5 minutes. Inside a window a client may spend what is left as fast as
it likes, so the limiter holds nothing back while there is budget: requests go out as fast as
``max_concurrency`` allows. What is left is the server's ``X-Rate-Limit-Remaining`` less this
limiter's own requests still in flight (other programs spend the same budget, so the server's
figure is the authority). When the budget is spent the limiter waits for the window to turn
over: until ``ratelimit-reset`` where the server sends it; otherwise one request goes alone, and
the 429 it earns says in ``Retry-After`` when the window turns. So each limiter spends at most
one 429 a window.

Several processes on one account see each other only through ``Remaining``: the limiter reads
how fast it drops beyond its own requests, and near the end of the window it keeps that many
requests in hand and then sends one at a time, so the processes end the window with a 429 each
at most instead of a storm.

The policy is `budget.Budget`'s, a pure state machine (its docstring draws the states); this
module is the asyncio gate in front of it, which only waits: first come, first served, until
the budget says go, an answer changes it, or the time it named has passed.

One limiter may be shared by several clients of the same account: pass it as ``rate_limiter=``.
It may outlive an event loop (a module-level limiter used by one ``asyncio.run`` after another),
but serves one loop at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from typing import Literal, overload

from ..settings import check_number
from .budget import (
    PLAN_WINDOW_SECONDS,
    TALK_REQUESTS_PER_5_MINUTES,
    AwaitAnswer,
    Budget,
    Go,
    Probe,
    Wait,
)

# The decisions that let a request go now (a tuple: `Go | Probe` would be built on every call).
_MAY_GO = (Go, Probe)


class RateLimiter:
    """
    The account's budget in windows: the plan limit (learned from the headers) and Talk's.

    Args:
        requests_per_minute: the plan's limit, counted here while the server sends no
            ``X-Rate-Limit-Remaining`` (once it does, its figure rules).
        reserve: budget left to the account's other integrations: a share of each limit
            (``0.2``) or a number of requests (``100``). The limiter never spends into it.
        talk_requests_per_5_minutes: the Talk-wide window (15,000); None to not count it.
        learn: follow ``X-Rate-Limit`` / ``X-Rate-Limit-Remaining`` when the server sends them.
        plan_window: the plan window's length in seconds (Zendesk's is a minute); it only
            matters with a *reserve*, to know when a window kept back for others ends.
        clock: where the limiter reads the time (monotonic seconds).
    """

    def __init__(
        self,
        requests_per_minute: float | None = None,
        *,
        reserve: float = 0,
        talk_requests_per_5_minutes: float | None = TALK_REQUESTS_PER_5_MINUTES,
        learn: bool = True,
        plan_window: float = PLAN_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_number("requests_per_minute", requests_per_minute, none_ok=True)
        check_number("talk_requests_per_5_minutes", talk_requests_per_5_minutes, none_ok=True)
        check_number("reserve", reserve, zero_ok=True)
        check_number("plan_window", plan_window)
        self._budget = Budget(
            requests_per_minute,
            reserve=reserve,
            talk_requests_per_5_minutes=talk_requests_per_5_minutes,
            learn=learn,
            plan_window=float(plan_window),
        )
        self._clock = clock
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()  # queues waiters first come, first served, so none starves
        self._changed = asyncio.Event()  # set by every answer and pause: decide again

    def _bind_to_running_loop(self) -> None:
        # asyncio primitives belong to one loop; a limiter kept at module level may outlive it
        # (one asyncio.run after another), so they are made anew for each loop in turn, and
        # the requests in flight on the old loop will never be settled.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._lock = asyncio.Lock()
            self._changed = asyncio.Event()
            self._budget.abandon_in_flight()

    @property
    def requests_per_minute(self) -> float | None:
        """The plan limit in force, configured or learned."""
        return self._budget.limit

    @property
    def remaining(self) -> float | None:
        """What the server last said is left of the plan window (None until it says)."""
        return self._budget.remaining

    @property
    def paused_for(self) -> float:
        """Seconds until the account-wide pause ends (0 when not paused)."""
        return self._budget.paused_for(self._clock())

    def try_acquire(self) -> int | None:
        """
        Take a place in the budget if there is one right now, without waiting and without
        jumping the queue of tasks already waiting; the ticket for `settle`, or None: call
        `acquire`.
        """
        self._bind_to_running_loop()
        if self._lock.locked():
            return None
        now = self._clock()
        if isinstance(self._budget.decide(now), _MAY_GO):
            return self._budget.take(now)
        return None

    @overload
    async def acquire(self, *, wait: Literal[True] = ...) -> int: ...
    @overload
    async def acquire(self, *, wait: bool) -> int | Wait: ...

    async def acquire(self, *, wait: bool = True) -> int | Wait:
        """
        Wait for a place in the budget, then take it; return the ticket to pass to `settle`
        once the request is over. With *wait* False, where the budget says to wait (a pause,
        a spent window) return that `Wait` instead: waiting for the answers to requests in
        flight is no pause, so that is still done.
        """
        self._bind_to_running_loop()
        if not wait and isinstance(decision := self._budget.decide(self._clock()), Wait):
            return decision  # without queueing behind the tasks that wait it out
        async with self._lock:
            while True:
                now = self._clock()
                match self._budget.decide(now):
                    case Go() | Probe():
                        return self._budget.take(now)
                    case Wait() as decision if not wait:
                        return decision
                    case Wait(seconds):
                        timeout: float | None = seconds
                    case AwaitAnswer():
                        timeout = None
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._changed.wait()

    def settle(
        self, ticket: int, headers: Mapping[str, str] | None, status: int | None = None
    ) -> None:
        """
        The request *ticket* (from `acquire` or `try_acquire`) is over: learn from its answer's
        headers and status (None when no answer came).
        """
        self._budget.settle(ticket, self._clock(), headers, status)
        self._changed.set()

    def pause(self, seconds: float) -> None:
        """
        Hold back every task sharing this limiter for *seconds* (a Retry-After); then one
        request goes alone to read what the new window holds.
        """
        self._budget.pause(self._clock(), seconds)
        self._changed.set()

    def __repr__(self) -> str:
        rpm = self.requests_per_minute
        return f"<RateLimiter {'learning' if rpm is None else f'{rpm:g}/min'}>"
