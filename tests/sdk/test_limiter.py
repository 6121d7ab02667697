"""
The rate limiter spends Zendesk's budget in windows: full speed while there is budget, one 429 a
window at most, turnover from Retry-After or ratelimit-reset, a reserve left to others, a budget
shared by several clients, and no belief in absurd headers. What the server saw is the judge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping

import pytest
from aiohttp import web

import zendesk_ivr
from zendesk_ivr import Client, RateLimiter
from zendesk_ivr._core.pacing.budget import Wait
from zendesk_ivr.testing import FakeZendesk

FAST = {"backoff_base": 0.001, "backoff_max": 0.01}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ticket_now(limiter: RateLimiter) -> int:
    """A place the limiter has free right now, as the test expects."""
    ticket = limiter.try_acquire()
    assert ticket is not None
    return ticket


def client_for(url: str, **kwargs: object) -> Client:
    settings: dict[str, object] = {**FAST, **kwargs}
    return Client(
        base_url=url,
        email="agent@example.com",
        api_token="fake-api-token",
        **settings,  # type: ignore[arg-type]
    )


def refusals_per_window(fake: FakeZendesk) -> Counter[int | None]:
    """429s of the fake's rate limit, by window, from the fake's own request log."""
    return Counter(r.window for r in fake.requests if r.rate_limited)


async def read_all(client: Client, ivr_id: int, count: int) -> None:
    await asyncio.gather(*(client.ivrs.get(ivr_id) for _ in range(count)))


# --- spending the window -------------------------------------------------------------------


async def test_a_job_inside_the_budget_goes_at_full_concurrency(zendesk_fake: FakeZendesk) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    zendesk_fake.latency = 0.05
    async with client_for(zendesk_fake.url, max_concurrency=16) as client:
        began = time.monotonic()
        await read_all(client, ivr_id, 160)
        elapsed = time.monotonic() - began

    assert len(zendesk_fake.requests) == 160
    assert zendesk_fake.max_in_flight == 16
    assert zendesk_fake.rate_limited_count == 0
    # 10 waves of 50 ms (plus the first answer alone); spread over the minute it would be 14 s.
    assert elapsed < 2.0


async def test_a_job_of_three_windows_waits_each_turnover_with_one_429_at_most(
    zendesk_fake: FakeZendesk,
) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    zendesk_fake.rate_limit(200, window=1.0)
    async with client_for(zendesk_fake.url, max_concurrency=16) as client:
        began = time.monotonic()
        await read_all(client, ivr_id, 550)
        elapsed = time.monotonic() - began

    admitted = Counter(r.window for r in zendesk_fake.requests if not r.rate_limited)
    assert sum(admitted.values()) == 550
    assert max(admitted.values()) == 200
    assert all(refused <= 1 for refused in refusals_per_window(zendesk_fake).values())
    # Two turnovers, each told by a Retry-After rounded up to whole seconds.
    assert 2.0 <= elapsed < 5.5


async def test_several_clients_share_one_budget_without_a_429_storm() -> None:
    async with await FakeZendesk.start(rate_limit=300, rate_limit_window=1.0) as fake:
        ivr_ids = fake.seed(3)
        clients = [client_for(fake.url, max_concurrency=16) for _ in ivr_ids]
        async with contextlib.AsyncExitStack() as stack:
            for client in clients:
                await stack.enter_async_context(client)
            await asyncio.gather(
                *(read_all(c, ivr_id, 200) for c, ivr_id in zip(clients, ivr_ids, strict=True))
            )
        # Each client reads its own IVR, so the log tells whose each 429 was.
        per_client_window = Counter((r.path, r.window) for r in fake.requests if r.rate_limited)
        admitted = sum(1 for r in fake.requests if not r.rate_limited)

    assert admitted == 600
    assert all(refused <= 1 for refused in per_client_window.values()), per_client_window


def _on_a_300_plan(clock: Clock) -> RateLimiter:
    """A limiter that has sent one request and read 299 left of a 300 plan."""
    limiter = RateLimiter(clock=clock)
    limiter.settle(ticket_now(limiter), {"x-rate-limit": "300", "x-rate-limit-remaining": "299"})
    return limiter


def _tickets_left(limiter: RateLimiter) -> int:
    """How many requests the limiter would still let out at once."""
    sent = 0
    while limiter.try_acquire() is not None:
        sent += 1
    return sent


async def test_others_speeding_up_near_the_end_of_the_window_are_kept_in_hand() -> None:
    # Processes that start cold together spend the window's first 0.3 s opening connections,
    # at a tenth of the pace at which they then finish it: what the others have in flight is
    # their present pace times a round trip, and an average over the whole second lags it.
    clock = Clock()
    limiter = _on_a_300_plan(clock)
    plan = {"x-rate-limit": "300"}
    remaining = 299
    rtt = 0.02
    for others in [1] * 15 + [10] * 5:  # 50/s, then 500/s: 10 in flight at any moment
        ticket = limiter.try_acquire()
        assert ticket is not None
        clock.now += rtt
        remaining -= 1 + others
        limiter.settle(ticket, {**plan, "x-rate-limit-remaining": str(remaining)})
    assert remaining == 214

    # Of what is left, the others' requests in flight already hold 10.
    assert _tickets_left(limiter) <= remaining - 10


async def test_others_in_flight_are_not_undercounted_after_a_stall() -> None:
    # A stall (an event loop held up, the network slow for everyone) lowers every process's
    # pace and lengthens every round trip while the requests in flight stay put. When it ends
    # the round trip is short again within a few answers, but the pace over the stall is still
    # low: the two must be read over the same span, or the others' requests in flight shrink.
    clock = Clock()
    limiter = _on_a_300_plan(clock)
    plan = {"x-rate-limit": "300"}
    remaining = 299
    # Waves of 5 of this limiter's requests; the others keep 10 in flight throughout.
    for rtt in [0.02] * 5 + [0.3] + [0.02] * 4:
        tickets = [ticket_now(limiter) for _ in range(5)]
        clock.now += rtt
        for ticket in tickets:
            remaining -= 1 + 2
            limiter.settle(ticket, {**plan, "x-rate-limit-remaining": str(remaining)})
    assert remaining == 149

    # Of what is left, the others' requests in flight already hold 10.
    assert _tickets_left(limiter) <= remaining - 10


async def test_a_reserve_is_never_spent() -> None:
    async with await FakeZendesk.start(rate_limit=200) as fake:
        (ivr_id,) = fake.seed(1)
        limiter = RateLimiter(reserve=0.25)  # 50 of the 200 are left to others
        async with client_for(fake.url, rate_limiter=limiter, deadline=1.0) as client:
            results = await asyncio.gather(
                *(client.ivrs.get(ivr_id) for _ in range(170)), return_exceptions=True
            )

    timed_out = [r for r in results if isinstance(r, zendesk_ivr.RequestTimeout)]
    assert len(fake.requests) == 150
    assert fake.rate_limited_count == 0
    assert len(timed_out) == 20
    assert all(not error.request_sent for error in timed_out)


async def test_a_reserve_may_be_a_count() -> None:
    limiter = RateLimiter(reserve=30, clock=Clock())
    limiter.settle(ticket_now(limiter), {"x-rate-limit": "400", "x-rate-limit-remaining": "40"})

    tickets = [limiter.try_acquire() for _ in range(11)]

    assert None not in tickets[:10]
    assert tickets[10] is None  # the 30 left belong to others


async def test_with_only_the_reserve_left_it_waits_out_the_window_it_first_saw() -> None:
    clock = Clock()
    limiter = RateLimiter(reserve=50, clock=clock)
    plan = {"x-rate-limit": "200"}
    limiter.settle(ticket_now(limiter), {**plan, "x-rate-limit-remaining": "50"})

    refused = await limiter.acquire(wait=False)  # all that is left belongs to others
    clock.now += 60
    probe = limiter.try_acquire()  # the minute it saw the window open has passed
    assert probe is not None
    assert limiter.try_acquire() is None  # the probe goes alone

    limiter.settle(probe, {**plan, "x-rate-limit-remaining": "49"})  # it had not turned yet
    again = await limiter.acquire(wait=False)
    clock.now += 60
    limiter.settle(ticket_now(limiter), {**plan, "x-rate-limit-remaining": "199"})

    assert isinstance(refused, Wait)
    assert refused.seconds == pytest.approx(60)
    assert isinstance(again, Wait)
    assert again.seconds == pytest.approx(60)
    assert [limiter.try_acquire() is not None for _ in range(3)] == [True] * 3


async def test_ratelimit_reset_says_when_the_window_turns_so_no_429_is_needed() -> None:
    server = WindowServer(limit=200, length=1.0, send_reset=True)
    async with serve(server.handle) as url, client_for(url, max_concurrency=16) as client:
        began = time.monotonic()
        await read_all(client, 1, 260)
        elapsed = time.monotonic() - began

    assert server.admitted == 260
    assert server.refused == 0
    assert elapsed >= 0.9


async def test_a_429_without_reset_pauses_the_client_and_one_request_reads_the_new_window(
    zendesk_fake: FakeZendesk,
) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    zendesk_fake.rate_limit(200, window=2.0)
    async with client_for(zendesk_fake.url, max_concurrency=16) as client:
        await read_all(client, ivr_id, 200)  # the whole first window
        await read_all(client, ivr_id, 40)

    log = zendesk_fake.requests
    first_of_second = next(i for i, r in enumerate(log) if r.window == 2)
    assert [r.rate_limited for r in log[200:first_of_second]] == [True]
    assert [(r.window, r.rate_limited) for r in log[first_of_second:]] == [(2, False)] * 40


# --- the Talk window and configured limits -------------------------------------------------


async def test_the_talk_limit_is_a_window_of_5_minutes() -> None:
    clock = Clock()
    limiter = RateLimiter(talk_requests_per_5_minutes=3, learn=False, clock=clock)
    for _ in range(3):
        limiter.settle(ticket_now(limiter), None)
    clock.now += 100

    assert limiter.try_acquire() is None
    refused = await limiter.acquire(wait=False)
    assert isinstance(refused, Wait)
    assert refused.seconds == pytest.approx(200)
    clock.now += 200
    assert limiter.try_acquire() is not None


async def test_without_headers_the_default_limiter_spends_15000_talk_requests_at_once() -> None:
    limiter = RateLimiter(clock=Clock())
    limiter.settle(ticket_now(limiter), {})  # the first answer carries no rate-limit headers
    taken = 1
    while limiter.try_acquire() is not None:
        taken += 1

    assert taken == 15_000


# --- absurd answers ------------------------------------------------------------------------


async def test_a_retry_after_beyond_max_retry_after_fails_its_call_and_pauses_nobody(
    zendesk_fake: FakeZendesk,
) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    zendesk_fake.fail_next(429, retry_after=99_999_999)
    async with client_for(zendesk_fake.url) as client:
        with pytest.raises(zendesk_ivr.RateLimited) as info:
            await client.ivrs.get(ivr_id)
        began = time.monotonic()
        await read_all(client, ivr_id, 5)
        elapsed = time.monotonic() - began

    assert info.value.retry_after == 99_999_999
    assert client.rate_limiter.paused_for == 0
    assert len(zendesk_fake.requests) == 6
    assert elapsed < 1.0


async def test_a_call_that_may_not_wait_raises_with_the_time_left_and_sends_nothing(
    zendesk_fake: FakeZendesk,
) -> None:
    (ivr_id,) = zendesk_fake.seed(1)
    zendesk_fake.fail_next(429, retry_after=30)
    shared = RateLimiter()
    async with (
        client_for(zendesk_fake.url, rate_limiter=shared, max_retries=0) as waiting,
        client_for(zendesk_fake.url, rate_limiter=shared, wait_on_rate_limit=False) as hasty,
    ):
        with pytest.raises(zendesk_ivr.RateLimited):
            await waiting.ivrs.get(ivr_id)  # the 429 pauses the shared limiter for 30 s
        began = time.monotonic()
        with pytest.raises(zendesk_ivr.RateLimited) as info:
            await hasty.ivrs.get(ivr_id)
        elapsed = time.monotonic() - began

    assert elapsed < 0.5
    assert info.value.retry_after is not None
    assert 25 < info.value.retry_after <= 30
    assert len(zendesk_fake.requests) == 1  # the second call was never sent


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Rate-Limit": "0.001"},
        {"X-Rate-Limit": "199"},
        {"X-Rate-Limit": "nan"},
        {"X-Rate-Limit": "inf"},
        {"X-Rate-Limit": "-700"},
        {"X-Rate-Limit": "lots"},
        {"X-Rate-Limit-Remaining": "-1"},
        {"X-Rate-Limit-Remaining": "nan"},
        {"X-Rate-Limit-Remaining": "-inf"},
        {"ratelimit-reset": "-5"},
        {"ratelimit-reset": "inf"},
    ],
)
async def test_absurd_rate_limit_headers_are_ignored_with_one_debug_record(
    headers: Mapping[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="zendesk_ivr")
    calls = 0

    async def answer(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        # Sane figures where the case does not name its own: the budget is plentiful.
        sane = {"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": str(700 - calls)}
        return web.json_response(IVR_BODY, headers={**sane, **headers})

    async with serve(answer) as url, client_for(url, max_concurrency=8) as client:
        began = time.monotonic()
        await read_all(client, 1, 30)
        elapsed = time.monotonic() - began

    assert elapsed < 3.0
    ignored = [r for r in caplog.records if r.getMessage().startswith("ignoring")]
    assert sorted(r.getMessage().split()[1].rstrip(":") for r in ignored) == sorted(
        name.lower() for name in headers
    )
    assert all(r.levelno == logging.DEBUG for r in ignored)


# --- helpers -------------------------------------------------------------------------------

IVR_BODY = {"ivr": {"id": 1, "name": "Main", "menus": [], "phone_number_ids": []}}


class WindowServer:
    """A plan window as Zendesk's ticketing endpoints report it, ``ratelimit-reset`` and all."""

    def __init__(self, *, limit: int, length: float, send_reset: bool) -> None:
        self.limit, self.length, self.send_reset = limit, length, send_reset
        self.start = -math.inf
        self.count = self.admitted = self.refused = 0

    async def handle(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        if now >= self.start + self.length:
            self.start, self.count = now, 0
        left = self.start + self.length - now
        headers = {"X-Rate-Limit": str(self.limit)}
        if self.send_reset:
            headers["ratelimit-reset"] = str(math.ceil(left))
        if self.count >= self.limit:
            self.refused += 1
            headers["X-Rate-Limit-Remaining"] = "0"
            headers["Retry-After"] = str(math.ceil(left))
            return web.Response(status=429, text="Too Many Requests", headers=headers)
        self.count += 1
        self.admitted += 1
        headers["X-Rate-Limit-Remaining"] = str(self.limit - self.count)
        return web.json_response(IVR_BODY, headers=headers)


@contextlib.asynccontextmanager
async def serve(
    handler: Callable[[web.Request], object],
) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/api/v2/channels/voice/ivr/{id}", handler)  # type: ignore[arg-type]
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


# --- the limiter's own contract ------------------------------------------------------------


async def test_the_plan_limit_is_learned_from_x_rate_limit() -> None:
    limiter = RateLimiter()
    before = limiter.requests_per_minute

    limiter.settle(ticket_now(limiter), {"x-rate-limit": "700", "x-rate-limit-remaining": "650"})

    assert before is None
    assert limiter.requests_per_minute == 700
    assert limiter.remaining == 650


async def test_the_ticketing_header_names_are_understood_too() -> None:
    limiter = RateLimiter()
    limiter.settle(ticket_now(limiter), {"ratelimit-limit": "400", "ratelimit-remaining": "3"})
    assert (limiter.requests_per_minute, limiter.remaining) == (400, 3)


async def test_learning_can_be_turned_off() -> None:
    limiter = RateLimiter(requests_per_minute=200, learn=False)
    limiter.settle(ticket_now(limiter), {"x-rate-limit": "700", "x-rate-limit-remaining": "0"})
    assert (limiter.requests_per_minute, limiter.remaining) == (200, None)


def test_a_pause_lasts_as_long_as_the_longest_retry_after() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)

    limiter.pause(10)
    limiter.pause(3)  # a shorter one does not cut the pause short

    assert limiter.paused_for == 10
    clock.now += 4
    assert limiter.paused_for == 6


