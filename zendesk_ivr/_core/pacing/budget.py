"""
The account's request budget as a pure state machine: answers and the clock go in, a decision
comes out. No event loop and no clock of its own: every call is given *now*.

Its inputs: a request taken (`Budget.take`), that request's answer, headers and status, or none
when no answer came (`Budget.settle`), and a pause the server imposed with ``Retry-After``
(`Budget.pause`). Its one query, `Budget.decide`, changes nothing and says one of:

- `Go`: a request may go now, and more may follow;
- `Probe`: one request may go, alone: the others wait for its answer;
- `AwaitAnswer`: wait for the answer to a request in flight, which may free budget or show the
  window turned (not a pause: a caller that may not wait still waits for this);
- `Wait(seconds)`: nothing may go for that long.

The states are read from what the budget knows (what the server last said is left, the requests
in flight, the others' pace, the clock), never stored, and each gives its decisions. *Left* is
the server's ``X-Rate-Limit-Remaining`` less the reserve; *in flight* counts this budget's
requests and what other programs on the account have in flight at their pace::

      start, learn=True                                   start, learn=False
             |                                                    |
             v                                                    |
   +--> LEARNING     Probe; AwaitAnswer while any is in flight    |
   |         |                                                    |
   |         | the probe goes                                     |
   |         v                                                    |
   |    PROBING      AwaitAnswer                                  |
   |         |                                                    |
   |         | its answer, or its failure (not a 429)             |
   |         v                                                    v
   |    SPENDING     Go  <----------------------------------------+-----+
   |         |                                                          |
   |         | left - in flight < 1                                     |
   |         v                                                          |
   |    LAST FEW     Probe: one at a time; AwaitAnswer meanwhile        |
   |         |                                                          |
   |         | left < 1                                                 | an answer with
   |         v                                                          | more Remaining:
   |    SPENT        AwaitAnswer while any is in flight; then           | the window turned
   |         |       Wait(until it turns) where that is known, and      |
   |         |       Probe once it has; Probe at once where it is not --+
   |         |       known: its 429 says when
   |         |
   |         | a 429's Retry-After
   |         v
   +--- PAUSED       Wait(until the pause ends)
     the pause ends

With ``learn=True``, a 429 in any state means nothing is left and goes to LEARNING, its
``Retry-After`` to PAUSED, and the pause ends in LEARNING: one request reads what the new window
holds before the others go (without learning, a pause ends in SPENDING). The turnover is known
from ``ratelimit-reset``; or, with only the reserve left, it is one plan window after this
budget first saw the window (spending one request to learn it would spend others' budget), and
if the probe then finds the window has not turned, it waits a plan window anew. Without
``X-Rate-Limit-Remaining`` (``learn=False``, or a server that does not send it) the budget stays
in SPENDING, limited by the windows it counts itself: Talk's 15,000 requests per 5 minutes and a
configured plan limit. One of those spent says `Wait(until it turns)` in any state but PAUSED.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Final, TypeAlias, final

from attrs import frozen

from .headers import LIMIT, LOWEST_PLAN_LIMIT, REMAINING, RESET, HeaderReader
from .reported import ReportedWindow

logger = logging.getLogger("zendesk_ivr")

#: Talk's own limit (the Talk API docs): requests per 5 minutes, for the whole account.
TALK_REQUESTS_PER_5_MINUTES = 15_000
TALK_WINDOW_SECONDS = 300.0
#: Zendesk counts the plan limit per minute.
PLAN_WINDOW_SECONDS = 60.0
#: How far each answer moves the smoothed round trip toward its own: a fifth, so one slow
#: answer (a pause of the event loop, a slow page) moves it little, while a real change shows
#: within about five answers, sooner than the four round trips the others' fast pace
#: remembers (`reported.RECENT_ROUND_TRIPS`), which it scales.
RTT_SMOOTHING = 0.2


@final
@frozen
class Go:
    """A request may go now, and more may follow."""


@final
@frozen
class Probe:
    """One request may go, alone: the others wait for its answer."""


@final
@frozen
class AwaitAnswer:
    """Wait for the answer to a request in flight: it may free budget or show the window turned."""


@final
@frozen
class Wait:
    """Nothing may go for *seconds* (unless something changes first: a new window, say)."""

    seconds: float


Decision: TypeAlias = Go | Probe | AwaitAnswer | Wait
GO: Final = Go()
PROBE: Final = Probe()
AWAIT_ANSWER: Final = AwaitAnswer()


class CountedWindow:
    """A window counted on this side: *limit* requests per *length* seconds from the first."""

    def __init__(self, limit: float, length: float) -> None:
        self.limit = limit
        self.length = length
        self.start = -math.inf
        self.count = 0

    def wait(self, now: float, reserve: float) -> float:
        """Seconds until a request may go, 0 when one may go now, keeping *reserve* unspent."""
        ends = self.start + self.length
        if now >= ends or self.count + reserve + 1 <= self.limit:
            return 0.0
        return ends - now

    def take(self, now: float) -> None:
        if now >= self.start + self.length:
            self.start, self.count = now, 0  # the window turned over: this request opens one
        self.count += 1


class _Tickets:
    """This budget's requests in flight, by ticket, and the smoothed round trip of their answers."""

    def __init__(self) -> None:
        self.newest = 0
        self.sent_at: dict[int, float] = {}
        self.rtt = 0.0

    def take(self, now: float) -> int:
        self.newest += 1
        self.sent_at[self.newest] = now
        return self.newest

    def settle(self, ticket: int, now: float) -> None:
        sent = self.sent_at.pop(ticket, None)
        if sent is not None:
            rtt = now - sent
            self.rtt = rtt if not self.rtt else (1 - RTT_SMOOTHING) * self.rtt + RTT_SMOOTHING * rtt


