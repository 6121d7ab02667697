"""
Editing a pulled IVR file by hand and planning it: exactly the edits become steps, applying
them leaves nothing to plan, a file check passes does not fail at apply for a reason check
could have seen, and comments survive a re-pull after a change on the account.
"""

from __future__ import annotations

import difflib
import textwrap
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.ascode.accounts import GREETINGS, NUMBERS, add_objects, client_of
from zendesk_ivr import GroupOptions
from zendesk_ivr.analysis import Severity
from zendesk_ivr.ascode import (
    IvrFileRefused,
    check_ivr_file,
    parse_ivr_file,
    plan_ivr_file,
    pull_ivr_file,
)
from zendesk_ivr.migration import apply
from zendesk_ivr.testing import FakeZendesk

PULLED = textwrap.dedent(
    """\
    # yaml-language-server: $schema=zendesk-ivr.schema.json
    version: 1
    ivrs:
      - name: Support line
        phone_numbers: ["+12125551001"]
        menus:
          - name: Main menu
            default: true
            greeting: Welcome - main line
            routes:
              "1": {group: Support Tier 1}
              "2": {menu: Billing}
              "3": {voicemail: '# Sales'}
          - name: Billing
            routes:
              "1": {group: 'Billing: EMEA'}
              "2": {phone_number: "+16175550140"}
          - name: Sales
            routes:
              "1": {group: '# Sales'}
    """
)


async def _account_with(fake: FakeZendesk, text: str) -> None:
    """Put what *text* says on *fake* through the file's own plan."""
    async with client_of(fake) as client:
        await apply(client, await plan_ivr_file(client, parse_ivr_file(text)))


async def test_each_edit_by_hand_is_exactly_one_step_and_then_nothing_is_left() -> None:
    edited = (
        PULLED.replace(  # a route added by hand: no id anywhere
            "          \"3\": {voicemail: '# Sales'}\n",
            "          \"3\": {voicemail: '# Sales'}\n          \"4\": {group: [yes, '1']}\n",
        )
        .replace('"2": {menu: Billing}', '"2": {menu: Sales}')  # a menu's target renamed
        .replace('          "2": {phone_number: "+16175550140"}\n', "")  # a key deleted
    )
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        add_objects(fake)
        await _account_with(fake, PULLED)
        assert (await pull_ivr_file(client)) == PULLED
        steps = await plan_ivr_file(client, parse_ivr_file(edited), prune=True)
        kept = await plan_ivr_file(client, parse_ivr_file(edited))
        fake.clear_requests()
        await apply(client, steps)
        sent = [(r.method, r.path.rsplit("/", 2)[-2:]) for r in fake.requests if r.method != "GET"]
        after = await plan_ivr_file(client, parse_ivr_file(edited), prune=True)
        pulled = await pull_ivr_file(client)

    assert sorted((s.action, s.key) for s in steps.steps) == [
        ("create", "ivr[Support line]/default-menu/route[4]"),
        ("delete", "ivr[Support line]/menu[Billing]/route[2]"),
        ("update", "ivr[Support line]/default-menu/route[2]"),
    ]
    # Without --prune a deleted key is kept on the account, as for every plan.
    assert sorted(s.action for s in kept.steps) == ["create", "update"]
    assert len(sent) == 3
    assert after.is_empty
    assert pulled == edited


async def test_names_the_account_lacks_or_has_twice_refuse_the_plan_each_at_its_line() -> None:
    text = (
        PULLED.replace("group: Support Tier 1", "group: Support Tier 9")
        .replace("greeting: Welcome - main line", "greeting: Welcome")
        .replace('phone_numbers: ["+12125551001"]', 'phone_numbers: ["+12125559999"]')
        .replace("\"1\": {group: '# Sales'}", '"1": {group: Twice}')
    )
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        add_objects(fake)
        fake.add_group("Twice")
        fake.add_group("Twice")
        fake.clear_requests()
        with pytest.raises(IvrFileRefused) as caught:
            await plan_ivr_file(client, parse_ivr_file(text, file="ivrs.yaml"))
        writes = [r for r in fake.requests if r.method != "GET"]

    assert [str(f) for f in caught.value.findings] == [
        "ivrs.yaml:5:21: unknown_name: no Talk number +12125559999 in the account",
        "ivrs.yaml:9:19: unknown_name: no greeting named 'Welcome' in the account and no "
        "built-in greeting has that id",
        "ivrs.yaml:11:24: unknown_name: no group named 'Support Tier 9' in the account",
        "ivrs.yaml:20:24: unknown_name: 2 groups in the account match 'Twice': ambiguous",
    ]
    assert "ivrs.yaml:5:21" in str(caught.value)
    assert writes == []


