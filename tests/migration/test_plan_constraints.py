"""
Everything the API documents as constrained is checked before the first write: when an export
is loaded and when a plan is made, every problem listed with its JSON path, nothing sent.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import fake_env, run_script
from zendesk_ivr import (
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    RouteOptions,
    TextbackOptions,
)
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.migration import (
    IdMap,
    InvalidExport,
    Plan,
    PlanRefused,
    load_export,
    plan,
)
from zendesk_ivr.migration._constraints import Problem, route_problems, tree_problems
from zendesk_ivr.migration._steps import default_menu_key
from zendesk_ivr.testing import FakeZendesk
from zendesk_ivr.testing._render import render_ivr
from zendesk_ivr.testing._rules import ApiError
from zendesk_ivr.testing._state import Store

CONVERTER = make_converter()


def export_of(*ivrs: Any, references: Any = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "zendesk-ivr-export",
        "version": 1,
        "source": {"base_url": "https://source.zendesk.com"},
        "ivrs": list(ivrs),
    }
    if references is not None:
        document["references"] = references
    return document


def ivr_json(*routes: Any, menus: Any = None) -> dict[str, Any]:
    main = {"id": 2, "name": "Main", "default": True, "routes": list(routes)}
    return {"id": 1, "name": "Support", "menus": [main, *(menus or [])]}


def route_json(keypress: Any, action: str, options: Any, route_id: int = 3) -> dict[str, Any]:
    return {"id": route_id, "keypress": keypress, "action": action, "options": options}


# --- the rules, one by one, with their paths -------------------------------------------------

ROUTE = "$.ivrs[0].menus[0].routes[0]"


@pytest.mark.parametrize(
    ("route", "problem"),
    [
        (
            route_json("10", "group", {"group_ids": [5]}),
            Problem(f"{ROUTE}.keypress", "keypress '10' is not one of 0-9, *, # or default"),
        ),
        (
            route_json(None, "group", {"group_ids": [5]}),
            Problem(f"{ROUTE}.keypress", "keypress None is not one of 0-9, *, # or default"),
        ),
        (
            route_json("1", "group", {"group_ids": []}),
            Problem(f"{ROUTE}.options.group_ids", "a group route needs at least one group"),
        ),
        (
            route_json("1", "voicemail", None),
            Problem(f"{ROUTE}.options.group_ids", "a voicemail route needs at least one group"),
        ),
        (
            route_json("1", "phone_number", {"phone_number": "+15551234567 ext 2"}),
            Problem(
                f"{ROUTE}.options.phone_number",
                "phone number '+15551234567 ext 2' is not in E.164 form, such as +15551234567",
            ),
        ),
        (
            route_json("1", "textback", {"sms_text": "Hi"}),
            Problem(
                f"{ROUTE}.options.textback_phone_number_id",
                "a textback route needs the id of the Talk number to text from",
            ),
        ),
        (
            route_json("1", "textback", {"textback_phone_number_id": 9, "sms_text": "  "}),
            Problem(f"{ROUTE}.options.sms_text", "a textback route needs a text to send"),
        ),
        (
            route_json("1", "menu", {"menu_id": None}),
            Problem(f"{ROUTE}.options.menu_id", "a menu route needs the id of the menu to go to"),
        ),
        (
            route_json("1", "", {"group_ids": [5]}),
            Problem(f"{ROUTE}.action", "a route needs an action"),
        ),
    ],
    ids=[
        "keypress-10",
        "keypress-null",
        "no-groups",
        "voicemail-null-options",
        "not-e164",
        "textback-no-number",
        "textback-blank-text",
        "menu-no-target",
        "no-action",
    ],
)
def test_an_export_holding_what_zendesk_refuses_is_refused_with_its_json_path(
    route: dict[str, Any], problem: Problem
) -> None:
    with pytest.raises(InvalidExport) as refused:
        load_export(export_of(ivr_json(route)))

    assert refused.value.problems == (str(problem),)
    assert str(refused.value) == f"export: 1 invalid value: {problem}"


def test_every_problem_of_an_export_is_listed_at_once() -> None:
    routes = [
        route_json("10", "group", {"group_ids": [5]}, 3),
        route_json("1", "group", {"group_ids": []}, 4),
        route_json("1", "textback", {}, 5),
    ]
    second = {"id": 7, "name": " ", "default": True, "greeting_id": "123", "routes": []}
    document = export_of(ivr_json(*routes, menus=[second]), {"id": 8, "name": "B", "menus": []})

    with pytest.raises(InvalidExport) as refused:
        load_export(document)

    at = "$.ivrs[0].menus"
    assert refused.value.problems == (
        f"2 menus are the default; an IVR has exactly one default menu @ {at}",
        f"keypress '10' is not one of 0-9, *, # or default @ {at}[0].routes[0].keypress",
        f"a group route needs at least one group @ {at}[0].routes[1].options.group_ids",
        "a textback route needs the id of the Talk number to text from"
        f" @ {at}[0].routes[2].options.textback_phone_number_id",
        f"a textback route needs a text to send @ {at}[0].routes[2].options.sms_text",
        f"key '1' is already answered by another route of this menu @ {at}[0].routes[2].keypress",
        f"a menu needs a name @ {at}[1].name",
        "greeting_id '123' is neither an uploaded greeting's id (an integer) nor a built-in"
        f" one's (a word such as 'ivr_none') @ {at}[1].greeting_id",
        "no menu is the default; an IVR has exactly one default menu @ $.ivrs[1].menus",
    )
    assert str(refused.value).endswith("; and 4 more")


def test_an_export_of_valid_values_loads_and_the_older_sms_key_counts() -> None:
    routes = [
        route_json(key, action, options, i)
        for i, (key, action, options) in enumerate(
            [
                ("1", "group", {"group_ids": [5, 6]}),
                ("2", "voicemail", {"group_ids": [5]}),
                ("3", "phone_number", {"phone_number": "+442071838750"}),
                ("4", "textback", {"textback_phone_number_id": 9, "sms_textstring": "Hi"}),
                ("5", "menu", {"menu_id": 99}),  # dangling: a plan's business, not the file's
                ("default", "future_action", {"anything": [1, {"goes": None}]}),
            ],
            start=10,
        )
    ]
    assert tree_problems(export_of(ivr_json(*routes))["ivrs"]) == []
    assert len(load_export(export_of(ivr_json(*routes))).ivrs[0].menus[0].routes) == 6


def test_a_menu_target_is_checked_against_the_menus_given() -> None:
    menu_route = route_json("1", "menu", {"menu_id": 99})
    assert route_problems(menu_route, "$", menu_ids={10, 11}) == [
        Problem("$.options.menu_id", "menu 99 is not a menu of this IVR")
    ]
    assert route_problems(menu_route, "$", menu_ids={99}) == []


# --- plan: every body a step sends ----------------------------------------------------------


def route(route_id: int, keypress: str, options: RouteOptions) -> IvrRoute:
    return IvrRoute(id=route_id, keypress=keypress, action=options.action, options=options)


def support(*routes: IvrRoute, default: bool = True, name: str = "Support") -> Ivr:
    main = IvrMenu(id=10, name="Main", default=default, routes=routes)
    billing = IvrMenu(id=11, name="Billing")
    return Ivr(id=1, name=name, menus=(main, billing))


@pytest.mark.parametrize(
    ("desired", "problem"),
    [
        (
            support(route(20, "10", GroupOptions(group_ids=(5,)))),
            "keypress '10' is not one of 0-9, *, # or default"
            " @ $.ivrs[0].menus[0].routes[0].keypress",
        ),
        (
            support(route(20, "1", GroupOptions())),
            "a group route needs at least one group"
            " @ $.ivrs[0].menus[0].routes[0].options.group_ids",
        ),
        (
            support(route(20, "1", PhoneNumberOptions(phone_number="555-0100"))),
            "phone number '555-0100' is not in E.164 form, such as +15551234567"
            " @ $.ivrs[0].menus[0].routes[0].options.phone_number",
        ),
        (
            support(route(20, "1", TextbackOptions(textback_phone_number_id=9))),
            "a textback route needs a text to send @ $.ivrs[0].menus[0].routes[0].options.sms_text",
        ),
        (
            support(route(20, "1", MenuOptions(menu_id=None))),
            "a menu route needs the id of the menu to go to"
            " @ $.ivrs[0].menus[0].routes[0].options.menu_id",
        ),
        (
            support(default=False),
            "no menu is the default; an IVR has exactly one default menu @ $.ivrs[0].menus",
        ),
        (support(name=""), "an IVR needs a name @ $.ivrs[0].name"),
    ],
    ids=[
        "keypress",
        "no-groups",
        "not-e164",
        "textback-no-text",
        "menu-no-target",
        "no-default",
        "no-name",
    ],
)
def test_a_plan_that_would_send_what_zendesk_refuses_is_refused_whole(
    desired: Ivr, problem: str
) -> None:
    with pytest.raises(PlanRefused) as refused:
        plan([desired], [], same_account=True)

    assert refused.value.problems == (problem,)
    assert refused.value.to_json()["problems"] == [problem]


def test_what_the_plan_leaves_alone_is_not_its_business() -> None:
    """An account holding a route Zendesk would refuse now: a plan that does not touch it."""
    broken = support(route(20, "1", GroupOptions()))
    desired = attrs_evolve_name(broken, "Support")
    assert plan([desired], [broken], same_account=True).is_empty


def attrs_evolve_name(ivr: Ivr, name: str) -> Ivr:
    return Ivr(id=ivr.id, name=name, menus=ivr.menus, phone_number_ids=ivr.phone_number_ids)


# --- --skip-dangling never leaves a route invalid --------------------------------------------


def test_a_group_route_whose_groups_all_dangle_is_skipped_whole_and_listed() -> None:
    routes = [
        route_json("1", "group", {"group_ids": [2]}, 3),  # its only group dangles
        route_json("2", "voicemail", {"group_ids": [1, 2]}, 4),  # one of two dangles
        route_json("3", "group", {"group_ids": [1]}, 5),
    ]
    references = {"groups": {"1": "Support"}, "greetings": {}, "phone_numbers": {}}
    desired = load_export(export_of(ivr_json(*routes), references=references))

    steps = plan(desired, [], id_map=IdMap(groups={1: 11}), skip_dangling=True)

    main = default_menu_key("ivr[Support]")
    assert [d.describe() for d in steps.skipped] == [
        f"skip {main}/route[1]: group 2 was not in the source account",
        f"skip {main}/route[2]: group 2 was not in the source account",
    ]
    assert [s.key for s in steps.steps if s.kind == "route"] == [f"{main}/route[3]"]
    for request in steps.requests():
        assert request.json is None or request.json.get("ivr_route", {}).get("options") != {
            "group_ids": []
        }


# --- the command line: refused before any request --------------------------------------------


async def test_apply_of_an_export_with_keypress_10_exits_2_before_any_request(
    tmp_path: Path,
) -> None:
    routes = [
        route_json("1", "group", {"group_ids": [5]}, 3),
        route_json("10", "group", {"group_ids": [5]}, 4),
    ]
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(export_of(ivr_json(*routes))), encoding="utf-8")
    async with await FakeZendesk.start() as fake:
        env = fake_env(fake)
        results = [
            await run_script(command, str(exported), *extra, env=env)
            for command, extra in (("plan", ()), ("apply", ("--yes",)), ("map", ()))
        ]
        assert fake.requests == []

    for code, out, err in results:
        assert (code, out) == (2, "")
        assert err == (
            f"zendesk-ivr: error: {exported}: 1 invalid value: keypress '10' is not one of 0-9,"
            " *, # or default @ $.ivrs[0].menus[0].routes[1].keypress\n"
        )


@pytest.mark.parametrize("levels", [600, 750, 990])
@pytest.mark.parametrize("command", ["plan", "apply", "map"])
async def test_a_file_nested_600_to_990_deep_ends_in_one_typed_line(
    tmp_path: Path, command: str, levels: int
) -> None:
    """An unknown action's options nested deep: never a RecursionError (exit 3)."""
    document = export_of(ivr_json(route_json("1", "future", 1)))
    deep = '{"x":' * levels + "1" + "}" * levels
    text = json.dumps(document).replace('"options": 1', f'"options": {deep}')
    assert text.count('"x"') == levels
    exported = tmp_path / "export.json"
    exported.write_text(text, encoding="utf-8")
    async with await FakeZendesk.start() as fake:
        extra = ("--yes",) if command == "apply" else ()
        code, out, err = await run_script(command, str(exported), *extra, env=fake_env(fake))
        assert fake.requests == []

    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert re.search(r"nested (more than 32 levels|too) deep", err), err


