"""
The command line's grammar: every command, option and default.

It imports nothing heavy (no aiohttp, no asyncio, not the client or the tools), so that --help and
a usage error answer from here alone; each command's code is imported only when it runs (see
`main.COMMANDS`). The connection options are defined once and accepted before the command or
after it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, Final, NoReturn

from .._version import __version__
from .errors import fail

FAIL_ON: Final = ("error", "warning", "info", "never")
AUDIT_FORMATS: Final = ("table", "json", "csv", "html")
#: `zendesk_ivr.analysis.GRAPH_FORMATS`, written out so that --help need not import the analysis
#: (a test keeps the two equal).
GRAPH_FORMATS: Final = ("mermaid", "dot")
PLAN_FORMATS: Final = ("text", "json")
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_MAX_CONCURRENCY: Final = 16


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr, and options are never abbreviated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A prefix of an option is not that option: an option added later that shares the
        # prefix would silently change what an old script does.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see {self.prog} --help)")


def _count(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _integer(text: str) -> int:
    # Said here: argparse's own refusal would name the function ("invalid _count value").
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:  # NaN too
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _group_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a group id (a positive integer), got {text!r}")
    return value


def _port(text: str) -> int:
    value = _integer(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {value}")
    return value


def _add_connection_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """
    The options every command that connects takes, on *parser*. The top-level parser holds the
    defaults; the commands' copies default to nothing, so an option given before the command is
    not overwritten by the command's default.
    """
    group = parser.add_argument_group(
        "connection",
        "Options that say which account to connect to, and how; accepted before or after the "
        "command. Each defaults to its environment variable: ZENDESK_SUBDOMAIN, "
        "ZENDESK_BASE_URL, ZENDESK_EMAIL, ZENDESK_API_TOKEN, ZENDESK_PASSWORD, "
        "ZENDESK_OAUTH_TOKEN, ZENDESK_OAUTH_TOKEN_FILE; OAuth that refreshes itself is read from "
        "ZENDESK_OAUTH_CLIENT_ID, ZENDESK_OAUTH_CLIENT_SECRET and ZENDESK_OAUTH_REFRESH_TOKEN.",
    )

    def option(*flags: str, default: Any = None, **kwargs: Any) -> None:
        group.add_argument(*flags, default=default if defaults else argparse.SUPPRESS, **kwargs)

    option("--base-url", metavar="URL", help="site root to talk to, e.g. a proxy or a fake")
    option("--subdomain", help="'acme' for https://acme.zendesk.com")
    option("--email", help="agent email (with --api-token or --password)")
    option("--api-token", metavar="TOKEN", help="API token (prefer ZENDESK_API_TOKEN)")
    option("--password", help="deprecated: Zendesk turned password access off in January 2026")
    option("--oauth-token", metavar="TOKEN", help="OAuth access token (prefer ZENDESK_OAUTH_TOKEN)")
    option(
        "--token-file",
        metavar="PATH",
        help="keep rotated OAuth tokens in this file (mode 0600); with ZENDESK_OAUTH_CLIENT_ID, "
        "ZENDESK_OAUTH_CLIENT_SECRET and ZENDESK_OAUTH_REFRESH_TOKEN",
    )
    option(
        "--sandbox",
        action="store_true",
        default=False,
        help="run against an in-process fake Zendesk seeded with a demo account",
    )
    option(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"seconds per request (default: {DEFAULT_TIMEOUT:g})",
    )
    option(
        "--max-concurrency",
        type=_count,
        default=DEFAULT_MAX_CONCURRENCY,
        metavar="N",
        help=f"requests in flight at once (default: {DEFAULT_MAX_CONCURRENCY})",
    )
    # Commands reached through the connection options connect; the others refuse them.
    parser.set_defaults(connects=not defaults)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command and its options, or one line on stderr and exit 2."""
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        command = _commands(parser)[args.command]
        misplaced = [e for e in extras if e.split("=", 1)[0] in command._option_string_actions]
        hint = (
            f" ({misplaced[0]} is an option of {args.command}: put it after the command)"
            if misplaced
            else ""
        )
        parser.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
    if not args.connects:
        connection = connection_dests(parser)
        given = [
            action.option_strings[0]
            for action in parser._actions
            if action.dest in connection and getattr(args, action.dest) != action.default
        ]
        if given:
            parser.error(
                f"{args.command} does not connect to an account: {', '.join(given)} has no use here"
            )
    return args


