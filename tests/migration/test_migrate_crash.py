"""
An apply killed (SIGKILL) or stopped by an error at any point finishes from its journal, with the
desired result and nothing created twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import CREDENTIAL_VARS
from zendesk_ivr import Client, Ivr
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.migration import (
    ApplyFailed,
    JournalError,
    Plan,
    apply,
    load_export,
    load_plan,
    plan,
)
from zendesk_ivr.testing import FakeZendesk

CONVERTER = make_converter()
WRITES = ("POST", "PUT", "DELETE")
#: Seconds the fake takes over each request, so a kill can land while a write is in flight.
LATENCY = 0.05
STEPS = 10


def group_route(keypress: str, group_id: int, action: str = "group") -> dict[str, Any]:
    return {"keypress": keypress, "action": action, "options": {"group_ids": [group_id]}}


class Scenario:
    """A target account and a desired state ten steps away from it."""

    def __init__(self, fake: FakeZendesk, tmp_path: Path) -> None:
        self.fake = fake
        g1, g2 = fake.add_group("Support"), fake.add_group("Billing")
        greeting = fake.add_greeting("Welcome")
        fake.put_ivr(
            {
                "name": "Existing",
                "phone_number_ids": [1],
                "menus": [
                    {
                        "name": "Main menu",
                        "default": True,
                        "routes": [
                            group_route("1", g1),
                            group_route("2", g1, "voicemail"),
                            {"keypress": "3", "action": "menu", "options": {"menu_id": "@menu:1"}},
                        ],
                    },
                    {"name": "Old", "routes": [group_route("1", g1)]},
                ],
            }
        )
        existing = {
            "id": 1,
            "name": "Existing",
            "phone_number_ids": [1],
            "menus": [
                {
                    "id": 10,
                    "name": "Main menu",
                    "default": True,
                    "routes": [
                        {**group_route("1", g2), "id": 11},
                        {**group_route("2", g1, "voicemail"), "id": 12},
                        {
                            "id": 13,
                            "keypress": "4",
                            "action": "phone_number",
                            "options": {"phone_number": "+15550100"},
                        },
                    ],
                }
            ],
        }
        new = {
            "id": 2,
            "name": "New line",
            "phone_number_ids": [2],
            "menus": [
                {
                    "id": 20,
                    "name": "Welcome",
                    "default": True,
                    "greeting_id": greeting,
                    "routes": [
                        {**group_route("1", g1), "id": 21},
                        {"id": 22, "keypress": "2", "action": "menu", "options": {"menu_id": 30}},
                    ],
                },
                {
                    "id": 30,
                    "name": "Billing",
                    "routes": [{**group_route("1", g2, "voicemail"), "id": 31}],
                },
            ],
        }
        self.export = tmp_path / "desired.json"
        self.export.write_text(
            json.dumps(
                {
                    "format": "zendesk-ivr-export",
                    "version": 1,
                    "exported_at": "2026-01-01T00:00:00Z",
                    # The same account: references map to themselves.
                    "source": {"base_url": fake.url},
                    "ivrs": [existing, new],
                }
            ),
            encoding="utf-8",
        )
        self.desired = load_export(self.export)
        self.journal = tmp_path / "journal.jsonl"

    def client(self) -> Client:
        fake = self.fake
        return Client(base_url=fake.url, email=fake.email, api_token=fake.api_token)

    async def plan(self, client: Client) -> Plan:
        return plan(self.desired, await client.walk(), prune=True, same_account=True)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARS}
        assert self.fake.api_token is not None
        env.update(
            ZENDESK_BASE_URL=self.fake.url,
            ZENDESK_EMAIL=self.fake.email,
            ZENDESK_API_TOKEN=self.fake.api_token,
        )
        return env

    def apply_args(self) -> list[str]:
        """The console script's arguments to apply the desired state with the journal."""
        return ["apply", str(self.export), "--prune", "--yes", "--journal", str(self.journal)]

    def writes(self) -> int:
        return sum(1 for r in self.fake.requests if r.method in WRITES)


@pytest.fixture
async def scenario(tmp_path: Path) -> AsyncIterator[Scenario]:
    async with await FakeZendesk.start() as fake:
        yield Scenario(fake, tmp_path)


def canonical(ivrs: Iterable[Ivr]) -> list[Any]:
    """IVRs without ids: menus by name, routes by keypress, menu targets by menu name."""
    shown = []
    for one in sorted(ivrs, key=lambda i: i.name):
        names = {m.id: m.name for m in one.menus}
        menus = []
        for m in sorted(one.menus, key=lambda m: (not m.default, m.name)):
            routes = []
            for r in sorted(m.routes, key=lambda r: r.keypress):
                options = CONVERTER.unstructure(r.options)
                if "menu_id" in options:
                    options["menu_id"] = names.get(options["menu_id"])
                routes.append((r.keypress, r.action, options))
            menus.append((m.default, m.name, m.greeting_id, routes))
        shown.append((one.name, sorted(one.phone_number_ids), menus))
    return shown


async def assert_finished_once(
    scenario: Scenario, client: Client, *, refused: Iterable[str] = ()
) -> None:
    """
    The account is the desired state, and no object was ever created twice: one POST per
    object, plus one for each name in *refused* (a create the fake refused with a fault).
    """
    tree = await client.walk()
    assert canonical(tree.ivrs) == canonical(scenario.desired.ivrs)
    assert plan(scenario.desired, tree, prune=True, same_account=True).is_empty
    created: Counter[tuple[str, Any, Any]] = Counter()
    for request in scenario.fake.requests:
        if request.method == "POST":
            body = request.json
            assert isinstance(body, dict)
            (fields,) = body.values()
            created[(request.path, fields.get("name"), fields.get("keypress"))] += 1
    assert created, "nothing was created"
    extra = Counter(what for what in created if what[1] in set(refused))
    assert created - extra == Counter(set(created))
    assert len(created) == 6  # one IVR, one menu and four routes
    assert [i.name for i in tree.ivrs].count("New line") == 1


