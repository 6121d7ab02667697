"""
The budget alone: each transition of the state diagram in `zendesk_ivr._core.pacing.budget`,
driven with a clock that is a number and no event loop. The gate and the server are
tests/sdk/test_limiter.py's.
"""

from __future__ import annotations

import logging

import pytest

from zendesk_ivr._core.pacing.budget import AWAIT_ANSWER, GO, PROBE, Budget, Decision, Wait

T0 = 1000.0
PLAN = {"x-rate-limit": "300"}


def make(
    requests_per_minute: float | None = None,
    *,
    reserve: float = 0,
    talk: float | None = None,
    learn: bool = True,
) -> Budget:
    return Budget(
        requests_per_minute,
        reserve=reserve,
        talk_requests_per_5_minutes=talk,
        learn=learn,
        plan_window=60.0,
    )


def left(remaining: int, **more: str) -> dict[str, str]:
    """An answer's headers on a 300 plan with *remaining* left."""
    return {**PLAN, "x-rate-limit-remaining": str(remaining), **more}


def answer(budget: Budget, now: float, headers: dict[str, str] | None, status: int = 200) -> None:
    """One request goes at *now* and its answer comes at once."""
    budget.settle(budget.take(now), now, headers, status)


def spending(remaining: int = 299, **kwargs: float) -> Budget:
    """A budget whose probe was answered: *remaining* left of a 300 plan."""
    budget = make(**kwargs)  # type: ignore[arg-type]
    answer(budget, T0, left(remaining))
    return budget


def taken_at_once(budget: Budget, now: float) -> int:
    """How many requests the budget lets go at *now* before it says anything else."""
    sent = 0
    while budget.decide(now) == GO:
        budget.take(now)
        sent += 1
    return sent


# --- LEARNING and PROBING ------------------------------------------------------------------


def test_a_budget_that_knows_nothing_sends_one_probe() -> None:
    assert make().decide(T0) == PROBE


def test_while_the_probe_is_out_the_others_await_its_answer() -> None:
    budget = make()
    budget.take(T0)
    assert budget.decide(T0) == AWAIT_ANSWER


def test_the_probes_answer_opens_the_budget() -> None:
    budget = make()
    probe = budget.take(T0)
    budget.settle(probe, T0 + 0.1, left(299), 200)
    assert budget.decide(T0 + 0.1) == GO
    assert (budget.limit, budget.remaining) == (300, 299)


def test_a_probe_that_got_no_answer_opens_the_budget_all_the_same() -> None:
    budget = make()
    budget.settle(budget.take(T0), T0 + 0.1, None, None)  # its connection failed
    assert budget.decide(T0 + 0.1) == GO


def test_after_a_pause_the_answers_of_requests_sent_before_it_do_not_end_the_probing() -> None:
    budget = spending()
    before = [budget.take(T0), budget.take(T0)]
    budget.pause(T0, 1)  # a 429's Retry-After: after it, one request goes alone
    for ticket in before:
        budget.settle(ticket, T0 + 1, left(250), 200)
    assert budget.decide(T0 + 1) == PROBE


def test_without_learning_there_is_no_probe() -> None:
    assert make(learn=False).decide(T0) == GO


# --- SPENDING and LAST FEW -----------------------------------------------------------------


def test_while_there_is_budget_every_request_goes() -> None:
    budget = spending(remaining=40)
    assert taken_at_once(budget, T0) == 40
    assert budget.decide(T0) == AWAIT_ANSWER


def test_a_reserve_given_as_a_share_is_a_share_of_the_plan_limit() -> None:
    budget = spending(remaining=100, reserve=0.25)  # 75 of the plan's 300 are others'
    assert taken_at_once(budget, T0) == 25


@pytest.mark.parametrize(("reserve", "taken"), [(30, 10), (1, 39)])
def test_a_reserve_given_as_a_count_is_kept_whatever_the_limit(reserve: int, taken: int) -> None:
    budget = spending(remaining=40, reserve=reserve)
    assert taken_at_once(budget, T0) == taken