def connection_dests(parser: argparse.ArgumentParser) -> set[str]:
    """The connection options of the top-level *parser*: all its options but help and version."""
    return {a.dest for a in parser._actions if a.option_strings} - {"help", "version"}


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands: dict[str, argparse.ArgumentParser] = action.choices
    return commands


def build_parser() -> argparse.ArgumentParser:
    connection = _Parser(add_help=False)
    _add_connection_options(connection, defaults=False)

    parser = _Parser(
        prog="zendesk-ivr",
        description="Audit, export, draw and migrate the IVRs of a Zendesk Talk account.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_connection_options(parser, defaults=True)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    audit = commands.add_parser(
        "audit",
        parents=[connection],
        help="find what is wrong with every IVR",
        description="Read every IVR with its menus and routes and list what is wrong with them. "
        "Exit 0 when no finding is at least as severe as --fail-on, 1 when one is, 2 on a "
        "usage, credential or connection problem.",
    )
    audit.add_argument(
        "--format",
        choices=AUDIT_FORMATS,
        default="table",
        help="a table for people, JSON or CSV of rule, severity, ids and message, or html: one "
        "page with every IVR's call flow drawn (needs the report extra) (default: %(default)s)",
    )
    audit.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="exit 1 when a finding is at least this severe; never: always 0 "
        "(default: %(default)s)",
    )
    audit.add_argument(
        "--check-groups",
        action="store_true",
        help="also list the account's groups to find routes to deleted groups",
    )
    audit.add_argument(
        "--check-greetings",
        action="store_true",
        help="also list the account's greetings to find menus with deleted greetings",
    )
    audit.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    export = commands.add_parser(
        "export",
        parents=[connection],
        help="write the whole IVR tree as JSON",
        description="Write every IVR with its menus and routes, and the names of the groups, "
        "greetings and phone numbers they use, as the JSON that plan, apply and map read.",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    graph = commands.add_parser(
        "graph",
        parents=[connection],
        help="draw one IVR's call flow (Mermaid, DOT or SVG)",
        description="Draw one IVR's call flow, menus as nodes and keypresses as edges, with "
        "the audit's findings marked.",
    )
    graph.add_argument("ivr_id", type=int, metavar="IVR_ID", help="the id of the IVR to draw")
    graph.add_argument(
        "--format",
        choices=(*GRAPH_FORMATS, "svg"),
        default="mermaid",
        help="Mermaid (renders on GitHub), Graphviz DOT, or SVG drawn by the layout engine of "
        "the report extra (default: %(default)s)",
    )
    graph.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    _add_migration_commands(commands, connection)
    _add_ivr_file_commands(commands, connection)

    sandbox = commands.add_parser(
        "sandbox",
        help="run a fake Zendesk with a demo account until interrupted",
        description="Serve a fake Zendesk seeded with a demo account (IVRs with planted "
        "problems) until interrupted, printing its base URL and credentials.",
    )
    sandbox.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    sandbox.add_argument(
        "--port", type=_port, default=8089, help="0 picks a free port (default: %(default)s)"
    )
    sandbox.add_argument(
        "--ivrs", type=_count, default=300, help="IVRs in the demo account (default: %(default)s)"
    )
    sandbox.add_argument(
        "--copy-target",
        action="store_true",
        help="serve a second account instead: the demo account's groups, greetings and Talk "
        "numbers under other ids, and no IVRs, to copy the demo's IVRs to by name",
    )
    return parser


def _add_migration_commands(commands: Any, connection: argparse.ArgumentParser) -> None:
    def desired_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "file",
            metavar="FILE",
            help="the desired state: an IVR file (YAML, as pull writes) or an export's JSON",
        )
        command.add_argument(
            "--map",
            metavar="MAP",
            help='the id map, JSON: {"groups": {"OLD": NEW}, "greetings": {}, "phone_numbers": {}}',
        )
        command.add_argument(
            "--map-by-name",
            action="store_true",
            help="map groups and greetings by name and phone numbers by number, as the map "
            "command does (entries of --map win)",
        )
        command.add_argument(
            "--skip-dangling",
            action="store_true",
            help="leave out references to what FILE's account did not have (routes to missing "
            "menus, deleted groups...) and list them, instead of refusing the plan",
        )
        command.add_argument(
            "--prune",
            action="store_true",
            help="also delete IVRs, menus and routes FILE does not have (default: keep them)",
        )
        command.add_argument(
            "--format",
            choices=PLAN_FORMATS,
            default="text",
            help="json prints a refused plan's every reason (and plan prints the plan) as JSON "
            "on stdout (default: %(default)s)",
        )

    def apply_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--dry-run",
            action="store_true",
            help="print the requests as JSON lines and send nothing",
        )
        command.add_argument(
            "--journal",
            metavar="PATH",
            help="record progress here; running again with it finishes an interrupted apply",
        )
        command.add_argument("--yes", action="store_true", help="apply without asking")

    map_command = commands.add_parser(
        "map",
        parents=[connection],
        help="write an id map for FILE against the account",
        description="Write an id map (--map's format) for the export FILE against the "
        "account: groups and greetings matched by name, phone numbers by number. What cannot be "
        "matched is listed on stderr, one line each. Exit 0 when everything was matched, 1 when "
        "something was not (the map of the rest is still written), 2 on a usage, credential or "
        "connection problem.",
    )
    map_command.add_argument("file", metavar="FILE", help="an export's JSON")
    map_command.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of stdout"
    )
    plan_command = commands.add_parser(
        "plan",
        parents=[connection],
        help="print the steps that make the account match FILE",
        description="Print one line per step that would make the account match FILE (a "
        "summary goes to stderr); nothing is sent. Exit 0, or 2 when the plan is refused. "
        "An IVR file's names are resolved against the account: a name it lacks, or has "
        "twice, refuses the plan, each listed with its line.",
    )
    desired_options(plan_command)
    plan_command.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 0 when the account already matches FILE, 1 when it does not (a drift "
        "check, like git diff --exit-code), 2 on errors",
    )
    apply_command = commands.add_parser(
        "apply",
        parents=[connection],
        help="make the account match FILE",
        description="Plan, confirm and apply the steps that make the account match FILE. "
        "Exit 0 when done, 1 when a step failed or the confirmation was declined, 2 on a "
        "refused plan, a bad file or a usage, credential or connection problem.",
    )
    desired_options(apply_command)
    apply_options(apply_command)
    reroute = commands.add_parser(
        "reroute",
        parents=[connection],
        help="re-point every group and voicemail route from one group to another",
        description="Re-point every group and voicemail route ringing group OLD to group NEW, "
        "in every IVR, applied like apply's plans. NEW must be a group of the account; when no "
        "route rings OLD (any more), there is nothing to change and it exits 0.",
    )
    reroute.add_argument(
        "--from-group",
        type=_group_id,
        required=True,
        metavar="OLD",
        help="the group id routes ring now",
    )
    reroute.add_argument(
        "--to-group", type=_group_id, required=True, metavar="NEW", help="the group id to ring"
    )
    apply_options(reroute)


