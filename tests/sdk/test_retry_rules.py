"""The retry rules on their own: which failures are tried again, for which methods, and when."""

from __future__ import annotations

import pytest

from zendesk_ivr import (
    DecodeError,
    RateLimited,
    ResponseTooLarge,
    RetryPolicy,
    ServerError,
    TransportError,
    ZendeskError,
)
from zendesk_ivr._core.pacing.retry import server_retry_after

URL = "https://acme.zendesk.com/api/v2/channels/voice/ivr"


def half() -> float:
    return 0.5


def server_error(status: int, retry_after: float | None = None) -> ServerError:
    return ServerError("failed", status=status, method="GET", url=URL, retry_after=retry_after)


def rate_limited(retry_after: float | None) -> RateLimited:
    return RateLimited("slow down", status=429, method="GET", url=URL, retry_after=retry_after)


def transport(*, sent: bool) -> TransportError:
    return TransportError("reset", method="GET", url=URL, request_sent=sent)


def decode_error() -> DecodeError:
    return DecodeError("not JSON", method="GET", url=URL, status=200)


def too_large() -> ResponseTooLarge:
    return ResponseTooLarge("too big", method="GET", url=URL)


@pytest.mark.parametrize(
    ("retry", "ceiling"), [(0, 0.5), (1, 1.0), (2, 2.0), (5, 16.0), (6, 30.0), (20, 30.0)]
)
def test_the_backoff_ceiling_doubles_from_the_base_up_to_the_max(
    retry: int, ceiling: float
) -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=30.0)
    assert policy.backoff(retry, rand=lambda: 1.0) == ceiling
    assert policy.backoff(retry, rand=half) == ceiling / 2  # full jitter: a share of it
    assert policy.backoff(retry, rand=lambda: 0.0) == 0.0


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "POST"])
@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_that_says_not_run_is_waited_out_for_every_method(
    method: str, status: int
) -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    error = rate_limited(7.0) if status == 429 else server_error(503, 7.0)
    assert policy.delay_for(method, error, 0, half) == 7.0
    assert policy.delay_for(method, rate_limited(60.0), 0, half) == 60.0  # the longest waited
    assert policy.delay_for(method, server_error(503, 60.5), 0, half) is None  # too long
    assert policy.delay_for(method, rate_limited(60.5), 0, half) is None


def test_a_rate_limit_is_not_waited_for_when_the_caller_reschedules_itself() -> None:
    policy = RetryPolicy(wait_on_rate_limit=False)
    assert policy.delay_for("GET", rate_limited(1.0), 0, half) is None
    assert policy.delay_for("GET", rate_limited(None), 0, half) is None
    # A 503's Retry-After is a server failure, not the caller's rate: it is still waited out.
    assert policy.delay_for("GET", server_error(503, 1.0), 0, half) == 1.0


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "error",
    [rate_limited(None), rate_limited(0.0), server_error(503, 0.0)],
    ids=["429-no-retry-after", "429-retry-after-0", "503-retry-after-0"],
)
def test_not_run_without_a_usable_wait_backs_off_at_least_half_the_ceiling(
    method: str, error: ZendeskError
) -> None:
    """No Retry-After, 0, or a date already past (read as 0): backoff, never a burst."""
    policy = RetryPolicy(backoff_base=2.0)
    # The ceiling at the second retry is 2 * 2**1 = 4 s; the wait is jittered over its top half.
    assert policy.delay_for(method, error, 1, lambda: 0.0) == 2.0
    assert policy.delay_for(method, error, 1, half) == 3.0
    assert policy.delay_for(method, error, 1, lambda: 1.0) == 4.0


@pytest.mark.parametrize(
    ("method", "retried"),
    [
        *[(method, True) for method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE")],
        *[(method, False) for method in ("POST", "PATCH")],
    ],
)
@pytest.mark.parametrize(
    "error",
    [
        *(server_error(status) for status in (500, 502, 503, 504)),
        transport(sent=True),
        decode_error(),
    ],
    ids=["500", "502", "503", "504", "transport", "decode"],
)
def test_failures_the_server_may_have_acted_on_are_retried_for_idempotent_methods_only(
    method: str, retried: bool, error: ZendeskError
) -> None:
    policy = RetryPolicy(backoff_base=1.0)
    assert policy.delay_for(method, error, 2, half) == (2.0 if retried else None)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_that_never_left_is_retried_whatever_its_method(method: str) -> None:
    assert RetryPolicy(backoff_base=1.0).delay_for(method, transport(sent=False), 0, half) == 0.5


@pytest.mark.parametrize(
    "error",
    [server_error(501), server_error(505), server_error(400), too_large()],
    ids=["501", "505", "400", "too-large"],
)
def test_failures_that_would_only_fail_again_are_never_retried(error: ZendeskError) -> None:
    assert RetryPolicy().delay_for("GET", error, 0, half) is None


def test_retries_stop_once_max_retries_are_spent() -> None:
    policy = RetryPolicy(max_retries=2, backoff_base=1.0)
    for error in (server_error(500), rate_limited(0.0), transport(sent=False)):
        assert policy.delay_for("GET", error, 1, half) is not None
        assert policy.delay_for("GET", error, 2, half) is None
    assert RetryPolicy(max_retries=0).delay_for("GET", rate_limited(0.0), 0, half) is None


def test_only_429_and_503_carry_a_retry_after_that_means_not_run() -> None:
    assert server_retry_after(rate_limited(3.0)) == 3.0
    assert server_retry_after(server_error(503, 4.0)) == 4.0
    assert server_retry_after(server_error(500, 4.0)) is None
    assert server_retry_after(server_error(502, 4.0)) is None
    assert server_retry_after(transport(sent=True)) is None
