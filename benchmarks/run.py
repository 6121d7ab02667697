"""
Run the benchmark suite and write its tables to a Markdown file.

    python benchmarks/run.py [--smoke] [--rounds N] [--scenario NAME ...] [--output PATH]

Servers run in child processes (see servers.py); this process is the client. The tables are
printed as each scenario finishes and written to --output at the end. Missed targets are
reported in the tables, not by the exit code: benchmarks are measurements, not tests. A
scenario that crashes is reported as failed, the others still run, and the exit code is 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import budget
import report
import scenarios
import servers
from sizes import FULL, SMOKE, Sizes

SCENARIOS = ("listing", "walk", "ratelimit", "memory", "models", "cpu")
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "RESULTS.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmarks of the zendesk_ivr SDK.")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, one round: proves it runs, in seconds"
    )
    parser.add_argument("--rounds", type=int, help="rounds per measurement (default 5; smoke 1)")
    parser.add_argument(
        "--scenario",
        nargs="+",
        choices=SCENARIOS,
        default=list(SCENARIOS),
        metavar="NAME",
        help=f"run only these: {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown file")
    parser.add_argument(
        "--no-pin", action="store_true", help="let the OS place client and server processes"
    )
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


NUMBERS = {name: number for number, name in enumerate(SCENARIOS, start=1)}


class Runner:
    """Runs scenarios one by one; one that fails is reported and the others still run."""

    def __init__(self, emit: Callable[[report.Section], None]) -> None:
        self.emit = emit
        self.failed: list[str] = []

    def __call__(self, name: str, scenario: Callable[[], report.Section]) -> None:
        try:
            section = scenario()
        except Exception as exc:  # a broken scenario must not cost the others' results
            traceback.print_exc()
            self.failed.append(name)
            section = report.Section(NUMBERS[name], f"{name}: FAILED")
            section.notes.append(f"`{type(exc).__name__}: {exc}` (traceback on stderr)")
        self.emit(section)


def run(selected: list[str], sizes: Sizes, runner: Runner) -> None:
    if "listing" in selected:
        with servers.fake_server(
            ivrs=sizes.listing_ivrs,
            menus=sizes.listing_menus,
            routes=sizes.listing_routes,
            max_page_size=sizes.listing_page_size,
        ) as server:
            runner("listing", lambda: scenarios.listing(server, sizes))
    if "walk" in selected:
        with servers.fake_server(
            ivrs=sizes.walk_ivrs, menus=sizes.walk_menus, routes=sizes.walk_routes
        ) as server:
            runner("walk", lambda: scenarios.walk(server, sizes))
    if "ratelimit" in selected:
        with servers.fake_server(ivrs=sizes.budget_ivrs, menus=1, routes=1) as server:
            runner("ratelimit", lambda: budget.scenario(server, sizes))
    if "memory" in selected:
        with servers.counting_server("route_server.py") as route_server:
            runner("memory", lambda: scenarios.memory(route_server, sizes))
    if "models" in selected:
        runner("models", lambda: scenarios.models(sizes))
    if "cpu" in selected:
        with servers.counting_server("page_server.py") as page_server:
            runner("cpu", lambda: scenarios.cpu(page_server, sizes))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = (SMOKE if args.smoke else FULL).with_rounds(args.rounds)
    # The SDK warns on every rate-limit wait; scenario 3 provokes them on purpose.
    logging.getLogger("zendesk_ivr").addHandler(logging.NullHandler())
    logging.getLogger("zendesk_ivr").propagate = False
    if args.no_pin:
        servers.no_pinning()
    cpus = servers.client_cpus()
    if cpus is not None:
        servers.pin(os.getpid(), cpus)
    header = report.machine()
    sections: list[report.Section] = []

    def emit(section: report.Section) -> None:
        sections.append(section)
        print(section.markdown() + "\n", flush=True)

    runner = Runner(emit)
    run(args.scenario, sizes, runner)
    pinning = (
        f"Servers were pinned to CPU {servers.SERVER_CPU} and clients to the other"
        f"{'s' if (os.cpu_count() or 1) > 2 else ''}, so client and server never share a core."
        if cpus is not None
        else "Processes were not pinned to cores: the OS placed client and server."
    )
    preamble = (
        f"{'Smoke run: tiny sizes, numbers meaningless. ' if args.smoke else ''}"
        f"{pinning} The machine may be shared: other processes' load (see the load averages) "
        "shows up as spread (±) between rounds. Compare ratios within a run rather than "
        "absolute rates across runs."
    )
    text = report.document(report.command_line(), header, sections, preamble)
    report.write(args.output, text)
    print(f"written to {args.output}", file=sys.stderr)
    if runner.failed:
        print(f"failed scenarios: {', '.join(runner.failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