def test_a_share_of_a_limit_the_server_does_not_say_reserves_nothing() -> None:
    budget = make(reserve=0.25)
    answer(budget, T0, {"x-rate-limit-remaining": "40"})
    assert taken_at_once(budget, T0) == 40


def _round_trips_with_others(
    budget: Budget, steps: int, remaining: int = 299, now: float = T0
) -> tuple[int, float]:
    """
    *steps* round trips of 0.1 s from *now*, one request of ours and 18 of others' in each;
    what is left after them, and when they end.
    """
    for _ in range(steps):
        ticket = budget.take(now)
        now += 0.1
        remaining -= 1 + 18
        budget.settle(ticket, now, left(remaining), 200)
    return remaining, now


def test_near_the_windows_end_what_others_have_in_flight_is_kept_in_hand() -> None:
    # Others spend 180 a second at a round trip of 0.1 s: 18 in flight, 36 with the margin.
    budget = spending()
    remaining, now = _round_trips_with_others(budget, 13)
    assert (remaining, budget.decide(now)) == (52, GO)

    remaining, now = _round_trips_with_others(budget, 1, remaining, now)
    assert (remaining, budget.decide(now)) == (33, PROBE)  # the last few, one at a time


def test_the_last_few_go_one_at_a_time() -> None:
    budget = spending()
    _, now = _round_trips_with_others(budget, 14)
    budget.take(now)
    assert budget.decide(now) == AWAIT_ANSWER


def test_alone_on_the_account_it_spends_the_window_to_the_last_request() -> None:
    # Remaining drops by this budget's own requests only: nothing is others' to keep in hand.
    budget = spending(remaining=60)
    remaining, now = 60, T0
    for _ in range(10):
        tickets = [budget.take(now) for _ in range(5)]
        now += 0.1
        for ticket in tickets:
            remaining -= 1
            budget.settle(ticket, now, left(remaining), 200)
    assert remaining == 10
    assert taken_at_once(budget, now) == 10


def test_others_who_stop_spending_are_no_longer_kept_in_hand() -> None:
    budget = spending()
    remaining, now = _round_trips_with_others(budget, 13)  # 36 of theirs kept in hand
    for _ in range(30):  # then 3 s in which only this budget spends
        ticket = budget.take(now)
        now += 0.1
        remaining -= 1
        budget.settle(ticket, now, left(remaining), 200)
    assert (remaining, budget.decide(now)) == (22, GO)


def test_answers_read_at_one_instant_of_a_coarse_clock_tell_no_pace() -> None:
    # Windows' monotonic clock ticks every 15.6 ms: two answers may come at the same reading.
    budget = spending()
    answer(budget, T0, left(290))  # 8 of others' in no time at all
    assert budget.decide(T0) == GO


def test_the_round_trip_is_known_from_the_first_answer() -> None:
    # Two round trips of 0.1 s show the others' 180 a second: 36 in hand from the start.
    budget = spending(remaining=68)
    remaining, now = _round_trips_with_others(budget, 2, 68)
    assert (remaining, budget.decide(now)) == (30, PROBE)


def test_one_slow_answer_moves_the_round_trip_a_fifth_of_the_way() -> None:
    # 0.1, 0.1, then 0.5 s: 0.18 s, so the others' 180 a second keep about 65 in hand, not
    # the 180 the slow answer's own round trip would say.
    budget = spending(remaining=229)
    remaining, now = _round_trips_with_others(budget, 2, 229)
    ticket = budget.take(now)
    now += 0.5
    remaining -= 1 + 90
    budget.settle(ticket, now, left(remaining), 200)
    assert (remaining, budget.decide(now)) == (100, GO)


def test_an_answer_overtaken_by_a_newer_one_is_not_believed() -> None:
    budget = spending()
    older, newer = budget.take(T0), budget.take(T0)
    budget.settle(newer, T0 + 0.1, left(100), 200)
    budget.settle(older, T0 + 0.2, left(150), 200)
    assert budget.remaining == 100


# --- SPENT ---------------------------------------------------------------------------------


