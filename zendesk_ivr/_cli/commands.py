"""
The reading commands: audit, export, graph, and the sandbox server.

The tools (`zendesk_ivr.analysis`, `zendesk_ivr.migration`) import the client, and with it
aiohttp: each command imports them once it has connected, so that a command refused before it
connects (a bad IVR_ID, a setting the command cannot use) answers fast.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import errno
import json
import os
import signal
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Final

from .connect import connect
from .errors import UsageError
from .progress import Progress

if TYPE_CHECKING:
    from rich.table import Table

    from ..analysis._rules import Finding


async def audit_command(args: argparse.Namespace, out: IO[str]) -> int:
    if args.format == "html":
        _check_layout_engine()  # before reading the account, which may take a while
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            from ..analysis._audit import read_for_audit  # noqa: PLC0415
            from ..analysis._rules import Severity, audit_ivrs  # noqa: PLC0415

            tree, context = await read_for_audit(
                client, check_groups=args.check_groups, check_greetings=args.check_greetings
            )
            requests = client.requests_sent
            base_url = client.base_url
    findings = audit_ivrs(tree.ivrs, context=context)
    if args.format == "html":
        from ..analysis._report import render_html_report  # noqa: PLC0415 - only for html

        page = render_html_report(
            findings,
            tree.ivrs,
            group_names=context.group_names,
            greeting_names=context.greeting_names,
            base_url=base_url,
            requests=requests,
        )
        out.write(page)
    elif args.format == "json":
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
    except ImportError:
        raise UsageError(
            "the table format needs 'rich': pip install '.[cli]' in a clone of zendesk-ivr, "
            "or use --format json or csv"
        ) from None
    from ..analysis._rules import Severity  # noqa: PLC0415 - imported by audit_command already

    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    # A terminal's width, or COLUMNS where it is set; 160 for a file or a pipe otherwise.
    width = None if out.isatty() or os.environ.get("COLUMNS") else 160
    console = Console(file=out, width=width, highlight=False)
    if findings:
        # Not cropped: narrower than its ids, the table runs past the edge rather than cut them.
        console.print(_findings_table(findings, console.width), crop=False)
    console.print(
        f"{len(findings)} findings ({counts[Severity.ERROR]} errors, "
        f"{counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} info) "
        f"in {ivrs} IVRs, read with {requests} requests"
    )


#: Columns the message needs beside the others for a row per line to read well.
_MESSAGE_WIDTH: Final = 30
#: What the message keeps on a terminal too narrow for the rest: rows then run past its edge.
_MESSAGE_MIN_WIDTH: Final = 16
#: Between two columns: padding, the divider, padding.
_GAP: Final = 3


def _findings_table(findings: Sequence[Finding], width: int) -> Table:
    """
    The findings, worst first, in a table whose severities, rules and ids are never cut or
    wrapped: a column each where the terminal is wide enough, else severity over rule and the
    ids one over the other; only the message wraps.
    """
    from rich import box  # noqa: PLC0415 - optional, the cli extra
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    from ..analysis._rules import Severity  # noqa: PLC0415 - imported by audit_command already

    rows = sorted(findings, key=lambda f: -f.severity.rank)
    ids = [(_id(f.ivr_id), _id(f.menu_id), _id(f.route_id)) for f in rows]
    headers: tuple[str, ...] = ("severity", "rule", "ivr", "menu", "route")
    cells: list[tuple[str, ...]] = [
        (f.severity.value, f.rule, *i) for f, i in zip(rows, ids, strict=True)
    ]
    if sum(_widths(headers, cells)) + _GAP * len(headers) + _MESSAGE_WIDTH > width:
        headers = ("severity\nrule", "ivr\nmenu\nroute")
        cells = [
            (f"{f.severity.value}\n{f.rule}", _stack(i)) for f, i in zip(rows, ids, strict=True)
        ]
    widths = _widths(headers, cells)
    # Narrower than that, rich would squeeze every column: the table keeps its width instead.
    needed = sum(widths) + _GAP * len(widths) + _MESSAGE_MIN_WIDTH
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        width=needed if needed > width else None,
    )
    for header in headers:
        table.add_column(header, no_wrap=True)
    table.add_column("message", overflow="fold", ratio=1, min_width=_MESSAGE_MIN_WIDTH)
    styles = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    for finding, row in zip(rows, cells, strict=True):
        # Text, not markup: a name with brackets in it is shown as written.
        first = Text(row[0])
        first.stylize(styles[finding.severity], 0, len(finding.severity.value))
        table.add_row(first, *map(Text, row[1:]), Text(finding.message))
    return table


def _widths(headers: Sequence[str], cells: Sequence[Sequence[str]]) -> list[int]:
    """The width of each column: its longest line."""
    return [
        max(len(line) for text in (header, *(row[k] for row in cells)) for line in text.split("\n"))
        for k, header in enumerate(headers)
    ]


def _stack(ids: Sequence[str]) -> str:
    """*ids* one over the other, trailing empty ones left out, others shown as ``-``."""
    shown = list(ids)
    while shown and not shown[-1]:
        shown.pop()
    return "\n".join(value or "-" for value in shown)


def _id(value: int | None) -> str:
    return "" if value is None else str(value)


async def export_command(args: argparse.Namespace, out: IO[str]) -> int:
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            from ..migration._export import export  # noqa: PLC0415 - once connected

            document = await export(client, source="sandbox" if args.sandbox else None)
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return 0


async def graph_command(args: argparse.Namespace, out: IO[str]) -> int:
    if args.ivr_id <= 0:
        raise UsageError(f"IVR_ID must be a positive integer, got {args.ivr_id}")
    if args.format == "svg":
        _check_layout_engine()
    async with connect(args) as client:
        from ..analysis import audit_ivrs, render_graph  # noqa: PLC0415 - once connected

        # Through the walk, so a menu whose routes the response left out is not drawn empty.
        (ivr,) = (await client.walk(ivr_ids=[args.ivr_id])).ivrs
    if args.format == "svg":
        from ..analysis._layout import render_svg  # noqa: PLC0415 - only for svg

        out.write(render_svg(ivr, audit_ivrs([ivr])))
    else:
        out.write(render_graph(ivr, audit_ivrs([ivr]), format=args.format))
    return 0


def _check_layout_engine() -> None:
    """Fail at once, before any request, when the engine that draws SVG is not installed."""
    from ..analysis._layout import engine_path  # noqa: PLC0415 - only for html and svg

    engine_path()


async def sandbox_command(args: argparse.Namespace, out: IO[str]) -> int:
    from ..testing import (  # noqa: PLC0415 - only here
        FakeZendesk,
        seed_demo_account,
        seed_demo_copy_target,
    )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        fake = await FakeZendesk.start(host=args.host, port=args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {args.port} on {args.host} is already in use: pass --port 0 to pick a "
                "free one, or another --port"
            ) from None
        raise UsageError(
            f"cannot listen on {args.host} port {args.port}: {exc.strerror or exc}"
        ) from None
    async with fake:
        if args.copy_target:
            seed_demo_copy_target(fake, ivrs=args.ivrs)
            what = "the demo's groups, greetings and numbers under other ids, and no IVRs"
            then = "zendesk-ivr plan ivrs.yaml (a file pulled from the demo account)"
        else:
            what = f"{len(seed_demo_account(fake, ivrs=args.ivrs).ivr_ids)} IVRs"
            then = "zendesk-ivr audit --check-groups --check-greetings"
        out.write(
            f"Sandbox Zendesk with {what} running at {fake.url}\n"
            f"  export ZENDESK_BASE_URL={fake.url}\n"
            f"  export ZENDESK_EMAIL={fake.email}\n"
            f"  export ZENDESK_API_TOKEN={fake.api_token}\n"
            f"Then: {then}\n"
            "Press Ctrl+C to stop.\n"
        )
        out.flush()
        await stop.wait()
    return 0
