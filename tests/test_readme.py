"""The README's front door: its Python quickstart runs as written and prints what it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def quickstart() -> str:
    section = README.read_text(encoding="utf-8").split("## Quickstart", 1)[1]
    block = re.search(r"```python\n(.+?)\n```", section, re.DOTALL)
    assert block is not None
    return block[1]


def test_the_quickstart_is_short() -> None:
    assert len(quickstart().splitlines()) <= 20


def test_the_quickstart_runs_against_the_fake() -> None:
    result = subprocess.run(
        [sys.executable, "-c", quickstart()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Main menu -> 1: group"]
    assert "It prints `Main menu -> 1: group`" in README.read_text(encoding="utf-8")
