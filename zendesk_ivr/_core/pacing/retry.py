"""
When a failed attempt may be tried again, and after how long. Pure: no clock, no sleeping.

The rule that matters most: a write is never run twice. 429, and 503 with Retry-After, mean the
server did not run the request, so every method is retried. Other 5xx, timeouts and dropped
connections may come after the server acted, so only GET, PUT and DELETE (idempotent) are retried;
a POST is retried only when its connection failed before the request was sent.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

from attrs import field, frozen

from ..._exceptions import (
    DecodeError,
    RateLimited,
    ResponseTooLarge,
    ServerError,
    TransportError,
    ZendeskError,
)
from ..settings import number_validator

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_BACKOFF_STATUSES: Final = frozenset({500, 502, 503, 504})


@frozen(kw_only=True)
class RetryPolicy:
    """
    How a client retries.

    Args:
        max_retries: retries after the first attempt; 0 turns retries off.
        backoff_base: the first backoff ceiling in seconds; it doubles each retry (full jitter).
        backoff_max: the largest backoff ceiling.
        max_retry_after: the longest Retry-After the client will wait out; a longer one surfaces
            as `RateLimited` / `ServerError` at once, since waiting less would only fail again.
        deadline: seconds one call may take across all its attempts and waits, or None.
        wait_on_rate_limit: False raises `RateLimited` at once instead of sleeping, for job
            queues that reschedule work themselves.
    """

    max_retries: int = field(default=3, validator=number_validator(integer=True, zero_ok=True))
    backoff_base: float = field(default=0.5, validator=number_validator(zero_ok=True))
    backoff_max: float = field(default=30.0, validator=number_validator(zero_ok=True))
    max_retry_after: float = field(default=300.0, validator=number_validator(zero_ok=True))
    deadline: float | None = field(default=600.0, validator=number_validator(none_ok=True))
    wait_on_rate_limit: bool = True

    def backoff(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**retry)]; *retry* counts from 0."""
        return rand() * self._ceiling(retry)

    def spaced_backoff(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """
        Equal jitter: uniform in [ceiling / 2, ceiling], for a server that refused for load
        without saying for how long. Full jitter could retry at once (a rand() near 0); half
        the ceiling is the floor no two attempts come closer than.
        """
        return (1 + rand()) / 2 * self._ceiling(retry)

    def _ceiling(self, retry: int) -> float:
        ceiling: float = min(self.backoff_max, self.backoff_base * (2**retry))
        return ceiling

    def delay_for(
        self,
        method: str,
        error: ZendeskError,
        retries_done: int,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before trying again, or None when *error* must surface now."""
        if retries_done >= self.max_retries:
            return None
        server_told = server_retry_after(error)
        if isinstance(error, RateLimited) and not self.wait_on_rate_limit:
            return None
        if server_told is not None and server_told > 0:
            return server_told if server_told <= self.max_retry_after else None
        if server_told is not None or isinstance(error, RateLimited):
            # "Not run", with no usable hint: no Retry-After, or one of 0 or a date already
            # past. Retrying at once is a burst at a server that is shedding load: back off,
            # never less than half the ceiling, and retry any method.
            return self.spaced_backoff(retries_done, rand)
        if isinstance(error, ResponseTooLarge):
            return None  # the same body would be refused again
        if isinstance(error, TransportError):
            if not error.request_sent or method in IDEMPOTENT_METHODS:
                return self.backoff(retries_done, rand)
            return None
        if isinstance(error, DecodeError) and method in IDEMPOTENT_METHODS:
            # A 2xx whose body is not the JSON promised was most likely cut short on the way.
            return self.backoff(retries_done, rand)
        if (
            isinstance(error, ServerError)
            and error.status in _BACKOFF_STATUSES
            and method in IDEMPOTENT_METHODS
        ):
            return self.backoff(retries_done, rand)
        return None


def server_retry_after(error: ZendeskError) -> float | None:
    """
    The server's Retry-After, where it means the request was not run (429 and 503); it also
    pauses every task sharing the client's limiter. 0 (a date already past reads as 0) says
    "not run" without saying how long to wait: `RetryPolicy.delay_for` backs off instead.
    """
    if isinstance(error, RateLimited):
        return error.retry_after
    if isinstance(error, ServerError) and error.status == 503:
        return error.retry_after
    return None
