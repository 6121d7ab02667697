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

One limiter may be shared by several clients of the same account: pass it as ``rate_limiter=``.
It may outlive an event loop (a module-level limiter used by one ``asyncio.run`` after another),
but serves one loop at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import warnings
from collections.abc import Callable, Mapping

from ..settings import check_number

logger = logging.getLogger("zendesk_ivr")

TALK_REQUESTS_PER_5_MINUTES = 15_000
#: The lowest plan limit Zendesk sells (Team); an ``X-Rate-Limit`` below it is not a plan.
LOWEST_PLAN_LIMIT = 200
PLAN_WINDOW_SECONDS = 60.0
TALK_WINDOW_SECONDS = 300.0
#: How long the estimate of other programs' spending remembers (seconds).
_FOREIGN_MEMORY = 1.0
#: How many round trips the estimate of their present pace remembers: processes that start
#: together speed up once their connections are open, and the longer memory lags that.
_FOREIGN_RECENT_RTTS = 4.0
#: How many round trips of other programs' spending to keep in hand near the end of a window.
_FOREIGN_SAFETY = 2.0


def _rate(count: float, span: float) -> float:
    return count / span if span > 0 and count > 0 else 0.0


class _OthersPace:
    """
    Other programs' requests seen over a span of time that forgets at a given rate, and the
    round trip over that same span (time-weighted, forgetting alike).
    """

    __slots__ = ("requests", "rtt_time", "span")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests = self.span = self.rtt_time = 0.0

    def add(self, others: float, elapsed: float, rtt: float, keep: float) -> None:
        """*others* requests in *elapsed* seconds at round trip *rtt*; *keep* of the past stays."""
        self.requests = self.requests * keep + others
        self.span = self.span * keep + elapsed
        self.rtt_time = self.rtt_time * keep + rtt * elapsed

    def in_flight(self, rtt: float) -> float:
        """
        Their pace times the round trip over the same span, never less than the present *rtt*.

        Not the present round trip alone: a stall (an event loop held up, the network or the
        server slow for everyone) lowers the pace and lengthens the round trip together, and
        when it ends the round trip recovers within a few answers while the pace takes several
        round trips to. The present round trip times the stalled pace would count a fraction
        of the requests the others have in flight, which do not shrink in a stall.
        """
        return _rate(self.requests, self.span) * max(rtt, _rate(self.rtt_time, self.span))


