"""Plan rules on hand-built trees: every refusal reason, namesakes' keys, what updates replace."""

from __future__ import annotations

import attrs
import pytest

from zendesk_ivr import GroupOptions, Ivr, IvrMenu, IvrRoute
from zendesk_ivr.migration import PlanRefused, plan


def ivr(ivr_id: int, name: str, phones: tuple[int, ...] = ()) -> Ivr:
    default = IvrMenu(id=ivr_id * 10, name="Main menu", default=True)
    return Ivr(id=ivr_id, name=name, menus=(default,), phone_number_ids=phones)


def test_a_refusal_lists_every_name_the_account_holds_twice() -> None:
    current = [ivr(1, "Support"), ivr(2, "Support"), ivr(3, "Sales"), ivr(4, "Sales")]
    with pytest.raises(PlanRefused) as info:
        plan([ivr(5, "Support"), ivr(6, "Sales")], current, same_account=True)
    assert info.value.problems == (
        "2 IVRs of the account are named 'Support'",
        "2 IVRs of the account are named 'Sales'",
    )


def test_pruned_namesakes_get_keys_of_their_own() -> None:
    current = [ivr(1, "Old"), ivr(2, "Old"), ivr(3, "Once")]
    steps = plan([], current, prune=True, same_account=True).steps
    assert sorted((step.key, step.action, step.ids) for step in steps) == [
        ("ivr[Old]#1", "delete", (1,)),
        ("ivr[Old]#2", "delete", (2,)),
        ("ivr[Once]", "delete", (3,)),
    ]


def test_an_update_of_phone_numbers_shows_the_numbers_it_replaces() -> None:
    (step,) = plan([ivr(9, "Support", (7, 8))], [ivr(1, "Support", (5,))], same_account=True).steps
    assert (step.key, step.action, step.ids) == ("ivr[Support]", "update", (1,))
    assert step.fields == {"phone_number_ids": [7, 8]}
    assert step.before == {"phone_number_ids": [5]}


def group_route(route_id: int, keypress: str, overflow: tuple[object, ...] = ()) -> IvrRoute:
    options = GroupOptions(group_ids=(7,))
    return IvrRoute(
        id=route_id, keypress=keypress, action="group", options=options, overflow_options=overflow
    )


def test_every_ambiguity_in_the_desired_state_and_the_account_is_listed() -> None:
    current = Ivr(
        id=1,
        name="Support",
        menus=(
            IvrMenu(
                id=10,
                name="Main menu",
                default=True,
                routes=tuple(group_route(i, key) for i, key in enumerate("1122", start=20)),
            ),
            *(
                IvrMenu(id=i, name=name)
                for i, name in enumerate(["Billing"] * 2 + ["Sales"] * 2, start=11)
            ),
        ),
    )
    two_keys = (group_route(30, "1"), group_route(31, "2"))
    desired = Ivr(
        id=2,
        name="Support",
        menus=(
            IvrMenu(id=5, name="Main menu", default=True, routes=two_keys),
            IvrMenu(id=5, name="Billing"),
            IvrMenu(id=6, name="Sales"),
        ),
    )
    with pytest.raises(PlanRefused) as info:
        plan([desired], [current], same_account=True)
    assert info.value.problems == (
        "2 menus with id 5 in ivr[Support]",
        "2 menus of ivr[Support] are named 'Billing'",
        "2 menus of ivr[Support] are named 'Sales'",
        "2 routes of ivr[Support]/default-menu answer '1'",
        "2 routes of ivr[Support]/default-menu answer '2'",
    )


def test_pruned_menus_and_routes_are_deleted_under_keys_of_their_own() -> None:
    routes = (
        group_route(20, "1"),
        group_route(21, "9"),
        group_route(22, "8"),
        group_route(23, "8"),
    )
    current = Ivr(
        id=1,
        name="Support",
        menus=(
            IvrMenu(id=10, name="Main menu", default=True, routes=routes),
            IvrMenu(id=11, name="Old"),
            IvrMenu(id=12, name="Old"),
        ),
    )
    desired = Ivr(
        id=2,
        name="Support",
        menus=(IvrMenu(id=3, name="Main menu", default=True, routes=routes[:1]),),
    )
    steps = plan([desired], [current], prune=True, same_account=True).steps
    menu = "ivr[Support]/default-menu"
    assert sorted((s.key, s.action, s.kind, s.ids) for s in steps) == [
        (f"{menu}/route[8]#22", "delete", "route", (1, 10, 22)),
        (f"{menu}/route[8]#23", "delete", "route", (1, 10, 23)),
        (f"{menu}/route[9]", "delete", "route", (1, 10, 21)),
        ("ivr[Support]/menu[Old]#11", "delete", "menu", (1, 11)),
        ("ivr[Support]/menu[Old]#12", "delete", "menu", (1, 12)),
    ]


def test_a_new_menu_sends_a_greeting_only_when_it_has_one_and_built_in_ones_as_they_are() -> None:
    current = ivr(1, "Support")
    desired = attrs.evolve(
        current,
        menus=(
            *current.menus,
            IvrMenu(id=11, name="Billing"),
            IvrMenu(id=12, name="Sales", greeting_id="ivr_none"),
        ),
    )
    steps = plan([desired], [current], same_account=True).steps
    assert [(s.key, s.action, s.fields) for s in steps] == [
        ("ivr[Support]/menu[Billing]", "create", {"name": "Billing"}),
        ("ivr[Support]/menu[Sales]", "create", {"name": "Sales", "greeting_id": "ivr_none"}),
    ]


def test_an_overflow_update_shows_the_options_it_replaces() -> None:
    current = Ivr(
        id=1,
        name="Support",
        menus=(IvrMenu(id=10, name="Main menu", default=True, routes=(group_route(20, "1"),)),),
    )
    wanted = group_route(30, "1", overflow=({"action": "voicemail"},))
    desired = attrs.evolve(current, menus=(attrs.evolve(current.menus[0], routes=(wanted,)),))
    (step,) = plan([desired], [current], same_account=True).steps
    assert (step.action, step.fields) == ("update", {"overflow_options": [{"action": "voicemail"}]})
    assert step.before == {"overflow_options": []}


def test_names_are_escaped_in_keys() -> None:
    (step,) = plan([ivr(9, "A[1]\\b")], [], same_account=True).steps[:1]
    assert step.key == "ivr[A\\[1\\]\\\\b]"
