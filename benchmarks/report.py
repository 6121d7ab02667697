"""Markdown tables, the targets' verdicts, and the RESULTS file with the machine they ran on."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path


@dataclass
class Table:
    columns: Sequence[str]
    rows: list[Sequence[str]] = field(default_factory=list)
    caption: str = ""

    def add(self, *cells: str) -> None:
        self.rows.append(cells)

    def markdown(self) -> str:
        lines = [] if not self.caption else [self.caption, ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.columns))))
        lines[-1] += "|"
        lines.extend("| " + " | ".join(row) + " |" for row in self.rows)
        return "\n".join(lines)


@dataclass(frozen=True)
class Check:
    """A target from the issue and whether this run met it."""

    target: str
    measured: str
    met: bool


@dataclass
class Section:
    number: int
    title: str
    tables: list[Table] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        parts = [f"## {self.number}. {self.title}"]
        parts.extend(table.markdown() for table in self.tables)
        if self.checks:
            parts.append(checks_table(self.checks).markdown())
        parts.extend(self.notes)
        return "\n\n".join(parts)


def checks_table(checks: Sequence[Check]) -> Table:
    table = Table(["target", "measured", "met"])
    for check in checks:
        table.add(check.target, check.measured, "yes" if check.met else "**NO**")
    return table


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> Table:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    table = Table(["", ""])
    table.add("date (UTC)", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"))
    table.add("cores (`os.cpu_count()`)", str(os.cpu_count()))
    table.add("platform", platform.platform())
    table.add("Python", platform.python_version())
    for package in ("zendesk-ivr", "aiohttp", "attrs", "cattrs", "yarl", "httpx", "requests"):
        table.add(package, _version(package))
    table.add("load average at start (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in load))
    return table


def document(command: str, header: Table, sections: Sequence[Section], preamble: str) -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    header.add("load average at end", ", ".join(f"{x:.2f}" for x in load))
    checks = [check for section in sections for check in section.checks]
    parts = [
        "# Benchmark results",
        f"Made by `{command}`; see [README.md](README.md) for what each scenario does "
        "and how to read the numbers.",
        header.markdown(),
        preamble,
    ]
    if checks:
        parts.extend(["## Targets", checks_table(checks).markdown()])
    parts.extend(section.markdown() for section in sorted(sections, key=lambda s: s.number))
    return "\n\n".join(parts) + "\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def command_line() -> str:
    return " ".join(["python", *sys.argv])


def rate(value: float) -> str:
    """Requests (or items) a second, to three significant digits."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def ratio(value: float) -> str:
    return f"{value:.2f}x"


def percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def micro(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.2f} ms"


def rounds(count: int) -> str:
    return f"{count} round{'' if count == 1 else 's'}"
