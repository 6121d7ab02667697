"""What each audit rule tells a person, word for word, and where the finding points."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest

import zendesk_ivr
from zendesk_ivr import (
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
from zendesk_ivr.analysis import AuditContext, Finding, Severity, audit_ivrs
from zendesk_ivr.analysis._rules import incomplete_route
from zendesk_ivr.testing import FakeZendesk


def route(route_id: int, keypress: str, action: str, options: RouteOptions) -> IvrRoute:
    return IvrRoute(id=route_id, keypress=keypress, action=action, options=options)


def messages(ivr: Ivr, context: AuditContext | None = None) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in audit_ivrs([ivr], context=context)]


def test_menu_rules_name_the_ivr_and_menu() -> None:
    main = IvrMenu(id=10, name="Main", default=True)
    other = IvrMenu(id=11, name="Other", default=True, greeting_id=99)
    ivr = Ivr(id=1, name="Line", menus=(main, other), phone_number_ids=(5,))
    assert messages(ivr, AuditContext(greeting_ids=frozenset({1}))) == [
        (
            "default_menu",
            "IVR 'Line' has 2 default menus ('Main', 'Other'); which one callers hear is undefined",
        ),
        (
            "empty_menu",
            "IVR 'Line', menu 'Main' has no routes: callers hear the greeting and nothing they "
            "press does anything",
        ),
        (
            "empty_menu",
            "IVR 'Line', menu 'Other' has no routes: callers hear the greeting and nothing they "
            "press does anything",
        ),
        (
            "unknown_greeting",
            "IVR 'Line', menu 'Other' uses greeting 99, which is not a greeting of the account",
        ),
    ]


def test_an_unreachable_menu_and_an_ivr_on_no_number_are_named() -> None:
    hidden = IvrMenu(
        id=11, name="Hidden", routes=(route(3, "1", "group", GroupOptions(group_ids=(7,))),)
    )
    main = IvrMenu(id=10, name="Main", default=True, routes=hidden.routes)
    ivr = Ivr(id=1, name="Line", menus=(main, hidden))
    assert messages(ivr) == [
        ("unreachable_menu", "IVR 'Line', menu 'Hidden' cannot be reached from the default menu"),
        ("no_phone_number", "IVR 'Line' is attached to no phone number: no call ever reaches it"),
    ]


def test_route_rules_name_the_ivr_menu_and_key() -> None:
    routes = (
        route(1, "1", "menu", MenuOptions(menu_id=404)),
        route(2, "2", "voicemail", VoicemailOptions(group_ids=())),
        route(3, "3", "group", GroupOptions(group_ids=(5, 6, 7))),
        route(4, "4", "textback", TextbackOptions(textback_phone_number_id=None, sms_text="")),
        route(5, "5", "phone_number", PhoneNumberOptions(phone_number="555-0100")),
        # Options the SDK could not read are left alone, whatever the action says.
        route(6, "6", "menu", UnknownOptions(action="menu", data={"menu_id": "x"})),
    )
    menu = IvrMenu(id=10, name="Main", default=True, routes=routes)
    ivr = Ivr(id=1, name="Line", menus=(menu,), phone_number_ids=(5,))
    where = "IVR 'Line', menu 'Main', key"
    findings = audit_ivrs([ivr], context=AuditContext(group_ids=frozenset({5})))
    assert [(f.rule, f.message) for f in findings] == [
        ("dead_key", f"{where} 1 goes to menu 404, which is not a menu of this IVR"),
        (
            "missing_group",
            f"{where} 2 is a voicemail route with no group_ids: nobody takes the call",
        ),
        ("unknown_group", f"{where} 3 sends calls to group(s) 6, 7, which no longer exist"),
        (
            "incomplete_textback",
            f"{where} 4 is a textback route without textback_phone_number_id or SMS text: the "
            "caller gets no text",
        ),
        (
            "invalid_phone_number",
            f"{where} 5 forwards to '555-0100', which is not an E.164 number like +15551234567",
        ),
    ]
    assert [(f.ivr_id, f.menu_id, f.route_id) for f in findings] == [
        (1, 10, r) for r in range(1, 6)
    ]


def test_a_route_read_without_keypress_or_action_is_named_for_what_it_lacks() -> None:
    routes = (
        route(1, "", "group", GroupOptions(group_ids=(5,))),
        route(2, "", "", UnknownOptions(action="", data={})),
    )
    menu = IvrMenu(id=10, name="Main", default=True, routes=routes)
    ivr = Ivr(id=1, name="Line", menus=(menu,), phone_number_ids=(5,))
    findings = audit_ivrs([ivr], rules=[incomplete_route])
    assert [(f.rule, f.severity, f.ivr_id, f.menu_id, f.route_id) for f in findings] == [
        ("incomplete_route", Severity.ERROR, 1, 10, 1),
        ("incomplete_route", Severity.ERROR, 1, 10, 2),
    ]
    assert [f.message for f in findings] == [
        "IVR 'Line', menu 'Main', key  has no keypress (null in the account's data): no caller "
        "can use it",
        "IVR 'Line', menu 'Main', key  has no keypress and no action (null in the account's "
        "data): no caller can use it",
    ]


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        yield server


async def test_extra_rules_run_after_the_built_in_ones(fake: FakeZendesk) -> None:
    (ivr_id,) = fake.seed(1)

    def named_seeded(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
        if ivr.name.startswith("Seeded"):
            yield Finding(rule="house_style", severity=Severity.INFO, message="x", ivr_id=ivr.id)

    async with Client(base_url=fake.url, email=fake.email, api_token=fake.api_token) as client:
        findings = await zendesk_ivr.analysis.audit(client, rules=(), extra_rules=[named_seeded])
    assert [(f.rule, f.ivr_id) for f in findings] == [("house_style", ivr_id)]
