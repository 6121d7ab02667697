"""
`apply`: send a plan's steps, independent ones concurrently, journaled so that an apply the
process lost half way (a crash, a kill, an error) finishes when run again with its journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeAlias

from attrs import field, frozen

from .._client import Client
from .._core.reading.serde import shared_converter
from .._exceptions import NotFound, ZendeskError
from .._models import Ivr
from . import _journal
from ._journal import Journal, JournalLock, Progress
from ._steps import KEEP, Pending, Plan, PlannedRequest, Step, default_menu_key, map_tree

__all__ = ["ApplyFailed", "ApplyReport", "StepFailure", "apply"]

StepOutcome: TypeAlias = Literal["done", "adopted", "failed"]
_CONVERTER = shared_converter()


@frozen
class StepFailure:
    """A step that failed: its key, the error on one line, and the exception itself."""

    key: str
    error: str
    exception: BaseException | None = field(default=None, eq=False, repr=False)


@frozen(kw_only=True)
class ApplyReport:
    """
    What an apply did, every list in plan order.

    Attributes:
        done: every step now done, those found done in the journal included.
        from_journal: the steps a journal said were done already; not sent again.
        adopted: creates an interrupted run had sent: found on the server and adopted.
        failed: the steps that failed, with their errors.
        not_run: the steps not run because a step they depend on failed.
        created: object key to id, for every object the plan created (or adopted).
        requests: HTTP requests the client sent while applying (reads and retries included).
        dry_run: True when nothing was sent; ``planned`` then holds the requests a real apply
            would send (ids not known yet shown as ``<id of KEY>``).
    """

    done: tuple[str, ...] = ()
    from_journal: tuple[str, ...] = ()
    adopted: tuple[str, ...] = ()
    failed: tuple[StepFailure, ...] = ()
    not_run: tuple[str, ...] = ()
    created: Mapping[str, int] = field(factory=dict, hash=False)
    requests: int = 0
    dry_run: bool = False
    planned: tuple[PlannedRequest, ...] = ()

    @property
    def ok(self) -> bool:
        """Every step is done."""
        return not self.failed and not self.not_run

    def describe(self) -> list[str]:
        """The report for people: a summary line, then each failed and each step not run."""
        lines = [
            f"{len(self.done)} steps done ({len(self.from_journal)} earlier, "
            f"{len(self.adopted)} adopted), {len(self.failed)} failed, "
            f"{len(self.not_run)} not run, {self.requests} requests"
        ]
        lines += [f"failed: {f.key}: {f.error}" for f in self.failed]
        lines += [f"not run: {key}" for key in self.not_run]
        return lines


class ApplyFailed(ZendeskError):
    """
    Steps failed: ``report`` says exactly which steps are done, which failed and why, and which
    were not run because they depend on a failed one. Independent steps were all run.
    """

    def __init__(self, report: ApplyReport) -> None:
        first = report.failed[0] if report.failed else None
        cause = f" ({first.key}: {first.error})" if first else ""
        failed = len(report.failed)
        super().__init__(
            f"apply stopped: {failed} step{'' if failed == 1 else 's'} failed{cause}; "
            f"{len(report.done)} done, {len(report.not_run)} not run"
        )
        self.report = report


async def apply(
    client: Client,
    plan: Plan,
    *,
    dry_run: bool = False,
    journal: str | os.PathLike[str] | None = None,
    on_step: Callable[[Step, StepOutcome], object] | None = None,
) -> ApplyReport:
    """
    Send *plan* through *client*: independent steps concurrently (under the client's rate
    limiter and concurrency cap), each step only once the steps it depends on are done.

    With *journal*, every step is recorded as it completes, with the ids it created, and a
    create is recorded as started before it is sent. Run again with the same journal, the
    apply skips what is done, looks up every create that was started but not recorded done
    (an IVR by name, a menu by name in its IVR, a route by keypress in its menu) and adopts it
    if it exists, so nothing is created twice and nothing is skipped. A journal written for
    another plan, or another account, raises `JournalMismatch` before anything is sent.

    One apply at a time holds a journal: while one runs, another with the same journal raises
    `JournalLocked` (naming the process that holds it) before anything is sent. A path that
    holds anything but a journal (or nothing) is refused with `JournalError`, untouched.

    *dry_run* sends nothing and returns the requests a real apply would send (after the steps
    the journal says are done, if one is given); *on_step* is called as each step ends.

    Raises:
        ApplyFailed: a step failed; its dependents were not run, every other step was.
    """
    if dry_run:
        progress = None if journal is None else _journal.read(journal)
        _check_journal(client, plan, progress, journal)
        return _dry_run(client, plan, progress)
    if journal is None:
        return await apply_holding(client, plan, None, on_step=on_step)
    with _journal.lock(journal) as held:
        return await apply_holding(client, plan, held, on_step=on_step)


async def apply_holding(
    client: Client,
    plan: Plan,
    held: JournalLock | None,
    *,
    on_step: Callable[[Step, StepOutcome], object] | None = None,
) -> ApplyReport:
    """`apply` with the journal *held* already (the command line takes it before it reads)."""
    progress = None if held is None else held.read()
    _check_journal(client, plan, progress, None if held is None else held.path)
    log = None
    if held is not None:
        header = _journal.header_for(plan, str(client.base_url))
        log = Journal.open(held.path, progress, header)
    run = _Run(client, plan, progress, log, on_step)
    sent_before = client.requests_sent
    try:
        await run.execute()
    finally:
        if log is not None:
            log.close()
    report = run.report(client.requests_sent - sent_before)
    if report.failed:
        raise ApplyFailed(report)
    return report


def _check_journal(
    client: Client, plan: Plan, progress: Progress | None, path: str | os.PathLike[str] | None
) -> None:
    if progress is not None and path is not None:
        _journal.check(
            progress,
            fingerprint=plan.fingerprint,
            origin=plan.origin,
            target=str(client.base_url),
            path=os.fspath(path),
        )


def _dry_run(client: Client, plan: Plan, progress: Progress | None) -> ApplyReport:
    done = {} if progress is None else progress.done
    ids = {key: value for step_ids in done.values() for key, value in step_ids.items()}
    finished = tuple(step.key for step in plan.steps if step.key in done)
    planned = tuple(
        step.request(base_url=client.base_url, ids=ids)
        for step in plan.steps
        if step.key not in done
    )
    return ApplyReport(
        done=finished, from_journal=finished, created=ids, dry_run=True, planned=planned
    )


class _Run:
    """One apply: the scheduler, the steps' requests, and what they did."""

    def __init__(
        self,
        client: Client,
        plan: Plan,
        progress: Progress | None,
        journal: Journal | None,
        on_step: Callable[[Step, StepOutcome], object] | None,
    ) -> None:
        self.client = client
        self.plan = plan
        self.journal = journal
        self.on_step = on_step
        earlier = {} if progress is None else progress.done
        self.earlier = {step.key for step in plan.steps if step.key in earlier}
        self.done: set[str] = set(self.earlier)
        self.adopted = {key for key in self.earlier if progress and key in progress.adopted}
        # Creates an earlier run may have sent without hearing back.
        self.unsure = set() if progress is None else progress.started - set(earlier)
        self.ids = {key: value for ids in earlier.values() for key, value in ids.items()}
        self.created = dict(self.ids)
        self.failed: dict[str, StepFailure] = {}

    async def execute(self) -> None:
        steps = {step.key: step for step in self.plan.steps if step.key not in self.done}
        order = {step.key: index for index, step in enumerate(self.plan.steps)}
        waiting = {key: set(s.depends_on) - self.done for key, s in steps.items()}
        dependents: dict[str, list[str]] = {}
        for key, step in steps.items():
            for dependency in step.depends_on:
                dependents.setdefault(dependency, []).append(key)
        ready = [key for key in steps if not waiting[key]]
        running: dict[asyncio.Task[None], str] = {}
        try:
            while ready or running:
                for key in ready:
                    running[asyncio.create_task(self.run(steps[key]))] = key
                ready = []
                finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in sorted(finished, key=lambda t: order[running[t]]):
                    key = running.pop(task)
                    error = task.exception()
                    if error is None:
                        for child in dependents.get(key, ()):
                            waiting[child].discard(key)
                            if not waiting[child]:
                                ready.append(child)
                    elif isinstance(error, ZendeskError):
                        # Its dependents never become ready; independent steps carry on.
                        self.fail(steps[key], error)
                    else:
                        raise error
                ready.sort(key=order.__getitem__)
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    def report(self, requests: int) -> ApplyReport:
        keys = [step.key for step in self.plan.steps]
        return ApplyReport(
            done=tuple(k for k in keys if k in self.done),
            from_journal=tuple(k for k in keys if k in self.earlier),
            adopted=tuple(k for k in keys if k in self.adopted),
            failed=tuple(self.failed[k] for k in keys if k in self.failed),
            not_run=tuple(k for k in keys if k not in self.done and k not in self.failed),
            created=dict(self.created),
            requests=requests,
        )

    def fail(self, step: Step, error: ZendeskError) -> None:
        lines = str(error).strip().splitlines()
        text = f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")
        self.failed[step.key] = StepFailure(step.key, text, error)
        if self.journal is not None:
            self.journal.failed(step.key, text)
        if self.on_step is not None:
            self.on_step(step, "failed")

    def finish(self, step: Step, ids: Mapping[str, int], *, adopted: bool = False) -> None:
        if self.journal is not None:
            self.journal.done(step.key, ids, adopted=adopted)
        self.ids.update(ids)
        self.created.update(ids)
        self.done.add(step.key)
        if adopted:
            self.adopted.add(step.key)
        if self.on_step is not None:
            self.on_step(step, "adopted" if adopted else "done")

    async def run(self, step: Step) -> None:
        ids: list[int] = [self.resolve(i) for i in step.ids]
        fields: dict[str, Any] = self.resolve(dict(step.fields))
        if step.action == "create":
            if step.key in self.unsure:
                found = await self.adopt(step, ids, fields)
                if found is not None:
                    self.finish(step, found, adopted=True)
                    return
            if self.journal is not None:
                self.journal.started(step.key)
            self.finish(step, await self.create(step, ids, fields))
        elif step.action == "update":
            await self.update(step.kind, ids, fields)
            self.finish(step, {})
        else:
            with contextlib.suppress(NotFound):  # an earlier run's delete went through unheard
                await self.delete(step.kind, ids)
            self.finish(step, {})

    def resolve(self, value: Any) -> Any:
        # A pending id's step is done by now: dependencies come first.
        return map_tree(
            value, lambda node: self.ids[node.key] if isinstance(node, Pending) else KEEP
        )

    async def create(self, step: Step, ids: list[int], fields: dict[str, Any]) -> dict[str, int]:
        if step.kind == "ivr":
            return await self.ivr_ids(step.key, await self.client.ivrs.create(**fields))
        if step.kind == "menu":
            menu = await self.client.menus.create(ids[0], **fields)
            return {step.key: menu.id}
        route = await self.client.routes.create(ids[0], ids[1], **fields)
        return {step.key: route.id}

    async def update(self, kind: str, ids: list[int], fields: dict[str, Any]) -> None:
        if kind == "ivr":
            await self.client.ivrs.update(ids[0], **fields)
        elif kind == "menu":
            await self.client.menus.update(ids[0], ids[1], **fields)
        else:
            await self.client.routes.update(ids[0], ids[1], ids[2], **fields)

    async def delete(self, kind: str, ids: list[int]) -> None:
        if kind == "ivr":
            await self.client.ivrs.delete(ids[0])
        elif kind == "menu":
            await self.client.menus.delete(ids[0], ids[1])
        else:
            await self.client.routes.delete(ids[0], ids[1], ids[2])

    async def ivr_ids(self, key: str, ivr: Ivr) -> dict[str, int]:
        """The ids a new IVR brings: its own and its automatic default menu's."""
        default = ivr.default_menu
        if default is None:  # a response without the menus embedded
            menus = [m async for m in self.client.menus.list(ivr.id) if m.default]
            default = menus[0] if menus else None
        if default is None:
            raise ZendeskError(f"IVR {ivr.id} ({key}) has no default menu to adopt")
        return {key: ivr.id, default_menu_key(key): default.id}

    async def adopt(
        self, step: Step, ids: list[int], fields: dict[str, Any]
    ) -> dict[str, int] | None:
        """
        The object an interrupted run created for *step*, looked up by its natural key and
        brought to the step's fields, or None when the create never went through.
        """
        if step.kind == "ivr":
            ivrs = [i async for i in self.client.ivrs.list() if i.name == fields["name"]]
            if not ivrs:
                return None
            ivr = max(ivrs, key=lambda i: i.id)
            have: dict[str, Any] = {
                "name": ivr.name,
                "phone_number_ids": list(ivr.phone_number_ids),
            }
            await self.repair("ivr", [ivr.id], have, fields)
            return await self.ivr_ids(step.key, ivr)
        if step.kind == "menu":
            menus = [
                m
                async for m in self.client.menus.list(ids[0])
                if m.name == fields["name"] and not m.default
            ]
            if not menus:
                return None
            menu = max(menus, key=lambda m: m.id)
            have = {"name": menu.name, "greeting_id": menu.greeting_id}
            await self.repair("menu", [ids[0], menu.id], have, fields)
            return {step.key: menu.id}
        routes = [
            r
            async for r in self.client.routes.list(ids[0], ids[1])
            if r.keypress == fields["keypress"]
        ]
        if not routes:
            return None
        route = routes[0]
        have = {
            "keypress": route.keypress,
            "action": route.action,
            "options": _CONVERTER.unstructure(route.options),
            "overflow_options": list(route.overflow_options),
        }
        await self.repair("route", [ids[0], ids[1], route.id], have, fields)
        return {step.key: route.id}

    async def repair(
        self, kind: str, ids: list[int], have: Mapping[str, Any], want: Mapping[str, Any]
    ) -> None:
        """Update an adopted object whose fields are not what the step would have created."""
        changed = {k: v for k, v in want.items() if have.get(k) != v}
        if "options" in changed or "action" in changed:
            changed |= {"action": want["action"], "options": want["options"]}
        changed.pop("keypress", None)
        if changed:
            await self.update(kind, ids, changed)
