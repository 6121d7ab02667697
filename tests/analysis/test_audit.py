"""Every audit rule on a tree that triggers it and on one that does not; custom rules too."""

from __future__ import annotations

from collections.abc import Iterable

import attrs
import pytest

import zendesk_ivr
from zendesk_ivr import (
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    RouteOptions,
    TextbackOptions,
    VoicemailOptions,
)
from zendesk_ivr.analysis import AuditContext, Finding, Severity, audit_ivrs

GROUPS = AuditContext(group_ids=frozenset({10, 11}), greeting_ids=frozenset({500}))


def route(route_id: int, keypress: str, options: RouteOptions) -> IvrRoute:
    return IvrRoute(id=route_id, keypress=keypress, action=options.action, options=options)


def clean_ivr() -> Ivr:
    """An IVR every rule is happy with."""
    main = IvrMenu(
        id=1,
        name="Main menu",
        default=True,
        greeting_id=500,
        routes=(
            route(100, "1", GroupOptions(group_ids=[10])),
            route(101, "2", MenuOptions(menu_id=2)),
            route(102, "3", PhoneNumberOptions(phone_number="+15551234567")),
        ),
    )
    billing = IvrMenu(
        id=2,
        name="Billing",
        routes=(
            route(103, "1", VoicemailOptions(group_ids=[11])),
            route(104, "2", TextbackOptions(textback_phone_number_id=9, sms_text="Hi")),
        ),
    )
    return Ivr(id=7, name="Support", menus=(main, billing), phone_number_ids=(3,))


def rules_found(
    ivr: Ivr, context: AuditContext = GROUPS
) -> list[tuple[str, int | None, int | None]]:
    return [(f.rule, f.menu_id, f.route_id) for f in audit_ivrs([ivr], context=context)]


def with_menu(ivr: Ivr, index: int, **changes: object) -> Ivr:
    menus = list(ivr.menus)
    menus[index] = attrs.evolve(menus[index], **changes)  # type: ignore[arg-type]
    return attrs.evolve(ivr, menus=tuple(menus))


def with_route(ivr: Ivr, menu: int, index: int, options: RouteOptions) -> Ivr:
    routes = list(ivr.menus[menu].routes)
    routes[index] = attrs.evolve(routes[index], action=options.action, options=options)
    return with_menu(ivr, menu, routes=tuple(routes))


def test_a_clean_ivr_has_no_findings() -> None:
    assert audit_ivrs([clean_ivr()], context=GROUPS) == []


def test_no_default_menu_is_an_error() -> None:
    ivr = with_menu(clean_ivr(), 0, default=False)
    findings = audit_ivrs([ivr], context=GROUPS)
    assert [(f.rule, f.severity, f.ivr_id) for f in findings] == [
        ("default_menu", Severity.ERROR, 7)
    ]
    assert "no default menu" in findings[0].message


def test_two_default_menus_is_an_error() -> None:
    ivr = with_menu(clean_ivr(), 1, default=True)
    findings = audit_ivrs([ivr], context=GROUPS)
    assert [f.rule for f in findings] == ["default_menu"]
    assert "2 default menus" in findings[0].message


def test_a_menu_without_routes_is_flagged() -> None:
    ivr = with_menu(clean_ivr(), 1, routes=())
    assert rules_found(ivr) == [("empty_menu", 2, None)]


def test_a_route_to_a_menu_outside_the_ivr_is_a_dead_key() -> None:
    ivr = with_route(clean_ivr(), 0, 1, MenuOptions(menu_id=999))
    # Billing is now also unreachable: the dead key was the only way there.
    assert rules_found(ivr) == [("dead_key", 1, 101), ("unreachable_menu", 2, None)]


def test_a_menu_route_without_a_menu_id_is_a_dead_key() -> None:
    ivr = with_route(clean_ivr(), 0, 1, MenuOptions())
    assert ("dead_key", 1, 101) in rules_found(ivr)


def test_a_menu_no_key_leads_to_is_unreachable() -> None:
    ivr = with_route(clean_ivr(), 0, 1, GroupOptions(group_ids=[10]))
    findings = audit_ivrs([ivr], context=GROUPS)
    assert [(f.rule, f.severity, f.menu_id) for f in findings] == [
        ("unreachable_menu", Severity.WARNING, 2)
    ]


