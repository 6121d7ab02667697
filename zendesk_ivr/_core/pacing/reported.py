"""
The plan window as the server reports it, and what it tells of other programs' spending.

Several programs on one account see each other only through ``X-Rate-Limit-Remaining``: what
it drops by between two answers, beyond this budget's own requests sent in between, the others
spent. Their pace times the round trip is what they have in flight, and near the window's end
the budget keeps that many requests in hand (see `budget`).
"""

from __future__ import annotations

import math

#: How long the slow estimate of the others' pace remembers, in seconds. The others' requests
#: show in Remaining in lumps (a wave of theirs lands between two of our answers, or none
#: does), so the estimate must span many answers; and it must forget within a small part of
#: the 60-second window, since what counts is their pace at its end.
LATELY_SECONDS = 1.0
#: How many round trips the fast estimate of their pace remembers. Processes that start cold
#: together spend a window's first fraction of a second opening connections and then go several
#: times faster: the slow estimate lags that by most of a second. Four round trips hold a few
#: waves of the others' requests, enough to smooth their lumps, and follow a speed-up within
#: a few round trips.
RECENT_ROUND_TRIPS = 4.0
#: How many times what the others seem to have in flight to keep in hand. Both estimates trail
#: a pace that is still rising, and one request too many near the end costs a 429, while one
#: kept in hand too many only makes a few requests go one at a time at the window's end.
SAFETY = 2.0


def _rate(count: float, span: float) -> float:
    return count / span if span > 0 and count > 0 else 0.0


class _Pace:
    """
    Others' requests over a span of time that forgets at a given rate, and the round trip over
    that same span (time-weighted, forgetting alike).
    """

    __slots__ = ("requests", "rtt_time", "span")

    def __init__(self) -> None:
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


class OthersPace:
    """Other programs' spending of the window, over the last second and the last round trips."""

    __slots__ = ("_lately", "_recent")

    def __init__(self) -> None:
        self._lately = _Pace()
        self._recent = _Pace()

    def add(self, others: float, elapsed: float, rtt: float) -> None:
        """The others spent *others* requests in the *elapsed* seconds since the last reading."""
        lately = math.exp(-elapsed / LATELY_SECONDS)
        memory = RECENT_ROUND_TRIPS * rtt
        recent = math.exp(-elapsed / memory) if memory > 0 else lately
        self._lately.add(others, elapsed, rtt, keep=lately)
        self._recent.add(others, elapsed, rtt, keep=recent)

    def in_flight(self, rtt: float) -> float:
        """How many of the others' requests to count as in flight, safety included."""
        # Whichever is higher: a pace that rises toward the window's end puts more in flight
        # than the second's average says.
        return max(self._lately.in_flight(rtt), self._recent.in_flight(rtt)) * SAFETY


class ReportedWindow:
    """
    The plan window as the server reports it, from the first answer that said what is left:
    what is left, from the newest answer that said; when this budget first saw the window;
    when the server says it turns; the others' pace.
    """

    def __init__(
        self, length: float, remaining: int, reset: float | None, ticket: int, now: float
    ) -> None:
        self.length = length
        self.remaining = remaining
        self.ticket = ticket  # the request whose answer said what is left
        self.read_at = now  # when that answer came
        self.reset_at = None if reset is None else now + reset  # ratelimit-reset, where sent
        self.seen_at = now  # when this budget first saw the window
        self.others = OthersPace()

    def read(
        self, remaining: int, reset: float | None, ticket: int, now: float, rtt: float
    ) -> None:
        """
        An answer to request *ticket* said *remaining* is left, and the window turns in
        *reset* seconds (None: not said). An answer overtaken by a newer one is the caller's
        to drop: it says less than the newer does.
        """
        previous = self.remaining
        if remaining > previous:
            self.seen_at = now  # the first answer of a new window
            self.others = OthersPace()
        else:
            # What went besides this budget's own requests sent in between: others' spending.
            # Not clipped at 0: requests the server took out of order even out over the sum.
            self.others.add(previous - remaining - (ticket - self.ticket), now - self.read_at, rtt)
            if self.turnover_at() is not None and now >= self.seen_at + self.length:
                self.seen_at = now  # the window it waited out had not turned: wait anew
        self.remaining, self.ticket, self.read_at = remaining, ticket, now
        self.reset_at = None if reset is None else now + reset

    def refused(self, ticket: int) -> None:
        """Request *ticket* got a 429: the window is spent, whatever the headers said."""
        if ticket >= self.ticket:
            self.remaining = 0

    def turnover_at(self) -> float | None:
        """When the spent window turns over, as far as this budget can tell."""
        if self.reset_at is not None:
            return self.reset_at
        if self.remaining >= 1:
            # Only the reserve is left: spending one to learn the end would spend others' budget.
            return self.seen_at + self.length
        return None
