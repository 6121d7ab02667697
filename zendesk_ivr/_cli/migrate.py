"""The migration commands: plan, apply and reroute, with confirmation and journals."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import IO

from .._client import Client
from .._migration import journal as _journal
from .._migration.apply import ApplyFailed, apply
from .._migration.planner import plan
from .._migration.state import DesiredState, IdMap, load_export
from .._migration.steps import STEP_ACTIONS, Plan, Step
from .connect import connect
from .errors import UsageError
from .progress import Progress, ask


async def _plan_for(args: argparse.Namespace, client: Client) -> Plan:
    # The files are read before anything is sent, so a bad one costs no request.
    desired = load_export(args.file)
    id_map = IdMap.load(args.map) if args.map else None
    tree = await client.walk()
    # An export applied back to its own account keeps its references as they are.
    same_account = desired.came_from(client.base_url)
    return plan(desired, tree, id_map=id_map, prune=args.prune, same_account=same_account)


async def plan_command(args: argparse.Namespace, out: IO[str]) -> int:
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            migration = await _plan_for(args, client)
    for line in migration.describe():
        out.write(line + "\n")
    print(_summary(migration.steps), file=sys.stderr)
    return 0


async def apply_command(args: argparse.Namespace, out: IO[str]) -> int:
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            migration = await _plan_for(args, client)
            return await _run_plan(args, client, migration, out, progress)


async def reroute_command(args: argparse.Namespace, out: IO[str]) -> int:
    old, new = args.from_group, args.to_group
    if old == new:
        raise UsageError(f"--from-group and --to-group are both {old}: nothing to re-point")
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            tree = await client.walk()
            desired = DesiredState.from_tree(tree, base_url=client.base_url)
            # Named by the change, not by the desired state: that changes as routes move, and a
            # resumed reroute must still recognise its journal.
            migration = plan(
                desired.replace_group(old, new),
                tree,
                same_account=True,
                origin=f"reroute group {old} to group {new}",
            )
            return await _run_plan(args, client, migration, out, progress)


async def _run_plan(
    args: argparse.Namespace, client: Client, migration: Plan, out: IO[str], progress: Progress
) -> int:
    """Dry-run, or confirm and apply, *migration*, or the plan of an interrupted apply's journal."""
    done: set[str] = set()
    journaled = _journal.read(args.journal) if args.journal else None
    if journaled is not None:
        resumed = _journal.plan_in(journaled, args.journal)
        if resumed.origin != migration.origin:
            raise UsageError(
                f"journal {args.journal} was written for another migration (another file, "
                "map, options or command); finish that one, or pick another --journal path"
            )
        migration, done = resumed, set(journaled.done)
        print(
            f"Resuming from journal {args.journal}: {len(done)} of {len(migration.steps)} steps "
            "were done.",
            file=sys.stderr,
        )
    if args.dry_run:
        report = await apply(client, migration, dry_run=True, journal=args.journal)
        for request in report.planned:
            out.write(json.dumps(request.as_dict(), ensure_ascii=False) + "\n")
        return 0
    remaining = [step for step in migration.steps if step.key not in done]
    if not remaining:
        out.write("Nothing to change.\n")
        return 0
    for step in remaining:
        out.write(step.describe() + "\n")
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(
                f"refusing to apply {len(remaining)} steps without confirmation: stdin is not a "
                "terminal, pass --yes"
            )
        out.flush()
        with progress.paused():
            answer = await ask(f"Apply {len(remaining)} steps to {client.base_url}? [y/N] ", out)
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
        report = await apply(client, migration, journal=args.journal, on_step=on_step)
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


def _summary(steps: Sequence[Step]) -> str:
    if not steps:
        return "Nothing to change."
    counts = {action: sum(1 for s in steps if s.action == action) for action in STEP_ACTIONS}
    return f"{len(steps)} steps: " + ", ".join(f"{n} to {a}" for a, n in counts.items())