def test_spent_with_requests_in_flight_awaits_their_answers() -> None:
    budget = spending(remaining=1)
    budget.take(T0)
    budget.settle(budget.take(T0), T0, left(0, **{"ratelimit-reset": "30"}), 200)
    assert budget.decide(T0) == AWAIT_ANSWER  # an answer may show the window turned


def test_spent_it_waits_until_ratelimit_reset_then_probes() -> None:
    budget = spending(remaining=1)
    answer(budget, T0, left(0, **{"ratelimit-reset": "30"}))
    assert budget.decide(T0 + 10) == Wait(20.0)
    assert budget.decide(T0 + 30) == PROBE


def test_a_probe_that_finds_the_window_spent_waits_for_its_reset() -> None:
    # Others spent the window before this budget's first request: its answer says when it turns.
    budget = make()
    answer(budget, T0, left(0, **{"ratelimit-reset": "30"}))
    assert budget.decide(T0 + 10) == Wait(20.0)


def test_spent_with_no_clock_to_read_a_probe_goes_and_its_429_says_when() -> None:
    budget = spending(remaining=1)
    answer(budget, T0, left(0))
    assert budget.decide(T0) == PROBE
    budget.take(T0)
    assert budget.decide(T0) == AWAIT_ANSWER


@pytest.mark.parametrize("remaining", [50, 1])
def test_with_only_the_reserve_left_it_waits_a_plan_window_from_when_it_saw_the_window(
    remaining: int,
) -> None:
    budget = make(reserve=50)
    answer(budget, T0, left(remaining))
    assert budget.decide(T0 + 20) == Wait(40.0)
    assert budget.decide(T0 + 60) == PROBE


def test_a_probe_that_finds_the_window_not_turned_waits_a_plan_window_anew() -> None:
    budget = make(reserve=50)
    answer(budget, T0, left(50))
    answer(budget, T0 + 60, left(49))
    assert budget.decide(T0 + 60) == Wait(60.0)


def test_an_answer_with_more_remaining_is_a_new_window_seen_from_then() -> None:
    budget = make(reserve=50)
    answer(budget, T0, left(250))
    old, new = budget.take(T0 + 49), budget.take(T0 + 49)
    budget.settle(old, T0 + 50, left(50), 200)
    assert budget.decide(T0 + 50) == AWAIT_ANSWER
    budget.settle(new, T0 + 55, left(299), 200)  # the window turned as it went
    assert budget.decide(T0 + 55) == GO
    answer(budget, T0 + 100, left(50))
    assert budget.decide(T0 + 100) == Wait(15.0)  # a plan window from 55


def test_an_answer_with_as_much_left_as_the_last_is_the_same_window() -> None:
    budget = make(reserve=50)
    answer(budget, T0, left(52))
    first, second = budget.take(T0 + 10), budget.take(T0 + 10)
    budget.settle(first, T0 + 10, left(50), 200)
    budget.settle(second, T0 + 20, left(50), 200)  # the server counted it late, or not at all
    assert budget.decide(T0 + 20) == Wait(40.0)  # still a plan window from 0


def test_a_new_window_forgets_the_others_pace() -> None:
    budget = spending()
    _, now = _round_trips_with_others(budget, 14)  # 33 left, 36 of theirs kept in hand
    # The window turned, and by its first answer to this budget others spent all but 34.
    answer(budget, now + 0.1, left(34))
    assert budget.decide(now + 0.1) == GO


# --- 429s and PAUSED -----------------------------------------------------------------------


def test_a_429_means_nothing_is_left_and_one_request_goes_alone() -> None:
    budget = spending(remaining=100)
    answer(budget, T0, left(50, **{"ratelimit-reset": "30"}), status=429)
    assert budget.remaining == 0
    assert budget.decide(T0) == PROBE  # alone (once its Retry-After's pause is over)


def test_a_429_of_an_older_request_does_not_overrule_a_newer_answer() -> None:
    budget = spending()
    older, newer = budget.take(T0), budget.take(T0)
    budget.settle(newer, T0 + 0.1, left(100), 200)
    budget.settle(older, T0 + 0.2, None, 429)
    assert budget.remaining == 100


