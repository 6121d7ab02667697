"""Retries that never run a write twice, timeouts, cancellation and limits, against real faults."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
from email.utils import formatdate

import aiohttp
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import zendesk_ivr
from zendesk_ivr import Attempt, Client, RateLimiter
from zendesk_ivr.testing import FakeZendesk

FAST = {"backoff_base": 0.001, "backoff_max": 0.01}


def client_for(fake: FakeZendesk, **kwargs: object) -> Client:
    settings_: dict[str, object] = {**FAST, **kwargs}
    return Client(
        base_url=fake.url,
        email=fake.email,
        api_token=fake.api_token,
        **settings_,  # type: ignore[arg-type]
    )


def count(fake: FakeZendesk, method: str) -> int:
    return sum(1 for r in fake.requests if r.method == method)


# --- What is retried -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_statuses_retry_even_a_post_and_create_once(
    zendesk_fake: FakeZendesk, status: int
) -> None:
    zendesk_fake.fail_next(status, retry_after=0.2, method="POST")
    async with client_for(zendesk_fake) as client:
        began = time.monotonic()
        ivr = await client.ivrs.create(name="Once")
        waited = time.monotonic() - began

    assert ivr.name == "Once"
    assert count(zendesk_fake, "POST") == 2
    assert len(zendesk_fake.ivr_ids()) == 1
    assert waited >= 0.2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried_for_reads(zendesk_fake: FakeZendesk, status: int) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    zendesk_fake.fail_next(status, times=2)
    async with client_for(zendesk_fake) as client:
        ivr = await client.ivrs.get(ivr_id)

    assert ivr.id == ivr_id
    assert count(zendesk_fake, "GET") == 3


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_server_errors_are_retried_for_idempotent_writes(
    zendesk_fake: FakeZendesk, method: str
) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    zendesk_fake.fail_next(502, method=method)
    async with client_for(zendesk_fake) as client:
        if method == "PUT":
            await client.ivrs.update(ivr_id, name="Renamed")
            assert zendesk_fake.ivr_json(ivr_id)["name"] == "Renamed"
        else:
            await client.ivrs.delete(ivr_id)
            assert zendesk_fake.ivr_ids() == []
    assert count(zendesk_fake, method) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_post_is_not_retried_after_a_server_error(
    zendesk_fake: FakeZendesk, status: int
) -> None:
    zendesk_fake.fail_next(status, method="POST")
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.ServerError) as info:
            await client.ivrs.create(name="Maybe")

    assert info.value.status == status
    assert info.value.attempts == 1
    assert count(zendesk_fake, "POST") == 1


async def test_a_retried_delete_whose_first_answer_was_lost_is_done(
    zendesk_fake: FakeZendesk,
) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    # The first DELETE is carried out, but its answer is slow and the attempt times out.
    zendesk_fake.delay_next(0.5, method="DELETE")
    async with client_for(zendesk_fake, timeout=0.2) as client:
        await client.ivrs.delete(ivr_id)  # the retry deletes it (or finds it gone)
    assert zendesk_fake.ivr_ids() == []
    deletes = [r.path for r in zendesk_fake.requests if r.method == "DELETE"]
    assert deletes == [f"/api/v2/channels/voice/ivr/{ivr_id}"] * 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_client_errors_are_never_retried(zendesk_fake: FakeZendesk, status: int) -> None:
    zendesk_fake.fail_next(status, times=3)
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.APIError):
            await client.ivrs.get(1)
    assert count(zendesk_fake, "GET") == 1


async def test_retries_run_out_into_the_typed_error(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.fail_next(500, times=10)
    async with client_for(zendesk_fake, max_retries=2) as client:
        with pytest.raises(zendesk_ivr.ServerError) as info:
            await client.ivrs.get(1)
    assert info.value.attempts == 3
    assert count(zendesk_fake, "GET") == 3


async def test_max_retries_zero_turns_retries_off(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.fail_next(429, retry_after=0)
    async with client_for(zendesk_fake, max_retries=0) as client:
        with pytest.raises(zendesk_ivr.RateLimited) as info:
            await client.ivrs.get(1)
    assert info.value.retry_after == 0
    assert count(zendesk_fake, "GET") == 1


# --- Retry-After -----------------------------------------------------------------------------


async def test_retry_after_may_be_an_http_date(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.fail_next(429, retry_after=formatdate(time.time() + 1.2, usegmt=True))
    async with client_for(zendesk_fake) as client:
        began = time.monotonic()
        assert [i async for i in client.ivrs.list()] == []
        waited = time.monotonic() - began
    # HTTP dates have whole seconds: the wait is between 0.2 s and 1.2 s.
    assert 0.2 <= waited <= 2.0


async def test_a_retry_after_over_the_cap_surfaces_at_once(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.fail_next(429, retry_after=120)
    async with client_for(zendesk_fake, max_retry_after=5) as client:
        began = time.monotonic()
        with pytest.raises(zendesk_ivr.RateLimited) as info:
            await client.ivrs.get(1)
    assert info.value.retry_after == 120
    assert time.monotonic() - began < 1


async def test_raise_mode_gives_rate_limited_at_once_for_job_queues(
    zendesk_fake: FakeZendesk,
) -> None:
    zendesk_fake.fail_next(429, retry_after=3)
    async with client_for(zendesk_fake, wait_on_rate_limit=False) as client:
        with pytest.raises(zendesk_ivr.RateLimited) as info:
            await client.ivrs.get(1)
    assert info.value.retry_after == 3
    assert count(zendesk_fake, "GET") == 1


async def test_the_deadline_bounds_a_call_across_retries(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.fail_next(429, retry_after=2, times=5)
    async with client_for(zendesk_fake, deadline=1.0) as client:
        began = time.monotonic()
        with pytest.raises(zendesk_ivr.RateLimited):
            await client.ivrs.get(1)
    assert time.monotonic() - began < 1


# --- Connections -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["before_response", "mid_body"])
async def test_dropped_connections_are_retried_for_reads(
    zendesk_fake: FakeZendesk, mode: str
) -> None:
    ids = zendesk_fake.seed(3)
    # aiohttp itself resends a GET once when a pooled connection closes before any answer;
    # two drops in a row get past that to the SDK's own retry.
    zendesk_fake.drop_next(mode=mode, times=2)  # type: ignore[arg-type]
    attempts: list[Attempt] = []
    async with client_for(zendesk_fake, on_attempt=attempts.append) as client:
        listed = [i.id async for i in client.ivrs.list()]
    assert listed == ids
    assert [a.status for a in attempts][-1] == 200
    assert any(a.error == "TransportError" for a in attempts)


@pytest.mark.parametrize("mode", ["before_response", "mid_body"])
async def test_a_post_whose_connection_dropped_is_not_sent_again(
    zendesk_fake: FakeZendesk, mode: str
) -> None:
    zendesk_fake.drop_next(method="POST", mode=mode)  # type: ignore[arg-type]
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.TransportError) as info:
            await client.ivrs.create(name="Maybe")
    assert info.value.request_sent is True
    assert count(zendesk_fake, "POST") == 1


async def test_truncated_json_is_retried_for_reads(zendesk_fake: FakeZendesk) -> None:
    ids = zendesk_fake.seed(2)
    zendesk_fake.truncate_next()
    async with client_for(zendesk_fake) as client:
        assert [i.id async for i in client.ivrs.list()] == ids
    assert count(zendesk_fake, "GET") == 2


async def test_a_refused_connection_is_retried_even_for_a_post() -> None:
    fake = await FakeZendesk.start()
    url = fake.url
    await fake.aclose()
    attempts: list[Attempt] = []
    async with Client(
        base_url=url,
        oauth_token="t",
        max_retries=2,
        on_attempt=attempts.append,
        backoff_base=0.001,
        backoff_max=0.01,
    ) as client:
        with pytest.raises(zendesk_ivr.TransportError) as info:
            await client.ivrs.create(name="x")
    assert info.value.request_sent is False
    assert info.value.attempts == 3
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert all(a.status is None and a.error == "TransportError" for a in attempts)


async def test_a_timeout_is_a_transport_error_and_reads_retry(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.delay_next(1.0)
    async with client_for(zendesk_fake, timeout=0.2) as client:
        assert [i async for i in client.ivrs.list()] == []
    assert count(zendesk_fake, "GET") == 2

    zendesk_fake.delay_next(1.0)
    async with client_for(zendesk_fake, timeout=0.2, max_retries=0) as client:
        with pytest.raises(zendesk_ivr.RequestTimeout) as info:
            await client.ivrs.get(1)
    assert isinstance(info.value, zendesk_ivr.TransportError)
    assert isinstance(info.value, TimeoutError)


async def test_a_post_that_timed_out_is_not_sent_again(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.delay_next(0.5, method="POST")
    async with client_for(zendesk_fake, timeout=0.2) as client:
        with pytest.raises(zendesk_ivr.RequestTimeout):
            await client.ivrs.create(name="Slow")
    await asyncio.sleep(0.6)  # the server finishes the create it was given
    assert count(zendesk_fake, "POST") == 1
    assert len(zendesk_fake.ivr_ids()) == 1


async def test_a_response_over_the_size_cap_is_refused(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.seed(5)
    async with client_for(zendesk_fake, max_body_size=512, max_retries=0) as client:
        with pytest.raises(zendesk_ivr.TransportError, match="cap"):
            [i async for i in client.ivrs.list()]


# --- Cancellation ----------------------------------------------------------------------------


async def test_cancellation_is_not_retried_and_the_client_stays_usable(
    zendesk_fake: FakeZendesk,
) -> None:
    zendesk_fake.delay_next(5.0)
    async with client_for(zendesk_fake) as client:
        task = asyncio.create_task(client.ivrs.get(1))
        while count(zendesk_fake, "GET") == 0:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert client.in_flight == 0
        assert count(zendesk_fake, "GET") == 1

        assert [i async for i in client.ivrs.list()] == []


async def test_cancellation_during_a_rate_limit_wait_propagates(
    zendesk_fake: FakeZendesk,
) -> None:
    zendesk_fake.fail_next(429, retry_after=30)
    async with client_for(zendesk_fake) as client:
        task = asyncio.create_task(client.ivrs.get(1))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert count(zendesk_fake, "GET") == 1


# --- Rate limiting and concurrency -----------------------------------------------------------


async def test_readers_spend_a_window_at_full_speed_then_wait_for_it_to_turn(
    zendesk_fake: FakeZendesk,
) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    zendesk_fake.rate_limit(200, window=1.0)
    zendesk_fake.latency = 0.02  # so requests overlap and the in-flight count means something
    async with client_for(zendesk_fake, max_concurrency=16) as client:
        began = time.monotonic()
        results = await asyncio.gather(*(client.ivrs.get(ivr_id) for _ in range(260)))
        elapsed = time.monotonic() - began

    assert all(r.id == ivr_id for r in results)
    assert zendesk_fake.max_in_flight == 16
    # The first answer teaches the limiter the budget before the rest go out, so the cold
    # start spends no burst of 429s; the spent window costs one 429 at most.
    assert zendesk_fake.rate_limited_count <= 1
    assert client.rate_limiter.requests_per_minute == 200
    assert elapsed >= 0.9  # 200 in the first window, the other 60 once it turned


async def test_the_concurrency_cap_holds_under_many_callers(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.latency = 0.02
    async with client_for(zendesk_fake, max_concurrency=5) as client:
        await asyncio.gather(*(_swallow_not_found(client.ivrs.get(n + 1)) for n in range(100)))
    assert zendesk_fake.max_in_flight == 5
    assert count(zendesk_fake, "GET") == 100


async def _swallow_not_found(call: Awaitable[object]) -> None:
    with contextlib.suppress(zendesk_ivr.NotFound):
        await call


async def test_one_429_pauses_every_task_of_the_client(zendesk_fake: FakeZendesk) -> None:
    zendesk_fake.fail_next(429, retry_after=1)
    async with client_for(zendesk_fake) as client:
        first = asyncio.create_task(client.ivrs.get(1))
        while count(zendesk_fake, "GET") == 0:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert client.rate_limiter.paused_for > 0.5
        others = [asyncio.create_task(_swallow_not_found(client.ivrs.get(1))) for _ in range(5)]
        await asyncio.sleep(0.5)
        assert count(zendesk_fake, "GET") == 1  # nobody else spent a request meanwhile
        await asyncio.gather(_swallow_not_found(first), *others)
    assert count(zendesk_fake, "GET") == 7


async def test_a_limiter_shared_by_two_clients_pauses_both(zendesk_fake: FakeZendesk) -> None:
    shared = RateLimiter()
    zendesk_fake.fail_next(429, retry_after=1)
    async with (
        client_for(zendesk_fake, rate_limiter=shared) as one,
        client_for(zendesk_fake, rate_limiter=shared) as two,
    ):
        assert one.rate_limiter is two.rate_limiter
        first = asyncio.create_task(_swallow_not_found(one.ivrs.get(1)))
        while count(zendesk_fake, "GET") == 0:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        began = time.monotonic()
        await _swallow_not_found(two.ivrs.get(1))
        assert time.monotonic() - began >= 0.7
        await first


async def test_a_configured_plan_limit_is_counted_here_when_the_server_sends_no_headers(
    zendesk_fake: FakeZendesk,
) -> None:
    zendesk_fake.rate_limit(None)
    limiter = RateLimiter(requests_per_minute=10, learn=False, plan_window=0.5)
    async with client_for(zendesk_fake, rate_limiter=limiter) as client:
        began = time.monotonic()
        await asyncio.gather(*(_swallow_not_found(client.ivrs.get(1)) for _ in range(25)))
        elapsed = time.monotonic() - began
    assert count(zendesk_fake, "GET") == 25
    assert 0.95 <= elapsed <= 2.5  # 10 at once, 10 when the window turns, then 5 more


# --- Observability ---------------------------------------------------------------------------


async def test_one_debug_record_per_attempt_and_a_warning_per_rate_limit_wait(
    zendesk_fake: FakeZendesk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="zendesk_ivr")
    zendesk_fake.fail_next(429, retry_after=0.1)
    async with client_for(zendesk_fake) as client:
        assert [i async for i in client.ivrs.list()] == []

    attempts = [r for r in caplog.records if hasattr(r, "attempt")]
    assert [(r.http_method, r.status, r.attempt) for r in attempts] == [  # type: ignore[attr-defined]
        ("GET", 429, 1),
        ("GET", 200, 2),
    ]
    for record in attempts:
        assert record.levelno == logging.DEBUG
        assert record.path == "/api/v2/channels/voice/ivr"  # type: ignore[attr-defined]
        assert record.duration >= 0  # type: ignore[attr-defined]
        assert record.request_id  # type: ignore[attr-defined]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings
    assert any("429" in r.getMessage() for r in warnings)


async def test_attempt_hook_and_trace_configs_see_every_attempt(
    zendesk_fake: FakeZendesk,
) -> None:
    zendesk_fake.fail_next(500)
    seen: list[Attempt] = []
    starts: list[str] = []

    async def on_request_start(
        _session: aiohttp.ClientSession,
        _context: object,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        starts.append(params.method)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    async with client_for(zendesk_fake, on_attempt=seen.append, trace_configs=[trace]) as client:
        assert [i async for i in client.ivrs.list()] == []

    assert [(a.status, a.attempt) for a in seen] == [(500, 1), (200, 2)]
    assert all(a.request_id for a in seen)
    assert starts == ["GET", "GET"]


# --- Property: a listing is complete or fails loudly -----------------------------------------

FAULTS = st.sampled_from(
    ["500", "502", "503", "504", "429", "drop", "mid_body", "truncate", "slow"]
)


# Wide apart, so that an everyday answer on a loaded machine never times out (0.4 s did once,
# at a load average of 9) and the slow one always does.
ATTEMPT_TIMEOUT = 1.0
SLOW_ANSWER = 1.6


def expected_requests(schedule: list[str], pages: int, max_retries: int) -> tuple[bool, int]:
    """
    Whether a listing of *pages* pages outlasts *schedule*, one fault per request in order (each
    fails one attempt: the SDK turns aiohttp's own resend off), and how many requests the server
    gets.
    """
    queue = list(schedule)
    requests = 0
    for _page in range(pages):
        for _attempt in range(max_retries + 1):
            requests += 1
            if not queue:
                break  # this page is read
            queue.pop(0)
        else:
            return False, requests  # every attempt of one page failed
    return True, requests


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    items=st.integers(min_value=0, max_value=12),
    schedule=st.lists(FAULTS, max_size=8),
    max_retries=st.integers(min_value=0, max_value=3),
)
# The edges: as many faults on one page as the retries allowed, and one more.
@example(items=4, schedule=["500", "502", "503"], max_retries=3)
@example(items=4, schedule=["500", "502", "503", "504"], max_retries=3)
@example(items=7, schedule=["429", "truncate", "mid_body", "slow"], max_retries=1)
@example(items=1, schedule=["drop"], max_retries=0)  # sent once: aiohttp does not resend
async def test_a_listing_under_faults_is_exact_or_a_typed_error(
    items: int, schedule: list[str], max_retries: int
) -> None:
    async with await FakeZendesk.start(max_page_size=3) as fake:
        ids = fake.seed(items, menus=1, routes=1) if items else []
        for fault in schedule:
            if fault == "drop":
                fake.drop_next()
            elif fault == "mid_body":
                fake.drop_next(mode="mid_body")
            elif fault == "truncate":
                fake.truncate_next()
            elif fault == "slow":
                fake.delay_next(SLOW_ANSWER)
            else:
                fake.fail_next(int(fault), retry_after=0 if fault in ("429", "503") else None)
        listed: list[int] = []
        failed = False
        async with client_for(fake, max_retries=max_retries, timeout=ATTEMPT_TIMEOUT) as client:
            try:
                async for ivr in client.ivrs.list():
                    listed.append(ivr.id)
            except zendesk_ivr.ZendeskError:
                failed = True
        requests = len(fake.requests)

    # Every fault is retryable for a GET: the listing fails only when the retries run out.
    completes, expected = expected_requests(schedule, -(-items // 3) or 1, max_retries)
    assert (not failed, requests) == (completes, expected)
    if completes:
        assert listed == ids  # every item, in order, none twice
    else:
        assert listed == ids[: len(listed)]  # what came before the error is right


# --- Review fixes: each was a bug found by a reviewer -----------------------------------------


async def test_no_secret_is_reachable_from_a_transport_error() -> None:
    # A server whose answer aiohttp cannot parse: aiohttp's own error then holds the request,
    # Authorization header included.
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    secret = "very-secret-oauth-token"
    try:
        async with Client(
            base_url=f"http://127.0.0.1:{port}", oauth_token=secret, max_retries=0
        ) as client:
            with pytest.raises(zendesk_ivr.TransportError) as info:
                await client.ivrs.get(1)
    finally:
        server.close()
        await server.wait_closed()

    seen: list[BaseException] = []
    error: BaseException | None = info.value
    while error is not None and error not in seen:
        seen.append(error)
        assert secret not in str(error)
        assert secret not in repr(vars(error))
        assert secret not in repr(getattr(error, "request_info", ""))
        error = error.__cause__ or error.__context__
    assert seen == [info.value]


async def test_a_next_page_carrying_credentials_is_refused_and_not_echoed(
    zendesk_fake: FakeZendesk,
) -> None:
    link = zendesk_fake.url.replace("http://", "http://user:pa55@") + "/api/v2/channels/voice/ivr"
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.PaginationError) as info:
            [i async for i in client.ivrs.list(start=link)]
    assert "pa55" not in str(info.value)
    assert "pa55" not in info.value.url
    assert zendesk_fake.requests == []


async def test_the_deadline_also_bounds_waiting_for_the_limiter(
    zendesk_fake: FakeZendesk,
) -> None:
    limiter = RateLimiter(requests_per_minute=1, learn=False)  # one request a minute
    async with client_for(zendesk_fake, rate_limiter=limiter, deadline=1.0) as client:
        await _swallow_not_found(client.ivrs.get(1))
        began = time.monotonic()
        with pytest.raises(zendesk_ivr.RequestTimeout, match="deadline") as info:
            await client.ivrs.get(1)
        waited = time.monotonic() - began
    assert 0.8 <= waited < 2.0
    assert info.value.request_sent is False
    assert count(zendesk_fake, "GET") == 1


@pytest.mark.parametrize("settings", [{"wait_on_rate_limit": False}, {"max_retries": 0}])
async def test_a_429_pauses_the_client_even_when_this_call_does_not_wait(
    zendesk_fake: FakeZendesk, settings: dict[str, object]
) -> None:
    zendesk_fake.fail_next(429, retry_after=30)
    async with client_for(zendesk_fake, **settings) as client:
        with pytest.raises(zendesk_ivr.RateLimited):
            await client.ivrs.get(1)
        assert client.rate_limiter.paused_for > 25


async def test_a_delete_retried_after_a_429_still_reports_not_found(
    zendesk_fake: FakeZendesk,
) -> None:
    # A 429 says the first DELETE never ran, so the 404 of the retry is the truth.
    zendesk_fake.fail_next(429, retry_after=0, method="DELETE")
    async with client_for(zendesk_fake) as client:
        with pytest.raises(zendesk_ivr.NotFound):
            await client.ivrs.delete(999)
    assert count(zendesk_fake, "DELETE") == 2


def test_a_limiter_outlives_its_event_loop() -> None:
    limiter = RateLimiter(requests_per_minute=600)

    async def contend() -> None:
        async def one() -> None:
            limiter.settle(await limiter.acquire(), None)

        await asyncio.gather(*(one() for _ in range(5)))

    asyncio.run(contend())
    asyncio.run(contend())  # a new loop: the limiter's lock must not belong to the old one
