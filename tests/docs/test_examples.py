"""
Every Python example in the documentation runs, so the pages say what the code does today.

An example that calls ``asyncio.run`` is a whole program and runs as one. An example holding
``pytest_plugins`` is a test module and runs under pytest, configured by the page's TOML block.
Any other example runs as the pages say (see docs/index.md): with top-level ``await``, and
``client``, an open `Client` on a fake Zendesk seeded with a few valid IVRs (the demo account's
planted problems would make an export of it a file that `load_export` refuses).
"""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

import zendesk_ivr
from zendesk_ivr.testing import FakeZendesk

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^( *)```python\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)
#: A section of another file the site includes (pymdownx.snippets): ``--8<-- "README.md:setup"``.
SNIPPET = re.compile(r'^--8<-- "([^":]+):([\w-]+)"$', re.MULTILINE)


class Example(NamedTuple):
    page: Path
    line: int
    code: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(DOCS)}:{self.line}"


def page_text(page: Path) -> str:
    """The page as the site shows it, with the sections it includes from other files."""

    def section(match: re.Match[str]) -> str:
        text = (ROOT / match[1]).read_text(encoding="utf-8")
        start, end = f"--8<-- [start:{match[2]}] -->", f"--8<-- [end:{match[2]}] -->"
        return text.split(start, 1)[1].split(end, 1)[0].rsplit("\n", 1)[0]

    return SNIPPET.sub(section, page.read_text(encoding="utf-8"))


def examples() -> Iterator[Example]:
    for page in sorted(DOCS.rglob("*.md")):
        text = page_text(page)
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            yield Example(page, line, textwrap.dedent(match[2]))


EXAMPLES = list(examples())
PROGRAMS = [e for e in EXAMPLES if "asyncio.run(" in e.code]
TEST_MODULES = [e for e in EXAMPLES if "pytest_plugins" in e.code]
WITH_A_CLIENT = [e for e in EXAMPLES if e not in PROGRAMS and e not in TEST_MODULES]


def test_the_pages_have_examples_of_each_kind() -> None:
    # A fence the pattern above stopped seeing would silently stop being tested.
    assert PROGRAMS
    assert TEST_MODULES
    assert len(WITH_A_CLIENT) >= 8
    every_fence = sum(page_text(page).count("```python") for page in DOCS.rglob("*.md"))
    assert every_fence == len(EXAMPLES)


@pytest.mark.parametrize("example", WITH_A_CLIENT, ids=lambda e: e.name)
async def test_an_example_runs_with_a_client(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # where an example's "~/..." files go
    code = compile(
        example.code, example.name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    async with await FakeZendesk.start() as fake:
        fake.seed(5, menus=3, routes=4)
        async with zendesk_ivr.Client(
            base_url=fake.url, email=fake.email, api_token=fake.api_token
        ) as client:
            namespace: dict[str, Any] = {"client": client, "__name__": "__docs__"}
            result = eval(code, namespace)
            if inspect.iscoroutine(result):
                await result


@pytest.mark.parametrize("example", PROGRAMS, ids=lambda e: e.name)
def test_a_whole_program_runs(example: Example, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", example.code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("example", TEST_MODULES, ids=lambda e: e.name)
def test_a_test_module_passes_under_pytest_without_a_warning(
    example: Example, tmp_path: Path
) -> None:
    config = re.search(r"```toml\n(.+?)\n```", example.page.read_text(encoding="utf-8"), re.DOTALL)
    assert config is not None, f"{example.page} has no pytest configuration for its example"
    plugins, test = example.code.split("\n", 1)
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
