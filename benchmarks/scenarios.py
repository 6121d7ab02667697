"""
Scenarios 1, 2, 4, 5 and 6 of the benchmark, each returning a `Section` of the report (scenario 3,
the rate limits, is `budget`).

Every number about the server (requests received, 429s sent, its CPU time) is read from the
server process itself; every number about a client is measured in this process around the
client's work alone.
"""

from __future__ import annotations

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

import clients
import floors
import msgspec
import payloads
from clients import Run, Target
from measure import median, spread
from report import Check, Section, Table, micro, percent, rate, ratio, rounds
from servers import BENCH_DIR, CountingServer, FakeServer
from sizes import Sizes
from yarl import URL

from zendesk_ivr import (
    GroupOptions,
    IvrMenu,
    IvrRoute,
    IvrRouteFields,
)

# Private, to time what a listing does with one page without a server in the way.
from zendesk_ivr._core.reading.envelopes import MENU_ENVELOPE
from zendesk_ivr._core.reading.pages import Listing, read_page
from zendesk_ivr._core.reading.responses import Response
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr._models import TYPED_OPTIONS

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
        "The SDK runs with its defaults (retries and rate limiter on); the server sends no "
        "rate-limit headers, so only the Talk window of 15,000 requests per 5 minutes applies. "
        f"Medians of {rounds(sizes.listing_rounds)}; ± is half the range over the median. "
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
        for round_ in range(sizes.listing_rounds):
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
        raw = samples[(clients.BASELINE, concurrency)]
        cpu = median(
            [
                s.client_cpu_per_request / r.client_cpu_per_request
                for s, r in zip(sdk, raw, strict=True)
            ]
        )
        checks.append(
            Check(
                f"SDK client CPU / request ≤ 2x raw aiohttp's, {concurrency} workers, {label}",
                ratio(cpu),
                cpu <= 2,
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


# --- 4. streaming memory ---------------------------------------------------------------------


def memory(server: CountingServer, sizes: Sizes) -> Section:
    section = Section(4, "Streaming memory")
    section.notes.append(
        "`client.routes.list()` over a server that makes up pages of 100 routes as they are "
        "asked for; since Zendesk's offset listings stop at 10,000 records, the routes are read "
        "as listings of 10,000 one after another through one client. Each run is a fresh "
        "client process (fork and exec) that reads its own "
        "resident set from the kernel (`VmRSS`, and the peak `VmHWM`, in `/proc/self/status`): "
        "just before the listing it starts the peak over, and at the end it reads it. Those "
        "figures belong to the child's own memory, which exec made anew, so the runner's peak "
        "cannot leak into them as it does into `ru_maxrss`. The control keeps every route it "
        "reads, as a leaky client would: its peak must grow with the count, or the method sees "
        "nothing. Requests are counted by the server. One run each."
    )
    table = Table(["client", "routes", "requests", "time", "routes/s", "before", "peak", "growth"])
    growth: dict[tuple[bool, int], float] = {}
    for keep in (False, True):
        for count in sizes.stream_counts:
            served = server.requests()
            done = subprocess.run(
                [
                    sys.executable,
                    str(BENCH_DIR / "stream_client.py"),
                    f"--url={server.url}",
                    f"--count={count}",
                    *(["--keep"] if keep else []),
                ],
                capture_output=True,
                text=True,
                timeout=900,
                check=True,
            )
            result: dict[str, float] = json.loads(done.stdout)
            if int(result["routes"]) != count:
                raise RuntimeError(f"read {result['routes']} routes, not {count}")
            growth[(keep, count)] = result["peak_mb"] - result["before_mb"]
            table.add(
                "control: keeps every route" if keep else "SDK, streaming",
                f"{count:,}",
                f"{server.requests() - served:,}",
                f"{result['seconds']:.1f} s",
                rate(count / result["seconds"]),
                f"{result['before_mb']:.1f} MB",
                f"{result['peak_mb']:.1f} MB",
                f"{growth[(keep, count)]:+.1f} MB",
            )
    section.tables.append(table)
    small, large = sizes.stream_counts[0], sizes.stream_counts[-1]
    flat = growth[(False, large)] - growth[(False, small)]
    leak = growth[(True, large)] - growth[(True, small)]
    section.checks.append(
        Check(
            f"SDK: peak growth at {large:,} routes within 20 MB of that at {small:,}",
            f"{flat:+.1f} MB",
            flat <= 20,
        )
    )
    section.checks.append(
        Check(
            f"control: the leaky client's peak grows from {small:,} to {large:,} routes "
            "(by more than 20 MB)",
            f"{leak:+.1f} MB",
            leak > 20,
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


def _hand_models(menus: list[dict[str, Any]]) -> list[IvrMenu]:
    """The same models built through their constructors: the price of attrs' ``__init__``."""
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
                    options=TYPED_OPTIONS[r["action"]](**r["options"]),
                    greeting=r["greeting"],
                    option_text=r["option_text"],
                    overflow_options=tuple(r["overflow_options"]),
                )
                for r in m["routes"]
            ),
        )
        for m in menus
    ]


