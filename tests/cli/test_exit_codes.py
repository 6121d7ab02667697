"""
The README's exit code table holds: each row is read from the README, and each has commands
that end with it, a usage error for every command included.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from tests.cli.test_hostile_cli import env_for, serve
from tests.cli_helpers import SCRIPT, clean_env, fake_env, run_script
from zendesk_ivr._cli.main import COMMANDS
from zendesk_ivr.testing import FakeZendesk

README = Path(__file__).resolve().parents[2] / "README.md"
Scenario = Callable[[Path], Awaitable[int]]


def readme_codes() -> list[int]:
    section = README.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ")[0]
    return [int(code) for code in re.findall(r"^\| +(\d+) \|", section, re.MULTILINE)]


async def code_of(*args: str, env: dict[str, str] | None = None) -> int:
    return (await run_script(*args, env=env))[0]


async def audit_clean(_: Path) -> int:
    return await code_of("audit", "--sandbox", "--fail-on", "never", "--format", "json")


async def export_done(_: Path) -> int:
    return await code_of("export", "--sandbox")


async def reroute_with_nothing_to_change(_: Path) -> int:
    async with await FakeZendesk.start() as fake:
        fake.seed(2)
        new = fake.add_group("Replacement")
        return await code_of(
            "reroute", "--from-group", "1", "--to-group", str(new), "--yes", env=fake_env(fake)
        )


async def audit_with_findings(_: Path) -> int:
    return await code_of("audit", "--sandbox", "--format", "json")


async def map_with_references_left_unmatched(tmp: Path) -> int:
    async with await FakeZendesk.start() as source:
        source.seed(1)
        exported = tmp / "export.json"
        assert await code_of("export", "-o", str(exported), env=fake_env(source)) == 0
    async with await FakeZendesk.start() as target:  # has none of the source's groups
        return await code_of("map", str(exported), env=fake_env(target))


def usage_error(command: str) -> Scenario:
    async def scenario(_: Path) -> int:
        return await code_of(command, "--no-such-option")

    scenario.__name__ = f"{command}_usage_error"
    return scenario


async def missing_credentials(_: Path) -> int:
    return await code_of("audit", env=clean_env(ZENDESK_SUBDOMAIN="acme"))


async def a_bug_of_ours(tmp: Path) -> int:
    async def lone_surrogate(request: web.Request) -> web.Response:
        # Valid JSON, whose string no UTF-8 file can hold: a failure nobody planned for.
        body = '{"ivrs": [{"id": 1, "name": "\\ud800", "menus": []}], "next_page": null}'
        if not request.path.endswith("/ivr"):  # no groups, greetings or phone numbers
            body = f'{{"{request.path.rsplit("/", 1)[1]}": [], "next_page": null}}'
        return web.Response(text=body, content_type="application/json")

    async with serve(lone_surrogate) as url:
        return await code_of("export", "-o", str(tmp / "out.json"), env=env_for(url))


async def interrupted(_: Path) -> int:
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        "audit",
        "--sandbox",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=clean_env(),
    )
    await asyncio.sleep(0.3)
    process.send_signal(signal.SIGINT)
    return await asyncio.wait_for(process.wait(), 60)


async def reader_stopped_early(_: Path) -> int:
    shell = f'"{SCRIPT}" export --sandbox | true; exit ${{PIPESTATUS[0]}}'
    process = await asyncio.create_subprocess_exec("bash", "-c", shell, env=clean_env())
    return await asyncio.wait_for(process.wait(), 120)


SCENARIOS: dict[int, list[Scenario]] = {
    0: [audit_clean, export_done, reroute_with_nothing_to_change],
    1: [audit_with_findings, map_with_references_left_unmatched],
    2: [missing_credentials, *(usage_error(command) for command in COMMANDS)],
    3: [a_bug_of_ours],
    130: [interrupted],
    141: [reader_stopped_early],
}


def test_every_row_of_the_readme_table_is_checked() -> None:
    assert readme_codes() == sorted(SCENARIOS)


@pytest.mark.parametrize(
    ("expected", "scenario"),
    [(code, scenario) for code, scenarios in SCENARIOS.items() for scenario in scenarios],
    ids=lambda value: str(value) if isinstance(value, int) else value.__name__,
)
async def test_each_outcome_has_its_exit_code(
    expected: int, scenario: Scenario, tmp_path: Path
) -> None:
    assert await scenario(tmp_path) == expected
