"""
Reading and checking IVR files offline: every schema error and every rule finding names its
line, hostile YAML is refused with a typed error, and ``zendesk-ivr check`` exits as pinned.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import clean_env, run_script
from zendesk_ivr.analysis import Severity
from zendesk_ivr.ascode import (
    InvalidIvrFile,
    check_ivr_file,
    ivr_file_schema,
    load_ivr_file,
    parse_ivr_file,
)
from zendesk_ivr.ascode._jsonschema import Validator

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "ivrs.yaml"

FILE = textwrap.dedent(
    """\
    version: 1
    ivrs:
      - name: Support line
        phone_numbers: ["+12125551001"]
        menus:
          - name: Main menu
            default: true
            routes:
              "1": {group: Support Tier 1}
              "2": {menu: Billing}
              3: {menu: Biling}
              "4": {phone_number: "555-0100"}
              "5": {group: [Billing, 360099]}  # no longer exists
              "6": {textback: "+12125551001"}
              "7": {voicemail: []}
          - name: Billing
            routes:
              "1": {group: Billing}
          - name: Orphan
      - name: Support line
        menus:
          - name: Main menu
            routes:
              "1": {group: Billing}
    """
)


def lines(text: str, findings: Any) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.rule) for f in findings]


def test_every_rule_finding_names_its_line_and_column() -> None:
    findings = check_ivr_file(parse_ivr_file(FILE, file="ivrs.yaml"))

    assert lines(FILE, findings) == [
        (11, 21, "dead_key"),  # the menu key's value: the name no menu of the IVR has
        (12, 31, "invalid_phone_number"),
        (13, 24, "unknown_group"),  # the list of groups holding an id (pull wrote it so)
        (14, 11, "incomplete_textback"),  # the route's keypress
        (15, 28, "missing_group"),
        (19, 15, "empty_menu"),  # the menu's name
        (19, 15, "unreachable_menu"),
        (20, 5, "no_phone_number"),  # the IVR
        (20, 11, "default_menu"),
        (20, 11, "duplicate_name"),
    ]
    dead = findings[0]
    assert str(dead) == (
        "ivrs.yaml:11:21: dead_key: IVR 'Support line', menu 'Main menu', key 3 goes to menu "
        "'Biling', which is not a menu of this IVR"
    )
    assert findings[5].severity is Severity.ERROR
    assert findings[6].severity is Severity.WARNING


def test_the_example_file_passes_check() -> None:
    assert check_ivr_file(load_ivr_file(EXAMPLE)) == []


BROKEN = [
    # (a line of the file replaced, the problem's line:column, what the message says)
    ('          "1": {group: Support Tier 1}', '          "1": {grup: X}', "9:16", "needs one of"),
    ('          "1": {group: Support Tier 1}', '          "10": {group: X}', "9:11", "keypress"),
    (
        '          "1": {group: Support Tier 1}',
        '          "1": {group: X, menu: Y}',
        "9:16",
        "only one of",
    ),
    (
        '          "1": {group: Support Tier 1}',
        '          "1": {group: X, text: hi}',
        "9:27",
        'unknown key "text"',
    ),
    (
        '          "1": {group: Support Tier 1}',
        '          "1": {group: [X, 1.5]}',
        "9:28",
        "group[1]",
    ),
    (
        '          "1": {group: Support Tier 1}',
        '          "1": {action: menu}',
        "9:25",
        "action other than",
    ),
    ("        default: true", "        default: yes please", "7:18", "true or false"),
    ('    phone_numbers: ["+12125551001"]', "    phone_number: [1]", "4:5", "unknown key"),
    ('    phone_numbers: ["+12125551001"]', "    phone_numbers: [abc]", "4:21", "Talk number"),
    ("      - name: Billing", "      - name: ''", "16:15", "must not be empty"),
    ("      - name: Billing", "      - name: '  '", "16:15", "not blank"),
    ("      - name: Billing", "      - nam: Billing", "16:9", "missing name"),
]


@pytest.mark.parametrize(("line", "broken", "at", "says"), BROKEN)
def test_every_schema_error_names_its_line(line: str, broken: str, at: str, says: str) -> None:
    assert line + "\n" in FILE
    text = FILE.replace(line + "\n", broken + "\n", 1)

    with pytest.raises(InvalidIvrFile) as caught:
        parse_ivr_file(text, file="ivrs.yaml")

    problem = caught.value.problems[0]
    assert (problem.rule, f"{problem.line}:{problem.column}") == ("schema", at)
    assert says in problem.message
    assert str(problem).startswith(f"ivrs.yaml:{at}: schema: ")


@pytest.mark.parametrize(
    ("text", "at", "says"),
    [
        ("version: 1\nivrs: [\n", "3:1", "expected the node content"),
        (
            "version: 1\nivrs:\n  - name: A\n    menus:\n      - name: M\n        routes:\n"
            '          "1": {group: A}\n          1: {group: B}\n',
            "8:11",
            "key 1 appears twice",
        ),
        ("version: 1\nversion: 1\nivrs: []\n", "2:1", "duplicate key"),
        ("version: 1\nivrs:\n  - &a {name: A}\n  - *a\n", "3:5", "aliases"),  # the anchored list
        ("version: 1\nivrs:\n  - name: !secret A\n", "3:11", "tags"),
        ("version: 1\nivrs:\n  - name: 2024-01-01\n", "3:11", "put it in quotes"),
        (
            "version: 1\nivrs:\n  - name: A\n    menus:\n      - name: M\n        routes:\n"
            '          "1": {action: x, options: {n: .nan}}\n',
            "7:41",
            "JSON",
        ),
        ("version: 1\nivrs: []\n---\nversion: 1\n", "3:1", "single document"),
    ],
)
def test_yaml_an_ivr_file_has_no_use_for_is_refused_at_its_line(
    text: str, at: str, says: str
) -> None:
    with pytest.raises(InvalidIvrFile) as caught:
        parse_ivr_file(text, file="f.yaml")

    (problem,) = caught.value.problems
    assert f"{problem.line}:{problem.column}" == at
    assert problem.rule == "yaml"
    assert says in problem.message


def test_a_billion_laughs_is_refused_quickly() -> None:
    rows = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    text = "version: 1\nivrs: []\n" + "\n".join(rows) + "\n"
    code = (
        "import sys; from zendesk_ivr.ascode import InvalidIvrFile, parse_ivr_file\n"
        "try:\n    parse_ivr_file(sys.stdin.read())\n"
        "except InvalidIvrFile as exc:\n    print(exc.problems[0])\n"
    )

    # In a process of its own: walked as a tree, this would take longer than anyone waits.
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=text,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert "aliases" in done.stdout, done.stderr


def test_deep_nesting_and_bad_bytes_are_typed_errors(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidIvrFile, match="deep"):
        parse_ivr_file("version: 1\nivrs: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InvalidIvrFile, match="deep"):
        parse_ivr_file("version: 1\nivrs:\n" + "- " * 5000 + "x\n")
    assert time.monotonic() - started < 1  # refused before ruamel recurses to the limit
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"version: 1\nivrs:\n  - name: Caf\xe9\n")
    with pytest.raises(InvalidIvrFile, match="not UTF-8"):
        load_ivr_file(latin)
    with pytest.raises(InvalidIvrFile, match="cannot read"):
        load_ivr_file(tmp_path / "missing.yaml")
    with pytest.raises(InvalidIvrFile, match="empty"):
        parse_ivr_file("# nothing\n")


# --- the schema: editors read the same file check runs ----------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(ivr_file_schema())


_names = st.sampled_from(["A", "Billing", "", "voicemail_en", "+12125551001", "abc"])
_scalars = st.one_of(
    _names, st.integers(-2, 3), st.booleans(), st.none(), st.just(1.5), st.just(2**63)
)
_keys = st.sampled_from(
    [
        "1",
        "*",
        "default",
        "10",
        "group",
        "voicemail",
        "menu",
        "phone_number",
        "textback",
        "text",
        "tags",
        "overflow",
        "action",
        "options",
        "name",
        "menus",
        "routes",
        "default",
        "greeting",
        "phone_numbers",
        "ivrs",
        "version",
        "nope",
    ]
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=8,
)
_route = st.dictionaries(_keys, _values, min_size=1, max_size=3)
_menu = st.fixed_dictionaries(
    {"name": _names},
    optional={
        "default": st.booleans() | _scalars,
        "greeting": _scalars,
        "routes": st.dictionaries(
            st.sampled_from(["1", "#", "default", "11"]), _route | _values, max_size=3
        ),
        "extra": _values,
    },
)
_ivr = st.fixed_dictionaries(
    {"name": _names},
    optional={
        "phone_numbers": st.lists(_scalars, max_size=2) | _values,
        "menus": st.lists(_menu, max_size=2) | _values,
    },
)
_documents = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 1, 1, 2, "1"]), "ivrs": st.lists(_ivr, max_size=2) | _values},
    optional={"extra": _values},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_documents)
def test_check_runs_the_schema_as_the_reference_implementation_reads_it(
    document: dict[str, Any],
) -> None:
    reference = jsonschema.Draft202012Validator(ivr_file_schema())

    ours = Validator(ivr_file_schema()).errors(document)

    assert (ours == []) == reference.is_valid(document)


# --- the command ------------------------------------------------------------------------


async def test_check_exits_0_clean_1_on_findings_2_on_an_invalid_file(tmp_path: Path) -> None:
    findings = tmp_path / "ivrs.yaml"
    findings.write_text(FILE, encoding="utf-8")
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(FILE.replace('"2": {menu: Billing}', '"2": {mnu: Billing}'), "utf-8")

    clean = await run_script("check", str(EXAMPLE))
    found = await run_script("check", str(findings))
    warnings_only = await run_script("check", str(findings), "--fail-on", "never")
    broken = await run_script("check", str(invalid))
    missing = await run_script("check", str(tmp_path / "missing.yaml"))

    assert clean[0] == 0
    assert clean[1] == ""
    assert found[0] == 1
    assert found[1].splitlines()[0] == (
        f"{findings}:11:21: dead_key: IVR 'Support line', menu 'Main menu', key 3 goes to "
        "menu 'Biling', which is not a menu of this IVR [error]"
    )
    assert len(found[1].splitlines()) == 10
    assert "10 findings (8 errors, 2 warnings, 0 info)" in found[2]
    assert warnings_only[0] == 0
    assert broken[0] == 2
    assert broken[1].startswith(f"{invalid}:10:16: schema: ")
    assert broken[2].startswith("zendesk-ivr: error: ")
    assert len(broken[2].splitlines()) == 1
    assert missing[0] == 2
    assert "cannot read" in missing[2]


def test_the_check_path_loads_neither_the_client_nor_aiohttp() -> None:
    # Nor asyncio: check works offline and starts without it (about 35 ms).
    code = textwrap.dedent(
        f"""
        import argparse, io, sys
        from zendesk_ivr._cli.ascode import check_command
        args = argparse.Namespace(file={str(EXAMPLE)!r}, fail_on="error")
        assert check_command(args, io.StringIO()) == 0
        print(sorted(m for m in ("aiohttp", "yarl", "cattrs", "asyncio", "zendesk_ivr._client",
                                 "zendesk_ivr.migration._apply") if m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=clean_env()
    )
    assert done.stdout.strip() == "[]"


async def test_schema_prints_the_schema_pull_writes_beside_the_file() -> None:
    code, out, _ = await run_script("schema")

    assert code == 0
    assert json.loads(out) == ivr_file_schema()


def test_an_action_this_release_does_not_know_is_a_warning_at_its_route() -> None:
    text = FILE.replace('"2": {menu: Billing}', '"2": {action: callback, options: {queue: 3}}')

    findings = check_ivr_file(parse_ivr_file(text, file="ivrs.yaml"))

    (unknown,) = [f for f in findings if f.rule == "unknown_action"]
    assert (unknown.line, unknown.column, unknown.severity) == (10, 11, Severity.WARNING)
    assert "action 'callback', which this release does not know" in unknown.message


def test_data_sent_as_it_is_nested_deeper_than_a_plan_reads_is_an_error_at_its_line() -> None:
    deep = "[" * 40 + "]" * 40
    text = FILE.replace('"2": {menu: Billing}', f'"2": {{menu: Billing, overflow: [{deep}]}}')

    findings = check_ivr_file(parse_ivr_file(text, file="ivrs.yaml"))

    (found,) = [f for f in findings if f.rule == "too_deep"]
    assert (found.line, found.severity) == (10, Severity.ERROR)
    assert "nested more than 32 levels deep" in found.message
