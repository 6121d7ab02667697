"""
The five scenarios of the benchmark, each returning a `Section` of the report.

Every number about the server (requests received, 429s sent, its CPU time) is read from the
server process itself; every number about a client is measured in this process around the
client's work alone.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import subprocess
import sys
import timeit
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import clients
import payloads
from clients import Run, Target
from measure import Stopwatch, median, spread
from report import Check, Section, Table, micro, percent, rate, ratio, rounds
from servers import BENCH_DIR, FakeServer
from sizes import Sizes

from zendesk_ivr import (
    Attempt,
    Client,
    GroupOptions,
    IvrMenu,
    IvrRoute,
    IvrRouteFields,
    MenuOptions,
    PhoneNumberOptions,
    RateLimiter,
    TextbackOptions,
    VoicemailOptions,
    make_converter,
)

#: Above this share of wall time on the CPU, the server is what limits throughput.
SATURATED = 0.85


@dataclass(frozen=True)
class Sample:
    run: Run
    server_requests: int
    server_cpu: float

    @property
    def per_second(self) -> float:
        return self.server_requests / self.run.seconds

    @property
    def client_cpu_per_request(self) -> float:
        return self.run.cpu_seconds / max(1, self.server_requests)

    @property
    def server_busy(self) -> float:
        return self.server_cpu / self.run.seconds


def _target(server: FakeServer) -> Target:
    return Target(server.url, server.email, server.api_token)


def _measure(server: FakeServer, job: Callable[[], Run]) -> Sample:
    before = server.reset()
    # Garbage from the previous run would otherwise be collected on this run's time.
    gc.collect()
    run = job()
    after = server.stats()
    return Sample(run, after["requests"], after["cpu_seconds"] - before["cpu_seconds"])


def _rotated(jobs: Sequence[Any], round_: int) -> list[Any]:
    # Each round starts with a different client, so drift (a noisy neighbour, a warming cache)
    # is spread over all of them instead of always landing on the same one.
    shift = round_ % len(jobs)
    return [*jobs[shift:], *jobs[:shift]]


def _paired_ratio(a: Sequence[Sample], b: Sequence[Sample]) -> float:
    """Median of per-round throughput ratios: rounds ran side by side, so pair them."""
    return median([x.per_second / y.per_second for x, y in zip(a, b, strict=True)])


def _latency_label(latency: float) -> str:
    return f"{latency * 1000:g} ms"


# --- 1. listing throughput -------------------------------------------------------------------


def listing(server: FakeServer, sizes: Sizes) -> Section:
    section = Section(1, "Listing throughput")
    target = _target(server)
    per_ivr = sizes.listing_menus
    pages = -(-sizes.listing_menus // sizes.listing_page_size)
    section.notes.append(
        f"Every menu of {len(server.ivr_ids)} IVRs ({per_ivr} menus of {sizes.listing_routes} "
        f"routes each, served {sizes.listing_page_size} a page: {pages} requests per IVR, "
        f"{pages * len(server.ivr_ids)} per run), by N workers sharing one queue of IVR ids. "
        "The SDK runs with retries and its limiter on, the Talk limit off "
        "(`RateLimiter(talk_requests_per_5_minutes=None)`: the server has no limit, and the "
        "default 15,000 per 5 minutes would cap it at 50 requests a second). "
        f"Medians of {rounds(sizes.rounds)}; ± is half the range over the median. "
        "*vs raw aiohttp* is the median of per-round ratios at the same worker count "
        f"(the sequential loop is compared with {sizes.concurrencies[0]} workers). "
        "*client CPU* is this process's CPU time per request; *server CPU* is the share of "
        "the run's wall time the server process spent on the CPU."
    )
    if len(server.ivr_ids) > sizes.sequential_ivrs_with_latency:
        section.notes.append(
            f"With added latency the sequential loop lists only the first "
            f"{sizes.sequential_ivrs_with_latency} IVRs (its requests/s does not depend on "
            "how many), to keep the run short."
        )
    async_clients = [n for n in clients.LISTING_CLIENTS if n != clients.SEQUENTIAL]
    for latency in sizes.latencies:
        server.configure(latency=latency, rate_limit=None)
        jobs = [(name, c) for c in sizes.concurrencies for name in async_clients]
        jobs.append((clients.SEQUENTIAL, 1))
        samples: dict[tuple[str, int], list[Sample]] = defaultdict(list)
        for round_ in range(sizes.rounds):
            for name, concurrency in _rotated(jobs, round_):
                ids = server.ivr_ids
                if name == clients.SEQUENTIAL and latency > 0:
                    ids = ids[: sizes.sequential_ivrs_with_latency]
                client = clients.LISTING_CLIENTS[name]
                sample = _measure(server, functools.partial(client, target, ids, concurrency))
                if sample.run.items != len(ids) * per_ivr:
                    raise RuntimeError(f"{name} read {sample.run.items} menus, not {per_ivr}")
                samples[(name, concurrency)].append(sample)
        section.tables.append(_listing_table(latency, jobs, samples, sizes))
        section.checks.extend(_listing_checks(latency, samples, sizes))
        busiest = max(median([s.server_busy for s in v]) for v in samples.values())
        if busiest >= SATURATED:
            section.notes.append(
                f"At {_latency_label(latency)} the server process was on the CPU up to "
                f"{percent(busiest)} of the time: the server, not the client, set the pace of "
                "the fastest runs, so their requests/s agree more than the clients do. "
                "*client CPU* per request is the fairer comparison there."
            )
    server.configure(latency=0.0)
    return section


def _listing_table(
    latency: float,
    jobs: Sequence[tuple[str, int]],
    samples: Mapping[tuple[str, int], Sequence[Sample]],
    sizes: Sizes,
) -> Table:
    table = Table(
        [
            "client",
            "workers",
            "requests",
            "requests/s",
            "±",
            "vs raw aiohttp",
            "client CPU / request",
            "server CPU",
        ],
        caption=f"**Server latency {_latency_label(latency)}**",
    )
    for name, concurrency in sorted(jobs, key=lambda job: (job[1] == 1, job[1])):
        runs = samples[(name, concurrency)]
        base = samples[
            (clients.BASELINE, concurrency if concurrency > 1 else sizes.concurrencies[0])
        ]
        table.add(
            name,
            str(concurrency),
            str(runs[0].server_requests),
            rate(median([s.per_second for s in runs])),
            percent(spread([s.per_second for s in runs])),
            ratio(_paired_ratio(runs, base)),
            micro(median([s.client_cpu_per_request for s in runs])),
            percent(median([s.server_busy for s in runs])),
        )
    return table


def _listing_checks(
    latency: float, samples: Mapping[tuple[str, int], Sequence[Sample]], sizes: Sizes
) -> list[Check]:
    checks = []
    label = _latency_label(latency)
    for concurrency in sizes.concurrencies:
        sdk = samples[(clients.SDK, concurrency)]
        vs_raw = _paired_ratio(sdk, samples[(clients.BASELINE, concurrency)])
        checks.append(
            Check(
                f"SDK ≥ 0.9x raw aiohttp, {concurrency} workers, {label}",
                ratio(vs_raw),
                vs_raw >= 0.9,
            )
        )
        if latency >= 0.020:
            vs_loop = _paired_ratio(sdk, samples[(clients.SEQUENTIAL, 1)])
            checks.append(
                Check(
                    f"SDK ≥ 10x the sequential loop, {concurrency} workers, {label}",
                    ratio(vs_loop),
                    vs_loop >= 10,
                )
            )
    return checks


# --- 2. the audit tree walk ------------------------------------------------------------------

WalkClient = Callable[[Target, int], tuple[Run, clients.Tree]]

WALKS: dict[str, WalkClient] = {
    "`client.walk()`": clients.walk,
    "naive, concurrent (`asyncio.gather`)": clients.naive_walk_concurrent,
    "naive, sequential (nested `async for`)": clients.naive_walk_sequential,
}


def walk(server: FakeServer, sizes: Sizes) -> Section:
    section = Section(2, "Audit tree walk")
    target = _target(server)
    section.notes.append(
        f"{len(server.ivr_ids)} IVRs of {sizes.walk_menus} menus of {sizes.walk_routes} routes, "
        "pages of 100. The naive walk lists the IVRs, then the menus of each IVR, then the "
        "routes of each menu, through the same SDK client "
        f"(max_concurrency={sizes.walk_concurrency}). Requests are counted by the server. "
        f"Medians of {rounds(sizes.rounds)}. The sequential naive walk runs only without "
        "latency: with it, it would take minutes."
    )
    names = list(WALKS)
    for latency in sizes.latencies:
        server.configure(latency=latency, rate_limit=None)
        jobs = names if latency == 0 else names[:2]
        samples: dict[str, list[Sample]] = defaultdict(list)
        trees: dict[str, clients.Tree] = {}

        for round_ in range(sizes.rounds):
            for name in _rotated(jobs, round_):
                shapes: list[clients.Tree] = []

                def job(
                    walker: WalkClient = WALKS[name], shapes: list[clients.Tree] = shapes
                ) -> Run:
                    run, shape = walker(target, sizes.walk_concurrency)
                    shapes.append(shape)
                    return run

                samples[name].append(_measure(server, job))
                trees[name] = shapes[0]
        if len(set(trees.values())) != 1:
            raise RuntimeError(f"the walks read different trees: {trees}")
        table = Table(
            ["walk", "requests", "time", "±", "x walk's time", "IVRs / menus / routes read"],
            caption=f"**Server latency {_latency_label(latency)}**",
        )
        walked = median([s.run.seconds for s in samples[names[0]]])
        for name in jobs:
            seconds = [s.run.seconds for s in samples[name]]
            tree = trees[name]
            table.add(
                name,
                str(samples[name][0].server_requests),
                micro(median(seconds)) if median(seconds) < 1e-3 else f"{median(seconds):.3f} s",
                percent(spread(seconds)),
                ratio(median(seconds) / walked),
                f"{tree.ivrs} / {tree.menus} / {tree.routes}",
            )
        section.tables.append(table)
    server.configure(latency=0.0)
    return section


# --- 3. rate-limited efficiency --------------------------------------------------------------


@dataclass
class _Cooldowns:
    """429s as the client saw them, grouped by the pause each started or fell into."""

    limiter: RateLimiter
    refused: int = 0
    cooldowns: int = 0
    current: int = 0
    worst: int = 0

    def __call__(self, attempt: Attempt) -> None:
        if attempt.status != 429:
            return
        self.refused += 1
        # The hook runs before the client pauses for this 429: a pause already running means
        # this request went out before the previous 429 came back, in the same cooldown.
        if self.limiter.paused_for > 0:
            self.current += 1
        else:
            self.cooldowns += 1
            self.current = 1
        self.worst = max(self.worst, self.current)


@dataclass(frozen=True)
class _RateCase:
    label: str
    burst: int | None
    #: Requests a second another program spends from the same budget, or 0.
    other: float = 0.0


@dataclass(frozen=True)
class _RateRun:
    seconds: float
    refused_client: int
    cooldowns: int
    worst: int
    failed: int
    #: The other program's requests the server admitted a second, and its 429s.
    other_rate: float = 0.0
    other_refused: int = 0


async def _other_program(
    target: Target, ivr_id: int, per_second: float, stop: asyncio.Event
) -> tuple[float, int]:
    """Spend *per_second* requests a second of the budget until *stop*; return what it got."""
    admitted = refused = 0
    loop = asyncio.get_running_loop()
    started = loop.time()
    headers = {"Authorization": target.authorization}
    async with aiohttp.ClientSession(headers=headers) as session:
        sent = 0
        while not stop.is_set():
            async with session.get(target.first_page(ivr_id)) as response:
                await response.read()
                if response.status == 429:
                    refused += 1
                else:
                    admitted += 1
            sent += 1
            # Paced by the clock, not by sleeping a fixed time after each answer.
            await asyncio.sleep(max(0.0, started + sent / per_second - loop.time()))
    return admitted / (loop.time() - started), refused


async def _spend(
    target: Target, ivr_ids: Sequence[int], count: int, concurrency: int, other: float
) -> _RateRun:
    limiter = RateLimiter(talk_requests_per_5_minutes=None)
    seen = _Cooldowns(limiter)
    failed = 0
    stop = asyncio.Event()
    competitor = (
        asyncio.create_task(_other_program(target, ivr_ids[0], other, stop)) if other else None
    )
    async with Client(
        base_url=target.url,
        email=target.email,
        api_token=target.api_token,
        max_concurrency=concurrency,
        rate_limiter=limiter,
        on_attempt=seen,
    ) as client:
        pending = iter(range(count))

        async def worker() -> None:
            nonlocal failed
            for n in pending:
                try:
                    await client.ivrs.get(ivr_ids[n % len(ivr_ids)])
                except Exception:  # a failed call is counted and reported, not raised
                    failed += 1

        with Stopwatch() as watch:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
    other_rate, other_refused = 0.0, 0
    if competitor is not None:
        stop.set()
        other_rate, other_refused = await competitor
    return _RateRun(
        watch.seconds,
        seen.refused,
        seen.cooldowns,
        seen.worst,
        failed,
        other_rate,
        other_refused,
    )


def rate_limited(server: FakeServer, sizes: Sizes) -> Section:
    section = Section(3, "Rate-limited efficiency")
    target = _target(server)
    r, k = sizes.rate_per_second, sizes.rate_requests
    section.notes.append(
        f"The server allows R = {r:g} requests a second (a token bucket; over it, 429 with "
        f"Retry-After) and reports the limit in `X-Rate-Limit` headers. K = {k} `ivrs.get` "
        f"calls go through one SDK client with {sizes.rate_concurrency} workers, its Talk "
        "limit off so the server's limit, learned from those headers, is the only one. "
        f"Ideal time K / R = {k / r:.2f} s; a full bucket at the start lets a client beat it "
        "by burst / R. *429s* are those the server sent the SDK (the server's count, less the "
        "other program's). A *cooldown* is one pause of the client, started by a 429 that "
        "arrived while it was not paused; later 429s that arrive during that pause count in "
        f"the same cooldown. Medians (times) and totals (429s) of {rounds(sizes.rate_rounds)}; "
        "the bucket is refilled before each round."
    )
    section.notes.append(
        f"The last row is not one of the issue's targets: another program spends "
        f"{sizes.rate_other:g} requests a second of the same budget (the SDK learns of it only "
        "from `X-Rate-Limit-Remaining` and 429s), so the ideal is K / (R - what the other "
        "program was admitted)."
    )
    table = Table(
        [
            "server bucket",
            "time",
            "±",
            "time / ideal",
            "429s",
            "cooldowns",
            "most 429s in one cooldown",
            "failed calls",
        ]
    )
    cases = [
        _RateCase(f"{r:g}/s, burst {r:g} (1 s)", None),
        _RateCase(f"{r:g}/s, burst {sizes.cold_burst}", sizes.cold_burst),
        _RateCase(
            f"{r:g}/s, burst {sizes.cold_burst}, shared with {sizes.rate_other:g}/s elsewhere",
            sizes.cold_burst,
            sizes.rate_other,
        ),
    ]
    for case in cases:
        runs = []
        for _ in range(sizes.rate_rounds):
            server.configure(latency=0.0, rate_limit={"rps": r, "burst": case.burst})
            before = server.stats()["rate_limited"]
            gc.collect()
            run = asyncio.run(_spend(target, server.ivr_ids, k, sizes.rate_concurrency, case.other))
            refused = server.stats()["rate_limited"] - before - run.other_refused
            runs.append((run, refused))
        ideal = k / (r - median([run.other_rate for run, _ in runs]))
        seconds = median([run.seconds for run, _ in runs])
        worst = max(run.worst for run, _ in runs)
        table.add(
            case.label,
            f"{seconds:.2f} s",
            percent(spread([run.seconds for run, _ in runs])),
            ratio(seconds / ideal),
            str(sum(refused for _, refused in runs)),
            str(sum(run.cooldowns for run, _ in runs)),
            str(worst),
            str(sum(run.failed for run, _ in runs)),
        )
        if case.other:
            continue
        section.checks.append(
            Check(
                f"within 10% of K / R, bucket {case.label}",
                ratio(seconds / ideal),
                seconds <= 1.1 * ideal,
            )
        )
        section.checks.append(
            Check(f"at most one 429 per cooldown, bucket {case.label}", str(worst), worst <= 1)
        )
    server.configure(rate_limit=None)
    section.tables.append(table)
    return section


# --- 4. streaming memory ---------------------------------------------------------------------


def memory(url: str, sizes: Sizes) -> Section:
    section = Section(4, "Streaming memory")
    section.notes.append(
        "`client.routes.list()` over a server that makes up pages of 100 routes as they are "
        "asked for. Each count runs in a fresh client process that reports its peak resident "
        "set (`ru_maxrss`) just before the listing and at its end; only a flat peak shows the "
        "listing holds one page at a time. One run per count."
    )
    table = Table(["routes", "requests", "time", "routes/s", "peak before", "peak after", "growth"])
    peaks: list[tuple[int, float]] = []
    reset = True
    for count in sizes.stream_counts:
        done = subprocess.run(
            [
                sys.executable,
                str(BENCH_DIR / "stream_client.py"),
                f"--url={url}",
                f"--count={count}",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
        result: dict[str, float] = json.loads(done.stdout)
        reset = reset and bool(result["peak_reset"])
        if int(result["routes"]) != count:
            raise RuntimeError(f"read {result['routes']} routes, not {count}")
        peaks.append((count, result["peak_mb"]))
        table.add(
            f"{count:,}",
            f"{int(result['requests']):,}",
            f"{result['seconds']:.1f} s",
            rate(count / result["seconds"]),
            f"{result['peak_before_mb']:.1f} MB",
            f"{result['peak_mb']:.1f} MB",
            f"{result['peak_mb'] - result['peak_before_mb']:+.1f} MB",
        )
    section.tables.append(table)
    section.notes.append(
        "The peak was started over just before each listing (`/proc/self/clear_refs`), so it "
        "is the listing's own, not the imports'."
        if reset
        else "This OS cannot start the peak over, so a peak below the imports' does not show."
    )
    (small, small_peak), (large, large_peak) = peaks[0], peaks[-1]
    section.checks.append(
        Check(
            f"peak at {large:,} routes within 20 MB of that at {small:,}",
            f"{large_peak - small_peak:+.1f} MB",
            large_peak - small_peak <= 20,
        )
    )
    return section


# --- 5. model cost ---------------------------------------------------------------------------


def _hand_read(menus: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What a caller without models does: pick the fields out of the dicts."""
    return [
        (
            m["id"],
            m["name"],
            m.get("default", False),
            m.get("greeting_id"),
            [(r["id"], r["keypress"], r["action"], r["options"]) for r in m["routes"]],
        )
        for m in menus
    ]


