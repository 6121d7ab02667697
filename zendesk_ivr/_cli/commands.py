"""The reading commands: audit, export, graph, and the sandbox server."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import signal
from collections.abc import Sequence
from typing import IO

from ..analysis._audit import Finding, Severity, audit_ivrs, read_for_audit
from ..analysis._graph import render_graph
from ..migration._export import export
from .connect import connect
from .errors import UsageError
from .progress import Progress


async def audit_command(args: argparse.Namespace, out: IO[str]) -> int:
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            tree, context = await read_for_audit(
                client, check_groups=args.check_groups, check_greetings=args.check_greetings
            )
            requests = client.requests_sent
    findings = audit_ivrs(tree.ivrs, context=context)
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
        raise UsageError(
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


async def export_command(args: argparse.Namespace, out: IO[str]) -> int:
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            document = await export(client, source="sandbox" if args.sandbox else None)
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
    return 0


async def graph_command(args: argparse.Namespace, out: IO[str]) -> int:
    if args.ivr_id <= 0:
        raise UsageError(f"IVR_ID must be a positive integer, got {args.ivr_id}")
    async with connect(args) as client:
        # Through the walk, so a menu whose routes the response left out is not drawn empty.
        (ivr,) = (await client.walk(ivr_ids=[args.ivr_id])).ivrs
    out.write(render_graph(ivr, audit_ivrs([ivr]), format=args.format))
    return 0


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
    async with await FakeZendesk.start(host=args.host, port=args.port) as fake:
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
