"""Migrations: load_export, IdMap, plan on hand-built trees, and apply against the fake."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zendesk_ivr import (
    Client,
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    RecordInvalid,
    RouteOptions,
    TextbackOptions,
    VoicemailOptions,
)
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.migration import (
    ApplyFailed,
    DanglingReference,
    DesiredState,
    IdMap,
    InvalidExport,
    InvalidIdMap,
    JournalMismatch,
    Pending,
    Plan,
    PlanRefused,
    Step,
    UnmappedReference,
    apply,
    load_export,
    plan,
)
from zendesk_ivr.testing import DEMO_PROBLEMS, FakeZendesk, seed_demo_account

CONVERTER = make_converter()
WRITES = ("POST", "PUT", "DELETE")
_ids = itertools.count(1)


# --- building trees by hand -------------------------------------------------------------------


def route(keypress: str, options: RouteOptions, *, overflow: Sequence[Any] = ()) -> IvrRoute:
    return IvrRoute(
        id=next(_ids),
        keypress=keypress,
        action=options.action,
        options=options,
        overflow_options=tuple(overflow),
    )


def menu(
    name: str,
    *routes: IvrRoute,
    default: bool = False,
    greeting_id: int | None = None,
    menu_id: int | None = None,
) -> IvrMenu:
    return IvrMenu(
        id=next(_ids) if menu_id is None else menu_id,
        name=name,
        default=default,
        greeting_id=greeting_id,
        routes=routes,
    )


def ivr(name: str, *menus: IvrMenu, phones: Sequence[int] = ()) -> Ivr:
    return Ivr(id=next(_ids), name=name, menus=menus, phone_number_ids=tuple(phones))


def group(*ids: int) -> GroupOptions:
    return GroupOptions(group_ids=ids)


def keys(steps: Iterable[Step]) -> list[str]:
    return [step.key for step in steps]


def export_document(ivrs: Sequence[Ivr], base_url: str = "https://source.example/") -> Any:
    return {
        "format": "zendesk-ivr-export",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00Z",
        "source": {"base_url": base_url},
        "ivrs": CONVERTER.unstructure(tuple(ivrs), tuple[Ivr, ...]),
    }


def canonical(ivrs: Iterable[Ivr], id_map: IdMap | None = None) -> list[Any]:
    """The IVRs without ids (menu targets by menu name), references through *id_map*."""
    m = id_map or IdMap()
    shown = []
    for one in sorted(ivrs, key=lambda i: i.name):
        names = {x.id: x.name for x in one.menus}
        menus = []
        for x in one.menus:
            routes = []
            for r in sorted(x.routes, key=lambda r: r.keypress):
                options = CONVERTER.unstructure(r.options)
                if "group_ids" in options:
                    options["group_ids"] = [m.groups.get(g, g) for g in options["group_ids"]]
                if options.get("textback_phone_number_id") is not None:
                    phone = options["textback_phone_number_id"]
                    options["textback_phone_number_id"] = m.phone_numbers.get(phone, phone)
                if "menu_id" in options:
                    options["menu_id"] = names.get(options["menu_id"], "<dead>")
                routes.append([r.keypress, r.action, options, list(r.overflow_options)])
            greeting = x.greeting_id
            if isinstance(greeting, int):  # built-in greetings' string ids are not mapped
                greeting = m.greetings.get(greeting, greeting)
            menus.append([x.default, x.name, greeting, routes])
        menus.sort(key=lambda entry: (not entry[0], entry[1]))
        phones = sorted(m.phone_numbers.get(p, p) for p in one.phone_number_ids)
        shown.append([one.name, phones, menus])
    return shown


def served(fake: FakeZendesk, id_map: IdMap | None = None) -> list[Any]:
    """
    The IVRs the fake holds, read from the JSON it serves (never through the SDK's converter),
    in `canonical`'s shape; outside references through *id_map*.
    """
    m = id_map or IdMap()
    shown = []
    for ivr_id in fake.ivr_ids():
        raw = fake.ivr_json(ivr_id)
        names = {x["id"]: x["name"] for x in raw["menus"]}
        menus = []
        for x in raw["menus"]:
            routes = []
            for r in x["routes"]:
                options = dict(r["options"])
                if "group_ids" in options:
                    options["group_ids"] = [m.groups.get(g, g) for g in options["group_ids"]]
                if options.get("textback_phone_number_id") is not None:
                    phone = options["textback_phone_number_id"]
                    options["textback_phone_number_id"] = m.phone_numbers.get(phone, phone)
                if "menu_id" in options:
                    options["menu_id"] = names.get(options["menu_id"], "<dead>")
                routes.append([r["keypress"], r["action"], options, r["overflow_options"]])
            greeting = x["greeting_id"]
            menus.append(
                [
                    x["default"],
                    x["name"],
                    m.greetings.get(greeting, greeting),
                    sorted(routes, key=lambda entry: entry[0]),
                ]
            )
        menus.sort(key=lambda entry: (not entry[0], entry[1]))
        phones = sorted(m.phone_numbers.get(p, p) for p in raw["phone_number_ids"])
        shown.append([raw["name"], phones, menus])
    return sorted(shown, key=lambda entry: entry[0])


@pytest.fixture
async def target() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as fake:
        yield fake


@pytest.fixture
async def client(target: FakeZendesk) -> AsyncIterator[Client]:
    async with Client(base_url=target.url, email=target.email, api_token=target.api_token) as c:
        yield c


def writes(fake: FakeZendesk) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.json) for r in fake.requests if r.method in WRITES]


# --- load_export ------------------------------------------------------------------------------


def test_load_export_reads_the_export_format_from_a_file_and_a_mapping(tmp_path: Path) -> None:
    tree = ivr("Support", menu("Main menu", route("1", group(7)), default=True), phones=[3])
    document = export_document([tree])
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    from_file = load_export(path)
    from_mapping = load_export(document)

    assert from_file == from_mapping
    assert from_file.ivrs == (tree,)
    assert from_file.source_base_url == "https://source.example/"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "not a zendesk-ivr export: expected a JSON object"),
        ({"format": "something-else", "version": 1, "ivrs": []}, "format is 'something-else'"),
        ({"format": "zendesk-ivr-export", "version": 2, "ivrs": []}, "export version 2"),
        ({"format": "zendesk-ivr-export", "version": True, "ivrs": []}, "export version True"),
        ({"format": "zendesk-ivr-export", "version": 1, "ivrs": {}}, "ivrs must be a list"),
        (
            {"format": "zendesk-ivr-export", "version": 1, "source": 3, "ivrs": []},
            "source must be an object",
        ),
        (
            {"format": "zendesk-ivr-export", "version": 1, "ivrs": [{"id": 1, "name": 5}]},
            "$.ivrs[0].name",
        ),
    ],
)
def test_load_export_refuses_what_is_not_an_export(
    document: Any, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(InvalidExport) as caught:
        load_export(path)

    assert message in str(caught.value)


def test_load_export_names_unreadable_and_non_json_files(tmp_path: Path) -> None:
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json", encoding="utf-8")

    with pytest.raises(InvalidExport, match=r"missing\.json: No such file"):
        load_export(tmp_path / "missing.json")
    with pytest.raises(InvalidExport, match=r"garbled\.json is not JSON"):
        load_export(garbled)


# --- IdMap --------------------------------------------------------------------------------------


def test_id_map_reads_the_pinned_format_with_every_section_optional(tmp_path: Path) -> None:
    full = tmp_path / "full.json"
    full.write_text(
        json.dumps(
            {"groups": {"1": 10, "2": 20}, "greetings": {"3": 30}, "phone_numbers": {"4": 40}}
        ),
        encoding="utf-8",
    )
    partial = tmp_path / "partial.json"
    partial.write_text('{"greetings": {"3": 30}}', encoding="utf-8")

    assert IdMap.load(full) == IdMap(
        groups={1: 10, 2: 20}, greetings={3: 30}, phone_numbers={4: 40}
    )
    assert IdMap.load(partial) == IdMap(greetings={3: 30})
    assert IdMap.from_json(IdMap.load(full).to_json()) == IdMap.load(full)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a JSON object"),
        ({"group": {}}, "unknown section 'group'"),
        ({"groups": []}, "groups must be an object"),
        ({"groups": {"abc": 1}}, "key 'abc' is not an old id"),
        ({"groups": {"01": 1}}, "key '01' is not an old id"),
        ({"groups": {"1": "2"}}, "groups['1']: '2' is not a new id"),
        ({"greetings": {"1": True}}, "greetings['1']: True is not a new id"),
        ({"phone_numbers": {"1": 0}}, "phone_numbers['1']: 0 is not a new id"),
    ],
)
def test_id_map_refuses_anything_off_format(document: Any, message: str) -> None:
    with pytest.raises(InvalidIdMap) as caught:
        IdMap.from_json(document)

    assert message in str(caught.value)


def test_id_map_lists_every_problem_and_checks_python_values_too(tmp_path: Path) -> None:
    with pytest.raises(InvalidIdMap) as caught:
        IdMap.from_json({"groups": {"x": 1, "2": -1}, "extra": {}})
    bad = tmp_path / "bad.json"
    bad.write_text("nope", encoding="utf-8")

    assert len(caught.value.problems) == 3
    with pytest.raises(InvalidIdMap, match="not JSON"):
        IdMap.load(bad)
    with pytest.raises(InvalidIdMap, match="ids must be positive integers"):
        IdMap(groups={1: True})


# --- plan on hand-built trees ------------------------------------------------------------------


def test_a_tree_planned_against_itself_is_empty() -> None:
    tree = ivr(
        "Support",
        menu("Main menu", route("1", group(7)), default=True, greeting_id=4),
        phones=[3],
    )

    assert plan([tree], [tree], same_account=True).is_empty


def test_objects_match_by_name_and_keypress_never_by_id() -> None:
    billing_id = 900
    desired = ivr(
        "Support",
        menu("Main menu", route("1", MenuOptions(menu_id=billing_id)), default=True),
        menu("Billing", route("2", group(7)), menu_id=billing_id),
    )
    current_billing = menu("Billing", route("2", group(7)))
    current = ivr(
        "Support",
        menu("Main menu", route("1", MenuOptions(menu_id=current_billing.id)), default=True),
        current_billing,
    )

    assert desired.id != current.id
    assert plan([desired], [current], same_account=True).is_empty


def test_a_new_ivr_adopts_its_automatic_default_menu() -> None:
    desired = ivr(
        "Support",
        menu("Welcome", route("1", group(7)), default=True, greeting_id=4),
        phones=[3],
    )

    steps = plan([desired], [], same_account=True).steps

    assert [(s.action, s.key) for s in steps] == [
        ("create", "ivr[Support]"),
        ("update", "ivr[Support]/default-menu"),
        ("create", "ivr[Support]/default-menu/route[1]"),
    ]
    assert steps[0].fields == {"name": "Support", "phone_number_ids": [3]}
    # The automatic menu's name is in the account's language: name and greeting are always set.
    assert steps[1].fields == {"name": "Welcome", "greeting_id": 4}
    assert steps[1].ids == (Pending("ivr[Support]"), Pending("ivr[Support]/default-menu"))
    assert steps[2].ids == steps[1].ids
    assert steps[2].depends_on == ("ivr[Support]",)


def test_the_default_menu_matches_the_default_menu_whatever_its_name() -> None:
    current = ivr("Support", menu("Main menu", route("1", group(7)), default=True))
    desired = ivr("Support", menu("Hauptmenü", route("1", group(7)), default=True))

    (step,) = plan([desired], [current], same_account=True).steps

    assert (step.action, step.key) == ("update", "ivr[Support]/default-menu")
    assert step.fields == {"name": "Hauptmenü"}
    assert step.before == {"name": "Main menu"}
    assert step.ids == (current.id, current.menus[0].id)


def test_menu_targets_become_the_targets_menu_ids_and_new_menus_come_first() -> None:
    existing = menu("Sales", route("1", group(7)))
    current = ivr("Support", menu("Main menu", default=True), existing)
    sales_in_desired = menu("Sales", route("1", group(7)), menu_id=501)
    billing_in_desired = menu("Billing", route("1", group(8)), menu_id=502)
    desired = ivr(
        "Support",
        menu(
            "Main menu",
            route("1", MenuOptions(menu_id=501)),
            route("2", MenuOptions(menu_id=502)),
            default=True,
        ),
        sales_in_desired,
        billing_in_desired,
    )

    result = plan([desired], [current], same_account=True)

    to_sales = result.step("ivr[Support]/default-menu/route[1]")
    to_billing = result.step("ivr[Support]/default-menu/route[2]")
    assert to_sales.fields["options"] == {"menu_id": existing.id}
    assert to_sales.depends_on == ()
    assert to_billing.fields["options"] == {"menu_id": Pending("ivr[Support]/menu[Billing]")}
    assert to_billing.depends_on == ("ivr[Support]/menu[Billing]",)
    order = keys(result.steps)
    assert order.index("ivr[Support]/menu[Billing]") < order.index(to_billing.key)


def test_steps_come_in_a_deterministic_topological_order_with_levels() -> None:
    desired = [
        ivr(
            "B line",
            menu("Main menu", route("1", MenuOptions(menu_id=71)), default=True),
            menu("Next", route("1", group(7)), menu_id=71),
        ),
        ivr("A line", menu("Main menu", route("1", group(7)), default=True)),
    ]

    first = plan(desired, [], same_account=True)
    again = plan(desired, [], same_account=True)

    assert first == again
    assert first.fingerprint == again.fingerprint
    position = {step.key: index for index, step in enumerate(first.steps)}
    level = {step.key: step.level for step in first.steps}
    for step in first.steps:
        for dependency in step.depends_on:
            assert position[dependency] < position[step.key]
            assert level[dependency] < step.level
    assert [(s.level, s.key) for s in first.steps] == [
        (0, "ivr[B line]"),
        (0, "ivr[A line]"),
        (1, "ivr[B line]/default-menu"),
        (1, "ivr[B line]/menu[Next]"),
        (1, "ivr[A line]/default-menu"),
        (1, "ivr[A line]/default-menu/route[1]"),
        (2, "ivr[B line]/default-menu/route[1]"),
        (2, "ivr[B line]/menu[Next]/route[1]"),
    ]


def test_the_id_map_translates_every_outside_reference() -> None:
    desired = ivr(
        "Support",
        menu(
            "Main menu",
            route("1", group(1, 2)),
            route("2", VoicemailOptions(group_ids=(2,))),
            route("3", TextbackOptions(textback_phone_number_id=5, sms_text="hi")),
            route("4", PhoneNumberOptions(phone_number="+15550100")),
            default=True,
            greeting_id=3,
        ),
        phones=[4, 5],
    )
    id_map = IdMap(groups={1: 11, 2: 12}, greetings={3: 13}, phone_numbers={4: 14, 5: 15})

    result = plan([desired], [], id_map=id_map)

    assert result.step("ivr[Support]").fields["phone_number_ids"] == [14, 15]
    assert result.step("ivr[Support]/default-menu").fields["greeting_id"] == 13
    options = {
        s.key.rsplit("/", 1)[1]: s.fields["options"] for s in result.steps if s.kind == "route"
    }
    assert options == {
        "route[1]": {"group_ids": [11, 12]},
        "route[2]": {"group_ids": [12]},
        "route[3]": {"textback_phone_number_id": 15, "sms_text": "hi"},
        "route[4]": {"phone_number": "+15550100"},
    }


def test_a_plan_is_refused_with_every_unmapped_reference() -> None:
    desired = ivr(
        "Support",
        menu(
            "Main menu",
            route("1", group(1, 2)),
            route("2", VoicemailOptions(group_ids=(2,))),
            route("3", TextbackOptions(textback_phone_number_id=6, sms_text="hi")),
            route("4", MenuOptions(menu_id=99)),
            default=True,
            greeting_id=3,
        ),
        phones=[5],
    )

    with pytest.raises(PlanRefused) as caught:
        plan([desired], [], id_map=IdMap(groups={1: 11}))

    route_key = "ivr[Support]/default-menu/route[{}]".format
    assert caught.value.unmapped == (
        UnmappedReference("group", 2, (route_key(1), route_key(2))),
        UnmappedReference("greeting", 3, ("ivr[Support]/default-menu",)),
        UnmappedReference("phone_number", 5, ("ivr[Support]",)),
        UnmappedReference("phone_number", 6, (route_key(3),)),
    )
    # A route to a menu the IVR lacks is dangling: no id map entry could fix it.
    assert caught.value.dangling == (
        DanglingReference(
            kind="menu", id=99, ivr="Support", menu="Main menu", keypress="4", key=route_key(4)
        ),
    )
    assert str(caught.value) == (
        "plan refused: 1 dangling references to what does not exist where they come from "
        "(IVR 'Support', menu 'Main menu', key 4 -> menu 99); leave them out with skip_dangling "
        "(--skip-dangling); no id mapping for group 2, greeting 3, phone number 5, "
        "phone number 6 (add them to the id map)"
    )


def test_same_account_maps_references_to_themselves_unless_the_map_says_otherwise() -> None:
    desired = ivr(
        "Support",
        menu("Main menu", route("1", group(1, 2)), default=True, greeting_id=3),
        phones=[4],
    )

    result = plan([desired], [], id_map=IdMap(groups={2: 22}), same_account=True)

    assert result.step("ivr[Support]").fields["phone_number_ids"] == [4]
    assert result.step("ivr[Support]/default-menu").fields["greeting_id"] == 3
    assert result.step("ivr[Support]/default-menu/route[1]").fields["options"] == {
        "group_ids": [1, 22]
    }


def test_updates_send_only_the_writable_fields_that_differ() -> None:
    current = ivr(
        "Support",
        menu(
            "Main menu",
            route("1", group(7)),
            route("2", group(8), overflow=[{"x": 1}]),
            route("3", PhoneNumberOptions(phone_number="+15550100")),
            default=True,
            greeting_id=3,
        ),
        phones=[5, 4],
    )
    desired = ivr(
        "Support",
        menu(
            "Main menu",
            route("1", VoicemailOptions(group_ids=(7,))),
            route("2", group(8)),
            route("3", PhoneNumberOptions(phone_number="+15550100")),
            default=True,
            greeting_id=None,
        ),
        phones=[4, 5],  # the same numbers in another order: nothing to change
    )

    result = plan([desired], [current], same_account=True)

    assert [(s.action, s.key, dict(s.fields)) for s in result.steps] == [
        ("update", "ivr[Support]/default-menu", {"greeting_id": None}),
        (
            "update",
            "ivr[Support]/default-menu/route[1]",
            {"action": "voicemail", "options": {"group_ids": [7]}},
        ),
        ("update", "ivr[Support]/default-menu/route[2]", {"overflow_options": []}),
    ]
    assert result.steps[1].before == {"action": "group", "options": {"group_ids": [7]}}


def test_deletes_only_with_prune_and_never_of_a_default_menu() -> None:
    old_menu = menu("Old promotions", route("1", group(7)))
    current = [
        ivr(
            "Support",
            menu(
                "Main menu",
                route("1", group(7)),
                route("9", MenuOptions(menu_id=old_menu.id)),
                default=True,
            ),
            old_menu,
        ),
        ivr("Retired line", menu("Main menu", default=True)),
    ]
    desired = [ivr("Support", menu("Main menu", route("1", group(7)), default=True))]
    no_default = [ivr("Support", menu("Other", route("1", group(7))))]

    kept = plan(desired, current, same_account=True)
    pruned = plan(desired, current, same_account=True, prune=True)
    without_default = plan(no_default, current, same_account=True, prune=True)

    assert kept.is_empty
    assert [(s.action, s.key, s.depends_on) for s in pruned.steps] == [
        ("delete", "ivr[Support]/default-menu/route[9]", ()),
        ("delete", "ivr[Retired line]", ()),
        ("delete", "ivr[Support]/menu[Old promotions]", ("ivr[Support]/default-menu/route[9]",)),
    ]
    # The current default menu has no desired counterpart, yet stays: defaults are never deleted.
    assert [(s.action, s.key) for s in without_default.steps] == [
        ("create", "ivr[Support]/menu[Other]"),
        ("delete", "ivr[Support]/menu[Old promotions]"),
        ("delete", "ivr[Retired line]"),
        ("create", "ivr[Support]/menu[Other]/route[1]"),
    ]


def test_duplicates_and_ambiguous_matches_refuse_the_plan() -> None:
    twice = [ivr("Support", menu("Main menu", default=True)) for _ in range(2)]
    bad_menus = ivr(
        "Sales",
        menu("Main menu", route("1", group(7)), route("1", group(8)), default=True),
        menu("Billing"),
        menu("Billing"),
    )

    with pytest.raises(PlanRefused) as desired_twice:
        plan([*twice, bad_menus], [], same_account=True)
    with pytest.raises(PlanRefused) as current_twice:
        plan(twice[:1], twice, same_account=True)

    assert desired_twice.value.problems == (
        "2 IVRs named 'Support' in the desired state",
        "2 menus named 'Billing' in ivr[Sales]",
        "2 routes for key '1' in ivr[Sales]/default-menu",
    )
    assert current_twice.value.problems == ("2 IVRs of the account are named 'Support'",)


def test_describe_and_requests_show_placeholders_for_ids_not_known_yet() -> None:
    desired = ivr(
        "Support",
        menu("Main menu", route("1", MenuOptions(menu_id=601)), default=True),
        menu("Billing", menu_id=601),
    )
    result = plan([desired], [], same_account=True)

    lines = result.describe()
    requests = result.requests(base_url="https://acme.zendesk.com/proxy/")

    assert lines[0] == 'create ivr[Support] name="Support", phone_number_ids=[]'
    assert lines[1] == (
        'update ivr[Support]/default-menu name -> "Main menu", greeting_id -> null'
        "  (after ivr[Support])"
    )
    route_line = lines[-1]
    assert route_line == (
        'create ivr[Support]/default-menu/route[1] keypress="1", action="menu", '
        'options={"menu_id": "<id of ivr[Support]/menu[Billing]>"}  '
        "(after ivr[Support], ivr[Support]/menu[Billing])"
    )
    assert requests[-1].as_dict() == {
        "method": "POST",
        "path": "/proxy/api/v2/channels/voice/ivr/<id of ivr[Support]>/menus/"
        "<id of ivr[Support]/default-menu>/routes",
        "json": {
            "ivr_route": {
                "keypress": "1",
                "action": "menu",
                "options": {"menu_id": "<id of ivr[Support]/menu[Billing]>"},
            }
        },
    }
    assert result.requests(ids={"ivr[Support]": 5})[2].path.startswith(
        "/api/v2/channels/voice/ivr/5/menus"
    )


def test_a_plan_round_trips_through_json_with_the_same_fingerprint() -> None:
    desired = ivr(
        "Support",
        menu("Main menu", route("1", MenuOptions(menu_id=701)), default=True),
        menu("Billing", menu_id=701),
    )
    result = plan([desired], [], same_account=True)

    again = Plan.from_json(json.loads(json.dumps(result.to_json())))

    assert again == result
    assert again.fingerprint == result.fingerprint
    assert plan([desired], [], same_account=True, origin="job 1").origin == "job 1"
    assert plan([desired], [], same_account=False, id_map=IdMap()).origin != result.origin


def test_replace_group_repoints_group_and_voicemail_routes_only() -> None:
    tree = ivr(
        "Support",
        menu(
            "Main menu",
            route("1", group(1, 2)),
            route("2", VoicemailOptions(group_ids=(1,))),
            route("3", group(2)),
            default=True,
        ),
    )

    replaced = DesiredState([tree]).replace_group(1, 2)

    routes = replaced.ivrs[0].menus[0].routes
    assert [r.options for r in routes] == [group(2), VoicemailOptions(group_ids=(2,)), group(2)]


def test_desired_state_knows_the_account_it_came_from() -> None:
    state = DesiredState([], "http://127.0.0.1:8089/")

    assert state.came_from("http://127.0.0.1:8089")
    assert not state.came_from("http://127.0.0.1:8090/")
    assert not DesiredState([], "sandbox").came_from("http://127.0.0.1:8089/")


# --- apply against the fake ---------------------------------------------------------------------

UNMIGRATABLE = {
    # Trees the API itself would refuse to build (an export holding one is refused whole), or
    # that name deleted groups and greetings.
    "no_default_menu",
    "two_default_menus",
    "dead_key",
    "missing_group",
    "incomplete_textback",
    "invalid_phone_number",
    "unknown_group",
    "unknown_greeting",
}


async def test_an_export_of_one_account_applies_to_another_and_the_exports_match(
    target: FakeZendesk, client: Client
) -> None:
    assert set(DEMO_PROBLEMS) >= UNMIGRATABLE
    async with await FakeZendesk.start() as source:
        demo = seed_demo_account(source, ivrs=60)
        # Overflow options, which the demo leaves empty, go across as they are.
        source.put_ivr(
            {
                "name": "Overflowing",
                "phone_number_ids": [7],
                "menus": [
                    {
                        "name": "Main menu",
                        "default": True,
                        "routes": [
                            {
                                "keypress": "1",
                                "action": "group",
                                "options": {"group_ids": [demo.group_ids[0]]},
                                "overflow_options": [{"action": "voicemail"}],
                            }
                        ],
                    }
                ],
            }
        )
        async with Client(
            base_url=source.url, email=source.email, api_token=source.api_token
        ) as reader:
            for problem in UNMIGRATABLE:
                for ivr_id in demo.planted[problem]:
                    await reader.ivrs.delete(ivr_id)
            exported = (await reader.walk()).ivrs
        groups = {old: target.add_group(f"copy of {old}") for old in demo.group_ids}
        greetings = {old: target.add_greeting(f"copy of {old}") for old in demo.greeting_ids}
    phones = {
        p: p + 10_000
        for one in exported
        for p in [
            *one.phone_number_ids,
            *(
                r.options.textback_phone_number_id
                for m in one.menus
                for r in m.routes
                if isinstance(r.options, TextbackOptions) and r.options.textback_phone_number_id
            ),
        ]
    }
    id_map = IdMap(groups=groups, greetings=greetings, phone_numbers=phones)
    desired = load_export(export_document(exported, base_url=source.url))
    assert not desired.came_from(client.base_url)
    assert any(m.greeting_id for one in exported for m in one.menus)

    with pytest.raises(PlanRefused):
        plan(desired, await client.walk())
    result = plan(desired, await client.walk(), id_map=id_map)
    report = await apply(client, result)
    copied = await client.walk()

    assert report.ok
    assert len(report.done) == len(result.steps)
    # What each fake holds, read from its own JSON: the copy is the source, references mapped.
    assert served(target) == served(source, id_map)
    assert canonical(copied.ivrs) == canonical(exported, id_map)
    assert len(copied.ivrs) == len(exported) > 20

    target.clear_requests()
    again = plan(desired, copied, id_map=id_map)
    assert again.is_empty
    assert (await apply(client, again)).requests == 0
    assert target.requests == []


async def test_apply_again_with_its_journal_sends_no_write(
    target: FakeZendesk, client: Client, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    desired = ivr(
        "Support",
        menu("Main menu", route("1", MenuOptions(menu_id=801)), default=True),
        menu("Billing", route("1", group(7)), menu_id=801),
    )
    result = plan([desired], await client.walk(), same_account=True)

    first = await apply(client, result, journal=journal)
    target.clear_requests()
    second = await apply(client, result, journal=journal)
    replanned = plan([desired], await client.walk(), same_account=True)

    assert first.from_journal == ()
    assert second.done == second.from_journal == first.done
    assert second.created == first.created
    assert second.requests == 0
    assert writes(target) == []
    assert replanned.is_empty


async def test_a_dry_run_sends_nothing_and_lists_exactly_what_apply_sends(
    target: FakeZendesk, client: Client
) -> None:
    target.put_ivr(
        {
            "name": "Existing",
            "menus": [
                {
                    "name": "Main menu",
                    "default": True,
                    "routes": [{"keypress": "1", "action": "group", "options": {"group_ids": [7]}}],
                },
                {"name": "Old", "routes": []},
            ],
        }
    )
    desired = [
        ivr("Existing", menu("Main menu", route("1", group(8)), default=True)),
        ivr(
            "New line",
            menu("Welcome", route("1", MenuOptions(menu_id=901)), default=True, greeting_id=3),
            menu("Billing", route("2", VoicemailOptions(group_ids=(7,))), menu_id=901),
            phones=[1],
        ),
    ]
    current = await client.walk()
    (existing,) = current.ivrs
    old_menu = existing.menus[1]
    result = plan(desired, current, same_account=True, prune=True)
    target.clear_requests()

    dry = await apply(client, result, dry_run=True)
    assert target.requests == []
    report = await apply(client, result)

    assert dry.dry_run
    assert dry.requests == 0
    sent = Counter(json.dumps(w, sort_keys=True) for w in writes(target))
    filled = Counter(
        json.dumps([r.method, r.path, r.json], sort_keys=True)
        for r in result.requests(base_url=client.base_url, ids=report.created)
    )
    placeholders = Counter(json.dumps(r.as_dict(), sort_keys=True) for r in dry.planned)
    assert sent == filled
    assert placeholders == Counter(
        json.dumps(r.as_dict(), sort_keys=True) for r in result.requests(base_url=client.base_url)
    )
    old_menu_path = f"/api/v2/channels/voice/ivr/{existing.id}/menus/{old_menu.id}"
    assert ("DELETE", old_menu_path, None) in writes(target)


async def test_a_failing_step_stops_its_dependents_and_the_rest_finish(
    target: FakeZendesk, client: Client
) -> None:
    target.put_ivr(
        {
            "name": "Existing",
            "menus": [
                {
                    "name": "Main menu",
                    "default": True,
                    "routes": [{"keypress": "1", "action": "group", "options": {"group_ids": [7]}}],
                }
            ],
        }
    )
    desired = [
        ivr("Existing", menu("Main menu", route("1", group(8)), default=True)),
        ivr(
            "New line",
            menu(
                "Main menu",
                route("1", group(7)),
                route("2", MenuOptions(menu_id=911)),
                default=True,
            ),
            menu("Billing", route("1", group(7)), route("2", group(8)), menu_id=911),
        ),
    ]
    result = plan(desired, await client.walk(), same_account=True)
    target.fail_next(422, method="POST", path=r"/menus$")

    with pytest.raises(ApplyFailed) as caught:
        await apply(client, result)

    report = caught.value.report
    (failure,) = report.failed
    assert failure.key == "ivr[New line]/menu[Billing]"
    assert failure.error.startswith("RecordInvalid: ")
    assert isinstance(failure.exception, RecordInvalid)
    assert set(report.not_run) == {
        "ivr[New line]/default-menu/route[2]",
        "ivr[New line]/menu[Billing]/route[1]",
        "ivr[New line]/menu[Billing]/route[2]",
    }
    assert set(report.done) == {
        "ivr[Existing]/default-menu/route[1]",
        "ivr[New line]",
        "ivr[New line]/default-menu",
        "ivr[New line]/default-menu/route[1]",
    }
    assert set(report.done) | set(report.not_run) | {"ivr[New line]/menu[Billing]"} == set(
        keys(result.steps)
    )
    assert not any(
        path.endswith("/routes") and "Billing" in path for _m, path, _b in writes(target)
    )
    assert "1 step failed (ivr[New line]/menu[Billing]: RecordInvalid" in str(caught.value)


async def test_a_journal_of_another_plan_or_account_is_refused_before_sending(
    target: FakeZendesk, client: Client, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    one = plan([ivr("One", menu("Main menu", default=True))], [], same_account=True)
    two = plan([ivr("Two", menu("Main menu", default=True))], [], same_account=True)
    await apply(client, one, journal=journal)
    target.clear_requests()

    with pytest.raises(JournalMismatch, match="written for a different plan"):
        await apply(client, two, journal=journal)
    async with await FakeZendesk.start() as elsewhere:
        async with Client(
            base_url=elsewhere.url, email=elsewhere.email, api_token=elsewhere.api_token
        ) as other:
            with pytest.raises(JournalMismatch, match="records an apply to"):
                await apply(other, one, journal=journal)
        assert elsewhere.requests == []
    assert target.requests == []


# --- property: plan(B, A) applied to A gives B ----------------------------------------------

IVR_NAMES = ("Support", "Sales")
DEFAULT_NAMES = ("Main menu", "Welcome")
MENU_NAMES = ("Welcome", "Billing", "Sales")
KEYS = ("1", "2", "3", "*")
PHONES = (101, 102, 103)

# Overflow options are sent as they are; their element shape is undocumented.
OVERFLOWS = st.sampled_from([[], [{"action": "voicemail"}], [{"timeout": 30}, {"x": None}]])

# An abstract route: (action, argument) with groups and greetings as indices into the fake's.
route_specs = st.one_of(
    st.tuples(
        st.sampled_from(["group", "voicemail"]),
        st.lists(st.sampled_from([0, 1]), min_size=1, max_size=2, unique=True),
    ),
    st.tuples(st.just("phone_number"), st.sampled_from(["+15550100", "+15550101"])),
    st.tuples(st.just("textback"), st.sampled_from(PHONES[:2])),
    st.tuples(st.just("menu"), st.integers(min_value=0, max_value=2)),
)


@st.composite
def ivr_specs(draw: st.DrawFn, name: str) -> dict[str, Any]:
    default_name = draw(st.sampled_from(DEFAULT_NAMES))
    others = [n for n in MENU_NAMES if n != default_name]
    names = [default_name, *draw(st.lists(st.sampled_from(others), unique=True, max_size=2))]
    menus = []
    for menu_name in names:
        menu_keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=3))
        routes = []
        for key in menu_keys:
            action, argument = draw(route_specs)
            if action == "menu":
                argument %= len(names)
            routes.append((key, action, argument, draw(OVERFLOWS)))
        menus.append(
            {"name": menu_name, "greeting": draw(st.sampled_from([None, 0, 1])), "routes": routes}
        )
    phones = draw(st.lists(st.sampled_from(PHONES), unique=True, max_size=2))
    return {"name": name, "phones": phones, "menus": menus}


@st.composite
def tree_specs(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(st.sampled_from(IVR_NAMES), unique=True, max_size=2))
    return [draw(ivr_specs(name)) for name in names]


def options_json(action: str, argument: Any, groups: Sequence[int], menu_ref: Any) -> Any:
    if action in ("group", "voicemail"):
        return {"group_ids": [groups[i] for i in argument]}
    if action == "phone_number":
        return {"phone_number": argument}
    if action == "textback":
        return {"textback_phone_number_id": argument, "sms_text": "Thanks for calling"}
    return {"menu_id": menu_ref}


def planted(spec: dict[str, Any], groups: Sequence[int], greetings: Sequence[int]) -> Any:
    """The spec in put_ivr's JSON, menu targets as ``@menu:<index>``."""
    return {
        "name": spec["name"],
        "phone_number_ids": spec["phones"],
        "menus": [
            {
                "name": m["name"],
                "default": index == 0,
                "greeting_id": None if m["greeting"] is None else greetings[m["greeting"]],
                "routes": [
                    {
                        "keypress": key,
                        "action": action,
                        "options": options_json(action, arg, groups, f"@menu:{arg}"),
                        "overflow_options": overflow,
                    }
                    for key, action, arg, overflow in m["routes"]
                ],
            }
            for index, m in enumerate(spec["menus"])
        ],
    }


def modelled(spec: dict[str, Any], groups: Sequence[int], greetings: Sequence[int]) -> Ivr:
    """The spec as a desired IVR, with ids of its own (as an export from elsewhere has)."""
    menu_ids = [next(_ids) for _ in spec["menus"]]
    raw = planted(spec, groups, greetings)
    raw["id"] = next(_ids)
    for menu_id, m in zip(menu_ids, raw["menus"], strict=True):
        m["id"] = menu_id
        for r in m["routes"]:
            r["id"] = next(_ids)
            if r["action"] == "menu":
                r["options"]["menu_id"] = menu_ids[int(r["options"]["menu_id"].split(":")[1])]
    return CONVERTER.structure(raw, Ivr)


def expected_served(
    specs: Sequence[dict[str, Any]], groups: Sequence[int], greetings: Sequence[int]
) -> list[Any]:
    """The specs as the fake should serve them, in `served`'s shape, written from the specs."""
    shown = []
    for spec in specs:
        names = [m["name"] for m in spec["menus"]]
        menus = [
            [
                index == 0,
                m["name"],
                None if m["greeting"] is None else greetings[m["greeting"]],
                sorted(
                    (
                        [key, action, options_json(action, arg, groups, menu_name), overflow]
                        for key, action, arg, overflow in m["routes"]
                        for menu_name in [names[arg] if action == "menu" else None]
                    ),
                    key=lambda entry: entry[0],
                ),
            ]
            for index, m in enumerate(spec["menus"])
        ]
        menus.sort(key=lambda entry: (not entry[0], entry[1]))
        shown.append([spec["name"], sorted(spec["phones"]), menus])
    return sorted(shown, key=lambda entry: entry[0])


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=tree_specs(), b=tree_specs())
async def test_applying_plan_b_to_a_gives_b_and_planning_again_is_empty(
    a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> None:
    async with await FakeZendesk.start() as fake:
        groups = [fake.add_group("One"), fake.add_group("Two")]
        greetings = [fake.add_greeting("Hello"), fake.add_greeting("Hola")]
        for spec in a:
            fake.put_ivr(planted(spec, groups, greetings))
        desired = [modelled(spec, groups, greetings) for spec in b]
        async with Client(base_url=fake.url, email=fake.email, api_token=fake.api_token) as c:
            before = await c.walk()
            await apply(c, plan(desired, before, prune=True, same_account=True))
            after = await c.walk()
        held = served(fake)

    assert held == expected_served(b, groups, greetings)
    assert canonical(after.ivrs) == canonical(desired)
    assert plan(desired, after, prune=True, same_account=True).is_empty
