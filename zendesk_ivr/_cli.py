"""
The ``zendesk-ivr`` command: audit, export, graph, sandbox, and the migrations plan, apply and
reroute.

Exit codes: 0 when nothing at or above ``--fail-on`` was found (or the command did its job),
1 when the audit found something that bad (or an apply stopped on a failed step, or was not
confirmed), 2 for a usage, credential or connection problem, a bad file or a refused plan,
reported on one line without a traceback, 3 for a bug of ours (``ZENDESK_IVR_DEBUG=1`` shows
the traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import IO, Any, Final, NoReturn

from . import _journal
from ._api import Attempt
from ._apply import ApplyFailed, apply
from ._audit import Finding, Severity, audit_ivrs, read_for_audit
from ._client import Client
from ._exceptions import ZendeskError
from ._graph import GRAPH_FORMATS, render_graph
from ._migrate import DesiredState, IdMap, Plan, Step, load_export
from ._migration.export import export
from ._migration.idmap_by_name import map_by_name
from ._models import GroupOptions, IvrTree, VoicemailOptions
from ._plan import PlanRefused, plan
from ._version import __version__

FAIL_ON: Final = ("error", "warning", "info", "never")
AUDIT_FORMATS: Final = ("table", "json", "csv")
PLAN_FORMATS: Final = ("text", "json")


class _UsageError(Exception):
    """A problem with how the command was called; exit 2 with the message."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr, like every other failure."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see {self.prog} --help)")


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


_CREDENTIAL_OPTIONS: Final = ("email", "api_token", "password", "oauth_token")
#: The variables of each secret, and those a secret given as an option makes irrelevant.
_SECRET_VARS: Final = {
    "api_token": "ZENDESK_API_TOKEN",
    "password": "ZENDESK_PASSWORD",
    "oauth_token": "ZENDESK_OAUTH_TOKEN",
}
_REFRESHING_OAUTH_VARS: Final = (
    "ZENDESK_OAUTH_CLIENT_ID",
    "ZENDESK_OAUTH_CLIENT_SECRET",
    "ZENDESK_OAUTH_REFRESH_TOKEN",
)


def _credentials_environ(
    environ: Mapping[str, str], options: Mapping[str, str | None]
) -> Mapping[str, str]:
    """
    The environment `Client.from_env` should read, given the credential *options* passed.

    Options and variables combine field by field, options winning (``ZENDESK_API_TOKEN`` with
    ``--email`` works, as does ``ZENDESK_EMAIL`` with ``--api-token``). A secret given as an
    option picks the scheme, so the environment's other secrets (and refreshing OAuth) are left
    out rather than clashing with it; ``--oauth-token`` also leaves out ``ZENDESK_EMAIL``.
    """
    given = {name for name, value in options.items() if value}
    if not given:
        return environ
    dropped = set(_REFRESHING_OAUTH_VARS)
    secrets = given & set(_SECRET_VARS)
    if secrets:
        dropped |= {var for name, var in _SECRET_VARS.items() if name not in secrets}
    if "oauth_token" in secrets:
        dropped.add("ZENDESK_EMAIL")
    return {k: v for k, v in environ.items() if k not in dropped}


def _parser() -> argparse.ArgumentParser:
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
    group.add_argument("--password", help="password (prefer ZENDESK_PASSWORD)")
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
        help="a table for people, or JSON or CSV of rule, severity, ids and message "
        "(default: %(default)s)",
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
        help="draw one IVR's call flow (Mermaid or DOT)",
        description="Draw one IVR's call flow, menus as nodes and keypresses as edges, with "
        "the audit's findings marked.",
    )
    graph.add_argument("ivr_id", type=int, metavar="IVR_ID", help="the id of the IVR to draw")
    graph.add_argument(
        "--format",
        choices=GRAPH_FORMATS,
        default="mermaid",
        help="Mermaid (renders on GitHub) or Graphviz DOT (default: %(default)s)",
    )
    graph.add_argument("-o", "--output", help="write to FILE instead of stdout")

    _add_migration_commands(commands, connection)

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
        "summary goes to stderr); nothing is sent. Exit 0, or 2 when the plan is refused.",
    )
    desired_options(plan_command)
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