async def test_the_first_request_goes_alone_until_its_answer_teaches_the_budget() -> None:
    limiter = RateLimiter()
    probe = await limiter.acquire()
    second = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0.05)
    assert not second.done()

    limiter.settle(probe, {"x-rate-limit": "700", "x-rate-limit-remaining": "699"})
    limiter.settle(await asyncio.wait_for(second, 1), None)
    assert limiter.requests_per_minute == 700


async def test_a_probe_that_got_no_answer_still_lets_the_others_go() -> None:
    limiter = RateLimiter()
    probe = await limiter.acquire()
    waiting = asyncio.create_task(limiter.acquire())
    limiter.settle(probe, None)  # the probe's connection failed
    limiter.settle(await asyncio.wait_for(waiting, 1), None)


async def test_a_call_that_may_not_wait_still_waits_for_the_answer_in_flight() -> None:
    limiter = RateLimiter()
    probe = await limiter.acquire()
    hasty = asyncio.create_task(limiter.acquire(wait=False))
    await asyncio.sleep(0.05)
    assert not hasty.done()  # an answer in flight is no pause

    limiter.settle(probe, {"x-rate-limit": "700", "x-rate-limit-remaining": "699"})
    ticket = await asyncio.wait_for(hasty, 1)
    assert isinstance(ticket, int)
    limiter.settle(ticket, None)


