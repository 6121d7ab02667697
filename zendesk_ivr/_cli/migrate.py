"""The migration commands: map, plan, apply and reroute, with confirmation and journals."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from attrs import frozen

from .._models import GroupOptions, IvrTree, VoicemailOptions
from ..analysis._audit import read_for_audit
from ..migration import _journal
from ..migration._apply import ApplyFailed, apply, apply_holding
from ..migration._idmap_by_name import map_by_name
from ..migration._planner import plan
from ..migration._refusal import PlanRefused
from ..migration._state import DesiredState, IdMap, load_export
from ..migration._steps import STEP_ACTIONS, Plan, Step
from .ascode import plan_ivr_file_for, read_desired
from .connect import connect
from .errors import UsageError
from .progress import Progress, ask

if TYPE_CHECKING:
    from .._client import Client


async def map_command(args: argparse.Namespace, out: IO[str]) -> int:
    desired = load_export(args.file)  # read first, so a bad file costs no request
    progress = Progress("Reading the account's groups, greetings and phone numbers")
    with progress:
        async with connect(args, progress.on_attempt) as client:
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
    desired = read_desired(args.file)
    if not isinstance(desired, DesiredState):
        return await plan_ivr_file_for(args, client, desired, out)
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


async def plan_command(args: argparse.Namespace, out: IO[str]) -> int:
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            migration = await _plan_for(args, client, out)
    if args.format == "json":
        document = {**migration.to_json(), "skipped": [d.to_json() for d in migration.skipped]}
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for line in migration.describe():
            out.write(line + "\n")
    print(_summary(migration), file=sys.stderr)
    if args.exit_code and (migration.steps or migration.skipped):
        return 1  # the account does not match the file, as `git diff --exit-code` says
    return 0


async def apply_command(args: argparse.Namespace, out: IO[str]) -> int:
    with _journal_of(args) as journal:
        progress = Progress("Reading the IVR tree")
        with progress:
            async with connect(args, progress.on_attempt) as client:
                migration = await _plan_for(args, client, out)
                # On stderr, so a dry run's stdout stays JSON lines.
                for skipped in migration.skipped:
                    print(skipped.describe(), file=sys.stderr)
                return await _run_plan(args, client, migration, out, progress, journal=journal)


async def reroute_command(args: argparse.Namespace, out: IO[str]) -> int:
    old, new = args.from_group, args.to_group
    if old == new:
        raise UsageError(f"--from-group and --to-group are both {old}: nothing to re-point")
    with _journal_of(args) as journal, Progress("Reading the IVR tree") as progress:
        async with connect(args, progress.on_attempt) as client:
            tree, account = await read_for_audit(client, check_groups=True, check_greetings=False)
            groups = account.group_ids or frozenset()
            if new not in groups:
                raise UsageError(
                    f"--to-group {new} is not a group of the account: nothing re-pointed"
                )
            if old not in _rung_groups(tree):
                # Done already, however it got there (rerouted before, then the group deleted):
                # the same "nothing to change" as any finished reroute, and exit 0.
                print(f"No route rings group {old}.", file=sys.stderr)
            desired = DesiredState.from_tree(tree, base_url=client.base_url)
            # Named by the change, not by the desired state: that changes as routes move, and a
            # resumed reroute must still recognise its journal.
            migration = plan(
                desired.replace_group(old, new),
                tree,
                same_account=True,
                origin=f"reroute group {old} to group {new}",
            )
            return await _run_plan(args, client, migration, out, progress, journal=journal)


def _rung_groups(tree: IvrTree) -> set[int]:
    return {
        group
        for ivr in tree.ivrs
        for menu in ivr.menus
        for route in menu.routes
        if isinstance(route.options, GroupOptions | VoicemailOptions)
        for group in route.options.group_ids
    }


@frozen
class _JournalOf:
    """The ``--journal`` of an apply: held (not for a dry run) and read, before any request."""

    held: _journal.JournalLock | None
    read: _journal.Progress | None


@contextlib.contextmanager
def _journal_of(args: argparse.Namespace) -> Iterator[_JournalOf]:
    """
    Hold and read ``--journal`` first: a second apply on it, or a path holding another file,
    exits 2 at once, with nothing sent and the file as it was.
    """
    if not args.journal:
        yield _JournalOf(None, None)
    elif args.dry_run:  # sends nothing, writes nothing: another apply may hold it
        yield _JournalOf(None, _journal.read(args.journal))
    else:
        with _journal.lock(args.journal) as held:
            yield _JournalOf(held, held.read())


async def _run_plan(
    args: argparse.Namespace,
    client: Client,
    migration: Plan,
    out: IO[str],
    progress: Progress,
    *,
    journal: _JournalOf,
) -> int:
    """Dry-run, or confirm and apply, *migration*, or the plan of an interrupted apply's journal."""
    done: set[str] = set()
    journaled = journal.read
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
        report = await apply_holding(client, migration, journal.held, on_step=on_step)
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


def _summary(migration: Plan) -> str:
    skipped = migration.skipped
    left_out = f" ({len(skipped)} dangling references left out)" if skipped else ""
    if migration.is_empty:
        return f"Nothing to change.{left_out}"
    steps = migration.steps
    counts = {action: sum(1 for s in steps if s.action == action) for action in STEP_ACTIONS}
    summary = f"{len(steps)} steps: " + ", ".join(f"{n} to {a}" for a, n in counts.items())
    return summary + left_out