# --- connecting ------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _connect(
    args: argparse.Namespace, on_attempt: Callable[[Attempt], None] | None = None
) -> AsyncIterator[Client]:
    settings: dict[str, Any] = {
        "timeout": args.timeout,
        "max_concurrency": args.max_concurrency,
        "on_attempt": on_attempt,
    }
    if args.sandbox:
        from .testing import FakeZendesk, seed_demo_account  # noqa: PLC0415 - only for --sandbox

        async with await FakeZendesk.start() as fake:
            seed_demo_account(fake)
            async with Client(
                base_url=fake.url, email=fake.email, api_token=fake.api_token, **settings
            ) as client:
                yield client
        return
    for name in ("base_url", "subdomain", *_CREDENTIAL_OPTIONS):
        value = getattr(args, name)
        if value:
            settings[name] = value
    environ = _credentials_environ(os.environ, {n: getattr(args, n) for n in _CREDENTIAL_OPTIONS})
    async with Client.from_env(environ, token_file=args.token_file, **settings) as client:
        yield client


class _Progress:
    """A spinner on stderr counting requests (and steps), only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._requests = 0
        self._status: Any = None
        if sys.stderr.isatty():
            try:
                from rich.console import Console  # noqa: PLC0415 - optional, the cli extra
            except ImportError:
                return
            self._status = Console(stderr=True).status(label)

    def on_attempt(self, _attempt: Attempt) -> None:
        self._requests += 1
        self._show()

    def relabel(self, label: str) -> None:
        self._label = label
        self._show()

    def _show(self) -> None:
        if self._status is not None:
            self._status.update(f"{self._label} ({self._requests} requests)")

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No spinner while the user is asked something."""
        if self._status is not None:
            self._status.stop()
        try:
            yield
        finally:
            if self._status is not None:
                self._status.start()

    def __enter__(self) -> _Progress:
        if self._status is not None:
            self._status.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._status is not None:
            self._status.stop()


# --- commands --------------------------------------------------------------------------------