async def test_a_key_to_a_menu_that_is_not_there_is_refused_at_its_line_or_left_out() -> None:
    text = PULLED.replace('"2": {menu: Billing}', '"2": {menu: Biling}')
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        add_objects(fake)
        await _account_with(fake, PULLED)
        with pytest.raises(IvrFileRefused) as caught:
            await plan_ivr_file(client, parse_ivr_file(text, file="ivrs.yaml"))
        skipped = await plan_ivr_file(client, parse_ivr_file(text), skip_dangling=True)

    assert [str(f) for f in caught.value.findings] == [
        "ivrs.yaml:12:23: dangling: IVR 'Support line', menu 'Main menu', key 2 goes to menu "
        "'Biling', which is not a menu of this IVR"
    ]
    assert skipped.steps == ()
    assert len(skipped.skipped) == 1


# --- what check passes applies ---------------------------------------------------------

# Mostly what applies, sometimes what check must catch: an empty group list, a key to a menu
# the IVR lacks, a number that is not E.164, a textback without a number or text...
_ROUTE = st.one_of(
    st.sampled_from(["{group: 'yes'}", "{group: ['1', '# Sales']}", "{group: []}"]),
    st.sampled_from(["{voicemail: 'Support Tier 1'}", "{voicemail: []}"]),
    st.sampled_from(["{menu: M0}", "{menu: M1}", "{menu: M2}", "{menu: Nope}", "{menu: null}"]),
    st.sampled_from(
        ['{phone_number: "+16175550140"}', '{phone_number: "555-0100"}', "{phone_number: null}"]
    ),
    st.sampled_from(
        [
            '{textback: "+12125551001", text: hi}',
            '{textback: "+12125551001", text: ""}',
            '{textback: "+12125551001"}',
            "{textback: null, text: hi}",
        ]
    ),
    st.just("{group: 'Support Tier 1', tags: [a, 'b c'], overflow: [{after: 30}]}"),
)
_GREETINGS = ["", "", "\n        greeting: voicemail_en", "\n        greeting: 'null'"]


@st.composite
def _menus(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.sampled_from([["M0"], ["M0", "M1"], ["M0", "M1", "M2"], ["M0", "M0"]]))
    defaults = draw(st.sampled_from([[0], [0], [0], [], [0, 1]]))
    menus = []
    for index, name in enumerate(names):
        menus.append(
            {
                "name": name,
                "default": "\n        default: true" if index in defaults else "",
                "greeting": draw(st.sampled_from(_GREETINGS)),
                "routes": draw(
                    st.dictionaries(
                        st.sampled_from(["1", "2", "*", "#", "default"]),
                        _ROUTE,
                        min_size=0 if draw(st.integers(0, 9)) == 0 else 1,
                        max_size=3,
                    )
                ),
            }
        )
    return menus


def _file(ivrs: list[tuple[str, list[dict[str, Any]], str]]) -> str:
    out = ["version: 1", "ivrs:"]
    for name, menus, phones in ivrs:
        out += [f"  - name: {name}", f"    phone_numbers: {phones}"]
        out.append("    menus:" if menus else "    menus: []")
        for menu in menus:
            out.append(f"      - name: {menu['name']}{menu['default']}{menu['greeting']}")
            if menu["routes"]:
                out.append("        routes:")
                out += [f'          "{k}": {v}' for k, v in menu["routes"].items()]
    return "\n".join(out) + "\n"