def test_a_pause_holds_back_every_request_for_its_length() -> None:
    budget = spending()
    budget.pause(T0, 10)
    budget.pause(T0 + 1, 3)  # a shorter one does not cut the pause short
    assert budget.decide(T0 + 4) == Wait(6.0)
    assert budget.paused_for(T0 + 4) == 6.0


def test_each_pause_that_lengthens_the_wait_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="zendesk_ivr")
    budget = spending()
    budget.pause(T0, 10)
    budget.pause(T0, 10)  # the same pause, told by a second 429
    budget.pause(T0 + 1, 3)
    assert [r.getMessage() for r in caplog.records] == [
        "rate limited: pausing all requests for 10.0 s"
    ]


def test_a_pause_holds_back_even_the_probe() -> None:
    budget = make()
    budget.pause(T0, 5)
    assert budget.decide(T0) == Wait(5.0)


def test_after_a_pause_one_request_reads_the_new_window() -> None:
    budget = spending()
    budget.pause(T0, 5)
    assert budget.decide(T0 + 5) == PROBE


def test_without_learning_a_pause_ends_in_spending() -> None:
    budget = make(learn=False)
    budget.pause(T0, 5)
    assert budget.decide(T0 + 5) == GO


# --- the windows counted here --------------------------------------------------------------


def test_the_talk_window_counts_its_requests_and_turns_after_5_minutes() -> None:
    budget = make(talk=3, learn=False)
    for _ in range(3):
        answer(budget, T0, None)
    assert budget.decide(T0 + 100) == Wait(200.0)
    assert taken_at_once(budget, T0 + 300) == 3


def test_a_configured_plan_limit_is_counted_until_the_server_reports_the_window() -> None:
    budget = make(requests_per_minute=2)
    answer(budget, T0, {})  # the probe's answer carries no rate-limit headers
    answer(budget, T0, {})
    assert budget.decide(T0) == Wait(60.0)
    answer(budget, T0 + 60, left(250))
    answer(budget, T0 + 60, left(249))
    assert budget.decide(T0 + 60) == GO


@pytest.mark.parametrize("reserve", [4, 0.4])
def test_the_windows_counted_here_keep_the_reserve_too(reserve: float) -> None:
    budget = make(requests_per_minute=10, reserve=reserve, learn=False)
    assert taken_at_once(budget, T0) == 6


def test_deciding_changes_nothing() -> None:
    budget = make(talk=1, learn=False)
    answer(budget, T0, None)
    decisions: list[Decision] = [budget.decide(T0 + 300), budget.decide(T0 + 100)]
    assert decisions == [GO, Wait(200.0)]


# --- requests that will never be settled ---------------------------------------------------


def test_requests_abandoned_with_their_event_loop_hold_nothing_back() -> None:
    budget = make()
    budget.take(T0)  # the probe, on a loop that then ended
    budget.abandon_in_flight()
    assert budget.decide(T0) == PROBE


@pytest.mark.parametrize("status", [None, 500])
def test_a_request_that_failed_frees_its_place(status: int | None) -> None:
    budget = spending(remaining=1)
    ticket = budget.take(T0)
    assert budget.decide(T0) == AWAIT_ANSWER
    budget.settle(ticket, T0 + 0.1, None, status)
    assert budget.decide(T0 + 0.1) == GO


# --- the headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["lots", "nan"])
def test_a_figure_that_is_no_number_gives_way_to_the_other_name(value: str) -> None:
    budget = make()
    answer(budget, T0, {"x-rate-limit": value, "ratelimit-limit": "400"})
    assert budget.limit == 400


@pytest.mark.parametrize(
    ("value", "said"), [("lots", "'lots'"), ("inf", "'inf'"), ("150", "150.0")]
)
def test_an_ignored_figure_is_logged_with_its_value(
    value: str, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="zendesk_ivr")
    answer(make(), T0, {"x-rate-limit": value})
    assert [r.getMessage() for r in caplog.records] == [
        f"ignoring x-rate-limit: {said} is no plan's figure"
    ]
