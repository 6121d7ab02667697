"""The README's Python quickstart runs as written and prints what it promises."""

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


def test_the_quickstart_runs_against_the_fake() -> None:
    result = subprocess.run(
        [sys.executable, "-c", quickstart()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Main menu (default=True) -> 1: group, 2: menu",
        "Billing (default=False) -> no routes",
    ]


def test_the_pytest_example_runs_without_a_deprecation_warning(tmp_path: Path) -> None:
    section = README.read_text(encoding="utf-8").split("## Testing your code with the fake", 1)[1]
    config = re.search(r"```toml\n(.+?)\n```", section, re.DOTALL)
    example = re.search(r"```python\n(pytest_plugins.+?)\n```", section, re.DOTALL)
    assert config is not None
    assert example is not None
    plugins, test = example[1].split("\n", 1)
    (tmp_path / "pyproject.toml").write_text(config[1] + "\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(plugins + "\n", encoding="utf-8")
    (tmp_path / "test_example.py").write_text(test + "\n", encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "1 passed" in output
    assert "Warning" not in output