SDK_READ = "SDK: `converter.structure(menu, IvrMenu)` per menu"
SDK_LISTING_READ = "SDK listing: the page's JSON text to models (decoding included)"
JSON_READ = "`json.loads` of the page"
SLOT_FLOOR = "msgspec structs, then the models with nothing checked (the floor in Python)"
C_FLOOR = (
    "msgspec straight into attrs classes of the models' fields, options left as dicts "
    "(not possible for the models: msgspec refuses the union `IvrRoute.options` is)"
)
C_DESIGN = "the same, then each route's options made in Python (what models made in C would cost)"


def _listing_read(raw: bytes) -> Callable[[], object]:
    """What `menus.list()` does with a page's body: `read_page`, then every model."""
    response = Response("GET", URL("https://acme.zendesk.com/"), 200, {}, raw)
    listing = Listing(MENU_ENVELOPE, IvrMenu)
    site = URL("https://acme.zendesk.com/")

    def read() -> object:
        return list(read_page(response, listing, site=site).models())

    return read


def _time(jobs: Mapping[str, Callable[[], object]], sizes: Sizes) -> dict[str, list[float]]:
    """
    Seconds per call of each job, one figure per round. The jobs take turns within each round,
    so a busy spell of the machine lands on all of them and their ratios hold.
    """
    timers = {name: timeit.Timer(job) for name, job in jobs.items()}
    numbers = {
        name: max(1, int(sizes.model_seconds / max(timer.timeit(1), 1e-7)))
        for name, timer in timers.items()
    }
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(sizes.model_rounds):
        for name, timer in timers.items():
            times[name].append(timer.timeit(numbers[name]) / numbers[name])
    return times