class _MustWait(Exception):
    """A call that may not wait would have to wait *seconds* for the budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class _LocalWindow:
    """A window counted on this side: *limit* requests per *length* seconds from the first."""

    def __init__(self, limit: float, length: float) -> None:
        self.limit = limit
        self.length = length
        self.start = -math.inf
        self.count = 0

    def blocked(self, now: float, reserve: float) -> float | None:
        if now >= self.start + self.length:
            self.start, self.count = -math.inf, 0  # the window turned over
            return None
        if self.count + reserve + 1 > self.limit:
            return self.start + self.length - now
        return None

    def take(self, now: float) -> None:
        if self.count == 0:
            self.start = now
        self.count += 1


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
        burst_seconds: no longer used (windows have no burst); accepted for old callers.
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
        burst_seconds: float | None = None,
    ) -> None:
        check_number("requests_per_minute", requests_per_minute, none_ok=True)
        check_number("talk_requests_per_5_minutes", talk_requests_per_5_minutes, none_ok=True)
        check_number("reserve", reserve, zero_ok=True)
        check_number("plan_window", plan_window)
        if burst_seconds is not None:
            check_number("burst_seconds", burst_seconds)
            warnings.warn(
                "RateLimiter(burst_seconds=) is ignored: Zendesk's limits are windows",
                DeprecationWarning,
                stacklevel=2,
            )
        self._reserve = float(reserve)
        self._learn = learn
        self._clock = clock
        self._plan_window = float(plan_window)
        self._limit: float | None = requests_per_minute
        self._local_plan = (
            None
            if requests_per_minute is None
            else _LocalWindow(requests_per_minute, self._plan_window)
        )
        self._talk = (
            None
            if talk_requests_per_5_minutes is None
            else _LocalWindow(talk_requests_per_5_minutes, TALK_WINDOW_SECONDS)
        )
        # What the server said is left, from the newest request whose answer carried it.
        self._remaining: float | None = None
        self._remaining_seq = 0
        self._remaining_at = 0.0
        self._window_seen_at = 0.0  # when this limiter first saw the current window
        self._reset_at: float | None = None  # ratelimit-reset, where sent
        self._paused_until = 0.0
        # One request goes alone, and the others wait for its answer, before anything is known
        # of the budget and after every pause: a cold start must not fan out into 429s.
        self._alone = learn
        self._probe: int | None = None  # the ticket of the request that went alone
        self._seq = 0
        self._in_flight: dict[int, float] = {}
        self._rtt = 0.0
        self._others_lately = _OthersPace()  # over the last second or so
        self._others_recent = _OthersPace()  # over the last few round trips
        self._warned: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()

    def _bind_to_running_loop(self) -> None:
        # asyncio primitives belong to one loop; a limiter kept at module level may outlive it
        # (one asyncio.run after another), so they are made anew for each loop in turn.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._lock = asyncio.Lock()
            self._changed = asyncio.Event()
            self._in_flight.clear()

    @property
    def requests_per_minute(self) -> float | None:
        """The plan limit in force, configured or learned."""
        return self._limit

    @property
    def remaining(self) -> float | None:
        """What the server last said is left of the plan window (None until it says)."""
        return self._remaining

    @property
    def paused_for(self) -> float:
        """Seconds until the account-wide pause ends (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def _reserved(self, limit: float | None) -> float:
        if self._reserve >= 1 or limit is None:
            return self._reserve if self._reserve >= 1 else 0.0
        return self._reserve * limit

    def _blocked(self, now: float) -> float | None:
        """
        None when a request may go now; otherwise seconds until it may (``inf``: until an
        answer arrives, which is no pause but the budget's own pace).
        """
        if now < self._paused_until:
            return self._paused_until - now
        for window in (self._talk, self._local_plan if self._remaining is None else None):
            if window is not None:
                wait = window.blocked(now, self._reserved(window.limit))
                if wait is not None:
                    return wait
        if self._alone:
            return math.inf if self._in_flight else None
        if self._remaining is None:
            return None
        return self._blocked_by_plan(now)

    def _blocked_by_plan(self, now: float) -> float | None:
        left = self._remaining - self._reserved(self._limit) if self._remaining is not None else 0
        in_flight = len(self._in_flight)
        if left - in_flight - self._foreign_in_flight() >= 1:
            return None
        if left >= 1:
            # Near the end of the window: one at a time, so at most one request finds it over.
            return math.inf if in_flight else None
        if in_flight:
            return math.inf  # an answer may show the window turned over
        turnover = self._turnover_at()
        if turnover is None:
            return None  # no clock to read: one request alone finds out, Retry-After says when
        return None if turnover <= now else turnover - now

    def _turnover_at(self) -> float | None:
        """When the spent plan window turns over, as far as this limiter can tell."""
        if self._reset_at is not None:
            return self._reset_at
        if self._remaining is not None and self._remaining >= 1:
            # Only the reserve is left: spending one to learn the end would spend others' budget.
            return self._window_seen_at + self._plan_window
        return None

    def _foreign_in_flight(self) -> float:
        # Whichever is higher, the second's or the last few round trips': a pace that rises
        # toward the window's end puts more in flight than the average says.
        in_flight = max(
            self._others_lately.in_flight(self._rtt), self._others_recent.in_flight(self._rtt)
        )
        return in_flight * _FOREIGN_SAFETY

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
        if self._blocked(now) is not None:
            return None
        return self._take(now)

    async def acquire(self, *, wait: bool = True) -> int:
        """
        Wait for a place in the budget, then take it; return the ticket to pass to `settle`
        once the request is over. With *wait* False, a pause or a spent window raises
        `_MustWait` instead (waiting for answers to requests in flight is not a pause).
        """
        self._bind_to_running_loop()
        if not wait:
            self._refuse_to_wait(self._clock())
        # The lock queues waiters first come, first served, so none starves.
        async with self._lock:
            while (blocked := self._blocked(self._clock())) is not None:
                if not wait:
                    self._refuse_to_wait(self._clock())
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(None if math.isinf(blocked) else blocked):
                        await self._changed.wait()
            return self._take(self._clock())

    def _refuse_to_wait(self, now: float) -> None:
        blocked = self._blocked(now)
        if blocked is not None and not math.isinf(blocked):
            raise _MustWait(blocked)

    def _take(self, now: float) -> int:
        self._seq += 1
        self._in_flight[self._seq] = now
        if self._alone:
            self._probe = self._seq
        for window in (self._talk, self._local_plan):
            if window is not None:
                window.take(now)
        return self._seq

    def settle(
        self,
        headers: Mapping[str, str] | None,
        ticket: int | None = None,
        status: int | None = None,
    ) -> None:
        """
        A request is over: learn from its headers (None when no response came). *ticket* is
        what `acquire` returned (the newest when not given).
        """
        now = self._clock()
        seq = self._seq if ticket is None else ticket
        sent = self._in_flight.pop(seq, None)
        if sent is not None:
            rtt = now - sent
            self._rtt = rtt if not self._rtt else 0.8 * self._rtt + 0.2 * rtt
        if headers is not None:
            self._observe(headers, seq, now)
        if status == 429:
            # The budget is spent whatever the headers said; after the pause one goes alone.
            self._alone = self._learn
            if self._remaining is not None and seq >= self._remaining_seq:
                self._remaining = 0
        elif seq == self._probe:
            self._alone = False  # answered, or failed without an answer: the others may go
        if seq == self._probe:
            self._probe = None
        self._changed.set()

    def pause(self, seconds: float) -> None:
        """
        Hold back every task sharing this limiter for *seconds* (a Retry-After); then one
        request goes alone to read what the new window holds.
        """
        now = self._clock()
        until = now + seconds
        if until > self._paused_until:
            self._paused_until = until
            logger.debug("rate limited: pausing all requests for %.1f s", seconds)
        self._alone = self._learn
        self._changed.set()

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn from a response's rate-limit headers (lower-case names)."""
        self._observe(headers, self._seq, self._clock())

    def _observe(self, headers: Mapping[str, str], seq: int, now: float) -> None:
        if not self._learn:
            return
        limit = self._number(headers, "x-rate-limit", "ratelimit-limit")
        if limit is not None and limit >= LOWEST_PLAN_LIMIT:
            self._limit = limit
        elif limit is not None:
            self._ignore("x-rate-limit", limit)
        remaining = self._number(headers, "x-rate-limit-remaining", "ratelimit-remaining")
        if remaining is not None and remaining < 0:
            self._ignore("x-rate-limit-remaining", remaining)
            remaining = None
        if remaining is None or seq < self._remaining_seq:
            return  # an answer overtaken by a newer one says less than it does
        remaining = math.floor(remaining)
        previous = self._remaining
        if previous is None or remaining > previous:
            self._window_seen_at = now  # the first answer of a new window
            self._others_lately.reset()
            self._others_recent.reset()
        else:
            # What went besides this limiter's own requests sent in between: others' spending.
            # Not clipped at 0: requests the server took out of order even out over the sum.
            others = previous - remaining - (seq - self._remaining_seq)
            elapsed = now - self._remaining_at
            decay = math.exp(-elapsed / _FOREIGN_MEMORY)
            self._others_lately.add(others, elapsed, self._rtt, keep=decay)
            recent_memory = _FOREIGN_RECENT_RTTS * self._rtt
            recent = math.exp(-elapsed / recent_memory) if recent_memory > 0 else decay
            self._others_recent.add(others, elapsed, self._rtt, keep=recent)
        if (
            previous is not None
            and remaining <= previous
            and self._turnover_at() is not None
            and now >= self._window_seen_at + self._plan_window
        ):
            self._window_seen_at = now  # the window it waited out had not turned: wait anew
        self._remaining, self._remaining_seq, self._remaining_at = remaining, seq, now
        reset = self._number(headers, "ratelimit-reset")
        if reset is not None and reset < 0:
            self._ignore("ratelimit-reset", reset)
            reset = None
        self._reset_at = None if reset is None else now + reset

    def _number(self, headers: Mapping[str, str], *names: str) -> float | None:
        for name in names:
            value = headers.get(name)
            if value is None:
                continue
            try:
                number = float(value)
            except ValueError:
                self._ignore(name, value)
                continue
            if math.isfinite(number):
                return number
            self._ignore(name, value)
        return None

    def _ignore(self, name: str, value: object) -> None:
        # Once per header and limiter: a server that sends nonsense sends it on every answer.
        if name not in self._warned:
            self._warned.add(name)
            logger.debug("ignoring %s: %r is no plan's figure", name, value)

    def __repr__(self) -> str:
        rpm = self.requests_per_minute
        return f"<RateLimiter {'learning' if rpm is None else f'{rpm:g}/min'}>"
