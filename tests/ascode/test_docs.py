"""docs/ivrs-as-code.md: its Python example runs as written, its CI job says what it means."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from zendesk_ivr._cli.parser import build_parser

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "ivrs-as-code.md"


def _block(language: str, after: str) -> str:
    section = PAGE.read_text(encoding="utf-8").split(after, 1)[1]
    found = re.search(rf"```{language}\n(.+?)\n```", section, re.DOTALL)
    assert found is not None
    return found[1]


def test_the_python_example_runs_against_the_fake() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _block("python", "## From Python")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[]"
    assert lines[1].startswith('create ivr[Support line] name="Support line"')
    assert lines[-2:] == ["True", "True"]


def test_the_ci_job_runs_check_and_plan_exit_code_with_secrets() -> None:
    job = YAML(typ="safe").load(_block("yaml", "### A GitHub Actions job"))

    (ivrs,) = job["jobs"].values()
    assert set(ivrs["env"]) == {"ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN"}
    assert all(value.startswith("${{ secrets.") for value in ivrs["env"].values())
    commands = [step["run"] for step in ivrs["steps"] if "run" in step]
    ours = [c.split(" ||")[0] for c in commands if c.startswith("zendesk-ivr ")]
    assert [c.split()[1] for c in ours] == ["check", "plan", "apply", "plan"]
    assert "--exit-code" in ours[1]
    for command in ours:  # every command line is one the command line accepts
        build_parser().parse_args(shlex.split(command)[1:])
