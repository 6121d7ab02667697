"""
The sandbox's report as a person sees it: headless Chromium (Debian's ``chromium``, driven by
Playwright) opens the page from disk, with no request allowed to leave it, and the test checks
what is drawn, what the filters and the search show, and the page with scripts off.

Screenshots of the summary and of one broken IVR are saved in ``test-artifacts/report/`` at the
repository's root (git-ignored), for people to look at.

This is the suite's one test that may skip: where Chromium is not installed (a machine with only
Python). .ci/run installs it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final

import pytest
import pytest_asyncio

from tests.analysis.test_graph import support_ivr
from tests.cli_helpers import run_script
from zendesk_ivr.analysis import audit_ivrs, render_html_report

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS: Final = ROOT / "test-artifacts" / "report"
CHROMIUM: Final = Path("/usr/bin/chromium")
# What works in a container: no sandbox, no GPU, and none of the browser's own traffic.
FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)),
    reason="the browser test needs Chromium at /usr/bin/chromium: apt-get install chromium "
    "(as .ci/run does), then run the tests again",
)


class Sandbox:
    """The sandbox's report on disk, with what the audit said about it."""

    def __init__(self, page: Path, findings: list[dict[str, Any]], tree: dict[str, Any]):
        self.page = page
        self.findings = findings
        self.ivrs: list[dict[str, Any]] = tree["ivrs"]
        self.group_names = {int(k): v for k, v in tree["groups"].items()}

    def ivrs_with(self, severity: str) -> set[int]:
        return {f["ivr_id"] for f in self.findings if f["severity"] == severity}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    folder = tmp_path_factory.mktemp("report")
    page = folder / "report.html"
    code, _, err = await run_script(
        *("audit", "--sandbox", "--check-groups", "--check-greetings"),
        *("--format", "html", "-o", str(page)),
    )
    assert code == 1, err  # the demo's planted errors
    code, out, err = await run_script(
        "audit", "--sandbox", "--check-groups", "--check-greetings", "--format", "json"
    )
    assert code == 1, err
    code, exported, err = await run_script("export", "--sandbox")
    assert code == 0, err
    document = json.loads(exported)
    # The sandbox seeds the same account, with the same ids, every time.
    groups = document["references"]["groups"]
    return Sandbox(page, json.loads(out), {"ivrs": document["ivrs"], "groups": groups})


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright  # noqa: PLC0415 - a test dependency

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh profile for every test
            executable_path=str(CHROMIUM),
            args=list(FLAGS),
            viewport={"width": 1280, "height": 1000},
        )
        try:
            yield context
        finally:
            await context.close()


async def open_page(context: Any, report: Sandbox | Path) -> tuple[Any, list[str]]:
    """The report in a new tab; the list collects console errors and every refused request."""
    problems: list[str] = []
    url = (report.page if isinstance(report, Sandbox) else report).as_uri()

    async def only_the_page(route: Any) -> None:
        if route.request.url == url:
            await route.continue_()
        else:
            problems.append(f"request to {route.request.url}")
            await route.abort()

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page = await context.new_page()
    await page.route("**/*", only_the_page)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    await page.goto(url)
    return page, problems


async def visible_sections(page: Any) -> list[int]:
    ids: list[int] = await page.evaluate(
        "Array.from(document.querySelectorAll('section.ivr'))"
        ".filter(s => s.offsetParent !== null).map(s => Number(s.dataset.ivr))"
    )
    return ids


async def set_severities(page: Any, *shown: str) -> None:
    for value in ("error", "warning", "info", "clean"):
        await page.locator(f"#filters input[value={value}]").set_checked(value in shown)


async def test_every_ivr_is_drawn_with_a_node_per_menu(browser: Any, sandbox: Sandbox) -> None:
    page, problems = await open_page(browser, sandbox)

    drawn: dict[str, list[int]] = await page.evaluate(
        """Object.fromEntries(Array.from(document.querySelectorAll('section.ivr')).map(s => [
            s.dataset.ivr,
            [s.querySelectorAll('svg').length,
             s.querySelectorAll('svg g.node.menu').length,
             s.querySelector('svg') ? s.querySelector('svg').getBoundingClientRect().width : 0]
        ]))"""
    )

    assert len(sandbox.ivrs) == 300
    assert {int(i): (svgs, menus) for i, (svgs, menus, _) in drawn.items()} == {
        ivr["id"]: (1, len(ivr["menus"])) for ivr in sandbox.ivrs
    }
    assert all(width > 100 for _, _, width in drawn.values())  # laid out, not collapsed
    assert problems == []


async def test_the_ivrs_are_listed_worst_first(browser: Any, sandbox: Sandbox) -> None:
    page, problems = await open_page(browser, sandbox)

    order = await visible_sections(page)

    errors, warnings = (
        sandbox.ivrs_with("error"),
        sandbox.ivrs_with("warning") - sandbox.ivrs_with("error"),
    )
    assert set(order[: len(errors)]) == errors
    assert set(order[len(errors) : len(errors) + len(warnings)]) == warnings
    assert problems == []


