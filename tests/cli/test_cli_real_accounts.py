"""The command line against accounts shaped like real ones: many groups, built-in greetings, no
password access."""

from __future__ import annotations

import json

from tests.cli_helpers import clean_env, fake_env, run_script
from zendesk_ivr.testing import FakeZendesk


async def test_audit_of_an_account_with_built_in_greetings_and_10050_groups_is_clean() -> None:
    async with await FakeZendesk.start() as fake:
        fake.seed(3, menus=2, routes=4)  # routes to the seeded groups
        for n in range(10_050):
            fake.add_group(f"Team {n}")
        uploaded = fake.add_greeting("Welcome")
        fake.put_ivr(
            {
                "name": "Greetings of both kinds",
                "phone_number_ids": [7],
                "menus": [
                    {
                        "name": "Main menu",
                        "default": True,
                        "greeting_id": "ivr_none",
                        "routes": [
                            {"keypress": "1", "action": "menu", "options": {"menu_id": "@menu:1"}}
                        ],
                    },
                    {
                        "name": "Billing",
                        "greeting_id": uploaded,
                        "routes": [
                            {
                                "keypress": "1",
                                "action": "group",
                                "options": {"group_ids": [fake.group_ids()[-1]]},
                            }
                        ],
                    },
                ],
            }
        )

        code, out, err = await run_script(
            "audit",
            "--check-groups",
            "--check-greetings",
            "--format",
            "json",
            "--fail-on",
            "info",
            env=fake_env(fake),
        )
        group_pages = [r for r in fake.requests if r.path == "/api/v2/groups"]

    assert (code, json.loads(out)) == (0, []), err
    # Read by cursor: 10,062 groups in 101 pages, where offset pages stop at 10,000.
    assert len(group_pages) == 101
    assert dict(group_pages[0].query) == {"page[size]": "100"}


async def test_a_password_gets_one_warning_line_and_a_401_saying_what_to_use() -> None:
    async with await FakeZendesk.start(password=None) as fake:
        env = clean_env(
            ZENDESK_BASE_URL=fake.url, ZENDESK_EMAIL=fake.email, ZENDESK_PASSWORD="old password"
        )
        code, out, err = await run_script("audit", env=env)

    lines = err.splitlines()
    assert code == 2
    assert out == ""
    assert len(lines) == 2, err
    assert lines[0].startswith(
        "zendesk-ivr: warning: ZENDESK_PASSWORD (--password) is deprecated: Zendesk no longer"
    )
    assert lines[1].startswith("zendesk-ivr: error:")
    assert "Couldn't authenticate you" in lines[1]
    # What to use instead, in the command line's terms, on both lines.
    for line in lines:
        assert "--oauth-token (ZENDESK_OAUTH_TOKEN)" in line
        assert "oauth_token=" not in line
        assert "zendesk_ivr.OAuth" not in line
    assert "old password" not in err
