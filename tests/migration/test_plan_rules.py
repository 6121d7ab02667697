"""Plan rules on hand-built trees: every refusal reason, namesakes' keys, what updates replace."""

from __future__ import annotations

import pytest

from zendesk_ivr import Ivr, IvrMenu, PlanRefused, plan


def ivr(ivr_id: int, name: str, phones: tuple[int, ...] = ()) -> Ivr:
    default = IvrMenu(id=ivr_id * 10, name="Main menu", default=True)
    return Ivr(id=ivr_id, name=name, menus=(default,), phone_number_ids=phones)


def test_a_refusal_lists_every_name_the_account_holds_twice() -> None:
    current = [ivr(1, "Support"), ivr(2, "Support"), ivr(3, "Sales"), ivr(4, "Sales")]
    with pytest.raises(PlanRefused) as info:
        plan([ivr(5, "Support"), ivr(6, "Sales")], current, same_account=True)
    assert info.value.problems == (
        "2 IVRs of the account are named 'Support'",
        "2 IVRs of the account are named 'Sales'",
    )


def test_pruned_namesakes_get_keys_of_their_own() -> None:
    current = [ivr(1, "Old"), ivr(2, "Old"), ivr(3, "Once")]
    steps = plan([], current, prune=True, same_account=True).steps
    assert sorted((step.key, step.action, step.ids) for step in steps) == [
        ("ivr[Old]#1", "delete", (1,)),
        ("ivr[Old]#2", "delete", (2,)),
        ("ivr[Once]", "delete", (3,)),
    ]


def test_an_update_of_phone_numbers_shows_the_numbers_it_replaces() -> None:
    (step,) = plan([ivr(9, "Support", (7, 8))], [ivr(1, "Support", (5,))], same_account=True).steps
    assert (step.key, step.action, step.ids) == ("ivr[Support]", "update", (1,))
    assert step.fields == {"phone_number_ids": [7, 8]}
    assert step.before == {"phone_number_ids": [5]}
