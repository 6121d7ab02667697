"""The command line against hostile servers and files: typed one-line errors, files kept whole."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.cli_helpers import SCRIPT, clean_env, run_script

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def env_for(url: str) -> dict[str, str]:
    return clean_env(ZENDESK_BASE_URL=url, ZENDESK_OAUTH_TOKEN="tok")


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("zendesk-ivr: error: ")
    return lines[0]


# --- 4. A failed write keeps the user's file --------------------------------------------------


async def test_a_failed_export_leaves_the_existing_file_untouched(tmp_path: Path) -> None:
    async def lone_surrogate(request: web.Request) -> web.Response:
        # "\ud800" is valid JSON text but no UTF-8 file can hold the string it decodes to.
        body = '{"ivrs": [{"id": 1, "name": "\\ud800", "menus": []}], "next_page": null}'
        if not request.path.endswith("/ivr"):
            # The groups, greetings and phone numbers an export names: none.
            body = f'{{"{request.path.rsplit("/", 1)[1]}": [], "next_page": null}}'
        return web.Response(text=body, content_type="application/json")

    out = tmp_path / "out.json"
    out.write_text('{"kept": true}\n')
    async with serve(lone_surrogate) as url:
        code, stdout, stderr = await run_script("export", "-o", str(out), env=env_for(url))

    assert code == 3  # not 1 ("findings"): a failure nobody planned for
    assert "unexpected" in one_line(stderr)
    assert stdout == ""
    assert out.read_text() == '{"kept": true}\n'
    assert os.listdir(tmp_path) == ["out.json"]  # no temporary file left


async def test_an_export_replaces_the_file_whole_with_the_usual_mode(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("old")
    code, _stdout, stderr = await run_script("export", "--sandbox", "-o", str(out))

    assert code == 0, stderr
    assert json.loads(out.read_text())["format"] == "zendesk-ivr-export"
    assert os.listdir(tmp_path) == ["out.json"]
    probe = tmp_path / "probe"
    probe.write_text("")  # the mode any new file gets here (0666 less the umask)
    assert out.stat().st_mode & 0o777 == probe.stat().st_mode & 0o777


# --- 5. A closed stdout ends the command quietly ----------------------------------------------


@pytest.mark.parametrize(
    "command", [["export"], ["audit", "--format", "csv"], ["audit", "--format", "json"]]
)
def test_a_reader_that_stops_early_ends_the_command_quietly(command: list[str]) -> None:
    # `true` exits without reading, so every write the command makes meets a closed pipe.
    shell = f'"$0" {" ".join(command)} --sandbox | true; echo "exit ${{PIPESTATUS[0]}}" >&2'
    result = subprocess.run(
        ["bash", "-c", shell, str(SCRIPT)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
        check=False,
    )
    assert result.stderr.strip() == "exit 141"  # as if killed by SIGPIPE, and nothing said


# --- 3, 6. Endless listings and deep JSON -----------------------------------------------------


async def test_an_audit_of_a_cycling_listing_ends_in_one_line() -> None:
    async def two_pages(request: web.Request) -> web.Response:
        page = 3 if request.query.get("page") == "2" else 2
        link = str(request.url.update_query(page=page))
        return web.json_response({"ivrs": [], "next_page": link})

    async with serve(two_pages) as url:
        code, _stdout, stderr = await run_script("audit", env=env_for(url))
    assert code == 2
    assert "already read" in one_line(stderr)


async def test_deep_json_from_the_server_ends_in_one_line() -> None:
    async def deep(_: web.Request) -> web.Response:
        return web.Response(text="[" * 100_000, content_type="application/json")

    async with serve(deep) as url:
        code, _stdout, stderr = await run_script("export", env=env_for(url))
    assert code == 2
    assert "nested too deeply" in one_line(stderr)


@pytest.mark.parametrize("which", ["FILE", "--map"])
async def test_a_deeply_nested_file_ends_in_one_line(tmp_path: Path, which: str) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    export = tmp_path / "export.json"
    export.write_text('{"format": "zendesk-ivr-export", "version": 1, "ivrs": []}')

    args = [str(deep)] if which == "FILE" else [str(export), "--map", str(deep)]
    code, _stdout, stderr = await run_script("plan", *args, "--sandbox")
    assert code == 2
    assert "nested too deeply" in one_line(stderr)


# --- 8, 9. Secrets on the command line are not echoed -----------------------------------------


@pytest.mark.parametrize("base_url", ["htps://u:SECRET@host", "//u:SECRET@host/"])
async def test_a_password_in_the_base_url_is_not_echoed(base_url: str) -> None:
    code, _stdout, stderr = await run_script(
        "audit", "--base-url", base_url, "--oauth-token", "tok"
    )
    assert code == 2
    assert "SECRET" not in one_line(stderr)


async def test_a_token_with_a_line_break_is_refused_in_one_line() -> None:
    seen: list[web.Request] = []

    async def empty(request: web.Request) -> web.Response:
        seen.append(request)
        return web.json_response({"ivrs": [], "next_page": None})

    async with serve(empty) as url:
        code, _stdout, stderr = await run_script(
            "audit", "--base-url", url, "--oauth-token", "SECRET\r\nX: 1"
        )
    assert code == 2
    assert "SECRET" not in one_line(stderr)
    assert seen == []
