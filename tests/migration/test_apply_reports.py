"""What an apply tells its caller as it goes and when it stops: on_step, the report, the journal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from zendesk_ivr import Client, GroupOptions, Ivr, IvrMenu, IvrRoute, RateLimiter, RecordInvalid
from zendesk_ivr.migration import (
    ApplyFailed,
    ApplyReport,
    JournalMismatch,
    Plan,
    Step,
    StepFailure,
    apply,
    plan,
)
from zendesk_ivr.testing import FakeZendesk

BILLING = "ivr[Support]/menu[Billing]"
WRITES = ("POST", "PUT", "DELETE")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        yield server


@pytest.fixture
async def client(fake: FakeZendesk) -> AsyncIterator[Client]:
    limiter = RateLimiter(talk_requests_per_5_minutes=None)
    async with Client(
        base_url=fake.url, email=fake.email, api_token=fake.api_token, rate_limiter=limiter
    ) as c:
        yield c


def support_plan(group_id: int) -> Plan:
    """A new IVR: its default menu renamed, a Billing menu, and a route in each menu."""
    route = IvrRoute(
        id=3, keypress="1", action="group", options=GroupOptions(group_ids=(group_id,))
    )
    desired = Ivr(
        id=1,
        name="Support",
        menus=(
            IvrMenu(id=10, name="Welcome", default=True, routes=(route,)),
            IvrMenu(id=11, name="Billing", routes=(route,)),
        ),
    )
    return plan([desired], [], same_account=True)


def journal_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:]]


async def test_a_stopped_apply_reports_each_step_its_error_and_what_it_held_back(
    fake: FakeZendesk, client: Client, tmp_path: Path
) -> None:
    steps = support_plan(fake.add_group("Billing team"))
    journal = tmp_path / "journal.jsonl"
    fake.fail_next(422, method="POST", path=r"/menus$")
    seen: list[tuple[str, str]] = []

    def on_step(step: Step, outcome: str) -> None:
        seen.append((step.key, outcome))

    with pytest.raises(ApplyFailed) as info:
        await apply(client, steps, journal=journal, on_step=on_step)

    report = info.value.report
    (failure,) = report.failed
    assert failure.key == BILLING
    assert isinstance(failure.exception, RecordInvalid)
    assert failure.error == f"RecordInvalid: {str(failure.exception).splitlines()[0]}"
    assert report.not_run == (f"{BILLING}/route[1]",)
    assert sorted(seen) == sorted([(key, "done") for key in report.done] + [(BILLING, "failed")])
    assert str(info.value) == (
        f"apply stopped: 1 step failed ({BILLING}: {failure.error}); "
        f"{len(report.done)} done, 1 not run"
    )
    events = journal_events(journal)
    failed = [e for e in events if e["event"] == "failed"]
    assert [(e["step"], e["error"]) for e in failed] == [(BILLING, failure.error)]
    # Each start and failure is stamped with the time it was written.
    stamped = [e for e in events if e["event"] in ("started", "failed")]
    assert {e["step"] for e in stamped} >= {"ivr[Support]", BILLING}
    assert all(datetime.fromisoformat(e["at"]).tzinfo is not None for e in stamped)

    # A dry run with that journal sends nothing and plans only what is left, with real ids.
    fake.clear_requests()
    dry = await apply(client, steps, dry_run=True, journal=journal)
    assert fake.requests == []
    assert (dry.done, dry.from_journal) == (report.done, report.done)
    assert dry.created == report.created
    ivr_id = report.created["ivr[Support]"]
    assert [(r.method, r.path) for r in dry.planned] == [
        ("POST", f"/api/v2/channels/voice/ivr/{ivr_id}/menus"),
        ("POST", f"/api/v2/channels/voice/ivr/{ivr_id}/menus/<id of {BILLING}>/routes"),
    ]


async def test_an_adopted_create_is_reported_as_such_then_and_on_every_resume(
    fake: FakeZendesk, client: Client, tmp_path: Path
) -> None:
    steps = support_plan(fake.add_group("Billing team"))
    journal = tmp_path / "journal.jsonl"
    # The Billing menu is created, but its answer is cut short: the apply cannot know its id.
    fake.drop_next(method="POST", path=r"/menus$", mode="mid_body")
    with pytest.raises(ApplyFailed):
        await apply(client, steps, journal=journal)
    seen: list[tuple[str, str]] = []

    def on_step(step: Step, outcome: str) -> None:
        seen.append((step.key, outcome))

    fake.clear_requests()
    report = await apply(client, steps, journal=journal, on_step=on_step)
    # The menu was looked up and adopted, not created again; only its route was left to send.
    assert [r.method for r in fake.requests if r.method in WRITES] == ["POST"]
    assert report.adopted == (BILLING,)
    assert seen == [(BILLING, "adopted"), (f"{BILLING}/route[1]", "done")]
    adopted = [e for e in journal_events(journal) if e.get("adopted")]
    assert [e["step"] for e in adopted] == [BILLING]

    fake.clear_requests()
    again = await apply(client, steps, journal=journal, on_step=on_step)
    assert fake.requests == []
    assert again.adopted == (BILLING,)  # as the journal recorded it
    assert again.from_journal == again.done == tuple(step.key for step in steps.steps)


def test_apply_failed_names_the_first_failure_and_counts_the_rest() -> None:
    failures = (StepFailure("ivr[A]", "RecordInvalid: no"), StepFailure("ivr[B]", "NotFound: gone"))
    report = ApplyReport(done=("ivr[C]",), failed=failures, not_run=("ivr[A]/menu[M]",))
    assert str(ApplyFailed(report)) == (
        "apply stopped: 2 steps failed (ivr[A]: RecordInvalid: no); 1 done, 1 not run"
    )
    assert ApplyFailed(report).report is report
    assert str(ApplyFailed(ApplyReport())) == "apply stopped: 0 steps failed; 0 done, 0 not run"


def test_a_report_describes_itself_in_a_summary_then_a_line_per_step_left() -> None:
    report = ApplyReport(
        done=("ivr[A]", "ivr[B]"),
        from_journal=("ivr[A]",),
        adopted=("ivr[B]",),
        failed=(StepFailure("ivr[C]", "NotFound: gone"),),
        not_run=("ivr[C]/menu[M]",),
        requests=7,
    )
    assert report.describe() == [
        "2 steps done (1 earlier, 1 adopted), 1 failed, 1 not run, 7 requests",
        "failed: ivr[C]: NotFound: gone",
        "not run: ivr[C]/menu[M]",
    ]


async def test_a_dry_run_plans_requests_below_the_clients_site() -> None:
    # Nothing is sent: no server needs to listen there.
    async with Client(base_url="http://127.0.0.1:9/zendesk/", oauth_token="t") as proxied:
        report = await apply(proxied, support_plan(7), dry_run=True)
    assert report.planned
    assert all(r.path.startswith("/zendesk/api/v2/channels/voice/ivr") for r in report.planned)


async def test_a_journal_of_another_plan_is_refused_with_its_path(
    fake: FakeZendesk, client: Client, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    await apply(client, support_plan(fake.add_group("One")), journal=journal)
    with pytest.raises(JournalMismatch) as info:
        await apply(client, support_plan(fake.add_group("Two")), journal=journal)
    assert info.value.path == str(journal)
