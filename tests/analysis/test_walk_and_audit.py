"""The tree walk's request count, its fallbacks, and the audit end to end against the fake."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import zendesk_ivr
from zendesk_ivr import Client, RateLimiter
from zendesk_ivr.analysis import Severity
from zendesk_ivr.testing import FakeZendesk, seed_demo_account


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        yield server


def client_for(fake: FakeZendesk, **kwargs: object) -> Client:
    return Client(
        base_url=fake.url,
        email=fake.email,
        api_token=fake.api_token,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(("ivrs", "pages"), [(1, 1), (100, 1), (101, 2), (250, 3)])
async def test_the_walk_reads_the_tree_in_one_request_per_100_ivrs(
    fake: FakeZendesk, ivrs: int, pages: int
) -> None:
    ids = fake.seed(ivrs, menus=3, routes=4)

    async with client_for(fake) as client:
        tree = await client.walk()

    assert tree.requests == pages
    assert len(fake.requests) == pages
    assert [ivr.id for ivr in tree.ivrs] == ids
    assert all(len(ivr.menus) == 3 for ivr in tree.ivrs)
    assert all(len(menu.routes) == 4 for ivr in tree.ivrs for menu in ivr.menus)


async def test_the_walk_lists_routes_where_the_listing_did_not_embed_them(
    fake: FakeZendesk,
) -> None:
    fake.seed(3, menus=2, routes=5)
    fake.omit_embedded_routes = True

    async with client_for(fake) as client:
        tree = await client.walk()

    assert tree.requests == 1 + 3 * 2  # the listing, then one route listing per menu
    assert len(fake.requests) == tree.requests
    assert all(len(menu.routes) == 5 for ivr in tree.ivrs for menu in ivr.menus)


async def test_the_walk_counts_retries_as_requests(fake: FakeZendesk) -> None:
    fake.seed(150)
    fake.fail_next(503, retry_after=0, times=2)  # the first page is tried three times

    async with client_for(fake) as client:
        tree = await client.walk()

    pages = [r.query_dict.get("page", "1") for r in fake.requests]
    assert pages == ["1", "1", "1", "2"]
    assert tree.requests == len(fake.requests)
    assert len(tree.ivrs) == 150


async def test_the_demo_account_audit_finds_every_planted_problem(fake: FakeZendesk) -> None:
    demo = seed_demo_account(fake)

    async with client_for(fake) as client:
        findings = await zendesk_ivr.analysis.audit(client, check_groups=True, check_greetings=True)

    found: dict[str, set[int]] = {}
    for finding in findings:
        assert finding.ivr_id is not None
        found.setdefault(finding.rule, set()).add(finding.ivr_id)
    rule_of = {"no_default_menu": "default_menu", "two_default_menus": "default_menu"}
    for problem, ivr_ids in demo.planted.items():
        assert set(ivr_ids) <= found.get(rule_of.get(problem, problem), set()), problem
    planted = {i for ivr_ids in demo.planted.values() for i in ivr_ids}
    assert {f.ivr_id for f in findings} <= planted  # nothing is flagged that was not planted


async def test_lookups_are_opt_in(fake: FakeZendesk) -> None:
    seed_demo_account(fake)

    async with client_for(fake) as client:
        findings = await zendesk_ivr.analysis.audit(client)

    assert not {"unknown_group", "unknown_greeting"} & {f.rule for f in findings}
    assert {r.path for r in fake.requests} == {"/api/v2/channels/voice/ivr"}


async def test_audits_of_many_accounts_run_concurrently_under_each_clients_limits() -> None:
    async with (
        await FakeZendesk.start(max_page_size=10) as one,
        await FakeZendesk.start(max_page_size=10) as two,
    ):
        # Paged listings, then one route listing per menu: many requests, some concurrent.
        one.seed(40, menus=2, routes=1)
        two.seed(30, menus=2, routes=1)
        one.omit_embedded_routes = two.omit_embedded_routes = True
        one.latency = two.latency = 0.02
        # The two request logs, sampled while the audits run: overlap shows as a moment when
        # both servers have had requests and both are still to get more.
        samples: list[tuple[int, int]] = []

        async def sample() -> None:
            while True:
                samples.append((len(one.requests), len(two.requests)))
                await asyncio.sleep(0.005)

        # Without the Talk-wide pace (50 a second), which could keep the in-flight peaks down.
        def unpaced() -> RateLimiter:
            return RateLimiter(talk_requests_per_5_minutes=None)

        async with (
            client_for(one, max_concurrency=2, rate_limiter=unpaced()) as a,
            client_for(two, max_concurrency=3, rate_limiter=unpaced()) as b,
        ):
            sampler = asyncio.create_task(sample())
            together = list(
                await asyncio.gather(zendesk_ivr.analysis.audit(a), zendesk_ivr.analysis.audit(b))
            )
            sampler.cancel()
            totals = len(one.requests), len(two.requests)
            alone = [await zendesk_ivr.analysis.audit(a), await zendesk_ivr.analysis.audit(b)]
        # Each server saw its own client's limit reached and never passed.
        assert (one.max_in_flight, two.max_in_flight) == (2, 3)
    assert totals == (4 + 40 * 2, 3 + 30 * 2)
    assert any(0 < x < totals[0] and 0 < y < totals[1] for x, y in samples)
    assert together == alone


async def test_the_audit_surfaces_typed_errors(fake: FakeZendesk) -> None:
    fake.fail_next(401)
    async with client_for(fake) as client:
        with pytest.raises(zendesk_ivr.AuthenticationError):
            await zendesk_ivr.analysis.audit(client)


async def test_severity_of_each_builtin_rule_is_stable(fake: FakeZendesk) -> None:
    seed_demo_account(fake)
    async with client_for(fake) as client:
        findings = await zendesk_ivr.analysis.audit(client, check_groups=True, check_greetings=True)
    severity = {f.rule: f.severity for f in findings}
    assert severity == {
        "default_menu": Severity.ERROR,
        "empty_menu": Severity.ERROR,
        "dead_key": Severity.ERROR,
        "unreachable_menu": Severity.WARNING,
        "missing_group": Severity.ERROR,
        "unknown_group": Severity.ERROR,
        "incomplete_textback": Severity.ERROR,
        "invalid_phone_number": Severity.ERROR,
        "unknown_greeting": Severity.WARNING,
        "no_phone_number": Severity.WARNING,
    }


async def test_walking_chosen_ivrs_completes_what_the_response_left_out(
    fake: FakeZendesk,
) -> None:
    ids = fake.seed(4, menus=2, routes=3)
    fake.omit_embedded_routes = True

    async with client_for(fake) as client:
        plain = await client.ivrs.get(ids[1])
        tree = await client.walk(ivr_ids=[ids[1], ids[3]])

    # A plain get cannot tell "no routes" from "not sent"; the walk lists them.
    assert all(menu.routes == () for menu in plain.menus)
    assert [ivr.id for ivr in tree.ivrs] == [ids[1], ids[3]]
    assert all(len(menu.routes) == 3 for ivr in tree.ivrs for menu in ivr.menus)
    assert tree.requests == 2 + 2 * 2


async def test_a_failed_walk_leaves_no_listing_running(fake: FakeZendesk) -> None:
    fake.seed(3, menus=3, routes=2)
    fake.omit_embedded_routes = True
    fake.latency = 0.05
    fake.fail_next(403, path="/routes")

    async with client_for(fake, max_retries=0) as client:
        with pytest.raises(zendesk_ivr.PermissionDenied):
            await client.walk()
        sent = len(fake.requests)
        await asyncio.sleep(0.3)

    assert len(fake.requests) == sent  # nothing went on in the background