_FILES = st.lists(
    st.tuples(
        st.sampled_from(["One", "Two", "One"]),
        _menus(),
        st.sampled_from(['["+12125551001"]', '["+14155550100", "+16175550199"]', "[]"]),
    ),
    min_size=1,
    max_size=2,
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(ivrs=_FILES)
async def test_a_file_check_passes_applies_to_an_account_with_its_names(
    ivrs: list[tuple[str, list[dict[str, Any]], str]],
) -> None:
    """
    Names the account lacks, and ids it does not know, are for plan to see (check is
    offline); everything else that would fail at apply, check reports as an error.
    """
    ivr_file = parse_ivr_file(_file(ivrs))
    findings = check_ivr_file(ivr_file)
    assume(not any(f.severity is Severity.ERROR for f in findings))
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        add_objects(fake)
        steps = await plan_ivr_file(client, ivr_file, prune=True)
        await apply(client, steps)  # an ApplyFailed fails the test
        assert (await plan_ivr_file(client, ivr_file, prune=True)).is_empty


# --- comments survive a re-pull ---------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    notes=st.lists(st.sampled_from(["", "eol", "above", "both"]), min_size=40, max_size=40),
    change=st.sampled_from(["group", "add", "delete", "greeting", "no greeting", "number"]),
)
# A comment above a deleted route, after a line with a comment of its own (ruamel keeps it
# with the line before): it goes with the route all the same.
@example(notes=[*[""] * 15, "eol", "above", *[""] * 23], change="delete")
@example(notes=["both"] * 40, change="delete")
@example(notes=["both"] * 40, change="no greeting")
async def test_comments_on_every_level_survive_a_re_pull_that_changes_only_changed_lines(
    notes: list[str], change: str
) -> None:
    commented = _commented(PULLED, notes)
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        objects = add_objects(fake)
        await _account_with(fake, PULLED)
        (ivr,) = (await client.walk()).ivrs
        main = ivr.default_menu
        assert main is not None
        billing = next(m for m in ivr.menus if m.name == "Billing")
        if change == "group":
            route = main.route_for("1")
            assert route is not None
            options = GroupOptions(group_ids=[objects.groups["yes"]])
            await client.routes.update(ivr.id, main.id, route.id, options=options)
        elif change == "add":
            options = GroupOptions(group_ids=[objects.groups["1"]])
            await client.routes.create(ivr.id, billing.id, keypress="#", options=options)
        elif change == "delete":
            route = billing.route_for("2")
            assert route is not None
            await client.routes.delete(ivr.id, billing.id, route.id)
        elif change == "greeting":
            await client.menus.update(ivr.id, main.id, greeting_id=objects.greetings[GREETINGS[1]])
        elif change == "no greeting":
            await client.menus.update(ivr.id, main.id, greeting_id=None)
        else:
            await client.ivrs.update(ivr.id, phone_number_ids=[objects.numbers[NUMBERS[1]]])
        repulled = await pull_ivr_file(client, existing=commented)
        fresh = await pull_ivr_file(client)

    changed = {
        "group": ['"1": {group: Support Tier 1}'],
        "add": [],
        "delete": ['"2": {phone_number: "+16175550140"}'],
        "greeting": ["greeting: Welcome - main line"],
        "no greeting": ["greeting: Welcome - main line"],
        "number": ['phone_numbers: ["+12125551001"]'],
    }[change]
    removed, added = _diff(commented, repulled)
    # Only the changed line went (a deleted route with the comment lines right above it, which
    # are about it); every other line, every other comment line included, stayed.
    if change in ("delete", "no greeting"):
        changed = [*(["" for _ in _comments_above(commented, changed[0])]), *changed]
    assert [_code(line) for line in removed] == changed
    assert len(added) == (0 if change in ("delete", "no greeting") else 1)
    if change in ("group", "greeting", "number"):
        # The line's own comment stays on the changed line.
        assert _comment(added[0]) == _comment(removed[0])
    assert parse_ivr_file(repulled).document == parse_ivr_file(fresh).document


def _commented(text: str, notes: list[str]) -> str:
    out = []
    for n, line in enumerate(text.splitlines()):
        note = notes[n % len(notes)]
        indent = line[: len(line) - len(line.lstrip())]
        if note in ("above", "both") and n > 1:
            out.append(f"{indent}# a note above line {n}")
        out.append(line + (f"  # note {n}" if note in ("eol", "both") and n > 0 else ""))
    return "\n".join(out) + "\n"


