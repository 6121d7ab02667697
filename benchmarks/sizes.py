"""How big each scenario is: the full run behind RESULTS.md, and the smoke run CI can afford."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Sizes:
    rounds: int
    # Scenario 1: 3 pages of 10 menus per IVR, so 600 requests per run at 200 IVRs.
    listing_ivrs: int
    listing_menus: int
    listing_routes: int
    listing_page_size: int
    concurrencies: tuple[int, ...]
    latencies: tuple[float, ...]
    # With added latency the sequential loop lists fewer IVRs: all 200 would take 12 s a round.
    sequential_ivrs_with_latency: int
    # Scenario 2.
    walk_ivrs: int
    walk_menus: int
    walk_routes: int
    walk_concurrency: int
    # Scenario 3: K requests against a server allowing R a second.
    rate_per_second: float
    rate_requests: int
    rate_concurrency: int
    cold_burst: int
    rate_other: float
    rate_rounds: int
    # Scenario 4.
    stream_counts: tuple[int, ...]
    # Scenario 5: one page of menus with their routes.
    model_menus: int
    model_routes: int
    model_seconds: float

    def with_rounds(self, rounds: int | None) -> Sizes:
        if rounds is None:
            return self
        return replace(self, rounds=rounds, rate_rounds=min(self.rate_rounds, rounds))


FULL = Sizes(
    rounds=5,
    listing_ivrs=200,
    listing_menus=30,
    listing_routes=3,
    listing_page_size=10,
    concurrencies=(16, 64),
    latencies=(0.0, 0.020),
    sequential_ivrs_with_latency=50,
    walk_ivrs=300,
    walk_menus=3,
    walk_routes=4,
    walk_concurrency=16,
    rate_per_second=50,
    rate_requests=250,
    rate_concurrency=16,
    cold_burst=5,
    rate_other=10,
    rate_rounds=3,
    stream_counts=(100_000, 1_000_000),
    model_menus=100,
    model_routes=4,
    model_seconds=0.2,
)

SMOKE = Sizes(
    rounds=1,
    listing_ivrs=12,
    listing_menus=30,
    listing_routes=3,
    listing_page_size=10,
    concurrencies=(16, 64),
    latencies=(0.0, 0.020),
    sequential_ivrs_with_latency=4,
    walk_ivrs=20,
    walk_menus=3,
    walk_routes=4,
    walk_concurrency=16,
    rate_per_second=50,
    rate_requests=60,
    rate_concurrency=16,
    cold_burst=5,
    rate_other=10,
    rate_rounds=1,
    stream_counts=(1_000, 10_000),
    model_menus=100,
    model_routes=4,
    model_seconds=0.02,
)