def test_reachability_follows_chains_and_cycles() -> None:
    ivr = clean_ivr()
    third = IvrMenu(id=3, name="Deep", routes=(route(105, "1", MenuOptions(menu_id=1)),))
    billing = attrs.evolve(
        ivr.menus[1], routes=(*ivr.menus[1].routes, route(106, "9", MenuOptions(menu_id=3)))
    )
    ivr = attrs.evolve(ivr, menus=(ivr.menus[0], billing, third))
    assert audit_ivrs([ivr], context=GROUPS) == []


@pytest.mark.parametrize("options", [GroupOptions(group_ids=[]), VoicemailOptions()])
def test_group_and_voicemail_routes_need_groups(options: RouteOptions) -> None:
    ivr = with_route(clean_ivr(), 0, 0, options)
    assert rules_found(ivr) == [("missing_group", 1, 100)]


def test_deleted_groups_are_found_only_when_groups_were_looked_up() -> None:
    ivr = with_route(clean_ivr(), 0, 0, GroupOptions(group_ids=[10, 404]))
    findings = audit_ivrs([ivr], context=GROUPS)
    assert [(f.rule, f.route_id) for f in findings] == [("unknown_group", 100)]
    assert "404" in findings[0].message
    assert audit_ivrs([ivr], context=AuditContext()) == []


@pytest.mark.parametrize(
    ("options", "missing"),
    [
        (TextbackOptions(sms_text="Hi"), "textback_phone_number_id"),
        (TextbackOptions(textback_phone_number_id=9), "SMS text"),
        (TextbackOptions(textback_phone_number_id=9, sms_text=""), "SMS text"),
    ],
)
def test_textback_routes_need_a_number_and_a_text(options: RouteOptions, missing: str) -> None:
    ivr = with_route(clean_ivr(), 1, 1, options)
    findings = audit_ivrs([ivr], context=GROUPS)
    assert [(f.rule, f.route_id) for f in findings] == [("incomplete_textback", 104)]
    assert missing in findings[0].message


@pytest.mark.parametrize(
    "number",
    [
        "555-0100",
        "15551234567",
        "+0123",
        "+1 555 123",
        "+15551234567 ext 2",  # a number that only starts right
        "+15551234567\n",
        None,
    ],
)
def test_phone_number_routes_need_e164(number: str | None) -> None:
    ivr = with_route(clean_ivr(), 0, 2, PhoneNumberOptions(phone_number=number))
    assert rules_found(ivr) == [("invalid_phone_number", 1, 102)]


def test_deleted_greetings_are_found_only_when_greetings_were_looked_up() -> None:
    ivr = with_menu(clean_ivr(), 0, greeting_id=501)
    findings = audit_ivrs([ivr], context=GROUPS)
    assert [(f.rule, f.severity, f.menu_id) for f in findings] == [
        ("unknown_greeting", Severity.WARNING, 1)
    ]
    assert audit_ivrs([ivr], context=AuditContext(group_ids=frozenset({10, 11}))) == []


def test_an_ivr_on_no_phone_number_is_never_reached() -> None:
    ivr = attrs.evolve(clean_ivr(), phone_number_ids=())
    findings = audit_ivrs([ivr], context=GROUPS)
    assert [(f.rule, f.severity, f.ivr_id, f.menu_id) for f in findings] == [
        ("no_phone_number", Severity.WARNING, 7, None)
    ]


def test_custom_rules_are_plain_functions() -> None:
    def no_vip_tags(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
        for menu in ivr.menus:
            if "vip" in menu.name.lower():
                yield Finding(
                    rule="vip_menu",
                    severity=Severity.INFO,
                    message=f"{menu.name} is a VIP menu",
                    ivr_id=ivr.id,
                    menu_id=menu.id,
                )

    ivr = with_menu(clean_ivr(), 1, name="VIP billing")
    rules = (*zendesk_ivr.analysis.DEFAULT_RULES, no_vip_tags)
    assert rules_found_with(ivr, rules) == [("vip_menu", 2, None)]


def rules_found_with(
    ivr: Ivr, rules: tuple[zendesk_ivr.analysis.Rule, ...]
) -> list[tuple[str, int | None, int | None]]:
    return [(f.rule, f.menu_id, f.route_id) for f in audit_ivrs([ivr], rules=rules)]


def test_findings_serialize_with_the_documented_keys() -> None:
    finding = Finding(rule="r", severity=Severity.ERROR, message="m", ivr_id=1)
    assert finding.as_dict() == {
        "rule": "r",
        "severity": "error",
        "ivr_id": 1,
        "menu_id": None,
        "route_id": None,
        "message": "m",
    }


def test_severities_order_error_over_warning_over_info() -> None:
    assert Severity.ERROR.rank > Severity.WARNING.rank > Severity.INFO.rank