# --- property: whatever a plan sends, the fake's validators accept -----------------------------

GROUPS = [501, 502]
PHONES = [701, 702]

# Valid values; or, in one tree of two, invalid ones of one kind now and then (an invalid
# value of one kind is what the checks must catch each time, not only beside others).
VALID: dict[str, list[Any]] = {
    "keypress": ["1", "2", "3", "*", "default"],
    "greeting": [601, "ivr_none", None],
    "number": ["+15550100", "+442071838750"],
    "name": ["Support", "Sales"],
    "menu": ["Main", "Billing", "Sales"],
    "text": ["Hi"],
    "textback_from": [*PHONES],
    "defaults": [1],
}
INVALID: dict[str, list[Any]] = {
    "keypress": ["10", ""],
    "greeting": ["12"],
    "number": ["555-0100", None],
    "name": [""],
    "menu": [""],
    "text": ["", None],
    "textback_from": [None],
    "defaults": [0, 2],
    "group_ids": [[]],
    "options": [None],
}
ACTIONS = ["group", "voicemail", "phone_number", "textback", "menu"]

_ids = itertools.count(10_000)


def values(kind: str, broken: str | None) -> st.SearchStrategy[Any]:
    """A valid value of *kind*; when *kind* is the *broken* one, now and then an invalid one."""
    valid = st.sampled_from(VALID[kind])
    if kind != broken:
        return valid
    return st.one_of(valid, valid, st.sampled_from(INVALID[kind]))


