"""
The command line's drawings and tables for people: ``audit --format html``, ``graph --format
svg``, a missing layout engine, and the table at 60, 80 and 200 columns.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli_helpers import SCRIPT, clean_env, fake_env, run_script
from zendesk_ivr.testing import FakeZendesk

run = run_script
SVG = "{http://www.w3.org/2000/svg}"
SANDBOX_AUDIT = ("audit", "--sandbox", "--check-groups", "--check-greetings")


async def sandbox_findings() -> list[dict[str, object]]:
    code, out, err = await run(*SANDBOX_AUDIT, "--format", "json")
    assert code == 1, err
    findings: list[dict[str, object]] = json.loads(out)
    return findings


# --- audit --format html ------------------------------------------------------------------------


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 1), ("never", 0)])
async def test_audit_html_writes_the_page_with_the_exit_codes_of_the_other_formats(
    tmp_path: Path, fail_on: str, expected: int
) -> None:
    page = tmp_path / "report.html"

    code, out, err = await run(
        *SANDBOX_AUDIT, "--format", "html", "-o", str(page), "--fail-on", fail_on
    )
    json_code, _, _ = await run(*SANDBOX_AUDIT, "--format", "json", "--fail-on", fail_on)

    assert (code, out, err) == (expected, "", "")
    assert json_code == expected
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<section class=ivr ") == 300
    assert text.count("<svg ") == 300
    assert "read with 5 requests" in text
    assert "groups by name · greetings by name" in text


async def test_audit_html_names_the_account_and_never_its_credentials(
    tmp_path: Path,
) -> None:
    async with await FakeZendesk.start() as fake:
        fake.put_ivr(
            {
                "name": "Only line",
                "phone_number_ids": [1],
                "menus": [{"name": "Main", "default": True, "routes": []}],
            }
        )
        env = fake_env(fake)
        code, out, err = await run("audit", "--format", "html", env=env)

    assert code == 1, err  # the menu has no routes
    assert out.startswith("<!DOCTYPE html>")  # to stdout without -o
    assert f"IVR audit of {fake.url}" in out
    assert env["ZENDESK_API_TOKEN"] not in out
    assert env["ZENDESK_EMAIL"] not in out
    assert "Only line" in out


def _without_the_engine(*args: str) -> list[str]:
    """The console script run with the engine's distribution unfindable."""
    code = (
        "import importlib.metadata as m, sys\n"
        "def missing(name):\n"
        "    raise m.PackageNotFoundError(name)\n"
        "m.distribution = missing\n"
        "from zendesk_ivr._cli.main import run\n"
        "sys.argv = ['zendesk-ivr', *sys.argv[1:]]\n"
        "run()\n"
    )
    return [sys.executable, "-c", code, *args]


@pytest.mark.parametrize(
    "command", [("audit", "--format", "html"), ("graph", "1", "--format", "svg")]
)
async def test_a_missing_engine_is_one_line_saying_what_to_install_before_any_request(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    import asyncio  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    async with await FakeZendesk.start() as fake:
        env = fake_env(fake) | {"PATH": str(Path(sys.executable).parent.parent / "nowhere")}
        process = await asyncio.create_subprocess_exec(
            *_without_the_engine(*command, "-o", str(tmp_path / "out")),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        requests = list(fake.requests)

    assert process.returncode == 2
    assert out == b""
    assert err.decode().splitlines() == [
        "zendesk-ivr: error: drawing SVG needs the layout engine graphviz-pure: "
        "pip install 'zendesk-ivr[report]'"
    ]
    assert requests == []
    assert not (tmp_path / "out").exists()


# --- graph --format svg -------------------------------------------------------------------------


async def test_graph_svg_is_an_svg_document_with_the_findings_marked(tmp_path: Path) -> None:
    ivr_id = next(f["ivr_id"] for f in await sandbox_findings() if f["rule"] == "dead_key")
    drawing = tmp_path / "ivr.svg"

    code, out, err = await run(
        "graph", str(ivr_id), "--sandbox", "--format", "svg", "-o", str(drawing)
    )

    assert (code, out, err) == (0, "", "")
    svg = drawing.read_text(encoding="utf-8")
    root = ET.fromstring(svg[svg.index("<svg") :])
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert any(t and t.startswith("missing menu ") for t in texts)
    assert any(t and t.endswith(" (dead key)") for t in texts)
    assert ["edge", "route", "dead"] in [g.get("class", "").split() for g in root.iter(f"{SVG}g")]


# --- the table ----------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [60, 80, 200, 30])
async def test_the_table_never_cuts_an_id_or_a_rule(columns: int) -> None:
    findings = await sandbox_findings()

    code, out, err = await run(*SANDBOX_AUDIT, env=clean_env(COLUMNS=str(columns)))

    assert code == 1, err
    lines = out.splitlines()
    if columns >= 60:
        assert max(len(line) for line in lines) <= columns
    # else narrower than its ids and rules: the rows run past the edge rather than cut them.
    ids = {str(f[key]) for f in findings for key in ("ivr_id", "menu_id", "route_id") if f[key]}
    numbers_in_messages = {n for f in findings for n in re.findall(r"\d+", str(f["message"]))}
    # Every long number in the table is a whole id: none was cut short or wrapped in two.
    shown = set(re.findall(r"\d{5,}", out))
    assert shown - ids - numbers_in_messages == set()
    assert ids <= shown
    tokens = out.split()
    for finding in findings:
        assert str(finding["rule"]) in tokens
    assert sum(token in ("error", "warning", "info") for token in tokens) == len(findings)
    # The message column holds every message whole, wrapped (a word longer than the column is
    # folded, which only the message column may do).
    header = next(line for line in lines if line.rstrip().endswith("message"))
    start = header.index("message")
    summary = next(
        i for i, line in enumerate(lines) if line.startswith(f"{len(findings)} findings (")
    )
    rows = lines[lines.index(header) + 2 : summary]
    column = "".join("".join(line[start:].split()) for line in rows)
    for finding in findings:
        message = "".join(str(finding["message"]).split())
        assert message in column
        column = column.replace(message, "", 1)
    assert column == ""
    assert " ".join(lines[summary:]).endswith("read with 5 requests")


async def test_the_table_shows_brackets_in_names_as_written() -> None:
    async with await FakeZendesk.start() as fake:
        fake.put_ivr(
            {
                "name": "[bold]Sales[/bold] [red]",
                "phone_number_ids": [],
                "menus": [{"name": "Main", "default": True, "routes": []}],
            }
        )
        code, out, err = await run("audit", env=fake_env(fake) | {"COLUMNS": "200"})

    assert code == 1, err
    assert "IVR '[bold]Sales[/bold] [red]'" in out


def test_the_console_script_is_there() -> None:
    assert SCRIPT.exists()
