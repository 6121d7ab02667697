"""
Scenario 3: spending a plan's rate limit, which Zendesk counts in windows.

The fake answers like Zendesk: ``X-Rate-Limit`` and ``X-Rate-Limit-Remaining`` on every answer,
and a text/plain 429 with ``Retry-After`` (whole seconds until the window turns) once the window
is spent. Every count here (requests admitted, 429s, the window each fell in, whose it was) comes
from the server's own request log, never from a client's bookkeeping.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import aiohttp
import share_client
from clients import Target
from measure import Stopwatch, median, spread
from report import Check, Section, Table, percent, ratio, rounds
from servers import BENCH_DIR, FakeServer
from sizes import Sizes

SDK = "zendesk_ivr SDK (defaults)"
RAW = "raw aiohttp, sleeps Retry-After"


@dataclass(frozen=True)
class Spent:
    """One job as the server saw it, and the client's wall time and failed calls."""

    seconds: float
    failed: int
    admitted: int
    #: 429s per (client, window): the client is a process, or the only one.
    refused: Counter[tuple[int, int | None]]
    windows: int

    @property
    def worst_window(self) -> int:
        return max(self.refused.values(), default=0)

    @property
    def total_refused(self) -> int:
        return sum(self.refused.values())


def _owner_of(ivr_ids: Sequence[Sequence[int]]) -> dict[str, int]:
    """Which client reads each menus path: the server's log says whose a request was."""
    return {
        f"/api/v2/channels/voice/ivr/{ivr_id}/menus": owner
        for owner, ids in enumerate(ivr_ids)
        for ivr_id in ids
    }


def _read_log(
    server: FakeServer, owners: dict[str, int]
) -> tuple[int, Counter[tuple[int, int | None]], int]:
    rows = server.log()
    admitted = sum(1 for _path, _window, refused in rows if not refused)
    refused = Counter((owners[path], window) for path, window, was_refused in rows if was_refused)
    windows = max((window for _path, window, _refused in rows if window is not None), default=0)
    return admitted, refused, windows


def _spend(
    server: FakeServer,
    sizes: Sizes,
    job: Callable[[], tuple[float, int]],
    *,
    limit: int,
    window: float,
    owners: dict[str, int],
) -> Spent:
    server.configure(latency=sizes.budget_latency, rate_limit={"limit": limit, "window": window})
    server.reset()
    gc.collect()
    seconds, failed = job()
    admitted, refused, windows = _read_log(server, owners)
    return Spent(seconds, failed, admitted, refused, windows)


# --- the clients ---------------------------------------------------------------------------------


def _cycle(ivr_ids: Sequence[int], reads: int) -> Iterator[int]:
    return (ivr_ids[n % len(ivr_ids)] for n in range(reads))  # as share_client cycles


async def _sdk_job(
    target: Target, ivr_ids: Sequence[int], reads: int, concurrency: int
) -> tuple[float, int]:
    # The same job as each sharing process runs, in this process and starting now.
    job = {
        "url": target.url,
        "email": target.email,
        "api_token": target.api_token,
        "ivr_ids": list(ivr_ids),
        "reads": reads,
        "concurrency": concurrency,
        "start_at": 0.0,
    }
    done = await share_client.work(job)
    return float(done["seconds"]), int(done["failed"])


async def _raw_job(
    target: Target, ivr_ids: Sequence[int], reads: int, concurrency: int
) -> tuple[float, int]:
    """What Zenpy and the Ruby client do: send, and on a 429 sleep its Retry-After and resend."""
    headers = {"Authorization": target.authorization, "Accept": "application/json"}
    async with aiohttp.ClientSession(headers=headers) as session:
        pending = _cycle(ivr_ids, reads)

        async def worker() -> None:
            for ivr_id in pending:
                while True:
                    async with session.get(target.first_page(ivr_id)) as response:
                        if response.status != 429:
                            response.raise_for_status()
                            await response.json()
                            break
                        wait = float(response.headers.get("Retry-After", "1"))
                    await asyncio.sleep(wait)

        with Stopwatch() as watch:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
    return watch.seconds, 0


JOBS = {SDK: _sdk_job, RAW: _raw_job}


# --- (a) inside the budget, (b) three times it -------------------------------------------------