async def test_filtering_by_severity_hides_and_shows_ivrs(browser: Any, sandbox: Sandbox) -> None:
    page, problems = await open_page(browser, sandbox)
    errors, warnings = sandbox.ivrs_with("error"), sandbox.ivrs_with("warning")
    assert await page.locator("#shown").text_content() == "300 of 300 IVRs shown"

    await set_severities(page, "error")
    assert set(await visible_sections(page)) == errors
    assert await page.locator("#shown").text_content() == f"{len(errors)} of 300 IVRs shown"
    # The list hides the same IVRs, and an IVR with both shows only its errors.
    rows = await page.locator("#ivr-list tbody tr:visible").count()
    assert rows == len(errors)
    shown_findings = await page.evaluate(
        "Array.from(document.querySelectorAll('section.ivr li[data-severity]'))"
        ".filter(li => li.offsetParent !== null).map(li => li.dataset.severity)"
    )
    assert set(shown_findings) == {"error"}

    await set_severities(page, "warning")
    assert set(await visible_sections(page)) == warnings

    await set_severities(page, "clean")
    clean = {ivr["id"] for ivr in sandbox.ivrs} - errors - warnings
    assert set(await visible_sections(page)) == clean

    await set_severities(page, "error", "warning", "info", "clean")
    assert len(await visible_sections(page)) == 300
    assert problems == []


async def test_an_ivr_with_errors_and_warnings_shows_the_findings_of_ticked_severities(
    browser: Any, tmp_path: Path
) -> None:
    # The sandbox plants one problem per IVR; the known IVR has errors and a warning.
    ivr = support_ivr()
    page_file = tmp_path / "one.html"
    page_file.write_text(render_html_report(audit_ivrs([ivr]), [ivr]), encoding="utf-8")
    page, problems = await open_page(browser, page_file)
    shown = (
        "Array.from(document.querySelectorAll('section.ivr li[data-severity]'))"
        ".filter(li => li.offsetParent !== null).map(li => li.dataset.severity)"
    )
    assert sorted(await page.evaluate(shown)) == ["error", "error", "warning"]

    await set_severities(page, "warning")
    assert await visible_sections(page) == [ivr.id]
    assert await page.evaluate(shown) == ["warning"]

    await set_severities(page, "info", "clean")
    assert await visible_sections(page) == []
    assert problems == []


async def test_search_finds_ivrs_by_ivr_and_group_name(browser: Any, sandbox: Sandbox) -> None:
    page, problems = await open_page(browser, sandbox)
    group_id, group_name = next(
        (i, n) for i, n in sandbox.group_names.items() if n == "Soporte en español"
    )
    ringing = {
        ivr["id"]
        for ivr in sandbox.ivrs
        for menu in ivr["menus"]
        for route in menu["routes"]
        if group_id in ((route.get("options") or {}).get("group_ids") or [])
    }
    assert 0 < len(ringing) < 300

    await page.locator("#search").fill(group_name.upper())
    assert set(await visible_sections(page)) == ringing

    some = sandbox.ivrs[17]
    await page.locator("#search").fill(some["name"])
    named = {ivr["id"] for ivr in sandbox.ivrs if some["name"].lower() in ivr["name"].lower()}
    assert set(await visible_sections(page)) == named

    await page.locator("#search").fill(str(some["id"]))
    assert await visible_sections(page) == [some["id"]]

    await page.locator("#search").fill("")
    assert len(await visible_sections(page)) == 300
    assert problems == []


async def test_with_scripts_off_everything_is_shown(tmp_path: Path, sandbox: Sandbox) -> None:
    from playwright.async_api import async_playwright  # noqa: PLC0415 - a test dependency

    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=list(FLAGS),
            java_script_enabled=False,
        )
        try:
            page, problems = await open_page(context, sandbox)
            sections = await page.locator("section.ivr:visible").count()
            filters = await page.locator("#filters").is_visible()
            drawings = await page.locator("section.ivr svg:visible").count()
        finally:
            await context.close()

    assert (sections, drawings, filters) == (300, 300, False)
    assert problems == []


async def test_printing_leaves_the_controls_out(browser: Any, sandbox: Sandbox) -> None:
    page, problems = await open_page(browser, sandbox)
    assert await page.locator("#filters").is_visible()

    await page.emulate_media(media="print")

    assert not await page.locator("#filters").is_visible()
    assert await page.locator("section.ivr:visible").count() == 300
    assert problems == []


async def test_screenshots_of_the_summary_and_a_broken_ivr(browser: Any, sandbox: Sandbox) -> None:
    page, problems = await open_page(browser, sandbox)
    dead = next(f for f in sandbox.findings if f["rule"] == "dead_key")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)

    await page.screenshot(path=str(ARTIFACTS / "summary.png"))
    # As the list's link shows it: below the filters, which stay at the top.
    await page.locator(f"#ivr-list a[href='#ivr-{dead['ivr_id']}']").click()
    section = page.locator(f"#ivr-{dead['ivr_id']}")
    heading = await section.locator("h3").bounding_box()
    filters = await page.locator("#filters").bounding_box()
    assert heading is not None
    assert filters is not None
    assert heading["y"] >= filters["y"] + filters["height"]  # not hidden under them
    await page.screenshot(path=str(ARTIFACTS / "broken-ivr.png"))

    assert "(dead key)" in (await section.text_content() or "")
    for name in ("summary.png", "broken-ivr.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000, name
    assert problems == []