@st.composite
def options_json(draw: st.DrawFn, action: str, menu_count: int, broken: str | None) -> Any:
    """Options for *action*; a menu target is a menu of the IVR by position, or one it lacks."""
    if broken == "options" and draw(st.booleans()):
        return None
    if action in ("group", "voicemail"):
        groups = st.lists(st.sampled_from([*GROUPS, 503]), min_size=1, max_size=2, unique=True)
        return {"group_ids": draw(groups | st.just([]) if broken == "group_ids" else groups)}
    if action == "phone_number":
        return {"phone_number": draw(values("number", broken))}
    if action == "textback":
        return {
            "textback_phone_number_id": draw(values("textback_from", broken) | st.just(703)),
            "sms_text": draw(values("text", broken)),
        }
    target = draw(st.sampled_from([*range(menu_count)] * 3 + [99]))
    return {"menu_id": f"@menu:{target}" if target < menu_count else target}


@st.composite
def ivrs_json(draw: st.DrawFn, *, min_size: int = 0) -> list[dict[str, Any]]:
    """IVRs in the API's JSON, menu targets by position (``@menu:N``), ids left out."""
    broken = draw(st.sampled_from([None] * len(INVALID) + list(INVALID)))
    ivrs = []
    names = st.lists(values("name", broken), min_size=min_size, max_size=2, unique=True)
    for name in draw(names):
        menu_names = draw(st.lists(values("menu", broken), min_size=1, max_size=3, unique=True))
        defaults = draw(values("defaults", broken))
        menus = []
        for index, menu_name in enumerate(menu_names):
            keypresses = st.lists(
                values("keypress", broken), max_size=4, unique=broken != "keypress"
            )
            routes = [
                {
                    "keypress": keypress,
                    "action": action,
                    "options": draw(options_json(action, len(menu_names), broken)),
                }
                for keypress in draw(keypresses)
                for action in [draw(st.sampled_from(ACTIONS))]
            ]
            menus.append(
                {
                    "name": menu_name,
                    "default": index < defaults,
                    "greeting_id": draw(values("greeting", broken)),
                    "routes": routes,
                }
            )
        phones = draw(st.lists(st.sampled_from([*PHONES, 703]), max_size=2, unique=True))
        ivrs.append({"name": name, "phone_number_ids": phones, "menus": menus})
    return ivrs


