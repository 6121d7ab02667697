"""OAuth that keeps working: refresh once under load, persist rotations, fail once, clearly."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import zendesk_ivr
from zendesk_ivr import Attempt, Client, OAuth, OAuthTokens, TokenFileStore
from zendesk_ivr.testing import FakeZendesk

CLIENT_ID = "ivr-audit-job"
CLIENT_SECRET = "client-secret-5f1e"
FAST: dict[str, Any] = {"backoff_base": 0.01, "backoff_max": 0.05}


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        server.add_oauth_client(CLIENT_ID, CLIENT_SECRET)
        server.seed(2)
        yield server


def oauth_for(fake: FakeZendesk, **kwargs: object) -> tuple[OAuth, dict[str, Any]]:
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    oauth = OAuth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        expires_at=time.time() + float(issued["expires_in"]),
        **kwargs,  # type: ignore[arg-type]
    )
    return oauth, issued


def refresh_grants(fake: FakeZendesk) -> int:
    return sum(1 for g in fake.token_grants if g.grant_type == "refresh_token")


async def test_200_concurrent_requests_across_an_expiry_refresh_exactly_once(
    fake: FakeZendesk,
) -> None:
    oauth, issued = oauth_for(fake)
    async with Client(base_url=fake.url, oauth=oauth, max_concurrency=50) as client:
        await client.ivrs.get(fake.ivr_ids()[0])
        fake.advance_clock(float(issued["expires_in"]) + 1)  # the server now says: expired

        results = await asyncio.gather(*(client.ivrs.get(fake.ivr_ids()[0]) for _ in range(200)))

    assert len(results) == 200
    assert refresh_grants(fake) == 1
    assert oauth.refreshes == 1
    assert oauth.tokens is not None
    assert oauth.tokens.access_token != issued["access_token"]
    assert oauth.tokens.refresh_token != issued["refresh_token"]


async def test_tokens_are_refreshed_shortly_before_they_expire(fake: FakeZendesk) -> None:
    now = [1_000_000.0]
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    oauth = OAuth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        expires_at=now[0] + 100,
        refresh_margin=60,
        clock=lambda: now[0],
    )
    async with Client(base_url=fake.url, oauth=oauth) as client:
        assert [i.id async for i in client.ivrs.list()] == fake.ivr_ids()
        assert refresh_grants(fake) == 0
        now[0] += 50  # 50 s left, under the 60 s margin
        assert [i.id async for i in client.ivrs.list()] == fake.ivr_ids()

    assert refresh_grants(fake) == 1
    api = [r for r in fake.requests if r.path.startswith("/api")]
    assert len(api) == 2  # refreshed before sending: no request was refused
    assert api[0].header("Authorization") == f"Bearer {issued['access_token']}"
    assert api[1].header("Authorization") != api[0].header("Authorization")


@pytest.mark.parametrize("style", ["sync", "async"])
async def test_a_rotated_pair_reaches_the_callback_before_it_is_used(
    fake: FakeZendesk, style: str
) -> None:
    handed: list[tuple[OAuthTokens, int]] = []

    def remember(tokens: OAuthTokens) -> None:
        handed.append((tokens, len(fake.requests)))

    async def remember_async(tokens: OAuthTokens) -> None:
        await asyncio.sleep(0.05)  # a slow store: nothing may use the token meanwhile
        remember(tokens)

    oauth, issued = oauth_for(fake, on_refresh=remember if style == "sync" else remember_async)
    fake.advance_clock(float(issued["expires_in"]) + 1)
    async with Client(base_url=fake.url, oauth=oauth) as client:
        await asyncio.gather(*(client.ivrs.get(fake.ivr_ids()[0]) for _ in range(20)))

    ((tokens, seen_before),) = handed
    new_header = f"Bearer {tokens.access_token}"
    used = [r.header("Authorization") for r in fake.requests]
    assert new_header not in used[:seen_before]
    assert new_header in used[seen_before:]
    assert tokens.refresh_token is not None
    assert tokens.refresh_token != issued["refresh_token"]


async def test_a_revoked_refresh_token_ends_in_one_clear_error(
    fake: FakeZendesk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="zendesk_ivr")
    oauth, issued = oauth_for(fake)
    fake.revoke_oauth_token(str(issued["refresh_token"]))
    async with Client(base_url=fake.url, oauth=oauth) as client:
        outcomes = await asyncio.gather(
            *(client.ivrs.get(fake.ivr_ids()[0]) for _ in range(20)), return_exceptions=True
        )
        # Later calls fail the same way without asking the token endpoint again.
        with pytest.raises(zendesk_ivr.AuthenticationError):
            await client.ivrs.get(fake.ivr_ids()[0])

    assert all(isinstance(o, zendesk_ivr.AuthenticationError) for o in outcomes)
    error = outcomes[0]
    assert isinstance(error, zendesk_ivr.AuthenticationError)
    assert "new authorization is needed" in str(error)
    assert error.error == "invalid_grant"
    assert refresh_grants(fake) == 1
    for secret in (CLIENT_SECRET, str(issued["refresh_token"]), str(issued["access_token"])):
        assert secret not in str(error)
        assert secret not in repr(vars(error))
        assert all(secret not in r.getMessage() for r in caplog.records)


async def test_a_401_after_a_refresh_is_not_retried_again(fake: FakeZendesk) -> None:
    oauth, _ = oauth_for(fake)
    fake.fail_next(401, times=5, path="^/api/")
    async with Client(base_url=fake.url, oauth=oauth) as client:
        with pytest.raises(zendesk_ivr.AuthenticationError):
            await client.ivrs.get(fake.ivr_ids()[0])

    assert [r.path for r in fake.requests if r.path.startswith("/api")] == [
        f"/api/v2/channels/voice/ivr/{fake.ivr_ids()[0]}"
    ] * 2
    assert refresh_grants(fake) == 1


async def test_the_client_credentials_grant_gets_its_own_tokens(fake: FakeZendesk) -> None:
    oauth = OAuth.client_credentials(CLIENT_ID, CLIENT_SECRET)
    async with Client(base_url=fake.url, oauth=oauth) as client:
        await client.ivrs.get(fake.ivr_ids()[0])
        await client.ivrs.get(fake.ivr_ids()[0])
        assert [g.grant_type for g in fake.token_grants] == ["client_credentials"]
        fake.advance_clock(fake.access_token_ttl + 1)
        await client.ivrs.get(fake.ivr_ids()[0])

    assert [g.grant_type for g in fake.token_grants] == ["client_credentials"] * 2
    assert oauth.tokens is not None
    assert oauth.tokens.refresh_token is None


async def test_a_wrong_client_secret_says_what_to_check(fake: FakeZendesk) -> None:
    oauth = OAuth.client_credentials(CLIENT_ID, "not-the-secret")
    async with Client(base_url=fake.url, oauth=oauth) as client:
        with pytest.raises(zendesk_ivr.AuthenticationError, match="client id and secret"):
            await client.ivrs.get(1)
    assert not [r for r in fake.requests if r.path.startswith("/api")]


def test_oauth_replaces_other_credentials() -> None:
    oauth = OAuth.client_credentials(CLIENT_ID, CLIENT_SECRET)
    with pytest.raises(zendesk_ivr.ConfigurationError, match="alone"):
        Client(subdomain="acme", oauth=oauth, email="a@b.c", api_token="t")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"client_id": ""},
        {"client_id": CLIENT_ID},  # neither a refresh token nor a secret
        {"client_id": CLIENT_ID, "grant": "password", "client_secret": "s"},
        {"client_id": CLIENT_ID, "grant": "refresh_token", "client_secret": "s"},
    ],
)
def test_incomplete_oauth_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(zendesk_ivr.ConfigurationError):
        OAuth(**kwargs)  # type: ignore[arg-type]


def test_reprs_never_show_secrets() -> None:
    oauth = OAuth(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        access_token="access-abc",
        refresh_token="refresh-xyz",
    )
    tokens = OAuthTokens("access-abc", "refresh-xyz", 1.0)
    client = Client(subdomain="acme", oauth=oauth)
    for text in (repr(oauth), repr(tokens), repr(client)):
        for secret in (CLIENT_SECRET, "access-abc", "refresh-xyz"):
            assert secret not in text


async def test_from_env_builds_refreshing_oauth_and_keeps_rotations_in_a_file(
    fake: FakeZendesk, tmp_path: Path
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    env = {
        "ZENDESK_BASE_URL": fake.url,
        "ZENDESK_OAUTH_CLIENT_ID": CLIENT_ID,
        "ZENDESK_OAUTH_CLIENT_SECRET": CLIENT_SECRET,
        "ZENDESK_OAUTH_REFRESH_TOKEN": str(issued["refresh_token"]),
    }
    token_file = tmp_path / "tokens.json"

    async with Client.from_env(env, token_file=token_file) as client:
        assert "auth=oauth" in repr(client)
        await client.ivrs.get(fake.ivr_ids()[0])  # no access token yet: refresh first

    saved = TokenFileStore(token_file).load()
    assert saved is not None
    assert saved.refresh_token != issued["refresh_token"]
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600

    # The next run starts from the file: the refresh token in the environment is dead by now.
    fake.advance_clock(fake.access_token_ttl + 1)
    async with Client.from_env(env, token_file=token_file) as client:
        await client.ivrs.get(fake.ivr_ids()[0])
    assert refresh_grants(fake) == 2
    assert all(g.ok for g in fake.token_grants)


def test_the_token_file_round_trips_with_mode_0600(tmp_path: Path) -> None:
    store = TokenFileStore(tmp_path / "deep" / "tokens.json")
    assert store.load() is None
    tokens = OAuthTokens("a", "r", 123.5, "read write")

    store.save(tokens)

    assert store.load() == tokens
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert not [p for p in store.path.parent.iterdir() if p.name != "tokens.json"]


def test_a_crash_between_write_and_rename_keeps_the_previous_tokens(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    TokenFileStore(path).save(OAuthTokens("first", "first-refresh", 1.0))
    # A writer that dies (SIGKILL, no cleanup) after writing its temporary file, before
    # the rename.
    script = textwrap.dedent(
        f"""
        import os, signal
        from zendesk_ivr import OAuthTokens, TokenFileStore
        real_replace = os.replace
        def die(src, dst):
            os.kill(os.getpid(), signal.SIGKILL)
        os.replace = die
        TokenFileStore({str(path)!r}).save(OAuthTokens("second", "second-refresh", 2.0))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)

    assert result.returncode == -signal.SIGKILL
    leftovers = [p for p in tmp_path.iterdir() if p.name != "tokens.json"]
    assert leftovers, "the killed writer should have left its temporary file"
    assert TokenFileStore(path).load() == OAuthTokens("first", "first-refresh", 1.0)
    TokenFileStore(path).save(OAuthTokens("third", "third-refresh", 3.0))
    assert TokenFileStore(path).load() == OAuthTokens("third", "third-refresh", 3.0)