def _add_ivr_file_commands(commands: Any, connection: argparse.ArgumentParser) -> None:
    pull = commands.add_parser(
        "pull",
        parents=[connection],
        help="write the account's IVRs as an IVR file (YAML, by name)",
        description="Write the account's IVRs as an IVR file: YAML, every group, greeting, "
        "number and menu by name. Into an existing file (-o), only what changed on the account "
        "changes: comments, order and quoting stay. With -o, the schema the file's "
        "$schema line names is written beside it (unless a file of that name that zendesk-ivr "
        "did not write is there).",
    )
    pull.add_argument("-o", "--output", help="write to (or bring up to date) FILE")
    check = commands.add_parser(
        "check",
        help="check an IVR file offline: the schema, then the audit's rules",
        description="Check an IVR file without connecting: the schema, then the audit's rules "
        "(dead keys, unreachable and empty menus, default menus, missing groups, invalid "
        "numbers...), each problem as FILE:LINE:COL: rule: message. Exit 0 when no finding is "
        "at least as severe as --fail-on, 1 when one is, 2 when the file cannot be read or "
        "breaks the schema.",
    )
    check.add_argument("file", metavar="FILE", help="the IVR file")
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="exit 1 when a finding is at least this severe; never: always 0 "
        "(default: %(default)s)",
    )
    commands.add_parser(
        "schema",
        help="print the JSON Schema of IVR files",
        description="Print the JSON Schema of IVR files (draft 2020-12), as pull writes it "
        "beside the file for editors.",
    )
