"""
Profile one client of scenario 1 with pyinstrument, against the same seeded server.

    python benchmarks/profile_listing.py [--client sdk|aiohttp] [--concurrency 64]
        [--latency 0] [--rounds 5] [--html profile.html]

Where the benchmark says the SDK is slower than raw aiohttp, this says where the time goes.
pyinstrument samples the call stack, so the listing runs at nearly full speed while profiled.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import clients
import servers
from sizes import FULL

try:
    from pyinstrument import Profiler
except ImportError:  # only this helper needs it, so the benchmarks run without it
    Profiler = None  # type: ignore[assignment,misc]

CLIENTS = {"sdk": clients.sdk_listing, "aiohttp": clients.aiohttp_listing}


def main() -> int:
    parser = argparse.ArgumentParser(description="Profile a scenario 1 client.")
    parser.add_argument("--client", choices=CLIENTS, default="sdk")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added by the server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    args = parser.parse_args()
    if Profiler is None:
        print("pip install pyinstrument to profile", file=sys.stderr)
        return 2
    cpus = servers.client_cpus()
    with servers.fake_server(
        ivrs=FULL.listing_ivrs,
        menus=FULL.listing_menus,
        routes=FULL.listing_routes,
        max_page_size=FULL.listing_page_size,
    ) as server:
        if cpus is not None:
            servers.pin(0, cpus)
        server.configure(latency=args.latency)
        target = clients.Target(server.url, server.email, server.api_token)
        run = CLIENTS[args.client]
        run(target, server.ivr_ids, args.concurrency)  # warm up: imports, first connections
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.rounds):
                done = run(target, server.ivr_ids, args.concurrency)
        print(
            f"{args.client}: {done.requests} requests in {done.seconds:.3f} s, "
            f"{done.cpu_seconds / done.requests * 1e6:.0f} µs CPU per request (last round)"
        )
    print(profiler.output_text(unicode=True, show_all=False, short_mode=False))
    if args.html is not None:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
