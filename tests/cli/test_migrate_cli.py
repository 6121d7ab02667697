"""zendesk-ivr plan, apply and reroute, run as subprocesses against fakes served by the test."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import subprocess
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import SCRIPT, fake_env, run_script
from zendesk_ivr import Client, GroupOptions, Ivr, VoicemailOptions
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.migration import load_export
from zendesk_ivr.testing import FakeZendesk

CONVERTER = make_converter()
WRITES = ("POST", "PUT", "DELETE")
#: The ids `FakeZendesk.seed` gives its routes' groups, textback numbers and IVR numbers.
SEEDED_GROUPS = range(360001381413, 360001381413 + 12)
SEEDED_PHONES = [*range(360000100000, 360000100020), *range(360000200000, 360000200012)]


async def run(
    fake: FakeZendesk, *args: str, stdin: int | None = subprocess.DEVNULL
) -> tuple[int, str, str]:
    """Run the console script against *fake* without blocking the loop that serves it."""
    return await run_script(*args, env=fake_env(fake), stdin=stdin)


def writes(fake: FakeZendesk) -> list[Any]:
    return [(r.method, r.path) for r in fake.requests if r.method in WRITES]


def canonical(ivrs: Iterable[Ivr], groups: Mapping[int, int] | None = None) -> list[Any]:
    """IVRs without ids: menu targets by menu name, groups through *groups*."""
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
                if "group_ids" in options and groups is not None:
                    options["group_ids"] = [groups[g] for g in options["group_ids"]]
                if "textback_phone_number_id" in options and groups is not None:
                    options["textback_phone_number_id"] += 1  # as the id map says
                routes.append((r.keypress, r.action, options))
            menus.append((m.default, m.name, routes))
        shown.append((one.name, menus))
    return shown


class Accounts:
    """A seeded source account, its export and id map, and an empty target account."""

    def __init__(self, source: FakeZendesk, target: FakeZendesk, tmp_path: Path) -> None:
        self.source = source
        self.target = target
        self.export = tmp_path / "export.json"
        self.map = tmp_path / "map.json"
        self.journal = tmp_path / "journal.jsonl"
        self.groups = {old: target.add_group(f"Group {old}") for old in SEEDED_GROUPS}
        self.map.write_text(
            json.dumps(
                {
                    "groups": {str(old): new for old, new in self.groups.items()},
                    "phone_numbers": {str(p): p + 1 for p in SEEDED_PHONES},
                }
            ),
            encoding="utf-8",
        )


@pytest.fixture
async def accounts(tmp_path: Path) -> AsyncIterator[Accounts]:
    async with await FakeZendesk.start() as source, await FakeZendesk.start() as target:
        source.seed(3, menus=3, routes=4)
        found = Accounts(source, target, tmp_path)
        code, _, err = await run(source, "export", "-o", str(found.export))
        assert code == 0, err
        yield found


async def walk(fake: FakeZendesk) -> tuple[Ivr, ...]:
    async with Client(base_url=fake.url, email=fake.email, api_token=fake.api_token) as client:
        return (await client.walk()).ivrs


# --- plan --------------------------------------------------------------------------------------


async def test_plan_prints_one_line_per_step_and_exits_0(accounts: Accounts) -> None:
    code, out, err = await run(
        accounts.target, "plan", str(accounts.export), "--map", str(accounts.map)
    )

    lines = out.splitlines()
    assert code == 0, err
    assert len(lines) == 3 * (
        1 + 1 + 2 + 3 * 4
    )  # per IVR: itself, its default menu, 2 menus, routes
    assert all(line.split()[0] in ("create", "update") for line in lines)
    assert lines[0] == (
        'create ivr[Seeded IVR 1] name="Seeded IVR 1", '
        "phone_number_ids=[360000100003, 360000100004]"
    )
    assert err == f"{len(lines)} steps: 45 to create, 3 to update, 0 to delete\n"
    assert writes(accounts.target) == []


async def test_a_refused_plan_exits_2_with_one_line_naming_every_unmapped_id(
    accounts: Accounts,
) -> None:
    code, out, err = await run(accounts.target, "plan", str(accounts.export))

    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("zendesk-ivr: error: plan refused: no id mapping for group 360001381413")
    assert "phone number 360000100002" in err
    assert err.endswith("(add them to the id map)\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"format": "other", "version": 1, "ivrs": []}', "is not a zendesk-ivr export"),
        ('{"format": "zendesk-ivr-export", "version": 9, "ivrs": []}', "export version 9"),
    ],
)
async def test_plan_and_apply_exit_2_on_a_bad_file(
    accounts: Accounts, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")

    for command in (["plan"], ["apply", "--yes"]):
        code, out, err = await run(accounts.target, *command, str(bad))
        assert (code, out) == (2, "")
        assert err.startswith("zendesk-ivr: error: ")
        assert message in err
        assert err.count("\n") == 1
    assert accounts.target.requests == []


async def test_a_bad_id_map_exits_2(accounts: Accounts) -> None:
    accounts.map.write_text('{"groups": {"one": 1}}', encoding="utf-8")

    code, _, err = await run(
        accounts.target, "plan", str(accounts.export), "--map", str(accounts.map)
    )

    assert code == 2
    assert "key 'one' is not an old id" in err


async def test_an_export_planned_against_its_own_account_changes_nothing(
    accounts: Accounts,
) -> None:
    code, out, err = await run(accounts.source, "plan", str(accounts.export))

    assert (code, out, err) == (0, "", "Nothing to change.\n")


# --- apply -------------------------------------------------------------------------------------


async def test_apply_dry_run_prints_the_requests_as_json_lines_and_sends_nothing(
    accounts: Accounts,
) -> None:
    code, out, err = await run(
        accounts.target, "apply", str(accounts.export), "--map", str(accounts.map), "--dry-run"
    )

    requests = [json.loads(line) for line in out.splitlines()]
    assert code == 0, err
    assert len(requests) == 48
    assert requests[0] == {
        "method": "POST",
        "path": "/api/v2/channels/voice/ivr",
        "json": {"ivr": {"name": "Seeded IVR 1", "phone_number_ids": [360000100003, 360000100004]}},
    }
    assert {r["method"] for r in requests} == {"POST", "PUT"}
    assert any("<id of ivr[Seeded IVR 1]/menu[Menu 2]>" in json.dumps(r) for r in requests)
    assert {r.method for r in accounts.target.requests} == {"GET"}


async def test_apply_without_yes_or_a_terminal_refuses_and_writes_nothing(
    accounts: Accounts,
) -> None:
    code, out, err = await run(
        accounts.target, "apply", str(accounts.export), "--map", str(accounts.map)
    )

    assert code == 2
    assert len(out.splitlines()) == 48  # the plan was shown
    assert err == (
        "zendesk-ivr: error: refusing to apply 48 steps without confirmation: stdin is not a "
        "terminal, pass --yes\n"
    )
    assert writes(accounts.target) == []


@pytest.mark.parametrize(("answer", "expected"), [("y", 0), ("n", 1)])
async def test_apply_on_a_terminal_asks_first(
    accounts: Accounts, answer: str, expected: int
) -> None:
    controller, terminal = pty.openpty()
    try:
        os.write(controller, f"{answer}\n".encode())
        code, out, err = await run(
            accounts.target,
            "apply",
            str(accounts.export),
            "--map",
            str(accounts.map),
            stdin=terminal,
        )
    finally:
        os.close(terminal)
        os.close(controller)

    assert code == expected, err
    assert f"Apply 48 steps to {accounts.target.url}/? [y/N] " in out
    if answer == "y":
        assert out.endswith(
            "Applied: 48 steps done (0 earlier, 0 adopted), 0 failed, 0 not run, 48 requests\n"
        )
        assert len(writes(accounts.target)) == 48
    else:
        assert out.endswith("Nothing applied.\n")
        assert writes(accounts.target) == []


async def test_apply_yes_copies_the_account_and_a_second_apply_writes_nothing(
    accounts: Accounts, tmp_path: Path
) -> None:
    code, out, err = await run(
        accounts.target, "apply", str(accounts.export), "--map", str(accounts.map), "--yes"
    )
    copy = tmp_path / "copy.json"
    exported, _, _ = await run(accounts.target, "export", "-o", str(copy))
    accounts.target.clear_requests()
    again, again_out, _ = await run(
        accounts.target, "apply", str(accounts.export), "--map", str(accounts.map), "--yes"
    )

    assert (code, exported, again) == (0, 0, 0), err
    assert out.splitlines()[-1].startswith("Applied: 48 steps done")
    assert canonical(load_export(copy).ivrs) == canonical(
        load_export(accounts.export).ivrs, accounts.groups
    )
    assert again_out == "Nothing to change.\n"
    assert writes(accounts.target) == []


async def test_a_failed_apply_exits_1_with_its_report_and_finishes_when_run_again(
    accounts: Accounts,
) -> None:
    command = ("apply", str(accounts.export), "--map", str(accounts.map), "--yes")
    journal = ("--journal", str(accounts.journal))
    accounts.target.fail_next(422, method="POST", path=r"/menus$")

    code, _, err = await run(accounts.target, *command, *journal)
    resumed, out, resumed_err = await run(accounts.target, *command, *journal)

    assert code == 1
    summary, failed, *not_run, last = err.splitlines()
    # Menu 2 of the first IVR fails: its four routes and the key leading to it are not run.
    assert summary == "42 steps done (0 earlier, 0 adopted), 1 failed, 5 not run, 43 requests"
    assert failed.startswith("failed: ivr[Seeded IVR 1]/menu[Menu 2]: RecordInvalid: ")
    assert sorted(not_run) == [
        "not run: ivr[Seeded IVR 1]/default-menu/route[4]",
        *(f"not run: ivr[Seeded IVR 1]/menu[Menu 2]/route[{k}]" for k in "1234"),
    ]
    assert last.startswith("zendesk-ivr: error: apply stopped: 1 step failed")
    assert last.endswith(f"run the same command again with --journal {accounts.journal} to finish")
    assert resumed == 0, resumed_err
    assert resumed_err == f"Resuming from journal {accounts.journal}: 42 of 48 steps were done.\n"
    # Six writes, and one read: the refused create was started, so it is looked up first.
    assert out.splitlines()[-1] == (
        "Applied: 48 steps done (42 earlier, 0 adopted), 0 failed, 0 not run, 7 requests"
    )
    assert canonical(await walk(accounts.target)) == canonical(
        load_export(accounts.export).ivrs, accounts.groups
    )


async def test_an_apply_killed_midway_finishes_when_run_again_with_its_journal(
    accounts: Accounts,
) -> None:
    command = ("apply", str(accounts.export), "--map", str(accounts.map), "--yes")
    journal = ("--journal", str(accounts.journal))
    accounts.target.latency = 0.05
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        *command,
        *journal,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=fake_env(accounts.target),
    )
    async with asyncio.timeout(30):
        while len(writes(accounts.target)) < 10:
            await asyncio.sleep(0.002)
    process.kill()
    await process.wait()
    await asyncio.sleep(0.1)  # what the fake had received, it still carries out
    accounts.target.latency = 0

    code, out, err = await run(accounts.target, *command, *journal)

    assert code == 0, err
    assert err.startswith(f"Resuming from journal {accounts.journal}: ")
    assert out.splitlines()[-1].startswith("Applied: 48 steps done")
    creates = [
        (r.path, json.dumps(r.json, sort_keys=True))
        for r in accounts.target.requests
        if r.method == "POST"
    ]
    assert len(creates) == len(set(creates)) == 45
    assert canonical(await walk(accounts.target)) == canonical(
        load_export(accounts.export).ivrs, accounts.groups
    )


async def test_a_journal_of_another_migration_is_refused(
    accounts: Accounts, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    document = json.loads(accounts.export.read_text(encoding="utf-8"))
    document["ivrs"] = document["ivrs"][:1]
    other.write_text(json.dumps(document), encoding="utf-8")
    journal = ("--journal", str(accounts.journal))
    first, _, _ = await run(
        accounts.target, "apply", str(other), "--map", str(accounts.map), "--yes", *journal
    )
    accounts.target.clear_requests()

    code, out, err = await run(
        accounts.target,
        "apply",
        str(accounts.export),
        "--map",
        str(accounts.map),
        "--yes",
        *journal,
    )

    assert first == 0
    assert (code, out) == (2, "")
    assert err == (
        f"zendesk-ivr: error: journal {accounts.journal} was written for another migration "
        "(another file, map, options or command); finish that one, or pick another --journal "
        "path\n"
    )
    assert writes(accounts.target) == []


# --- reroute -----------------------------------------------------------------------------------


async def test_reroute_repoints_every_route_of_the_old_group(accounts: Accounts) -> None:
    source = accounts.source
    old, new = SEEDED_GROUPS[0], source.add_group("Replacement")

    def ringing(ivrs: Iterable[Ivr], group_id: int) -> int:
        return sum(
            1
            for one in ivrs
            for m in one.menus
            for r in m.routes
            if isinstance(r.options, GroupOptions | VoicemailOptions)
            and group_id in r.options.group_ids
        )

    before = await walk(source)
    dry, dry_out, _ = await run(
        source, "reroute", "--from-group", str(old), "--to-group", str(new), "--dry-run"
    )
    refused, _, refused_err = await run(
        source, "reroute", "--from-group", str(old), "--to-group", str(new)
    )
    assert writes(source) == []
    code, out, err = await run(
        source, "reroute", "--from-group", str(old), "--to-group", str(new), "--yes"
    )
    after = await walk(source)
    again, again_out, _ = await run(
        source, "reroute", "--from-group", str(old), "--to-group", str(new), "--yes"
    )

    moved = ringing(before, old)
    assert moved > 0
    planned = [json.loads(line) for line in dry_out.splitlines()]
    assert dry == 0
    assert len(planned) == moved
    assert {p["method"] for p in planned} == {"PUT"}
    assert all(p["json"]["ivr_route"]["options"]["group_ids"] == [new] for p in planned)
    assert refused == 2
    assert "pass --yes" in refused_err
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"Applied: {moved} steps done")
    assert (ringing(after, old), ringing(after, new)) == (0, moved)
    assert (again, again_out) == (0, "Nothing to change.\n")


async def test_reroute_to_the_same_group_is_a_usage_error(accounts: Accounts) -> None:
    accounts.source.clear_requests()
    code, out, err = await run(
        accounts.source, "reroute", "--from-group", "7", "--to-group", "7", "--yes"
    )
    bad, _, bad_err = await run(
        accounts.source, "reroute", "--from-group", "seven", "--to-group", "7"
    )

    assert (code, out) == (2, "")
    assert (
        err == "zendesk-ivr: error: --from-group and --to-group are both 7: nothing to re-point\n"
    )
    assert bad == 2
    assert "must be a group id" in bad_err
    assert accounts.source.requests == []  # refused before connecting
