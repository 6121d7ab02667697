"""What a refused plan tells a person: every reason, cut to a readable length with a count."""

from __future__ import annotations

from zendesk_ivr.migration import PlanRefused, UnmappedReference


def groups(count: int) -> list[UnmappedReference]:
    return [UnmappedReference("group", i, ("ivr[Support]",)) for i in range(1, count + 1)]


def test_a_refusal_names_twenty_unmapped_references_and_counts_the_rest() -> None:
    twenty = ", ".join(f"group {i}" for i in range(1, 21))
    assert str(PlanRefused(groups(20))) == (
        f"plan refused: no id mapping for {twenty} (add them to the id map)"
    )
    assert str(PlanRefused(groups(21))) == (
        f"plan refused: no id mapping for {twenty} and 1 more (add them to the id map)"
    )
    assert PlanRefused(groups(22)).unmapped == tuple(groups(22))


def test_a_refusal_shows_five_reasons_and_counts_the_rest() -> None:
    problems = [f"problem {i}" for i in range(1, 8)]
    assert str(PlanRefused([], problems[:5])) == (
        "plan refused: problem 1; problem 2; problem 3; problem 4; problem 5"
    )
    assert str(PlanRefused([], problems[:6])).endswith("; problem 5; and 1 more")
    # The unmapped references are one more reason, after the others.
    refused = PlanRefused(groups(1), problems[:4])
    assert str(refused) == (
        "plan refused: problem 1; problem 2; problem 3; problem 4; "
        "no id mapping for group 1 (add them to the id map)"
    )
    assert refused.problems == tuple(problems[:4])


def test_an_unmapped_reference_names_three_users_and_counts_the_rest() -> None:
    users = ("ivr[A]", "ivr[B]", "ivr[C]", "ivr[D]", "ivr[E]")
    assert str(UnmappedReference("phone_number", 5, users[:3])) == (
        "phone number 5 (used by ivr[A], ivr[B], ivr[C])"
    )
    assert str(UnmappedReference("greeting", 9, users[:4])) == (
        "greeting 9 (used by ivr[A], ivr[B], ivr[C] and 1 more)"
    )
    assert str(UnmappedReference("greeting", 9, users)).endswith("ivr[C] and 2 more)")