def _comments_above(text: str, code: str) -> list[str]:
    lines = text.splitlines()
    (index,) = [i for i, line in enumerate(lines) if _code(line) == code]
    above = []
    while lines[index - 1].lstrip().startswith("#"):
        index -= 1
        above.append(lines[index])
    return above


def _code(line: str) -> str:
    return line.split("  #", 1)[0].strip()


def _comment(line: str) -> str:
    return line.split("  #", 1)[1] if "  #" in line else ""


def _diff(before: str, after: str) -> tuple[list[str], list[str]]:
    lines = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [x[2:] for x in lines if x.startswith("- ")], [
        x[2:] for x in lines if x.startswith("+ ")
    ]


async def test_a_re_pull_brings_its_own_comments_up_to_date_and_leaves_a_persons_alone() -> None:
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        objects = add_objects(fake)
        await _account_with(fake, PULLED)
        (ivr,) = (await client.walk()).ivrs
        main = ivr.default_menu
        assert main is not None
        gone = GroupOptions(group_ids=[objects.deleted_group])
        for key in ("1", "3"):
            route = main.route_for(key)
            assert route is not None
            await client.routes.update(ivr.id, main.id, route.id, options=gone)
        pulled = await pull_ivr_file(client)
        mine = pulled.replace(
            f'"3": {{group: {objects.deleted_group}}}  # group {objects.deleted_group} '
            "no longer exists",
            f'"3": {{group: {objects.deleted_group}}}  # ask Ann which group',
        )
        assert mine != pulled
        for key in ("1", "3"):
            route = main.route_for(key)
            assert route is not None
            fixed = GroupOptions(group_ids=[objects.groups["yes"]])
            await client.routes.update(ivr.id, main.id, route.id, options=fixed)
        repulled = await pull_ivr_file(client, existing=mine)

    said = f"{{group: {objects.deleted_group}}}  # group {objects.deleted_group} no longer exists"
    assert f'"1": {said}\n' in pulled
    lines = repulled.splitlines()
    assert '          "1": {group: yes}' in lines  # pull's own comment went with the change
    # A person's comment stays on the changed line (where it was, in its column).
    assert [x for x in lines if x.startswith('          "3": {group: yes} ')] == [
        '          "3": {group: yes}             # ask Ann which group'
    ]


async def test_a_key_to_a_gone_menu_stays_where_the_account_has_it_and_only_there() -> None:
    """The account keeps a key to a menu that no longer exists; the API refuses to make one:
    moved in the file, it is a dangling reference at its line."""
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        add_objects(fake)
        fake.put_ivr(
            {
                "name": "Support line",
                "phone_number_ids": [],
                "menus": [
                    {
                        "name": "M",
                        "default": True,
                        "routes": [
                            {"keypress": "1", "action": "menu", "options": {"menu_id": 4000000001}}
                        ],
                    }
                ],
            }
        )
        pulled = await pull_ivr_file(client)
        kept = await plan_ivr_file(client, parse_ivr_file(pulled))
        moved = pulled.replace('"1": {menu: 4000000001}', '"5": {menu: 4000000001}')
        with pytest.raises(IvrFileRefused) as caught:
            await plan_ivr_file(client, parse_ivr_file(moved, file="ivrs.yaml"))

    assert '"1": {menu: 4000000001}  # menu 4000000001 no longer exists' in pulled
    assert kept.is_empty
    assert [str(f) for f in caught.value.findings] == [
        "ivrs.yaml:10:23: dangling: IVR 'Support line', menu 'M', key 5 goes to menu 4000000001, "
        "which no longer exists"
    ]


async def test_what_the_api_would_refuse_refuses_the_plan_at_its_line() -> None:
    text = PULLED.replace('"2": {menu: Billing}', '"2": {textback: "+12125551001"}')
    async with await FakeZendesk.start() as fake, client_of(fake) as client:
        add_objects(fake)
        with pytest.raises(IvrFileRefused) as caught:
            await plan_ivr_file(client, parse_ivr_file(text, file="ivrs.yaml"))
        writes = [r for r in fake.requests if r.method != "GET"]

    assert [(f.line, f.rule) for f in caught.value.findings] == [(12, "refused")]
    assert "text to send" in caught.value.findings[0].message
    assert "ivrs.yaml:12:" in str(caught.value)
    assert writes == []
