"""
MkDocs hook: the command line reference, written from the parser itself, so it cannot drift.

``<!-- cli-reference -->`` in a page becomes, for the connection options and then each command
in the order ``zendesk-ivr --help`` lists them: its description, its usage line and a table of its
arguments with their help and defaults.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from zendesk_ivr._cli.parser import build_parser, connection_dests

MARKER = "<!-- cli-reference -->"


def on_page_markdown(markdown: str, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    os.environ["COLUMNS"] = "100"  # usage lines wrap the same on every machine
    return markdown.replace(MARKER, reference(build_parser()))


def reference(parser: argparse.ArgumentParser) -> str:
    formatter = parser._get_formatter()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    connection = connection_dests(parser)
    out = [
        "## Connection options",
        "",
        "Every command that connects to an account takes these, before the command or after "
        "it (`zendesk-ivr --sandbox audit` and `zendesk-ivr audit --sandbox` are the same).",
        "",
        _table([a for a in parser._actions if a.dest in connection], formatter),
    ]
    for name, command in commands.choices.items():
        connects = bool(command.get_default("connects"))
        own = [a for a in command._actions if a.dest not in connection and a.dest != "help"]
        usage = command.format_usage().strip()
        out += [
            "",
            f"## {name}",
            "",
            command.description or "",
            "",
            "```text",
            usage,
            "```",
            "",
        ]
        if own:
            out.append(_table(own, formatter))
        if connects:
            out += ["", "And the [connection options](#connection-options)."]
    return "\n".join(out) + "\n"


def _table(actions: list[argparse.Action], formatter: argparse.HelpFormatter) -> str:
    rows = ["| argument | what it does |", "| --- | --- |"]
    for action in actions:
        if not action.option_strings:  # a positional argument: FILE, IVR_ID
            name = formatter._get_default_metavar_for_positional(action)
            name = action.metavar if isinstance(action.metavar, str) else name
        else:
            name = ", ".join(action.option_strings)
        if action.option_strings and action.nargs != 0:
            name += " " + formatter._format_args(
                action, formatter._get_default_metavar_for_optional(action)
            )
        help_text = formatter._expand_help(action) if action.help else ""
        rows.append(f"| `{name}` | {help_text.replace('|', '&#124;')} |")
    return "\n".join(rows)
