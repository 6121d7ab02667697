"""
The round trip of IVR files through accounts, on fakes over loopback: a pull plans to nothing
on its own account, and copies to another account by names alone, where it pulls to the same
file.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings

from tests.ascode.accounts import add_objects, client_of, planted, trees
from zendesk_ivr import Ivr, IvrMenu
from zendesk_ivr.ascode import dump_ivr_file, parse_ivr_file, plan_ivr_file, pull_ivr_file
from zendesk_ivr.migration import apply
from zendesk_ivr.testing import FakeZendesk

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(specs=trees(dangling=True))
async def test_a_pulled_file_plans_to_nothing_on_its_own_account(
    specs: list[dict[str, Any]],
) -> None:
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        objects = add_objects(fake)
        for spec in specs:
            fake.put_ivr(planted(spec, objects))
        text = await pull_ivr_file(client)
        ivr_file = parse_ivr_file(text)  # what pull writes, the schema passes
        kept = await plan_ivr_file(client, ivr_file)
        pruned = await plan_ivr_file(client, ivr_file, prune=True)

    # Dead keys and deleted groups included: the account has them, as the file says.
    assert kept.describe() == []
    assert pruned.describe() == []


@PROPERTY
@given(specs=trees())
async def test_a_file_copies_to_another_account_by_names_and_pulls_back_the_same(
    specs: list[dict[str, Any]],
) -> None:
    async with (
        await FakeZendesk.start() as source,
        await FakeZendesk.start() as target,
        client_of(source) as from_client,
        client_of(target) as to_client,
    ):
        objects = add_objects(source)
        other = add_objects(target, other_ids=True)
        for spec in specs:
            source.put_ivr(planted(spec, objects))
        text = await pull_ivr_file(from_client)
        copy = await plan_ivr_file(to_client, parse_ivr_file(text))
        await apply(to_client, copy)
        copied = await pull_ivr_file(to_client)
        again = await plan_ivr_file(to_client, parse_ivr_file(copied))

    assert copied == text
    assert again.is_empty
    # The accounts give the names other ids: a copy by id would have rung other groups.
    assert objects.groups != other.groups
    assert objects.numbers != other.numbers


@PROPERTY
@given(specs=trees(dangling=True))
async def test_a_pull_does_not_depend_on_the_order_the_account_lists_things_in(
    specs: list[dict[str, Any]],
) -> None:
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        objects = add_objects(fake)
        for spec in specs:
            fake.put_ivr(planted(spec, objects))
        tree = await client.walk()
        groups = [g async for g in client.groups.list()]
        greetings = [g async for g in client.greetings.list()]
        numbers = [p async for p in client.phone_numbers.list()]

    # Menus in another order but for the first one flagged default: that one is what callers
    # hear first, whatever else is flagged, so it is part of what the account says.
    shuffled = [
        attrs.evolve(ivr, menus=(*_leading(ivr), *reversed(ivr.menus[len(_leading(ivr)) :])))
        for ivr in reversed(tree.ivrs)
    ]
    other_order = dump_ivr_file(
        shuffled, groups=groups[::-1], greetings=greetings[::-1], phone_numbers=numbers[::-1]
    )
    assert other_order == dump_ivr_file(
        tree.ivrs, groups=groups, greetings=greetings, phone_numbers=numbers
    )


def _leading(ivr: Ivr) -> tuple[IvrMenu, ...]:
    """The menus up to the first one flagged default, in the account's order."""
    first = ivr.default_menu
    return ivr.menus[: ivr.menus.index(first) + 1] if first is not None else ()