def with_ids(ivrs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The IVRs as an export holds them: ids of their own, menu targets as those ids."""
    ivrs = copy.deepcopy(ivrs)
    for ivr in ivrs:
        ivr["id"] = next(_ids)
        menu_ids = [next(_ids) for _ in ivr["menus"]]
        for menu_id, menu in zip(menu_ids, ivr["menus"], strict=True):
            menu["id"] = menu_id
            for r in menu["routes"]:
                r["id"] = next(_ids)
                target = (r["options"] or {}).get("menu_id")
                if isinstance(target, str):
                    r["options"]["menu_id"] = menu_ids[int(target.split(":")[1])]
    return ivrs


def run_on(store: Store, steps: Plan) -> None:
    """Send every request of *steps*, in order, to the fake's store: its validators judge."""
    ids: dict[str, int] = {}
    for step in steps.steps:
        request = step.request(ids=ids)
        numbers = [int(part) for part in request.path.split("/") if part.isdigit()]
        body: Mapping[str, Any] = next(iter(request.json.values())) if request.json else {}
        sent = [body] if step.action == "update" else []
        if step.action == "create" and step.kind == "ivr":
            record = store.create_ivr(body)
            ids[step.key] = record.id
            (default,) = [m for m in record.menus.values() if m.default]
            ids[default_menu_key(step.key)] = default.id
        elif step.action == "create" and step.kind == "menu":
            ids[step.key] = store.create_menu(numbers[-1], body).id
        elif step.action == "create":
            ivr_id, menu_id = numbers[-2:]
            ids[step.key] = store.create_route(ivr_id, menu_id, body).id
        else:
            located = {"ivr": numbers[-1:], "menu": numbers[-2:], "route": numbers[-3:]}
            getattr(store, f"{step.action}_{step.kind}")(*located[step.kind], *sent)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    desired=ivrs_json(min_size=1),
    current=ivrs_json(),
    id_map=st.builds(
        IdMap,
        groups=st.dictionaries(
            st.sampled_from([*GROUPS, 503]), st.sampled_from([801, 802]), min_size=2
        ),
        greetings=st.dictionaries(st.just(601), st.just(901)),
        phone_numbers=st.dictionaries(st.sampled_from([*PHONES, 703]), st.just(711), min_size=2),
    ),
    with_references=st.booleans(),
    options=st.fixed_dictionaries(
        {"same_account": st.booleans(), "prune": st.booleans(), "skip_dangling": st.booleans()}
    ),
)
def test_every_request_of_a_plan_is_accepted_by_the_fakes_validators(
    desired: list[dict[str, Any]],
    current: list[dict[str, Any]],
    id_map: IdMap,
    with_references: bool,
    options: dict[str, bool],
) -> None:
    references = None
    if with_references:
        # The source had groups 501 and 502, greeting 601, numbers 701 and 702: 503 and 703 dangle.
        references = {
            "groups": {str(g): f"G{g}" for g in GROUPS},
            "greetings": {"601": "Hello"},
            "phone_numbers": {str(p): f"+1555{p}" for p in PHONES},
        }
    try:
        state = load_export(export_of(*with_ids(desired), references=references))
    except InvalidExport:
        event("refused on load")
        return
    store = Store()
    for ivr in current:
        store.put_ivr(ivr)
    tree = CONVERTER.structure(
        [render_ivr(record, "http://fake") for record in store.ivrs.values()], list[Ivr]
    )
    try:
        steps = plan(
            state,
            tree,
            id_map=id_map,
            same_account=options["same_account"],
            prune=options["prune"],
            skip_dangling=options["skip_dangling"],
        )
    except PlanRefused:
        event("refused by plan")
        return
    event("planned, nothing to send" if steps.is_empty else "planned and sent")
    try:
        run_on(store, steps)
    except ApiError as refused:
        pytest.fail(f"the fake refused a planned request: {refused.status} {refused.body}")


@pytest.mark.parametrize("action", ["group", "voicemail", "textback", "menu"])
def test_a_route_whose_options_the_account_holds_as_null_is_refused_not_a_crash(
    action: str,
) -> None:
    # Real accounts hold routes with null options (the audit flags them); copied anywhere,
    # such a route is what Zendesk refuses, said before anything is sent.
    raw = {"id": 3, "keypress": "1", "action": action, "options": None}
    menu = {"id": 2, "name": "M", "default": True, "routes": [raw]}
    ivr = make_converter().structure({"id": 1, "name": "A", "menus": [menu]}, Ivr)

    with pytest.raises(PlanRefused) as refused:
        plan([ivr], [], id_map=IdMap(), same_account=False)
    assert any("$.ivrs[0].menus[0].routes[0].options" in p for p in refused.value.problems)
