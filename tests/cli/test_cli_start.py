"""
How fast and how quietly the command starts: --help and usage errors import no network stack,
a command imports aiohttp only once it connects, and Ctrl-C at any moment exits 130 quietly.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest

from tests.cli_helpers import SCRIPT, clean_env

#: A traceback line in the project's code: the launcher, or the package.
PROJECT_FRAME = re.compile(r'File "[^"]*(_zendesk_ivr_cli\.py|/zendesk_ivr/)')
#: What a start that does not connect must not import (each costs tens of milliseconds).
HEAVY = ("aiohttp", "asyncio", "cattrs", "msgspec", "zendesk_ivr._client", "zendesk_ivr.migration")


def imported_by(*args: str) -> set[str]:
    """Every module the console script imports, run with *args*, as Python's -X importtime says."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize(
    "args",
    [("--help",), ("audit", "--help"), ("audit", "--no-such-option"), ("frobnicate",)],
    ids=["help", "command help", "usage error", "unknown command"],
)
def test_help_and_usage_errors_import_no_network_stack(args: tuple[str, ...]) -> None:
    modules = imported_by(*args)

    assert "zendesk_ivr._cli.parser" in modules  # the run was seen
    assert sorted(set(HEAVY) & modules) == []


def test_a_command_refused_before_it_connects_imports_no_aiohttp() -> None:
    modules = imported_by("export", "--base-url", "127.0.0.1:9", "--oauth-token", "tok")

    assert "zendesk_ivr._cli.settings" in modules
    assert "aiohttp" not in modules
    assert "zendesk_ivr._client" not in modules


def test_a_command_that_connects_does_import_aiohttp() -> None:
    # The check above would pass for a run that imported nothing: this one must see aiohttp.
    assert "aiohttp" in imported_by("export", "--sandbox")


def interrupt(after_ms: int) -> tuple[int, str]:
    """The exit code and stderr of an audit of the sandbox (about a second long) that gets
    SIGINT *after_ms* milliseconds after it was started."""
    process = subprocess.Popen(
        [str(SCRIPT), "audit", "--sandbox", "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    time.sleep(after_ms / 1000)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    return process.returncode, err.decode()


@pytest.mark.parametrize("after_ms", [0, 50, 100, 200, 400])
def test_ctrl_c_at_any_moment_exits_130_without_a_traceback(after_ms: int) -> None:
    # Before the project's first line runs, CPython is still starting (its own modules, site,
    # the .pth files, then the script pip generated, which imports the launcher), and
    # interrupted there it says so itself, as for any Python program: ~15 ms, more on a loaded
    # machine. Such a run, whose traceback has no frame of the project, did not reach the
    # command: it is run again.
    for _ in range(10):
        code, err = interrupt(after_ms)
        if not err or PROJECT_FRAME.search(err):
            break
    # 130 from the command; a signal that lands before Python has set up its own handler kills
    # the process as SIGINT does, which a shell reports as 130 too.
    assert code in (130, -signal.SIGINT), err
    assert err == ""


def test_the_script_is_the_launcher_outside_the_package() -> None:
    # Ctrl-C is quiet while the package imports only if the script imports it inside a try.
    text = SCRIPT.read_text()
    assert "from _zendesk_ivr_cli import run" in text, text
