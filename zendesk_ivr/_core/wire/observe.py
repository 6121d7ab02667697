"""
What the client tells logs and metrics: one DEBUG record and one `Attempt` for the
``on_attempt`` hook per HTTP attempt, and a WARNING for each wait on a rate limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from attrs import frozen
from yarl import URL

from ..._exceptions import APIError, RateLimited, ZendeskError
from ..pacing.retry import server_retry_after
from ..reading.responses import Response

logger = logging.getLogger("zendesk_ivr")


@frozen
class Attempt:
    """
    One HTTP attempt, as handed to the client's ``on_attempt`` hook (for metrics) and logged.

    ``status`` is None when no response arrived; ``error`` then names the failure.
    """

    method: str
    url: str
    attempt: int
    status: int | None
    duration: float
    request_id: str | None
    error: str | None


def record_attempt(
    on_attempt: Callable[[Attempt], None] | None,
    method: str,
    *,
    url: URL,
    attempt: int,
    response: Response | None,
    duration: float,
    failure: str | None,
) -> None:
    """One DEBUG record (its fields also as record attributes) and one call of the hook."""
    status = None if response is None else response.status
    request_id = None if response is None else response.request_id
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %s in %.1f ms (attempt %d, request id %s)",
            method,
            url.path_qs,
            status if status is not None else failure,
            duration * 1000,
            attempt,
            request_id,
            extra={
                "http_method": method,
                "path": url.path,
                "status": status,
                "attempt": attempt,
                "duration": duration,
                "request_id": request_id,
            },
        )
    if on_attempt is not None:
        on_attempt(
            Attempt(
                method=method,
                url=str(url),
                attempt=attempt,
                status=status,
                duration=duration,
                request_id=request_id,
                error=failure,
            )
        )


def log_retry(method: str, url: URL, error: ZendeskError, attempt: int, delay: float) -> None:
    """A WARNING for a wait the server asked for, a DEBUG record for any other retry."""
    if isinstance(error, RateLimited) or server_retry_after(error) is not None:
        logger.warning(
            "%s %s: %s; waiting %.1f s before attempt %d",
            method,
            url.path,
            _short(error),
            delay,
            attempt + 1,
        )
    else:
        logger.debug("%s %s: %s; retrying in %.2f s", method, url.path, _short(error), delay)


def _short(error: ZendeskError) -> str:
    if isinstance(error, APIError):
        return f"{error.status} {type(error).__name__}"
    return type(error).__name__
