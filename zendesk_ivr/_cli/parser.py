"""The command line's grammar: every command, option and default."""

from __future__ import annotations

import argparse
from typing import Any, Final, NoReturn

from .._analysis.graph import GRAPH_FORMATS
from .._version import __version__
from .errors import fail

FAIL_ON: Final = ("error", "warning", "info", "never")
AUDIT_FORMATS: Final = ("table", "json", "csv")


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
    group.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    group.add_argument("--max-concurrency", type=int, default=16, help="requests in flight at once")

    parser = _Parser(
        prog="zendesk-ivr",
        description="Audit, export, draw and migrate the IVRs of a Zendesk Talk account.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    audit = commands.add_parser(
        "audit", parents=[connection], help="find what is wrong with every IVR"
    )
    audit.add_argument("--format", choices=AUDIT_FORMATS, default="table")
    audit.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="error",
        help="exit 1 when a finding is at least this severe (default: error)",
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
        "export", parents=[connection], help="write the whole IVR tree as JSON"
    )
    export.add_argument("-o", "--output", help="write to FILE instead of stdout")

    graph = commands.add_parser(
        "graph", parents=[connection], help="draw one IVR's call flow (Mermaid or DOT)"
    )
    graph.add_argument("ivr_id", type=int, metavar="IVR_ID")
    graph.add_argument("--format", choices=GRAPH_FORMATS, default="mermaid")
    graph.add_argument("-o", "--output", help="write to FILE instead of stdout")

    _add_migration_commands(commands, connection)

    sandbox = commands.add_parser(
        "sandbox", help="run a fake Zendesk with a demo account until interrupted"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=_port, default=8089, help="0 picks a free port")
    sandbox.add_argument("--ivrs", type=_count, default=300, help="IVRs in the demo account")
    return parser


def _add_migration_commands(commands: Any, connection: argparse.ArgumentParser) -> None:
    def desired_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("file", metavar="FILE", help="the desired state: an export's JSON")
        command.add_argument(
            "--map",
            metavar="MAP",
            help='the id map, JSON: {"groups": {"OLD": NEW}, "greetings": {}, "phone_numbers": {}}',
        )
        command.add_argument(
            "--prune",
            action="store_true",
            help="also delete IVRs, menus and routes FILE does not have (default: keep them)",
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

    plan_command = commands.add_parser(
        "plan", parents=[connection], help="print the steps that make the account match FILE"
    )
    desired_options(plan_command)
    apply_command = commands.add_parser(
        "apply", parents=[connection], help="make the account match FILE"
    )
    desired_options(apply_command)
    apply_options(apply_command)
    reroute = commands.add_parser(
        "reroute",
        parents=[connection],
        help="re-point every group and voicemail route from one group to another",
    )
    reroute.add_argument("--from-group", type=_group_id, required=True, metavar="OLD")
    reroute.add_argument("--to-group", type=_group_id, required=True, metavar="NEW")
    apply_options(reroute)