def _ideal(sizes: Sizes, reads: int, limit: int, window: float, in_flight: int) -> float:
    """
    The window schedule at its best: each window's requests go out at full concurrency the
    moment it opens, one round trip per wave of *in_flight* requests; the windows after the
    first open when the one before closes.
    """
    windows = math.ceil(reads / limit)
    last = reads - (windows - 1) * limit
    return (windows - 1) * window + math.ceil(last / in_flight) * sizes.budget_latency


def _alone(
    server: FakeServer,
    sizes: Sizes,
    target: Target,
    name: str,
    *,
    reads: int,
    limit: int,
    window: float,
) -> Spent:
    """One client, alone on the account, reads *reads* times."""
    ids = server.ivr_ids

    def job() -> tuple[float, int]:
        return asyncio.run(JOBS[name](target, ids, reads, sizes.budget_concurrency))

    return _spend(server, sizes, job, limit=limit, window=window, owners=_owner_of([ids]))


def _inside(server: FakeServer, sizes: Sizes, target: Target) -> tuple[Table, list[Check]]:
    reads, limit, window = sizes.inside_reads, sizes.inside_limit, sizes.inside_window
    runs: dict[str, list[Spent]] = {name: [] for name in JOBS}
    for round_ in range(sizes.inside_rounds):
        for name in list(JOBS)[round_ % 2 :] + list(JOBS)[: round_ % 2]:
            runs[name].append(
                _alone(server, sizes, target, name, reads=reads, limit=limit, window=window)
            )
    table = Table(
        [
            "client",
            "reads",
            "admitted",
            "time",
            "±",
            "x raw aiohttp's speed",
            "429s",
            "failed calls",
        ],
        caption=f"**(a) A job inside the budget: {reads} reads, {limit} per {window:g} s**",
    )
    raw_seconds = [s.seconds for s in runs[RAW]]
    for name, spent in runs.items():
        seconds = [s.seconds for s in spent]
        speed = median([r / s for r, s in zip(raw_seconds, seconds, strict=True)])
        table.add(
            name,
            str(reads),
            str(median([s.admitted for s in spent])),
            f"{median(seconds):.2f} s",
            percent(spread(seconds)),
            ratio(speed),
            str(sum(s.total_refused for s in spent)),
            str(sum(s.failed for s in spent)),
        )
    sdk = runs[SDK]
    speed = median([r / s.seconds for r, s in zip(raw_seconds, sdk, strict=True)])
    refused = sum(s.total_refused for s in sdk)
    checks = [
        Check("inside the budget: SDK ≥ 0.9x raw aiohttp's speed", ratio(speed), speed >= 0.9),
        Check("inside the budget: no 429", str(refused), refused == 0),
    ]
    return table, checks


def _over(server: FakeServer, sizes: Sizes, target: Target) -> tuple[Table, list[Check]]:
    reads, limit, window = sizes.over_reads, sizes.over_limit, sizes.over_window
    ideal = _ideal(sizes, reads, limit, window, sizes.budget_concurrency)
    table = Table(
        [
            "client",
            "reads",
            "windows",
            "time",
            "time / ideal",
            "429s",
            "most 429s in a window",
            "failed calls",
        ],
        caption=(
            f"**(b) A job {reads / limit:g} times the budget: {reads} reads, {limit} per "
            f"{window:g} s window; ideal {ideal:.2f} s**"
        ),
    )
    checks = []
    for name in JOBS:
        spent = [
            _alone(server, sizes, target, name, reads=reads, limit=limit, window=window)
            for _ in range(sizes.over_rounds)
        ]
        seconds = median([s.seconds for s in spent])
        worst = max(s.worst_window for s in spent)
        table.add(
            name,
            str(reads),
            str(max(s.windows for s in spent)),
            f"{seconds:.2f} s",
            ratio(seconds / ideal),
            str(sum(s.total_refused for s in spent)),
            str(worst),
            str(sum(s.failed for s in spent)),
        )
        if name == SDK:
            # Both ways: slower wastes the user's time, faster means the measurement is wrong.
            checks.append(
                Check(
                    "three times the budget: SDK within 10% of the ideal window schedule",
                    ratio(seconds / ideal),
                    0.9 * ideal <= seconds <= 1.1 * ideal,
                )
            )
            checks.append(
                Check("three times the budget: at most one 429 per window", str(worst), worst <= 1)
            )
    return table, checks


