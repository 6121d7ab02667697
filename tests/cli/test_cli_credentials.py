"""Credentials from options and from the environment combine field by field, options winning."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest

from tests.cli_helpers import clean_env, run_script
from zendesk_ivr.testing import FakeZendesk


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as fake:
        yield fake


def basic_auth_users(fake: FakeZendesk) -> list[str]:
    """The user part of every Basic credential the fake received."""
    users = []
    for request in fake.requests:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme == "Basic":
            users.append(base64.b64decode(value).decode().partition(":")[0])
    return users


async def test_an_api_token_from_the_environment_goes_with_an_email_option(
    fake: FakeZendesk,
) -> None:
    assert fake.api_token is not None
    env = clean_env(ZENDESK_BASE_URL=fake.url, ZENDESK_API_TOKEN=fake.api_token)

    code, _, err = await run_script("export", "--email", fake.email, env=env)

    assert code == 0, err
    assert set(basic_auth_users(fake)) == {f"{fake.email}/token"}


async def test_an_email_from_the_environment_goes_with_an_api_token_option(
    fake: FakeZendesk,
) -> None:
    assert fake.api_token is not None
    env = clean_env(ZENDESK_BASE_URL=fake.url, ZENDESK_EMAIL=fake.email)

    code, _, err = await run_script("export", "--api-token", fake.api_token, env=env)

    assert code == 0, err
    assert set(basic_auth_users(fake)) == {f"{fake.email}/token"}


async def test_options_win_over_the_environment_field_by_field(fake: FakeZendesk) -> None:
    assert fake.api_token is not None
    env = clean_env(
        ZENDESK_BASE_URL=fake.url, ZENDESK_EMAIL="someone@else.test", ZENDESK_API_TOKEN="wrong"
    )

    # The email option replaces the environment's; the token still comes from it: refused.
    code, _, err = await run_script("export", "--email", fake.email, env=env)
    assert code == 2
    assert set(basic_auth_users(fake)) == {f"{fake.email}/token"}

    code, _, err = await run_script("export", "--api-token", fake.api_token, env=env)
    assert code == 2
    assert basic_auth_users(fake)[-1] == "someone@else.test/token"

    code, _, err = await run_script(
        "export", "--email", fake.email, "--api-token", fake.api_token, env=env
    )
    assert code == 0, err
    assert basic_auth_users(fake)[-1] == f"{fake.email}/token"


async def test_an_oauth_token_leaves_out_the_environments_email(fake: FakeZendesk) -> None:
    # An OAuth token says who you are: a ZENDESK_EMAIL set for other tools does not clash.
    assert fake.oauth_token is not None
    env = clean_env(
        ZENDESK_BASE_URL=fake.url,
        ZENDESK_EMAIL="someone@else.test",
        ZENDESK_OAUTH_TOKEN=fake.oauth_token,
    )

    code, _, err = await run_script("export", env=env)

    assert code == 0, err
    assert {r.headers.get("Authorization") for r in fake.requests} == {f"Bearer {fake.oauth_token}"}
