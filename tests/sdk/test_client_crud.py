"""Every endpoint of the client against the fake Zendesk over loopback HTTP."""

from __future__ import annotations

import json

import pytest

import zendesk_ivr
from zendesk_ivr import (
    UNSET,
    Client,
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    RouteOptions,
    TextbackOptions,
    UnknownOptions,
    VoicemailOptions,
)
from zendesk_ivr.testing import FakeZendesk

READ_ONLY = {"id", "default", "routes", "greeting", "option_text", "phone_number_names"}


def last_body(fake: FakeZendesk, method: str) -> dict[str, object]:
    sent = [r for r in fake.requests if r.method == method]
    assert sent, f"no {method} request reached the fake"
    body = sent[-1].json
    assert isinstance(body, dict)
    return body


async def test_create_ivr_comes_back_typed_with_its_default_menu(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Support line", phone_number_ids=[11, 12])

    assert isinstance(ivr, Ivr)
    assert ivr.name == "Support line"
    assert ivr.phone_number_ids == (11, 12)
    assert ivr.default_menu is not None
    assert ivr.default_menu.routes == ()
    assert last_body(zendesk_fake, "POST") == {
        "ivr": {"name": "Support line", "phone_number_ids": [11, 12]}
    }


async def test_ivr_get_update_delete(zendesk_client: Client, zendesk_fake: FakeZendesk) -> None:
    created = await zendesk_client.ivrs.create(name="Before")

    fetched = await zendesk_client.ivrs.get(created.id)
    updated = await zendesk_client.ivrs.update(created.id, name="After")
    await zendesk_client.ivrs.delete(created.id)

    assert fetched == created
    assert updated.name == "After"
    assert last_body(zendesk_fake, "PUT") == {"ivr": {"name": "After"}}
    assert created.id not in zendesk_fake.ivr_ids()
    with pytest.raises(zendesk_ivr.NotFound) as info:
        await zendesk_client.ivrs.get(created.id)
    assert info.value.status == 404
    assert info.value.error == "RecordNotFound"


async def test_update_sends_only_the_fields_passed(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line", phone_number_ids=[5])

    await zendesk_client.ivrs.update(ivr.id, phone_number_ids=[])

    assert last_body(zendesk_fake, "PUT") == {"ivr": {"phone_number_ids": []}}
    assert (await zendesk_client.ivrs.get(ivr.id)).name == "Line"


async def test_menu_crud_and_explicit_none_is_sent_as_null(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")

    menu = await zendesk_client.menus.create(ivr.id, name="Billing", greeting_id=777)
    assert isinstance(menu, IvrMenu)
    assert (menu.name, menu.default, menu.greeting_id) == ("Billing", False, 777)
    assert last_body(zendesk_fake, "POST") == {"ivr_menu": {"name": "Billing", "greeting_id": 777}}

    cleared = await zendesk_client.menus.update(ivr.id, menu.id, greeting_id=None)
    assert cleared.greeting_id is None
    assert last_body(zendesk_fake, "PUT") == {"ivr_menu": {"greeting_id": None}}

    renamed = await zendesk_client.menus.update(ivr.id, menu.id, name="Invoices")
    assert last_body(zendesk_fake, "PUT") == {"ivr_menu": {"name": "Invoices"}}
    assert renamed.name == "Invoices"
    assert await zendesk_client.menus.get(ivr.id, menu.id) == renamed

    await zendesk_client.menus.delete(ivr.id, menu.id)
    with pytest.raises(zendesk_ivr.NotFound):
        await zendesk_client.menus.get(ivr.id, menu.id)


async def test_route_crud_with_every_typed_option(zendesk_client: Client) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")
    main = ivr.default_menu
    assert main is not None
    other = await zendesk_client.menus.create(ivr.id, name="Other")
    options: dict[str, RouteOptions] = {
        "1": GroupOptions(group_ids=[101, 102], tags=["vip"]),
        "2": VoicemailOptions(group_ids=[103]),
        "3": PhoneNumberOptions(phone_number="+15551234567"),
        "4": TextbackOptions(textback_phone_number_id=9, sms_text="We will text you"),
        "5": MenuOptions(menu_id=other.id),
    }

    for keypress, opts in options.items():
        route = await zendesk_client.routes.create(ivr.id, main.id, keypress=keypress, options=opts)
        assert isinstance(route, IvrRoute)
        assert route.action == opts.action
        assert route.options == opts
        assert await zendesk_client.routes.get(ivr.id, main.id, route.id) == route

    listed = [r async for r in zendesk_client.routes.list(ivr.id, main.id)]
    assert {r.keypress: r.options for r in listed} == options


async def test_route_update_sends_the_action_with_typed_options(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")
    assert ivr.default_menu is not None
    menu_id = ivr.default_menu.id
    route = await zendesk_client.routes.create(
        ivr.id, menu_id, keypress="1", action="group", options={"group_ids": [1]}
    )
    assert last_body(zendesk_fake, "POST") == {
        "ivr_route": {"keypress": "1", "action": "group", "options": {"group_ids": [1]}}
    }

    updated = await zendesk_client.routes.update(
        ivr.id, menu_id, route.id, options=PhoneNumberOptions(phone_number="+4930123456")
    )

    assert last_body(zendesk_fake, "PUT") == {
        "ivr_route": {"action": "phone_number", "options": {"phone_number": "+4930123456"}}
    }
    assert updated.options == PhoneNumberOptions(phone_number="+4930123456")
    await zendesk_client.routes.delete(ivr.id, menu_id, route.id)
    assert [r async for r in zendesk_client.routes.list(ivr.id, menu_id)] == []


async def test_writes_never_carry_read_only_or_unset_fields(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")
    assert ivr.default_menu is not None
    menu = await zendesk_client.menus.create(ivr.id, name="M")
    await zendesk_client.routes.create(
        ivr.id, menu.id, keypress="1", options=GroupOptions(group_ids=[1])
    )
    await zendesk_client.menus.update(ivr.id, menu.id, name="N")
    await zendesk_client.ivrs.update(ivr.id, name="L2")

    writes = [r for r in zendesk_fake.requests if r.method in ("POST", "PUT")]
    assert len(writes) == 5
    for request in writes:
        (envelope,) = request.json.values()
        assert not READ_ONLY & set(envelope), request.json
        assert "UNSET" not in request.body.decode()
        assert request.header("Content-Type") == "application/json"


async def test_unknown_fields_and_unknown_actions_survive_a_round_trip(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    # A newer API: an action this version does not know and a field the docs do not list.
    newer = {
        "ivr_route": {
            "id": 5,
            "keypress": "7",
            "action": "callback",
            "options": {"queue_id": 3, "tags": ["x"]},
            "greeting": None,
            "option_text": None,
            "overflow_options": [],
            "added_later": {"anything": True},
        }
    }
    zendesk_fake.fail_next(200, body=json.dumps(newer), content_type="application/json")
    zendesk_fake.fail_next(200, body=json.dumps(newer), content_type="application/json")

    route = await zendesk_client.routes.get(1, 2, 5)
    await zendesk_client.routes.update(1, 2, 5, options=route.options)

    assert route.options == UnknownOptions(action="callback", data={"queue_id": 3, "tags": ["x"]})
    assert last_body(zendesk_fake, "PUT") == {
        "ivr_route": {"action": "callback", "options": {"queue_id": 3, "tags": ["x"]}}
    }


async def test_delete_accepts_200_with_body_and_204_without(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")
    assert ivr.default_menu is not None
    menu = await zendesk_client.menus.create(ivr.id, name="M")
    route = await zendesk_client.routes.create(
        ivr.id, menu.id, keypress="1", options=GroupOptions(group_ids=[1])
    )

    await zendesk_client.routes.delete(ivr.id, menu.id, route.id)  # 204, no body
    await zendesk_client.menus.delete(ivr.id, menu.id)  # 200 with the deleted menu

    statuses = [r.method for r in zendesk_fake.requests if r.method == "DELETE"]
    assert statuses == ["DELETE", "DELETE"]
    assert [m.id async for m in zendesk_client.menus.list(ivr.id)] == [ivr.default_menu.id]


async def test_record_invalid_keeps_details(zendesk_client: Client) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")
    assert ivr.default_menu is not None

    with pytest.raises(zendesk_ivr.RecordInvalid) as info:
        await zendesk_client.menus.delete(ivr.id, ivr.default_menu.id)

    assert info.value.status == 422
    assert info.value.error == "RecordInvalid"
    assert isinstance(info.value.details, dict)
    assert "base" in info.value.details
    assert info.value.request_id


@pytest.mark.parametrize(
    ("keypress", "options"),
    [
        ("1", GroupOptions(group_ids=[])),
        ("1", MenuOptions(menu_id=1)),
        ("1", UnknownOptions(action="teleport", data={})),
    ],
    ids=["no-group-ids", "menu-outside-ivr", "unknown-action"],
)
async def test_invalid_routes_raise_record_invalid(
    zendesk_client: Client, keypress: str, options: GroupOptions | MenuOptions | UnknownOptions
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")
    assert ivr.default_menu is not None
    with pytest.raises(zendesk_ivr.RecordInvalid) as info:
        await zendesk_client.routes.create(
            ivr.id, ivr.default_menu.id, keypress=keypress, options=options
        )
    assert info.value.details


async def test_duplicate_keypress_is_refused(zendesk_client: Client) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")
    assert ivr.default_menu is not None
    menu_id = ivr.default_menu.id
    await zendesk_client.routes.create(
        ivr.id, menu_id, keypress="1", options=GroupOptions(group_ids=[1])
    )

    with pytest.raises(zendesk_ivr.RecordInvalid):
        await zendesk_client.routes.create(
            ivr.id, menu_id, keypress="1", options=GroupOptions(group_ids=[2])
        )


async def test_blank_name_is_refused_by_the_server(zendesk_client: Client) -> None:
    with pytest.raises(zendesk_ivr.RecordInvalid) as info:
        await zendesk_client.ivrs.create(name="  ")
    assert "name" in info.value.details


@pytest.mark.parametrize("bad_id", [0, -3, "12", 1.5, True, None])
async def test_ids_must_be_positive_integers_and_nothing_is_sent(
    zendesk_client: Client, zendesk_fake: FakeZendesk, bad_id: object
) -> None:
    with pytest.raises(zendesk_ivr.InvalidArgument):
        await zendesk_client.ivrs.get(bad_id)  # type: ignore[arg-type]
    with pytest.raises(zendesk_ivr.InvalidArgument):
        zendesk_client.menus.list(bad_id)  # type: ignore[arg-type]
    with pytest.raises(zendesk_ivr.InvalidArgument):
        await zendesk_client.routes.delete(1, 1, bad_id)  # type: ignore[arg-type]
    assert zendesk_fake.requests == []


async def test_nonsense_fields_are_refused_before_sending(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    with pytest.raises(zendesk_ivr.InvalidArgument):
        await zendesk_client.ivrs.create(name="x", phone_number_ids="123")  # type: ignore[arg-type]
    with pytest.raises(zendesk_ivr.InvalidArgument):
        await zendesk_client.menus.create(1, name=5)  # type: ignore[arg-type]
    with pytest.raises(zendesk_ivr.InvalidArgument):
        await zendesk_client.routes.create(1, 1, keypress="1", options=[1, 2])  # type: ignore[arg-type]
    with pytest.raises(zendesk_ivr.InvalidArgument):
        await zendesk_client.routes.create(
            1, 1, keypress="1", action="voicemail", options=GroupOptions(group_ids=[1])
        )
    with pytest.raises(TypeError):
        await zendesk_client.menus.update(1, 1, default=True)  # type: ignore[call-arg]
    assert zendesk_fake.requests == []


async def test_unset_is_exported_and_means_not_sent(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Line")

    await zendesk_client.ivrs.update(ivr.id, name=UNSET, phone_number_ids=[3])

    assert last_body(zendesk_fake, "PUT") == {"ivr": {"phone_number_ids": [3]}}
