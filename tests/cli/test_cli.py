"""The zendesk-ivr command, run as a subprocess: every command, format and exit code."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import shutil
import signal
import subprocess
import tomllib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pydot
import pytest

from tests.cli_helpers import SCRIPT, clean_env, fake_env, run_script
from zendesk_ivr import Ivr
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.testing import FakeZendesk

ROOT = Path(__file__).resolve().parents[2]
run = run_script


@pytest.fixture
async def clean_fake() -> AsyncIterator[FakeZendesk]:
    """A fake whose only IVR passes every rule."""
    async with await FakeZendesk.start() as fake:
        group = fake.add_group("Support")
        fake.put_ivr(
            {
                "name": "Clean line",
                "phone_number_ids": [1],
                "phone_number_names": ["+1 555 0100"],
                "menus": [
                    {
                        "name": "Main menu",
                        "default": True,
                        "greeting_id": None,
                        "routes": [
                            {"keypress": "1", "action": "group", "options": {"group_ids": [group]}}
                        ],
                    }
                ],
            }
        )
        yield fake


def test_the_console_script_is_installed() -> None:
    assert SCRIPT.exists(), f"{SCRIPT} missing: is the project installed?"


# --- audit -----------------------------------------------------------------------------------


async def test_audit_json_lists_findings_and_exits_1_on_errors() -> None:
    code, out, err = await run("audit", "--sandbox", "--format", "json", "--check-groups")

    assert code == 1, err
    findings = json.loads(out)
    assert findings
    assert {tuple(sorted(f)) for f in findings} == {
        ("ivr_id", "menu_id", "message", "route_id", "rule", "severity")
    }
    assert {"dead_key", "unknown_group", "empty_menu"} <= {f["rule"] for f in findings}
    assert err == ""  # no progress display when stderr is not a terminal


async def test_audit_csv_has_a_header_and_one_row_per_finding() -> None:
    async with await FakeZendesk.start() as fake:
        # Three problems planted by hand, each a finding of its own.
        dead = fake.put_ivr(
            {
                "name": "Dead key",
                "phone_number_ids": [1],
                "menus": [
                    {
                        "name": "Main menu",
                        "default": True,
                        "routes": [
                            {"keypress": "1", "action": "menu", "options": {"menu_id": 999}}
                        ],
                    }
                ],
            }
        )
        empty = fake.put_ivr(
            {
                "name": "Empty and unlisted",
                "phone_number_ids": [],
                "menus": [{"name": "Main menu", "default": True, "routes": []}],
            }
        )
        code, out, err = await run("audit", "--format", "csv", env=fake_env(fake))
        dead_menu = fake.ivr_json(dead)["menus"][0]
        empty_menu = fake.ivr_json(empty)["menus"][0]

    assert code == 1, err
    assert out.splitlines()[0] == "rule,severity,ivr_id,menu_id,route_id,message"
    rows = list(csv.DictReader(io.StringIO(out)))
    assert all(row.pop("message") for row in rows)
    expected = [
        ("dead_key", "error", dead, dead_menu["id"], dead_menu["routes"][0]["id"]),
        ("empty_menu", "error", empty, empty_menu["id"], ""),
        ("no_phone_number", "warning", empty, "", ""),
    ]
    fields = ("rule", "severity", "ivr_id", "menu_id", "route_id")
    assert sorted(tuple(row[f] for f in fields) for row in rows) == sorted(
        tuple(str(v) for v in e) for e in expected
    )


async def test_audit_table_reads_well_and_ends_with_a_summary() -> None:
    code, out, _ = await run("audit", "--sandbox", "--check-groups", "--check-greetings")

    assert code == 1
    assert "dead_key" in out
    summary = out.strip().splitlines()[-1]
    assert re.fullmatch(
        r"\d+ findings \(\d+ errors, \d+ warnings, \d+ info\) in \d+ IVRs, read with \d+ "
        r"requests",
        summary,
    ), summary


@pytest.mark.parametrize(("fail_on", "expected"), [("never", 0), ("error", 1), ("info", 1)])
async def test_fail_on_sets_the_exit_code(fail_on: str, expected: int) -> None:
    code, _, _ = await run("audit", "--sandbox", "--format", "json", "--fail-on", fail_on)
    assert code == expected


async def test_a_clean_account_exits_0(clean_fake: FakeZendesk) -> None:
    code, out, err = await run(
        "audit", "--format", "json", "--check-groups", "--fail-on", "info", env=fake_env(clean_fake)
    )
    assert (code, json.loads(out)) == (0, []), err


async def test_warnings_fail_only_when_asked(clean_fake: FakeZendesk) -> None:
    # A second menu nobody can reach: a warning, not an error.
    (ivr_id,) = clean_fake.ivr_ids()
    extra = clean_fake.ivr_json(ivr_id)
    assert extra["name"] == "Clean line"
    clean_fake.put_ivr(
        {
            "name": "Lonely menu",
            "phone_number_ids": [2],
            "menus": [
                {
                    "name": "Main menu",
                    "default": True,
                    "routes": [
                        {
                            "keypress": "1",
                            "action": "phone_number",
                            "options": {"phone_number": "+15551230000"},
                        }
                    ],
                },
                {
                    "name": "Orphan",
                    "default": False,
                    "routes": [
                        {
                            "keypress": "1",
                            "action": "phone_number",
                            "options": {"phone_number": "+15551230001"},
                        }
                    ],
                },
            ],
        }
    )
    env = fake_env(clean_fake)
    assert (await run("audit", "--format", "json", env=env))[0] == 0
    assert (await run("audit", "--format", "json", "--fail-on", "warning", env=env))[0] == 1


# --- exit 2 ----------------------------------------------------------------------------------


async def assert_fails_cleanly(*args: str, env: Mapping[str, str], reason: str) -> None:
    code, out, err = await run(*args, env=env)
    assert code == 2, (out, err)
    (line,) = err.strip().splitlines()  # one line, no traceback, no usage dump
    assert line.startswith("zendesk-ivr: error:")
    assert reason in line


async def test_wrong_credentials_exit_2_in_one_line(clean_fake: FakeZendesk) -> None:
    env = fake_env(clean_fake)
    env["ZENDESK_API_TOKEN"] = "wrong-token-123"
    await assert_fails_cleanly("audit", env=env, reason="401")
    _, _, err = await run("audit", env=env)
    assert len(err.strip().splitlines()) == 1
    assert "wrong-token-123" not in err


async def test_missing_credentials_exit_2() -> None:
    await assert_fails_cleanly("audit", env=clean_env(), reason="subdomain")
    await assert_fails_cleanly(
        "audit", env=clean_env(ZENDESK_SUBDOMAIN="acme"), reason="no credentials"
    )


async def test_a_server_that_is_not_there_exits_2() -> None:
    fake = await FakeZendesk.start()
    env = fake_env(fake)
    await fake.aclose()
    await assert_fails_cleanly("export", "--timeout", "2", env=env, reason="Cannot connect")


async def test_bad_sandbox_settings_exit_2() -> None:
    env = clean_env()
    await assert_fails_cleanly("sandbox", "--ivrs", "-1", env=env, reason="at least 1")
    await assert_fails_cleanly("sandbox", "--port", "70000", env=env, reason="port")


async def test_usage_errors_exit_2() -> None:
    await assert_fails_cleanly(
        "audit", "--format", "yaml", env=clean_env(), reason="invalid choice"
    )
    await assert_fails_cleanly("graph", "abc", "--sandbox", env=clean_env(), reason="invalid int")
    await assert_fails_cleanly("frobnicate", env=clean_env(), reason="invalid choice")


async def test_credentials_from_options_replace_those_of_the_environment(
    clean_fake: FakeZendesk,
) -> None:
    env = fake_env(clean_fake)
    env["ZENDESK_API_TOKEN"] = "wrong"
    assert clean_fake.api_token is not None
    code, _, err = await run(
        "audit",
        "--format",
        "json",
        "--email",
        clean_fake.email,
        "--api-token",
        clean_fake.api_token,
        env=env,
    )
    assert code == 0, err

    # Switching scheme on the command line does not clash with the environment's API token.
    assert clean_fake.oauth_token is not None
    code, _, err = await run(
        "audit", "--format", "json", "--oauth-token", clean_fake.oauth_token, env=env
    )
    assert code == 0, err


# --- export and graph ------------------------------------------------------------------------


async def test_export_writes_the_versioned_tree_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "tree.json"
    code, out, err = await run("export", "--sandbox", "-o", str(target))

    assert (code, out) == (0, ""), err
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["format"] == "zendesk-ivr-export"
    assert document["version"] == 1
    assert document["source"] == {"base_url": "sandbox"}
    strict = make_converter(forbid_extra_keys=True)
    ivrs = [strict.structure(raw, Ivr) for raw in document["ivrs"]]
    assert len(ivrs) >= 100
    assert all(ivr.menus for ivr in ivrs if ivr.menus)


async def test_export_to_stdout_matches_the_fake(clean_fake: FakeZendesk) -> None:
    code, out, _ = await run("export", env=fake_env(clean_fake))
    document = json.loads(out)
    assert code == 0
    (ivr,) = document["ivrs"]
    (ivr_id,) = clean_fake.ivr_ids()
    served = clean_fake.ivr_json(ivr_id)
    assert ivr["id"] == served["id"]
    assert [m["id"] for m in ivr["menus"]] == [m["id"] for m in served["menus"]]
    assert document["source"]["base_url"] == clean_fake.url + "/"


async def sandbox_ivr_with(rule: str) -> int:
    _, out, _ = await run("audit", "--sandbox", "--format", "json")
    ivr_id: int = next(f["ivr_id"] for f in json.loads(out) if f["rule"] == rule)
    return ivr_id


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
async def test_graph_draws_the_call_flow_with_findings_marked(fmt: str) -> None:
    ivr_id = await sandbox_ivr_with("dead_key")

    code, out, err = await run("graph", str(ivr_id), "--sandbox", "--format", fmt)

    assert code == 0, err
    assert out.startswith("flowchart" if fmt == "mermaid" else "digraph")
    assert "missing menu" in out.lower()


async def test_graph_dot_output_parses_and_renders_with_graphviz() -> None:
    ivr_id = await sandbox_ivr_with("unreachable_menu")
    code, out, _ = await run("graph", str(ivr_id), "--sandbox", "--format", "dot")
    assert code == 0
    # pydot, an independent DOT parser, reads it everywhere; Graphviz renders it where it is
    # installed (CI installs it).
    graphs = pydot.graph_from_dot_data(out)
    assert graphs is not None, out
    assert [g.get_name() for g in graphs] == [f"ivr_{ivr_id}"]
    dot = shutil.which("dot")
    if dot is None:
        return
    process = await asyncio.create_subprocess_exec(
        dot, "-Tsvg", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    svg, problems = await asyncio.wait_for(process.communicate(out.encode()), 60)
    assert process.returncode == 0, problems.decode()
    assert b"<svg" in svg


async def test_graph_of_an_unknown_ivr_exits_2() -> None:
    await assert_fails_cleanly("graph", "1", "--sandbox", env=clean_env(), reason="404")


# --- sandbox ---------------------------------------------------------------------------------


async def test_sandbox_serves_the_demo_account_until_interrupted() -> None:
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        "sandbox",
        "--port",
        "0",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    try:
        assert process.stdout is not None
        banner = (await asyncio.wait_for(process.stdout.readuntil(b"Ctrl+C"), 30)).decode()
        url = re.search(r"ZENDESK_BASE_URL=(\S+)", banner)
        email = re.search(r"ZENDESK_EMAIL=(\S+)", banner)
        token = re.search(r"ZENDESK_API_TOKEN=(\S+)", banner)
        assert url, banner
        assert email, banner
        assert token, banner
        env = clean_env(ZENDESK_BASE_URL=url[1], ZENDESK_EMAIL=email[1], ZENDESK_API_TOKEN=token[1])
        code, out, _ = await run("audit", "--format", "json", env=env)
        assert code == 1
        assert json.loads(out)
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0


# --- the README ------------------------------------------------------------------------------


def readme_first_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n(.+?)\n```", text, re.DOTALL)
    assert block is not None, "the README's set-up command is missing"
    return block[1].strip()


async def test_the_readme_first_command_installs_and_audits_the_sandbox(tmp_path: Path) -> None:
    command = readme_first_command()
    assert "zendesk-ivr audit --sandbox" in command
    # Run it verbatim in a copy of the project (what the wheel is built from), so the real
    # checkout is left alone.
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    for name in ("pyproject.toml", "README.md", *wheel["targets"]["wheel"]["only-include"]):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp_path / name)
        else:
            shutil.copy(ROOT / name, tmp_path / name)
    process = await asyncio.create_subprocess_shell(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    out, err = await asyncio.wait_for(process.communicate(), 600)
    summary = out.decode().strip().splitlines()[-1] if out.strip() else ""
    # Success reads as success: exit 0, with the audit shown.
    assert process.returncode == 0, err.decode()[-2000:]
    assert re.match(r"\d+ findings \(\d+ errors, \d+ warnings, \d+ info\) in 300 IVRs", summary)