_OPTIONS = {
    cls.action: cls
    for cls in (GroupOptions, VoicemailOptions, PhoneNumberOptions, TextbackOptions, MenuOptions)
}


def _hand_models(menus: list[dict[str, Any]]) -> list[IvrMenu]:
    """The same models built by hand: the price of attrs alone, without cattrs' checks."""
    return [
        IvrMenu(
            id=m["id"],
            name=m["name"],
            default=m["default"],
            greeting_id=m["greeting_id"],
            routes=tuple(
                IvrRoute(
                    id=r["id"],
                    keypress=r["keypress"],
                    action=r["action"],
                    options=_OPTIONS[r["action"]](**r["options"]),
                    greeting=r["greeting"],
                    option_text=r["option_text"],
                    overflow_options=tuple(r["overflow_options"]),
                )
                for r in m["routes"]
            ),
        )
        for m in menus
    ]


def _time(job: Callable[[], object], sizes: Sizes) -> list[float]:
    """Seconds per call, one figure per round."""
    timer = timeit.Timer(job)
    once = max(timer.timeit(1), 1e-7)
    number = max(1, int(sizes.model_seconds / once))
    return [t / number for t in timer.repeat(repeat=max(sizes.rounds, 3), number=number)]


def models(sizes: Sizes) -> Section:
    section = Section(5, "Model cost")
    converter = make_converter()
    page = payloads.menu_page(
        "https://acme.zendesk.com", menus=sizes.model_menus, routes=sizes.model_routes
    )
    raw = json.dumps(page).encode()
    menus: list[dict[str, Any]] = page["ivr_menus"]
    per_page = f"{sizes.model_menus} menus, {sizes.model_menus * sizes.model_routes} routes"
    section.notes.append(
        f"In process, no I/O: one page of {per_page} ({len(raw) / 1024:.0f} KiB of JSON, "
        "every route action, plus a `url` key the models ignore). Medians of "
        f"{max(sizes.rounds, 3)} timeit repeats."
    )
    reads: dict[str, Callable[[], object]] = {
        "read the dicts by hand (the floor)": lambda: _hand_read(menus),
        "build the models by hand (attrs only, no checks)": lambda: _hand_models(menus),
        "SDK: `converter.structure(menu, IvrMenu)` per menu": lambda: [
            converter.structure(m, IvrMenu) for m in menus
        ],
        "for scale: `json.loads` of the page": lambda: json.loads(raw),
    }
    read_table = Table(["structuring a page", "per page", "per menu", "x by hand"])
    floor = 0.0
    for name, job in reads.items():
        seconds = median(_time(job, sizes))
        floor = floor or seconds
        read_table.add(
            name, micro(seconds), micro(seconds / sizes.model_menus), ratio(seconds / floor)
        )
    section.tables.append(read_table)

    fields = IvrRouteFields(keypress="1", options=GroupOptions(group_ids=[360001381413]))
    by_hand = {"keypress": "1", "action": "group", "options": {"group_ids": [360001381413]}}
    sent = converter.unstructure(fields)
    if sent != by_hand:
        section.notes.append(f"The SDK's body differs from the hand-written one: `{sent}`.")
    writes: dict[str, Callable[[], object]] = {
        "hand-written dict (the floor)": lambda: {
            "keypress": "1",
            "action": "group",
            "options": {"group_ids": [360001381413]},
        },
        "SDK: `converter.unstructure(IvrRouteFields)`": lambda: converter.unstructure(fields),
        "SDK: build `IvrRouteFields` (checks) + unstructure": lambda: converter.unstructure(
            IvrRouteFields(keypress="1", options=GroupOptions(group_ids=[360001381413]))
        ),
        "for scale: `json.dumps` of the body": lambda: json.dumps({"ivr_route": by_hand}),
    }
    write_table = Table(["a route's write body", "per body", "x by hand"])
    floor = 0.0
    for name, job in writes.items():
        seconds = median(_time(job, sizes))
        floor = floor or seconds
        write_table.add(name, micro(seconds), ratio(seconds / floor))
    section.tables.append(write_table)
    return section