async def kill_after(process: asyncio.subprocess.Process, scenario: Scenario, writes: int) -> None:
    """SIGKILL *process* as soon as *writes* write requests have reached the fake."""
    async with asyncio.timeout(30):
        while scenario.writes() < writes:
            if process.returncode is not None:
                _, err = await process.communicate()
                pytest.fail(f"the apply ended before {writes} writes: {err.decode()}")
            await asyncio.sleep(0.002)
    with contextlib.suppress(ProcessLookupError):  # it may have just finished by itself
        process.kill()
    await process.wait()


async def test_the_scenario_has_the_planned_number_of_steps(scenario: Scenario) -> None:
    async with scenario.client() as client:
        steps = (await scenario.plan(client)).steps

    assert len(steps) == STEPS
    assert {s.action for s in steps} == {"create", "update", "delete"}


@pytest.mark.parametrize("in_flight", [True, False], ids=["in-flight", "answered"])
@pytest.mark.parametrize("k", range(1, STEPS + 1))
async def test_an_apply_killed_after_k_writes_resumes_from_its_journal(
    scenario: Scenario, k: int, in_flight: bool
) -> None:
    if in_flight:
        scenario.fake.latency = LATENCY  # the k-th write is still unanswered when the kill lands
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "zendesk_ivr",
        *scenario.apply_args(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=scenario.env(),
    )
    await kill_after(process, scenario, k)
    # Answered, the last write may also have been the last step: the apply then ended itself.
    assert process.returncode == -9 or (not in_flight and process.returncode == 0)
    # The server still finishes what it had received; its answers are what the kill lost.
    await asyncio.sleep(2 * LATENCY)
    scenario.fake.latency = 0

    async with scenario.client() as client:
        resumed = load_plan(scenario.journal)
        report = await apply(client, resumed, journal=scenario.journal)
        await assert_finished_once(scenario, client)

    assert len(resumed.steps) == STEPS
    assert report.ok
    assert len(report.done) == STEPS
    if in_flight:
        assert len(report.from_journal) < STEPS


async def test_an_apply_stopped_by_an_error_resumes_from_its_journal(scenario: Scenario) -> None:
    async with scenario.client() as client:
        steps = await scenario.plan(client)
        scenario.fake.fail_next(422, method="POST", path=r"/menus$")
        with pytest.raises(ApplyFailed) as caught:
            await apply(client, steps, journal=scenario.journal)
        report = await apply(client, load_plan(scenario.journal), journal=scenario.journal)
        await assert_finished_once(scenario, client, refused=["Billing"])

    stopped = caught.value.report
    assert [f.key for f in stopped.failed] == ["ivr[New line]/menu[Billing]"]
    assert set(stopped.not_run) == {
        "ivr[New line]/default-menu/route[2]",
        "ivr[New line]/menu[Billing]/route[1]",
    }
    assert report.from_journal == stopped.done
    assert report.adopted == ()
    assert set(report.done) == {step.key for step in steps.steps}


async def test_a_create_whose_answer_was_lost_is_adopted_not_sent_again(
    scenario: Scenario,
) -> None:
    async with scenario.client() as client:
        steps = await scenario.plan(client)
        # The menu is created, but the connection dies halfway through the answer.
        scenario.fake.drop_next(method="POST", path=r"/menus$", mode="mid_body")
        with pytest.raises(ApplyFailed) as caught:
            await apply(client, steps, journal=scenario.journal)
        report = await apply(client, steps, journal=scenario.journal)
        await assert_finished_once(scenario, client)
        tree = await client.walk()

    (new_line,) = [i for i in tree.ivrs if i.name == "New line"]
    (billing,) = [m for m in new_line.menus if m.name == "Billing"]
    assert [f.key for f in caught.value.report.failed] == ["ivr[New line]/menu[Billing]"]
    assert report.adopted == ("ivr[New line]/menu[Billing]",)
    assert report.created["ivr[New line]/menu[Billing]"] == billing.id


async def test_a_line_cut_short_by_a_crash_is_ignored_and_removed(scenario: Scenario) -> None:
    async with scenario.client() as client:
        steps = await scenario.plan(client)
        scenario.fake.fail_next(422, method="POST", path=r"/menus$")
        with pytest.raises(ApplyFailed):
            await apply(client, steps, journal=scenario.journal)
        with scenario.journal.open("a", encoding="utf-8") as journal:
            journal.write('{"event": "done", "step": "ivr[New')  # no newline: the write was cut
        report = await apply(client, steps, journal=scenario.journal)
        await assert_finished_once(scenario, client, refused=["Billing"])

    lines = scenario.journal.read_text(encoding="utf-8").splitlines()
    assert report.ok
    assert all(isinstance(json.loads(line), dict) for line in lines)
    assert sum(1 for line in lines if '"done"' in line) == STEPS


async def test_a_missing_or_foreign_journal_cannot_be_resumed(tmp_path: Path) -> None:
    foreign = tmp_path / "notes.txt"
    foreign.write_text('{"hello": "world"}\n', encoding="utf-8")

    with pytest.raises(JournalError, match="does not exist or is empty"):
        load_plan(tmp_path / "missing.jsonl")
    with pytest.raises(JournalError, match="is not a zendesk-ivr journal"):
        load_plan(foreign)
