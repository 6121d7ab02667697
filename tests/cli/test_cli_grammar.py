"""
The command line's grammar: connection options before or after the command, no abbreviations,
a refusal that says where an option belongs, and a command table that matches the parser.
"""

from __future__ import annotations

import argparse
import inspect
import json

import pytest

from tests.cli_helpers import fake_env, run_script
from zendesk_ivr import analysis
from zendesk_ivr._cli import main as cli_main
from zendesk_ivr._cli.parser import GRAPH_FORMATS, build_parser, connection_dests
from zendesk_ivr.testing import FakeZendesk


def every_parser() -> list[argparse.ArgumentParser]:
    parsers = [build_parser()]
    for parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    return parsers


def subcommands() -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("where", ["before", "after"])
async def test_connection_options_work_before_or_after_the_command(where: str) -> None:
    options = ("--sandbox", "--timeout", "10")
    command = ("audit", "--format", "json", "--fail-on", "never")
    args = (*options, *command) if where == "before" else (*command, *options)

    code, out, err = await run_script(*args)

    assert code == 0, err
    assert json.loads(out)


async def test_an_option_after_the_command_wins_over_the_same_before_it() -> None:
    async with await FakeZendesk.start() as fake:
        fake.seed(1)
        code, out, err = await run_script(
            "--base-url", "http://127.0.0.1:9", "export", "--base-url", fake.url, env=fake_env(fake)
        )

    assert code == 0, err
    assert json.loads(out)["source"]["base_url"] == fake.url + "/"


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "--sandbox", "--check-group"),  # --check-groups
        ("audit", "--sandbox", "--form", "json"),  # --format
        ("--sand", "audit"),  # --sandbox, before the command
        ("audit", "--sand"),
    ],
)
async def test_an_abbreviated_option_is_refused(args: tuple[str, ...]) -> None:
    code, out, err = await run_script(*args)

    assert (code, out) == (2, "")
    assert err.startswith("zendesk-ivr: error: unrecognized arguments: --")


def test_no_parser_accepts_abbreviations() -> None:
    parsers = every_parser()
    assert len(parsers) == 1 + len(subcommands())
    assert all(parser.allow_abbrev is False for parser in parsers)


async def test_a_command_option_before_the_command_says_where_it_belongs() -> None:
    code, _, err = await run_script("--check-groups", "audit", "--sandbox")

    assert code == 2
    assert "--check-groups is an option of audit: put it after the command" in err


async def test_a_connection_option_before_a_command_that_does_not_connect_is_refused() -> None:
    code, out, err = await run_script("--email", "agent@acme.test", "sandbox", "--port", "0")

    assert (code, out) == (2, "")
    assert "sandbox does not connect to an account: --email has no use here" in err


#: Commands that work offline: plain functions, so they start without asyncio.
OFFLINE = {"check", "schema"}


def test_the_command_table_runs_every_command_the_parser_knows() -> None:
    assert sorted(cli_main.COMMANDS) == sorted(subcommands())
    for name in cli_main.COMMANDS:
        assert inspect.iscoroutinefunction(cli_main.runner(name)) is (name not in OFFLINE), name


def test_a_command_takes_every_connection_option_or_none() -> None:
    top = connection_dests(build_parser())
    assert {"base_url", "email", "api_token", "oauth_token", "sandbox", "timeout"} <= top
    kinds = set()
    for name, command in subcommands().items():
        connects = bool(command.get_default("connects"))
        dests = {a.dest for a in command._actions}
        assert (top <= dests) if connects else not (top & dests), name
        kinds.add(connects)
    assert kinds == {True, False}  # sandbox does not connect; audit does


def test_the_graph_formats_are_the_analysis_formats() -> None:
    assert GRAPH_FORMATS == analysis.GRAPH_FORMATS