async def test_acquire_waits_out_a_spent_window() -> None:
    limiter = RateLimiter(requests_per_minute=1, learn=False, plan_window=0.1)
    limiter.settle(await limiter.acquire(), None)
    began = time.monotonic()
    ticket = await asyncio.wait_for(limiter.acquire(), 1)
    assert isinstance(ticket, int)
    assert time.monotonic() - began >= 0.09


async def test_a_call_that_may_not_wait_is_refused_when_the_answer_it_awaited_pauses() -> None:
    limiter = RateLimiter()
    probe = await limiter.acquire()
    hasty = asyncio.create_task(limiter.acquire(wait=False))
    await asyncio.sleep(0.05)
    limiter.settle(probe, {"x-rate-limit": "700", "x-rate-limit-remaining": "0"}, 429)
    limiter.pause(30)  # the probe's Retry-After

    refused = await asyncio.wait_for(hasty, 1)
    assert isinstance(refused, Wait)
    assert 29 < refused.seconds <= 30


async def test_a_place_free_now_does_not_go_to_a_newcomer_before_the_tasks_waiting() -> None:
    limiter = RateLimiter()
    probe = await limiter.acquire()
    waiting = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)  # it queues for the probe's answer
    limiter.settle(probe, {"x-rate-limit": "700", "x-rate-limit-remaining": "699"})

    assert limiter.try_acquire() is None
    limiter.settle(await asyncio.wait_for(waiting, 1), None)


