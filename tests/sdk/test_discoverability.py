"""What a newcomer finds without the README: help(Client), Severity, the CLI's --help."""

from __future__ import annotations

import argparse
import pydoc
import re

import pytest

from tests.cli_helpers import run_script
from zendesk_ivr import Client
from zendesk_ivr._cli.parser import build_parser
from zendesk_ivr.analysis import Severity
from zendesk_ivr.migration import ApplyReport, Plan

RESOURCES = ("ivrs", "menus", "routes", "groups", "greetings", "phone_numbers")


def test_help_of_client_lists_every_resource_with_what_it_does() -> None:
    # pydoc.plaintext renders without the backspace bold of help(); it is missing from the stubs.
    text = pydoc.render_doc(Client, renderer=pydoc.plaintext)  # type: ignore[attr-defined]

    for name in RESOURCES:
        match = re.search(rf"^ \|  {name}\n \|      (.+)$", text, re.MULTILINE)
        assert match is not None, f"help(Client) does not list .{name}"
        assert "list(" in match[1]


def test_plan_is_empty_and_report_ok_are_documented() -> None:
    assert Plan.is_empty.__doc__
    assert ApplyReport.ok.__doc__


def test_severity_is_a_string_and_orders_by_how_bad() -> None:
    info: str = "info"  # typed as any string, as a caller's would be
    assert info == Severity.INFO
    assert Severity("error") is Severity.ERROR
    assert sorted([Severity.ERROR, Severity.INFO, Severity.WARNING]) == [
        Severity.INFO,
        Severity.WARNING,
        Severity.ERROR,
    ]
    assert max(Severity) is Severity.ERROR
    assert Severity.WARNING >= "warning"
    assert Severity.WARNING < "error"
    with pytest.raises(TypeError):
        assert Severity.INFO < "zzz"
    with pytest.raises(TypeError):
        assert Severity.INFO < 1


COMMANDS = (
    "audit",
    "export",
    "graph",
    "sandbox",
    "map",
    "plan",
    "apply",
    "reroute",
    "pull",
    "check",
    "schema",
)


def test_every_subcommand_has_a_description_and_every_argument_help() -> None:
    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]

    assert sorted(commands.choices) == sorted(COMMANDS)
    for name, command in commands.choices.items():
        assert command.description, f"{name} has no description"
        for action in command._actions:
            assert action.help, f"{name}: {action.option_strings or action.dest} has no help"


async def test_sandbox_help_shows_its_defaults() -> None:
    _, out, _ = await run_script("sandbox", "--help")

    text = " ".join(out.split())
    assert "(default: 8089)" in text
    assert "(default: 300)" in text
    assert "(default: 127.0.0.1)" in text
