"""Migrations with what real accounts hold: built-in greetings' string ids, options as read."""

from __future__ import annotations

import pytest

from zendesk_ivr import Ivr, IvrMenu, IvrRoute
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.migration import DesiredState, IdMap, PlanRefused, plan


def _menus(*greetings: int | str | None) -> tuple[IvrMenu, ...]:
    return tuple(
        IvrMenu(id=10 + n, name=f"Menu {n}", default=n == 0, greeting_id=greeting)
        for n, greeting in enumerate(greetings)
    )


def test_built_in_greetings_need_no_id_map_and_uploaded_ones_do() -> None:
    desired = DesiredState((Ivr(id=1, name="Support", menus=_menus("ivr_none", 500)),))

    with pytest.raises(PlanRefused) as refused:
        plan(desired, [], id_map=IdMap())
    mapped = plan(desired, [], id_map=IdMap(greetings={500: 900}))

    assert [(u.kind, u.id) for u in refused.value.unmapped] == [("greeting", 500)]
    bodies = [r.json for r in mapped.requests() if r.method in ("PUT", "POST")]
    greetings = [b["ivr_menu"]["greeting_id"] for b in bodies if "ivr_menu" in b]
    assert greetings == ["ivr_none", 900]


def test_a_route_read_with_the_older_sms_key_is_planned_as_it_was_read() -> None:
    converter = make_converter()
    sent_from = {"textback_phone_number_id": 5}
    raw = {
        "id": 3,
        "keypress": "1",
        "action": "textback",
        "options": {**sent_from, "sms_textstring": "Hi"},
    }
    route = converter.structure(raw, IvrRoute)
    menu = IvrMenu(id=10, name="Main", default=True, routes=(route,))
    other = converter.structure(
        {**raw, "options": {**sent_from, "sms_textstring": "Bye"}}, IvrRoute
    )
    current = Ivr(
        id=1, name="Support", menus=(IvrMenu(id=10, name="Main", default=True, routes=(other,)),)
    )

    desired = DesiredState((Ivr(id=1, name="Support", menus=(menu,)),))
    steps = plan(desired, [current], same_account=True)

    (request,) = steps.requests()
    assert request.json == {
        "ivr_route": {"action": "textback", "options": {**sent_from, "sms_textstring": "Hi"}}
    }