async def test_a_429_makes_the_next_request_go_alone() -> None:
    limiter = RateLimiter(clock=Clock())
    limiter.settle(ticket_now(limiter), {"x-rate-limit": "700", "x-rate-limit-remaining": "600"})
    limiter.settle(ticket_now(limiter), {}, 429)  # no figures, and no Retry-After to pause on

    assert limiter.remaining == 0
    assert limiter.try_acquire() is not None
    assert limiter.try_acquire() is None


def test_a_limiter_on_a_new_loop_forgets_the_old_loops_requests_and_waits_on_the_new() -> None:
    limiter = RateLimiter()

    async def probe_and_leave() -> None:
        await limiter.acquire()  # the probe; its loop ends before its answer comes

    async def contend() -> None:
        probe = await asyncio.wait_for(limiter.acquire(), 1)
        waiting = asyncio.create_task(limiter.acquire())
        await asyncio.sleep(0.05)
        assert not waiting.done()
        limiter.settle(probe, {"x-rate-limit": "700", "x-rate-limit-remaining": "699"})
        limiter.settle(await asyncio.wait_for(waiting, 1), None)

    asyncio.run(probe_and_leave())
    asyncio.run(contend())


async def test_the_limiter_says_what_it_knows_of_the_plan() -> None:
    limiter = RateLimiter()
    before = repr(limiter)
    limiter.settle(ticket_now(limiter), {"x-rate-limit": "700", "x-rate-limit-remaining": "9"})
    assert (before, repr(limiter)) == ("<RateLimiter learning>", "<RateLimiter 700/min>")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"requests_per_minute": 0},
        {"requests_per_minute": -5},
        {"talk_requests_per_5_minutes": 0},
        {"reserve": -1},
        {"reserve": math.nan},
        {"plan_window": 0},
    ],
)
def test_nonsense_limits_are_refused(kwargs: dict[str, float]) -> None:
    (name,) = kwargs
    with pytest.raises(zendesk_ivr.ConfigurationError, match=f"^{name} must be"):
        RateLimiter(**kwargs)  # type: ignore[arg-type]


async def test_none_and_zero_turn_the_limits_and_the_reserve_off() -> None:
    limiter = RateLimiter(None, talk_requests_per_5_minutes=None, reserve=0, learn=False)
    assert all(limiter.try_acquire() is not None for _ in range(15_001))
