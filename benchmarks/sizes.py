"""How big each scenario is: the full run behind RESULTS.md, and the smoke run CI can afford."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Sizes:
    rounds: int
    # Scenario 1: pages of 100 menus of one route each, so 3 requests per IVR of 250 menus.
    # More rounds than the others: at 0 ms the server is saturated, and a run of 300 requests
    # takes half a second, so one stall of a shared machine moves a round's ratio by 30%.
    listing_rounds: int
    listing_ivrs: int
    listing_menus: int
    listing_routes: int
    listing_page_size: int
    concurrencies: tuple[int, ...]
    latencies: tuple[float, ...]
    # With added latency the sequential loop lists fewer IVRs: all of them would take long.
    sequential_ivrs_with_latency: int
    # Scenario 2.
    walk_ivrs: int
    walk_menus: int
    walk_routes: int
    walk_concurrency: int
    # Scenario 3: a plan window of *limit* requests per *window* seconds.
    budget_latency: float
    budget_concurrency: int
    budget_ivrs: int
    #: (a) a job inside one window of a real plan.
    inside_limit: int
    inside_window: float
    inside_reads: int
    inside_rounds: int
    #: (b) a job three times the budget, with a shortened window.
    over_limit: int
    over_window: float
    over_reads: int
    over_rounds: int
    #: (c) several processes sharing one account's budget.
    shared_limit: int
    shared_window: float
    shared_processes: int
    shared_reads: int
    # Scenario 4.
    stream_counts: tuple[int, ...]
    # Scenario 5: one page of menus with their routes.
    model_menus: int
    model_routes: int
    model_seconds: float
    # Each round is a fifth of a second per job: cheap, so enough of them to outvote a stall.
    model_rounds: int
    cpu_requests: int
    cpu_rounds: int

    def with_rounds(self, rounds: int | None) -> Sizes:
        if rounds is None:
            return self
        return replace(
            self,
            rounds=rounds,
            listing_rounds=rounds,
            model_rounds=max(rounds, 3),
            cpu_rounds=max(rounds, 3),
            inside_rounds=min(self.inside_rounds, rounds),
            over_rounds=min(self.over_rounds, rounds),
        )


FULL = Sizes(
    rounds=3,
    listing_rounds=7,
    listing_ivrs=100,
    listing_menus=250,
    listing_routes=1,
    listing_page_size=100,
    concurrencies=(16, 64),
    latencies=(0.0, 0.020),
    sequential_ivrs_with_latency=20,
    walk_ivrs=300,
    walk_menus=3,
    walk_routes=4,
    walk_concurrency=16,
    budget_latency=0.020,
    budget_concurrency=16,
    budget_ivrs=200,
    inside_limit=700,
    inside_window=60.0,
    inside_reads=600,
    inside_rounds=3,
    over_limit=200,
    over_window=10.0,
    over_reads=600,
    over_rounds=1,
    shared_limit=400,
    shared_window=10.0,
    shared_processes=4,
    shared_reads=300,
    stream_counts=(100_000, 1_000_000),
    model_menus=100,
    model_routes=1,
    model_seconds=0.2,
    model_rounds=9,
    cpu_requests=2000,
    cpu_rounds=9,
)

SMOKE = Sizes(
    rounds=1,
    listing_rounds=1,
    listing_ivrs=4,
    listing_menus=120,
    listing_routes=1,
    listing_page_size=100,
    concurrencies=(16, 64),
    latencies=(0.0, 0.020),
    sequential_ivrs_with_latency=2,
    walk_ivrs=20,
    walk_menus=3,
    walk_routes=4,
    walk_concurrency=16,
    budget_latency=0.005,
    budget_concurrency=16,
    budget_ivrs=8,
    inside_limit=700,
    inside_window=60.0,
    inside_reads=40,
    inside_rounds=1,
    over_limit=20,
    over_window=1.0,
    over_reads=60,
    over_rounds=1,
    shared_limit=40,
    shared_window=1.0,
    shared_processes=4,
    shared_reads=30,
    stream_counts=(1_000, 10_000),
    model_menus=100,
    model_routes=1,
    model_seconds=0.02,
    model_rounds=3,
    cpu_requests=40,
    cpu_rounds=1,
)