def models(sizes: Sizes) -> Section:
    section = Section(5, "Model cost")
    converter = make_converter()
    page = payloads.menu_page(
        "https://acme.zendesk.com", menus=sizes.model_menus, routes=sizes.model_routes
    )
    raw = json.dumps(page).encode()
    menus: list[dict[str, Any]] = page["ivr_menus"]
    per_page = f"{sizes.model_menus} menus, {sizes.model_menus * sizes.model_routes} routes"
    actions = sorted({route["action"] for menu in menus for route in menu["routes"]})
    section.notes.append(
        f"In process, no I/O: one page of {per_page} ({len(raw) / 1024:.0f} KiB of JSON; "
        f"route actions: {', '.join(actions)}; each object with a `url` key the models "
        f"ignore). Medians of {sizes.model_rounds} rounds, in which the jobs take turns; the "
        "target's ratio is the median of per-round ratios. The three rows after the SDK's are "
        "floors (`floors.py`): what making the models costs at the least in Python, and in C "
        "if msgspec could make them, against which scenario 6's targets are set."
    )
    reads: dict[str, Callable[[], object]] = {
        "read the dicts by hand (the floor)": lambda: _hand_read(menus),
        "build the models through their constructors (attrs, no JSON checks)": lambda: _hand_models(
            menus
        ),
        SDK_READ: lambda: [converter.structure(m, IvrMenu) for m in menus],
        SDK_LISTING_READ: _listing_read(raw),
        SLOT_FLOOR: floors.slot_filled(raw),
        C_FLOOR: floors.decoded_into_attrs(raw),
        C_DESIGN: floors.decoded_into_attrs_then_options(raw),
        JSON_READ: lambda: json.loads(raw),
        # The SDK reads response bodies with msgspec where it is installed (CPython).
        "`msgspec.json.decode` of the page (how the SDK reads it)": lambda: msgspec.json.decode(
            raw
        ),
    }
    read_table = Table(["structuring a page", "per page", "per menu", "x by hand"])
    floor = 0.0
    read_times = _time(reads, sizes)
    for name, times in read_times.items():
        seconds = median(times)
        floor = floor or seconds
        read_table.add(
            name, micro(seconds), micro(seconds / sizes.model_menus), ratio(seconds / floor)
        )
    section.tables.append(read_table)
    vs_json = median(
        [
            sdk / loads
            for sdk, loads in zip(read_times[SDK_READ], read_times[JSON_READ], strict=True)
        ]
    )
    section.checks.append(
        Check(
            f"structuring a page of {sizes.model_menus} menus ≤ 1.5x `json.loads` of it",
            ratio(vs_json),
            vs_json <= 1.5,
        )
    )

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
    for name, times in _time(writes, sizes).items():
        seconds = median(times)
        floor = floor or seconds
        write_table.add(name, micro(seconds), ratio(seconds / floor))
    section.tables.append(write_table)
    return section


# --- 6. client CPU per request ---------------------------------------------------------------

#: The page shapes of the CPU comparison: menus per page (one route each).
CPU_SHAPES: tuple[tuple[str, int, float], ...] = (
    ("one-menu pages", 1, 1.2),
    ("100-menu pages", 100, 1.1),
)


def cpu(server: CountingServer, sizes: Sizes) -> Section:
    section = Section(6, "Client CPU per request")
    section.notes.append(
        "Each client lists menus from a server that answers every request with a page made once "
        "(compact JSON, menus of one route each), so its own CPU, not the server, sets the "
        f"pace. {sizes.cpu_requests} requests per round by 16 workers, the SDK with its "
        "defaults against raw aiohttp + `json()`; the clients take turns within each of "
        f"{rounds(sizes.cpu_rounds)}, and the ratio is the median of per-round ratios. "
        "Scenario 1's *client CPU* column is the same comparison on the fake's own pages."
    )
    table = Table(["page", "client", "client CPU / request", "±", "vs raw aiohttp"])
    for label, menus, target in CPU_SHAPES:
        target_ = Target(server.url, "agent@example.com", "token")
        ids = [menus] * sizes.cpu_requests
        samples: dict[str, list[float]] = {clients.SDK: [], clients.BASELINE: []}
        for round_ in range(sizes.cpu_rounds):
            for name in _rotated(list(samples), round_):
                gc.collect()
                before = server.requests()
                run = clients.LISTING_CLIENTS[name](target_, ids, 16)
                served = server.requests() - before
                if run.items != len(ids) * menus or served != len(ids):
                    raise RuntimeError(f"{name} read {run.items} menus in {served} requests")
                samples[name].append(run.cpu_seconds / served)
        sdk, raw = samples[clients.SDK], samples[clients.BASELINE]
        vs_raw = median([s / r for s, r in zip(sdk, raw, strict=True)])
        for name, runs in samples.items():
            shown = ratio(vs_raw) if name == clients.SDK else "1.00x"
            table.add(label, name, micro(median(runs)), percent(spread(runs)), shown)
        section.checks.append(
            Check(
                f"SDK client CPU / request ≤ {target:g}x raw aiohttp + `json()`, {label}",
                ratio(vs_raw),
                vs_raw <= target,
            )
        )
    section.tables.append(table)
    return section
