"""zendesk-ivr reroute refuses groups the account does not have before sending any write."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.cli_helpers import fake_env, run_script
from zendesk_ivr.testing import FakeZendesk

WRITES = ("POST", "PUT", "DELETE")
#: The first group `FakeZendesk.seed` routes to.
SEEDED_GROUP = 360001381413


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as fake:
        fake.seed(3, menus=2, routes=4)
        yield fake


async def reroute(fake: FakeZendesk, old: int, new: int) -> tuple[int, str, str]:
    return await run_script(
        "reroute", "--from-group", str(old), "--to-group", str(new), "--yes", env=fake_env(fake)
    )


def writes(fake: FakeZendesk) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests if r.method in WRITES]


async def test_a_target_group_the_account_lacks_is_refused_before_any_write(
    fake: FakeZendesk,
) -> None:
    code, out, err = await reroute(fake, SEEDED_GROUP, 999)

    assert (code, out) == (2, "")
    assert err == (
        "zendesk-ivr: error: --to-group 999 is not a group of the account: nothing re-pointed\n"
    )
    assert writes(fake) == []
    assert any(r.path == "/api/v2/groups" for r in fake.requests)


async def test_a_source_group_no_route_rings_is_nothing_to_change_and_exits_0(
    fake: FakeZendesk,
) -> None:
    code, out, err = await reroute(fake, 1, SEEDED_GROUP)

    assert (code, out, err) == (0, "Nothing to change.\n", "No route rings group 1.\n")
    assert writes(fake) == []


async def test_a_finished_reroute_exits_0_again_however_it_got_there(fake: FakeZendesk) -> None:
    new = fake.add_group("Replacement")
    first = await reroute(fake, SEEDED_GROUP, new)
    assert first[0] == 0, first[2]
    written = writes(fake)

    # Run again as it is (the old group still exists), and once the old group is deleted.
    again = await reroute(fake, SEEDED_GROUP, new)
    fake.delete_group(SEEDED_GROUP)
    after_delete = await reroute(fake, SEEDED_GROUP, new)

    assert again[:2] == (0, "Nothing to change.\n")
    assert after_delete[:2] == (0, "Nothing to change.\n")
    assert writes(fake) == written


async def test_a_deleted_group_that_routes_still_ring_can_be_repointed(
    fake: FakeZendesk,
) -> None:
    new = fake.add_group("Replacement")
    fake.delete_group(SEEDED_GROUP)

    code, out, err = await reroute(fake, SEEDED_GROUP, new)

    assert code == 0, err
    assert out.splitlines()[-1].startswith("Applied:")
    assert writes(fake)
    assert all(w.startswith("PUT ") for w in writes(fake))