def test_a_writer_killed_at_any_moment_leaves_a_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    script = textwrap.dedent(
        f"""
        from zendesk_ivr import OAuthTokens, TokenFileStore
        store = TokenFileStore({str(path)!r})
        n = 0
        while True:
            n += 1
            store.save(OAuthTokens(f"access-{{n}}", f"refresh-{{n}}", float(n)))
        """
    )
    for delay in (0.0, 0.05, 0.2):
        process = subprocess.Popen([sys.executable, "-c", script])
        deadline = time.monotonic() + 30
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        process.kill()
        process.wait(timeout=30)
        saved = TokenFileStore(path).load()
        assert saved is not None
        n = int(saved.access_token.split("-")[1])
        assert saved == OAuthTokens(f"access-{n}", f"refresh-{n}", float(n))


async def test_a_failing_store_surfaces_its_error_but_keeps_the_new_tokens(
    fake: FakeZendesk, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_store(tokens: OAuthTokens) -> None:
        raise OSError("disk full")

    oauth, issued = oauth_for(fake, on_refresh=broken_store)
    fake.advance_clock(float(issued["expires_in"]) + 1)
    async with Client(base_url=fake.url, oauth=oauth) as client:
        with pytest.raises(OSError, match="disk full"):
            await client.ivrs.get(fake.ivr_ids()[0])
        # The old pair died with the refresh; the new one still serves this process.
        assert (await client.ivrs.get(fake.ivr_ids()[0])).id == fake.ivr_ids()[0]
    assert refresh_grants(fake) == 1
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "not stored" in record.getMessage() or "store them" in record.getMessage()
    assert oauth.tokens is not None
    assert oauth.tokens.access_token not in record.getMessage()
    assert record.exc_info is None


# --- token requests follow the rules of every request ----------------------------------------


def refreshing(fake: FakeZendesk) -> OAuth:
    """OAuth holding a refresh token and no access token yet: the first request refreshes."""
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    return OAuth(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token=issued["refresh_token"]
    )


def paths(fake: FakeZendesk) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


async def test_a_token_request_dropped_after_sending_is_not_sent_again(
    fake: FakeZendesk,
) -> None:
    # The server may have run the refresh, and so rotated the pair: neither the token request
    # nor the call that needed the token sends it again.
    fake.drop_next(path="^/oauth/tokens")
    async with Client(base_url=fake.url, oauth=refreshing(fake), **FAST) as client:
        with pytest.raises(zendesk_ivr.TransportError) as info:
            await client.ivrs.get(fake.ivr_ids()[0])

    assert info.value.request_sent
    assert paths(fake) == ["POST /oauth/tokens"]


async def test_a_token_request_answered_429_is_sent_again_after_the_wait(
    fake: FakeZendesk,
) -> None:
    # A 429 says the server did not run it: resent, as any request is.
    fake.fail_next(429, retry_after=0, path="^/oauth/tokens")
    oauth = refreshing(fake)
    async with Client(base_url=fake.url, oauth=oauth, **FAST) as client:
        ivr = await client.ivrs.get(fake.ivr_ids()[0])

    assert ivr.id == fake.ivr_ids()[0]
    assert oauth.refreshes == 1
    assert paths(fake) == [
        "POST /oauth/tokens",
        "POST /oauth/tokens",
        f"GET /api/v2/channels/voice/ivr/{ivr.id}",
    ]


async def test_a_token_request_answered_500_is_not_sent_again(fake: FakeZendesk) -> None:
    # A 500 may come after the server ran it: a POST is not resent, and the grant is refused.
    fake.fail_next(500, path="^/oauth/tokens")
    async with Client(base_url=fake.url, oauth=refreshing(fake), **FAST) as client:
        with pytest.raises(zendesk_ivr.AuthenticationError, match="status 500"):
            await client.ivrs.get(fake.ivr_ids()[0])

    assert paths(fake) == ["POST /oauth/tokens"]


async def test_token_requests_are_counted_and_reported_like_every_request(
    fake: FakeZendesk,
) -> None:
    attempts: list[Attempt] = []
    async with Client(
        base_url=fake.url, oauth=refreshing(fake), on_attempt=attempts.append
    ) as client:
        await client.ivrs.get(fake.ivr_ids()[0])
        sent = client.requests_sent

    assert sent == len(fake.requests) == 2
    assert [(a.method, a.url.removeprefix(fake.url), a.status) for a in attempts] == [
        ("POST", "/oauth/tokens", 200),
        ("GET", f"/api/v2/channels/voice/ivr/{fake.ivr_ids()[0]}", 200),
    ]


async def test_a_refresh_needs_no_connection_slot_held_by_a_task_waiting_for_it(
    fake: FakeZendesk,
) -> None:
    # One slot, five tasks, an expired token: the token request takes the slot like any other
    # request, so no task may hold it while it waits for the refresh.
    oauth = refreshing(fake)
    async with Client(base_url=fake.url, oauth=oauth, max_concurrency=1, deadline=10.0) as client:
        began = time.monotonic()
        ivrs = await asyncio.gather(*(client.ivrs.get(fake.ivr_ids()[0]) for _ in range(5)))

    assert time.monotonic() - began < 5.0
    assert len(ivrs) == 5
    assert oauth.refreshes == 1
    assert paths(fake).count("POST /oauth/tokens") == 1


async def test_a_refresh_after_a_401_is_bounded_by_the_calls_deadline(fake: FakeZendesk) -> None:
    # The server says the token expired (its clock moved), after a slow answer; the refresh then
    # hangs. The call ends at its deadline, not a deadline later (the token request's own).
    oauth, issued = oauth_for(fake)
    fake.advance_clock(float(issued["expires_in"]) + 1)
    fake.delay_next(0.7, path="^/api/")
    fake.delay_next(5.0, path="^/oauth/tokens")
    async with Client(base_url=fake.url, oauth=oauth, deadline=1.0) as client:
        began = time.monotonic()
        with pytest.raises(zendesk_ivr.RequestTimeout):
            await client.ivrs.get(fake.ivr_ids()[0])
        took = time.monotonic() - began

    assert took < 1.4
    assert paths(fake) == [
        f"GET /api/v2/channels/voice/ivr/{fake.ivr_ids()[0]}",
        "POST /oauth/tokens",
    ]
