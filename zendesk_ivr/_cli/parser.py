"""The command line's grammar: every command, option and default."""

from __future__ import annotations

import argparse
from typing import Any, Final, NoReturn

from .._version import __version__
from ..analysis._graph import GRAPH_FORMATS
from .errors import fail

FAIL_ON: Final = ("error", "warning", "info", "never")
AUDIT_FORMATS: Final = ("table", "json", "csv", "html")
PLAN_FORMATS: Final = ("text", "json")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr, like every other failure."""

    def error(self, message: str) -> NoReturn:
        fail(f"{message} (see {self.prog} --help)")


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
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
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    connection = _Parser(add_help=False)
    group = connection.add_argument_group(
        "connection",
        "Credentials default to ZENDESK_SUBDOMAIN, ZENDESK_BASE_URL, ZENDESK_EMAIL, "
        "ZENDESK_API_TOKEN, ZENDESK_PASSWORD and ZENDESK_OAUTH_TOKEN; refreshing OAuth to "
        "ZENDESK_OAUTH_CLIENT_ID, ZENDESK_OAUTH_CLIENT_SECRET, ZENDESK_OAUTH_REFRESH_TOKEN.",
    )
    group.add_argument("--base-url", help="site root to talk to, e.g. a proxy or a fake")
    group.add_argument("--subdomain", help="'acme' for https://acme.zendesk.com")
    group.add_argument("--email", help="agent email (with --api-token or --password)")
    group.add_argument("--api-token", help="API token (prefer ZENDESK_API_TOKEN)")
    group.add_argument(
        "--password", help="deprecated: Zendesk turned password access off in January 2026"
    )
    group.add_argument("--oauth-token", help="OAuth access token (prefer ZENDESK_OAUTH_TOKEN)")
    group.add_argument(
        "--token-file",
        help="keep rotated OAuth tokens in this file (mode 0600); with ZENDESK_OAUTH_CLIENT_ID, "
        "ZENDESK_OAUTH_CLIENT_SECRET and ZENDESK_OAUTH_REFRESH_TOKEN",
    )
    group.add_argument(
        "--sandbox",
        action="store_true",
        help="run against an in-process fake Zendesk seeded with a demo account",
    )
    group.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per request (default: %(default)s)"
    )
    group.add_argument(
        "--max-concurrency",
        type=int,
        default=16,
        help="requests in flight at once (default: %(default)s)",
    )

    parser = _Parser(
        prog="zendesk-ivr",
        description="Audit, export, draw and migrate the IVRs of a Zendesk Talk account.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    audit.add_argument("-o", "--output", help="write to FILE instead of stdout")

    export = commands.add_parser(
        "export",
        parents=[connection],
        help="write the whole IVR tree as JSON",
        description="Write every IVR with its menus and routes, and the names of the groups, "
        "greetings and phone numbers they use, as the JSON that plan, apply and map read.",
    )
    export.add_argument("-o", "--output", help="write to FILE instead of stdout")

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
    graph.add_argument("-o", "--output", help="write to FILE instead of stdout")

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
    map_command.add_argument("-o", "--output", help="write to FILE instead of stdout")
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
        "in every IVR, applied like apply's plans. NEW must be a group of the account, OLD one "
        "of it or one that routes still ring.",
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