class Budget:
    """
    The account's budget in windows: the plan limit (configured, or learned from the headers)
    and Talk's. Arguments as `RateLimiter`'s, checked there.
    """

    def __init__(
        self,
        requests_per_minute: float | None,
        *,
        reserve: float,
        talk_requests_per_5_minutes: float | None,
        learn: bool,
        plan_window: float,
    ) -> None:
        self._reserve = float(reserve)
        self._learn = learn
        self._limit = requests_per_minute
        self._talk = (
            None
            if talk_requests_per_5_minutes is None
            else CountedWindow(talk_requests_per_5_minutes, TALK_WINDOW_SECONDS)
        )
        # Counted here only while the server reports nothing of the plan window.
        self._plan = (
            None if requests_per_minute is None else CountedWindow(requests_per_minute, plan_window)
        )
        self._plan_window = plan_window
        self._reported: ReportedWindow | None = None  # until an answer says what is left
        self._headers = HeaderReader()
        self._tickets = _Tickets()
        self._paused_until = 0.0
        # One request goes alone, and the others wait for its answer, before anything is known
        # of the budget and after every 429 and pause: a cold start must not fan out into 429s.
        self._alone = learn
        self._probe = 0  # the ticket of the latest request that went alone (0: none yet)

    @property
    def limit(self) -> float | None:
        """The plan limit in force, configured or learned."""
        return self._limit

    @property
    def remaining(self) -> float | None:
        """What the server last said is left of the plan window (None until it says)."""
        return None if self._reported is None else self._reported.remaining

    def paused_for(self, now: float) -> float:
        """Seconds until the pause ends (0 when not paused)."""
        return max(0.0, self._paused_until - now)

    # --- the query -----------------------------------------------------------------------------

    def decide(self, now: float) -> Decision:
        """What the next request may do at *now*; changes nothing."""
        if now < self._paused_until:
            return Wait(self._paused_until - now)
        counted = self._counted_wait(now)
        if counted:
            return Wait(counted)
        if self._alone:
            return AWAIT_ANSWER if self._tickets.sent_at else PROBE
        reported = self._reported
        if reported is None:
            return GO
        left = reported.remaining - self._reserved(self._limit)
        mine = len(self._tickets.sent_at)
        if left - mine - reported.others.in_flight(self._tickets.rtt) >= 1:
            return GO
        if mine:
            return AWAIT_ANSWER  # one at a time, or an answer may show the window turned
        if left >= 1:
            return PROBE  # the last few: at most one request finds the window over
        turnover = reported.turnover_at()
        if turnover is None or turnover <= now:
            return PROBE  # its answer shows the new window, or its 429 says when it comes
        return Wait(turnover - now)

    def _counted_wait(self, now: float) -> float:
        """Seconds until the windows counted here let a request go (0: now)."""
        plan = self._plan if self._reported is None else None
        for window in (self._talk, plan):
            if window is not None and (seconds := window.wait(now, self._reserved(window.limit))):
                return seconds
        return 0.0

    def _reserved(self, limit: float | None) -> float:
        """The reserve in requests: a count as given, or a share of *limit* (0 while unknown)."""
        if self._reserve >= 1:
            return self._reserve
        return 0.0 if limit is None else self._reserve * limit

    # --- the inputs ----------------------------------------------------------------------------

    def take(self, now: float) -> int:
        """A request goes (as `decide` allowed): its ticket for `settle`."""
        ticket = self._tickets.take(now)
        if self._alone:
            self._probe = ticket
        for window in (self._talk, self._plan):
            if window is not None:
                window.take(now)
        return ticket

    def settle(
        self, ticket: int, now: float, headers: Mapping[str, str] | None, status: int | None
    ) -> None:
        """Request *ticket* is over: its answer's *headers* and *status*, None when none came."""
        self._tickets.settle(ticket, now)
        if headers is not None and self._learn:
            self._read(headers, ticket, now)
        if status == 429:
            self._alone = self._learn  # after the pause, one request reads the new window
            if self._reported is not None:
                self._reported.refused(ticket)
        elif ticket == self._probe:
            self._alone = False  # answered, or failed without an answer: the others may go

    def _read(self, headers: Mapping[str, str], ticket: int, now: float) -> None:
        limit = self._headers.figure(headers, LIMIT, least=LOWEST_PLAN_LIMIT)
        if limit is not None:
            self._limit = limit
        remaining = self._headers.figure(headers, REMAINING)
        reported = self._reported
        if remaining is None or (reported is not None and ticket < reported.ticket):
            return  # an answer overtaken by a newer one says less than it does
        reset = self._headers.figure(headers, RESET)
        if reported is None:
            self._reported = ReportedWindow(
                self._plan_window, math.floor(remaining), reset, ticket, now
            )
        else:
            reported.read(math.floor(remaining), reset, ticket, now, self._tickets.rtt)

    def pause(self, now: float, seconds: float) -> None:
        """
        Nothing goes for *seconds* (a Retry-After; a shorter one does not cut a pause short);
        then one request goes alone to read what the new window holds.
        """
        until = now + seconds
        if until > self._paused_until:
            self._paused_until = until
            logger.debug("rate limited: pausing all requests for %.1f s", seconds)
        self._alone = self._learn

    def abandon_in_flight(self) -> None:
        """The requests in flight will never be settled (their event loop is gone)."""
        self._tickets.sent_at.clear()
