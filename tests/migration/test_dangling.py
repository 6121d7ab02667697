"""Dangling references: refused by name, or left out with skip_dangling and listed in the plan."""

from __future__ import annotations

import pytest

from zendesk_ivr import (
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    RouteOptions,
    TextbackOptions,
)
from zendesk_ivr.migration import (
    DanglingReference,
    DesiredState,
    IdMap,
    PlanRefused,
    References,
    plan,
)

MAIN = "ivr[Support]/default-menu"


def route(route_id: int, keypress: str, options: RouteOptions) -> IvrRoute:
    return IvrRoute(id=route_id, keypress=keypress, action=options.action, options=options)


def support(*routes: IvrRoute, greeting_id: int | None = None, phones: tuple[int, ...] = ()) -> Ivr:
    """An IVR 'Support' whose default menu (id 10) holds *routes*, and a 'Billing' menu (11)."""
    main = IvrMenu(id=10, name="Main", default=True, greeting_id=greeting_id, routes=routes)
    billing = IvrMenu(id=11, name="Billing", routes=(route(90, "1", GroupOptions(group_ids=(7,))),))
    return Ivr(id=1, name="Support", menus=(main, billing), phone_number_ids=phones)


def test_a_route_to_a_menu_the_ivr_lacks_is_refused_by_ivr_menu_and_key() -> None:
    desired = support(
        route(20, "1", MenuOptions(menu_id=11)), route(21, "2", MenuOptions(menu_id=99))
    )

    with pytest.raises(PlanRefused) as caught:
        plan([desired], [], id_map=IdMap(groups={7: 70}))

    assert caught.value.unmapped == ()  # no id map entry could fix it
    assert caught.value.dangling == (
        DanglingReference(
            kind="menu", id=99, ivr="Support", menu="Main", keypress="2", key=f"{MAIN}/route[2]"
        ),
    )
    assert "IVR 'Support', menu 'Main', key 2 -> menu 99" in str(caught.value)
    assert "--skip-dangling" in str(caught.value)
    assert caught.value.to_json()["dangling"] == [
        {
            "kind": "menu",
            "id": 99,
            "ivr": "Support",
            "menu": "Main",
            "keypress": "2",
            "key": f"{MAIN}/route[2]",
        }
    ]


def test_skip_dangling_leaves_the_route_out_and_lists_it() -> None:
    desired = support(
        route(20, "1", MenuOptions(menu_id=11)), route(21, "2", MenuOptions(menu_id=99))
    )

    result = plan([desired], [], id_map=IdMap(groups={7: 70}), skip_dangling=True)

    keys = [step.key for step in result.steps]
    assert f"{MAIN}/route[1]" in keys
    assert f"{MAIN}/route[2]" not in keys
    assert [d.key for d in result.skipped] == [f"{MAIN}/route[2]"]
    assert result.describe()[-1] == (
        f"skip {MAIN}/route[2]: its menu 99 is not a menu of IVR 'Support'"
    )
    # Not the same migration as one without the option: a journal of one resumes only it.
    clean = support(route(20, "1", MenuOptions(menu_id=11)))
    with_option = plan([clean], [], id_map=IdMap(groups={7: 70}), skip_dangling=True)
    without = plan([clean], [], id_map=IdMap(groups={7: 70}))
    assert with_option.steps == without.steps
    assert with_option.origin != without.origin


def test_a_skipped_route_is_not_pruned_from_the_target() -> None:
    desired = support(route(21, "2", MenuOptions(menu_id=99)))
    current = support(route(31, "2", GroupOptions(group_ids=(70,))))

    result = plan([desired], [current], id_map=IdMap(groups={7: 7}), skip_dangling=True, prune=True)

    assert [step.key for step in result.steps] == []
    assert [d.key for d in result.skipped] == [f"{MAIN}/route[2]"]


def test_references_the_source_did_not_have_dangle_rather_than_want_a_mapping() -> None:
    ivr = support(
        route(20, "1", GroupOptions(group_ids=(5, 6))),
        route(21, "2", TextbackOptions(textback_phone_number_id=9, sms_text="hi")),
        greeting_id=4,
        phones=(8, 9),
    )
    # The source had group 5 (and 7), phone number 9; not group 6, greeting 4 or number 8.
    references = References(groups={5: "Support", 7: "Billing"}, phone_numbers={9: "+15550100"})
    desired = DesiredState([ivr], "https://source.example/", references)
    id_map = IdMap(groups={5: 50, 7: 70}, phone_numbers={9: 90})

    with pytest.raises(PlanRefused) as caught:
        plan(desired, [], id_map=id_map)
    result = plan(desired, [], id_map=id_map, skip_dangling=True)

    assert caught.value.unmapped == ()
    assert [(d.kind, d.id, d.key) for d in caught.value.dangling] == [
        ("phone_number", 8, "ivr[Support]"),
        ("greeting", 4, MAIN),
        ("group", 6, f"{MAIN}/route[1]"),
    ]
    assert result.skipped == caught.value.dangling
    # The IVR goes without number 8, the menu without a greeting, route 1 is left out.
    assert result.step("ivr[Support]").fields["phone_number_ids"] == [90]
    assert result.step(MAIN).fields == {"name": "Main"}
    keys = [step.key for step in result.steps]
    assert f"{MAIN}/route[1]" not in keys
    assert result.step(f"{MAIN}/route[2]").fields["options"]["textback_phone_number_id"] == 90
    # An id map entry wins: a deleted group can be mapped to a live one on purpose.
    full = IdMap(groups={5: 50, 6: 60, 7: 70}, greetings={4: 40}, phone_numbers={8: 80, 9: 90})
    mapped = plan(desired, [], id_map=full)
    assert mapped.skipped == ()
    assert mapped.step(f"{MAIN}/route[1]").fields["options"]["group_ids"] == [50, 60]


def test_within_the_same_account_a_dead_key_is_kept_where_it_is_and_never_written() -> None:
    desired = support(route(21, "2", MenuOptions(menu_id=99)))
    # The account has it already: nothing to send, so nothing is refused.
    kept = plan([desired], [desired], same_account=True)
    skipped = plan([desired], [], same_account=True, skip_dangling=True)

    assert kept.is_empty
    assert f"{MAIN}/route[2]" not in [step.key for step in skipped.steps]
    # Writing it would be a 422 half way through an apply: refused before anything is sent.
    with pytest.raises(PlanRefused) as refused:
        plan([desired], [], same_account=True)
    assert refused.value.problems == (
        "menu 99 is not a menu of this IVR @ $.ivrs[0].menus[0].routes[0].options.menu_id",
    )
