"""The command line's error line never shows a secret a server echoed back, for any scheme."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.cli_helpers import clean_env, run_script
from tests.sdk.test_secrets import (
    API_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    EMAIL,
    KINDS,
    OAUTH_TOKEN,
    PASSWORD,
    REDACTED,
    SCHEMES,
    Kind,
    assert_hidden,
    basic_forms,
    echo_path,
    fake_accepting_every_secret,
)
from zendesk_ivr.testing import FakeZendesk


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with fake_accepting_every_secret() as server:
        yield server


def env_for(fake: FakeZendesk, scheme: str) -> tuple[dict[str, str], list[str]]:
    """The environment that selects *scheme*, and the secrets the command will hold."""
    if scheme == "api_token":
        env = {"ZENDESK_EMAIL": EMAIL, "ZENDESK_API_TOKEN": API_TOKEN}
        return env, basic_forms(f"{EMAIL}/token:{API_TOKEN}", API_TOKEN)
    if scheme == "password":
        env = {"ZENDESK_EMAIL": EMAIL, "ZENDESK_PASSWORD": PASSWORD}
        return env, basic_forms(f"{EMAIL}:{PASSWORD}", PASSWORD)
    if scheme == "oauth_token":
        return {"ZENDESK_OAUTH_TOKEN": OAUTH_TOKEN}, [OAUTH_TOKEN]
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    env = {
        "ZENDESK_OAUTH_CLIENT_ID": CLIENT_ID,
        "ZENDESK_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "ZENDESK_OAUTH_REFRESH_TOKEN": issued["refresh_token"],
    }
    return env, [CLIENT_SECRET, issued["refresh_token"], issued["access_token"]]


@pytest.mark.parametrize(
    ("scheme", "kind"),
    # The refusal of a token request quotes the server's error code alone: a JSON body's.
    [*((scheme, kind) for scheme in SCHEMES[:-1] for kind in KINDS), (SCHEMES[-1], "json")],
)
async def test_the_error_line_shows_no_echoed_secret(
    fake: FakeZendesk, scheme: str, kind: Kind
) -> None:
    status = 400 if scheme == "oauth_token_endpoint" else 403
    fake.fail_next(status, echo=kind, path=echo_path(scheme))
    settings, held = env_for(fake, scheme)

    code, out, err = await run_script(
        "export", env=clean_env(ZENDESK_BASE_URL=fake.url, **settings)
    )

    # The access token the command got by refreshing, as the server saw it.
    sent = [r.header("Authorization") or "" for r in fake.requests if r.path.startswith("/api/")]
    held += [header.removeprefix("Bearer ") for header in sent if header.startswith("Bearer ")]
    assert code != 0, err
    assert err.splitlines()[-1].startswith("zendesk-ivr: error: ")
    assert REDACTED in err  # the line quotes the server, scrubbed
    assert_hidden([out, err], held)
