"""
The benchmark suite still runs: a tiny ``--smoke`` run must finish and write a table for each of
its six scenarios. Nothing here looks at a number; benchmarks are not timed tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = (
    "## 1. Listing throughput",
    "## 2. Audit tree walk",
    "## 3. Rate limits as windows",
    "## 4. Streaming memory",
    "## 5. Model cost",
    "## 6. Client CPU per request",
)


def test_smoke_run_writes_a_table_for_every_scenario(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    text = output.read_text(encoding="utf-8")
    for title in SCENARIOS:
        assert title in text, f"{title!r} missing from the results"
        body = text.split(title, 1)[1].split("\n## ", 1)[0]
        assert "\n|---" in body, f"no table under {title!r}"