# --- (c) several processes on one account ------------------------------------------------------


def _shared(server: FakeServer, sizes: Sizes, target: Target) -> tuple[Table, list[Check]]:
    processes, reads = sizes.shared_processes, sizes.shared_reads
    limit, window = sizes.shared_limit, sizes.shared_window
    ivr_ids = server.ivr_ids
    share = len(ivr_ids) // processes
    ids = [ivr_ids[p * share : (p + 1) * share] for p in range(processes)]
    owners = _owner_of(ids)

    def job() -> tuple[float, int]:
        # Each process starts its job at the same moment, once all of them have imported.
        start_at = time.time() + 4.0
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(BENCH_DIR / "share_client.py"),
                    json.dumps(
                        {
                            "url": target.url,
                            "email": target.email,
                            "api_token": target.api_token,
                            "ivr_ids": mine,
                            "reads": reads,
                            "concurrency": sizes.budget_concurrency,
                            "start_at": start_at,
                        }
                    ),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            for mine in ids
        ]
        results = []
        for child in children:
            out, _ = child.communicate(timeout=600)
            if child.returncode != 0:
                raise RuntimeError(f"a sharing client failed with exit code {child.returncode}")
            results.append(json.loads(out))
        return max(r["seconds"] for r in results), sum(r["failed"] for r in results)

    spent = _spend(server, sizes, job, limit=limit, window=window, owners=owners)
    ideal = _ideal(sizes, processes * reads, limit, window, processes * sizes.budget_concurrency)
    table = Table(
        [
            "processes",
            "reads each",
            "admitted",
            "windows",
            "time",
            "time / ideal",
            "429s",
            "most 429s of one process in a window",
            "failed calls",
        ],
        caption=(
            f"**(c) {processes} processes, each its own SDK client, sharing one account's "
            f"budget: {limit} per {window:g} s window**"
        ),
    )
    table.add(
        str(processes),
        str(reads),
        str(spent.admitted),
        str(spent.windows),
        f"{spent.seconds:.2f} s",
        ratio(spent.seconds / ideal),
        str(spent.total_refused),
        str(spent.worst_window),
        str(spent.failed),
    )
    checks = [
        Check(
            f"{processes} processes on one account: at most one 429 per process per window",
            str(spent.worst_window),
            spent.worst_window <= 1,
        ),
        Check(
            f"{processes} processes on one account: no failed call",
            str(spent.failed),
            spent.failed == 0,
        ),
    ]
    return table, checks


def scenario(server: FakeServer, sizes: Sizes) -> Section:
    section = Section(3, "Rate limits as windows")
    target = Target(server.url, server.email, server.api_token)
    for part in (_inside, _over, _shared):
        table, checks = part(server, sizes, target)
        section.tables.append(table)
        section.checks.extend(checks)
    server.configure(latency=0.0, rate_limit=None)
    section.notes.append(
        f"The fake plays Zendesk's plan limit: a window of N requests opens with the first "
        f"request after the last one closed; every answer carries `X-Rate-Limit` and "
        f"`X-Rate-Limit-Remaining`; once the window is spent it answers a text/plain 429 with "
        f"`Retry-After` in whole seconds. {sizes.budget_latency * 1000:g} ms per answer, "
        f"{sizes.budget_concurrency} requests in flight per client; each read is one "
        "`menus.list()` of an IVR with one menu. The SDK runs with its defaults. Admitted "
        "requests, 429s and the window each fell in are read from the server's request log; a "
        "429 is charged to the process whose IVRs it asked for. "
        f"(a) medians of {rounds(sizes.inside_rounds)}, 429s summed; *x raw aiohttp's speed* is "
        "the median of per-round ratios of raw aiohttp's time to the client's."
    )
    section.notes.append(
        "(b) and (c): the *ideal* is the window schedule at its best: every window's requests "
        "go out the moment it opens, in waves of as many as are in flight, one round trip "
        "each; the later windows open when the one before closes. It counts the opening burst, "
        "so a client cannot beat it by more than noise: a time well under it would mean the "
        "measurement is wrong, and the target is checked both ways. Retry-After is in whole "
        "seconds, as Zendesk sends it, so a client that learns the turnover from a 429 loses "
        "up to the time it took to spend the window at each turnover."
    )
    return section
