"""docs/migration-safety.md: each Python example runs as written and prints what follows it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "migration-safety.md"
EXAMPLES = re.findall(
    r"```python\n(.+?)\n```\n\n```text\n(.+?)\n```", DOC.read_text(encoding="utf-8"), re.DOTALL
)


def test_the_page_has_its_examples() -> None:
    assert len(EXAMPLES) == 3


@pytest.mark.parametrize(("code", "printed"), EXAMPLES, ids=range(len(EXAMPLES)))
def test_an_example_prints_what_the_page_says(tmp_path: Path, code: str, printed: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == printed + "\n"