async def _audit(args: argparse.Namespace, out: IO[str]) -> int:
    progress = _Progress("Reading the IVR tree")
    with progress:
        async with _connect(args, progress.on_attempt) as client:
            tree, account = await read_for_audit(
                client, check_groups=args.check_groups, check_greetings=args.check_greetings
            )
            requests = client.requests_sent
    findings = audit_ivrs(tree.ivrs, account=account)
    if args.format == "json":
        json.dump([f.as_dict() for f in findings], out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        _write_csv(findings, out)
    else:
        _write_table(findings, out, ivrs=len(tree.ivrs), requests=requests)
    if args.fail_on == "never":
        return 0
    threshold = Severity(args.fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in findings) else 0


def _write_csv(findings: Sequence[Finding], out: IO[str]) -> None:
    writer = csv.DictWriter(
        out, fieldnames=["rule", "severity", "ivr_id", "menu_id", "route_id", "message"]
    )
    writer.writeheader()
    for finding in findings:
        writer.writerow(finding.as_dict())


def _write_table(findings: Sequence[Finding], out: IO[str], *, ivrs: int, requests: int) -> None:
    try:
        from rich.console import Console  # noqa: PLC0415 - optional, the cli extra
        from rich.table import Table  # noqa: PLC0415
    except ImportError:
        raise _UsageError(
            "the table format needs 'rich': pip install 'zendesk-ivr[cli]', "
            "or use --format json or csv"
        ) from None
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    console = Console(file=out, width=None if out.isatty() else 160, highlight=False)
    if findings:
        table = Table(show_lines=False, header_style="bold")
        for column in ("severity", "rule", "ivr", "menu", "route", "message"):
            table.add_column(column, overflow="fold", no_wrap=column != "message")
        styles = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
        for f in sorted(findings, key=lambda f: -f.severity.rank):
            table.add_row(
                f"[{styles[f.severity]}]{f.severity.value}[/]",
                f.rule,
                _id(f.ivr_id),
                _id(f.menu_id),
                _id(f.route_id),
                f.message,
            )
        console.print(table)
    console.print(
        f"{len(findings)} findings ({counts[Severity.ERROR]} errors, "
        f"{counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} info) "
        f"in {ivrs} IVRs, read with {requests} requests"
    )


def _id(value: int | None) -> str:
    return "" if value is None else str(value)


async def _export(args: argparse.Namespace, out: IO[str]) -> int:
    progress = _Progress("Reading the IVR tree")
    with progress:
        async with _connect(args, progress.on_attempt) as client:
            document = await export(client, source="sandbox" if args.sandbox else None)
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return 0


async def _graph(args: argparse.Namespace, out: IO[str]) -> int:
    if args.ivr_id <= 0:
        raise _UsageError(f"IVR_ID must be a positive integer, got {args.ivr_id}")
    async with _connect(args) as client:
        # Through the walk, so a menu whose routes the response left out is not drawn empty.
        (ivr,) = (await client.walk(ivr_ids=[args.ivr_id])).ivrs
    out.write(render_graph(ivr, audit_ivrs([ivr]), format=args.format))
    return 0


async def _sandbox(args: argparse.Namespace, out: IO[str]) -> int:
    from .testing import FakeZendesk, seed_demo_account  # noqa: PLC0415 - only here

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with await FakeZendesk.start(host=args.host, port=args.port) as fake:
        demo = seed_demo_account(fake, ivrs=args.ivrs)
        out.write(
            f"Sandbox Zendesk with {len(demo.ivr_ids)} IVRs running at {fake.url}\n"
            f"  export ZENDESK_BASE_URL={fake.url}\n"
            f"  export ZENDESK_EMAIL={fake.email}\n"
            f"  export ZENDESK_API_TOKEN={fake.api_token}\n"
            "Then: zendesk-ivr audit --check-groups --check-greetings\n"
            "Press Ctrl+C to stop.\n"
        )
        out.flush()
        await stop.wait()
    return 0


# --- migrations ------------------------------------------------------------------------------


async def _map_command(args: argparse.Namespace, out: IO[str]) -> int:
    desired = load_export(args.file)  # read first, so a bad file costs no request
    progress = _Progress("Reading the account's groups, greetings and phone numbers")
    with progress:
        async with _connect(args, progress.on_attempt) as client:
            found = await map_by_name(client, desired)
    json.dump(found.id_map.to_json(), out, indent=2)
    out.write("\n")
    for unmatched in found.unmatched:
        print(f"unmatched {unmatched}", file=sys.stderr)
    counts = {name: len(table) for name, table in found.id_map.to_json().items()}
    print(
        f"Mapped {counts['groups']} groups, {counts['greetings']} greetings and "
        f"{counts['phone_numbers']} phone numbers; {len(found.unmatched)} unmatched.",
        file=sys.stderr,
    )
    return 1 if found.unmatched else 0


async def _plan_for(args: argparse.Namespace, client: Client, out: IO[str]) -> Plan:
    # The files are read before anything is sent, so a bad one costs no request.
    desired = load_export(args.file)
    id_map = IdMap.load(args.map) if args.map else None
    tree = await client.walk()
    if args.map_by_name:
        id_map = (await map_by_name(client, desired, id_map=id_map)).id_map
    # An export applied back to its own account keeps its references as they are.
    same_account = desired.came_from(client.base_url)
    try:
        return plan(
            desired,
            tree,
            id_map=id_map,
            prune=args.prune,
            same_account=same_account,
            skip_dangling=args.skip_dangling,
        )
    except PlanRefused as refused:
        if args.format == "json":
            json.dump({"refused": refused.to_json()}, out, indent=2, ensure_ascii=False)
            out.write("\n")
        raise


async def _plan_command(args: argparse.Namespace, out: IO[str]) -> int:
    progress = _Progress("Reading the IVR tree")
    with progress:
        async with _connect(args, progress.on_attempt) as client:
            steps = await _plan_for(args, client, out)
    if args.format == "json":
        document = {**steps.to_json(), "skipped": [d.to_json() for d in steps.skipped]}
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for line in steps.describe():
            out.write(line + "\n")
    print(_summary(steps), file=sys.stderr)
    return 0


async def _apply_command(args: argparse.Namespace, out: IO[str]) -> int:
    progress = _Progress("Reading the IVR tree")
    with progress:
        async with _connect(args, progress.on_attempt) as client:
            steps = await _plan_for(args, client, out)
            # On stderr, so a dry run's stdout stays JSON lines.
            for skipped in steps.skipped:
                print(skipped.describe(), file=sys.stderr)
            return await _run_plan(args, client, steps, out, progress)


async def _reroute_command(args: argparse.Namespace, out: IO[str]) -> int:
    old, new = args.from_group, args.to_group
    if old == new:
        raise _UsageError(f"--from-group and --to-group are both {old}: nothing to re-point")
    progress = _Progress("Reading the IVR tree")
    with progress:
        async with _connect(args, progress.on_attempt) as client:
            tree, account = await read_for_audit(client, check_groups=True, check_greetings=False)
            _check_reroute_groups(old, new, tree, account.group_ids or frozenset())
            desired = DesiredState.from_tree(tree, base_url=client.base_url)
            # Named by the change, not by the desired state: that changes as routes move, and a
            # resumed reroute must still recognise its journal.
            steps = plan(
                desired.replace_group(old, new),
                tree,
                same_account=True,
                origin=f"reroute group {old} to group {new}",
            )
            return await _run_plan(args, client, steps, out, progress)


def _check_reroute_groups(old: int, new: int, tree: IvrTree, groups: frozenset[int]) -> None:
    """
    Refuse, before anything is sent, a target that is not a group of the account, and a source
    that is neither a group nor rung by any route (a deleted group still rung may be re-pointed).
    """
    if new not in groups:
        raise _UsageError(f"--to-group {new} is not a group of the account: nothing re-pointed")
    if old not in groups and old not in _rung_groups(tree):
        raise _UsageError(
            f"--from-group {old} is not a group of the account and no route rings it: "
            "nothing to re-point"
        )


def _rung_groups(tree: IvrTree) -> set[int]:
    return {
        group
        for ivr in tree.ivrs
        for menu in ivr.menus
        for route in menu.routes
        if isinstance(route.options, GroupOptions | VoicemailOptions)
        for group in route.options.group_ids
    }


async def _run_plan(
    args: argparse.Namespace, client: Client, steps: Plan, out: IO[str], progress: _Progress
) -> int:
    """Dry-run, or confirm and apply, *steps*, or the plan of an interrupted apply's journal."""
    done: set[str] = set()
    journaled = _journal.read(args.journal) if args.journal else None
    if journaled is not None:
        resumed = Plan.from_journal(args.journal)
        if resumed.origin != steps.origin:
            raise _UsageError(
                f"journal {args.journal} was written for another migration (another file, "
                "map, options or command); finish that one, or pick another --journal path"
            )
        steps, done = resumed, set(journaled.done)
        print(
            f"Resuming from journal {args.journal}: {len(done)} of {len(steps.steps)} steps "
            "were done.",
            file=sys.stderr,
        )
    if args.dry_run:
        report = await apply(client, steps, dry_run=True, journal=args.journal)
        for request in report.planned:
            out.write(json.dumps(request.as_dict(), ensure_ascii=False) + "\n")
        return 0
    remaining = [step for step in steps.steps if step.key not in done]
    if not remaining:
        out.write("Nothing to change.\n")
        return 0
    for step in remaining:
        out.write(step.describe() + "\n")
    if not args.yes:
        if not sys.stdin.isatty():
            raise _UsageError(
                f"refusing to apply {len(remaining)} steps without confirmation: stdin is not a "
                "terminal, pass --yes"
            )
        out.flush()
        with progress.paused():
            answer = await _ask(f"Apply {len(remaining)} steps to {client.base_url}? [y/N] ", out)
        if answer.strip().lower() not in ("y", "yes"):
            out.write("Nothing applied.\n")
            return 1
    finished = 0

    def on_step(_step: Step, _outcome: str) -> None:
        nonlocal finished
        finished += 1
        progress.relabel(f"Applying: {finished} of {len(remaining)} steps")

    progress.relabel(f"Applying {len(remaining)} steps")
    try:
        report = await apply(client, steps, journal=args.journal, on_step=on_step)
    except ApplyFailed as exc:
        for line in exc.report.describe():
            print(line, file=sys.stderr)
        hint = (
            f"run the same command again with --journal {args.journal} to finish"
            if args.journal
            else "fix the cause and run it again (with --journal PATH, a run resumes)"
        )
        print(f"zendesk-ivr: error: {exc}; {hint}", file=sys.stderr)
        return 1
    out.write(f"Applied: {report.describe()[0]}\n")
    return 0


async def _ask(question: str, out: IO[str]) -> str:
    """
    The user's answer to *question*, read from the terminal on stdin once the loop sees it is
    ready, so Ctrl+C at the prompt cancels the command at once (a thread blocked in ``input``
    would not let it end).
    """
    out.write(question)
    out.flush()
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = sys.stdin.fileno()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    try:
        loop.add_reader(fd, readable)
    except NotImplementedError:  # an event loop that cannot watch a terminal (Windows)
        return sys.stdin.readline()
    try:
        await ready
    finally:
        loop.remove_reader(fd)
    return sys.stdin.readline()  # a terminal hands over whole lines: this does not block


def _summary(steps: Plan) -> str:
    skipped = f" ({len(steps.skipped)} dangling references left out)" if steps.skipped else ""
    if steps.is_empty:
        return f"Nothing to change.{skipped}"
    counts = {action: sum(1 for s in steps.steps if s.action == action) for action in _ACTIONS}
    summary = f"{len(steps.steps)} steps: " + ", ".join(f"{n} to {a}" for a, n in counts.items())
    return summary + skipped


_ACTIONS: Final = ("create", "update", "delete")

_COMMANDS: Final = {
    "audit": _audit,
    "export": _export,
    "graph": _graph,
    "sandbox": _sandbox,
    "map": _map_command,
    "plan": _plan_command,
    "apply": _apply_command,
    "reroute": _reroute_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    output = getattr(args, "output", None)
    # Written to a file only once complete, so a failed run leaves no half-written file.
    buffer = io.StringIO()
    try:
        code = asyncio.run(_COMMANDS[args.command](args, buffer if output else sys.stdout))
    except (_UsageError, ZendeskError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{type(exc).__name__}: {exc}")
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("ZENDESK_IVR_DEBUG"):
            raise
        # Not 1 (that means findings) nor 2 (the caller's problem): a bug of ours.
        _fail(
            f"unexpected {type(exc).__name__}: {exc} (a bug; ZENDESK_IVR_DEBUG=1 shows where)",
            code=3,
        )
    if output:
        try:
            with open(output, "w", encoding="utf-8") as file:
                file.write(buffer.getvalue())
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror}")
    return code


def _fail(message: str, code: int = 2) -> NoReturn:
    first_line = message.strip().splitlines()[0] if message.strip() else "failed"
    print(f"zendesk-ivr: error: {first_line}", file=sys.stderr)
    raise SystemExit(code)


def run() -> NoReturn:
    """The console script's entry point."""
    raise SystemExit(main())
