"""Where a first day goes wrong: a busy port, a file that cannot be written, and what each says."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.cli_helpers import run_script


async def test_a_busy_port_says_so_and_suggests_port_0() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        code, out, err = await run_script("sandbox", "--port", str(port))

    assert (code, out) == (2, "")
    assert err == (
        f"zendesk-ivr: error: port {port} on 127.0.0.1 is already in use: pass --port 0 to "
        "pick a free one, or another --port\n"
    )


@pytest.mark.skipif(not os.path.exists("/proc/version"), reason="needs Linux's /proc")
async def test_an_output_in_a_folder_that_takes_no_new_file_names_that_step() -> None:
    # /proc/version exists: "No such file or directory" alone would be a lie about it.
    code, _, err = await run_script("export", "--sandbox", "-o", "/proc/version")

    assert code == 2
    assert err == (
        "zendesk-ivr: error: cannot write /proc/version: cannot create a new file in /proc "
        "(No such file or directory); -o writes a new file there and renames it into place\n"
    )


async def test_an_output_in_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "tree.json"

    code, _, err = await run_script("export", "--sandbox", "-o", str(target))

    assert code == 2
    assert err == (
        f"zendesk-ivr: error: cannot write {target}: no folder {target.parent} "
        "(No such file or directory)\n"
    )


async def test_an_output_that_is_a_folder_says_so(tmp_path: Path) -> None:
    code, _, err = await run_script("export", "--sandbox", "-o", str(tmp_path))

    assert code == 2
    assert err == f"zendesk-ivr: error: cannot write {tmp_path}: it is a folder\n"
