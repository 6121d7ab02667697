"""
Tests of the fake Zendesk's OAuth token endpoint and bearer-token checks, over real
HTTP with a raw aiohttp session (never the SDK client, so a client bug can't hide a
fake bug), plus unit tests of the pure OAuth module.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import attrs
import pytest
from aiohttp import ClientSession, TCPConnector
from multidict import CIMultiDictProxy

from zendesk_ivr.testing import FakeZendesk, OAuthGrant
from zendesk_ivr.testing._oauth import OAuthError, OAuthServer, parse_token_request

API = "/api/v2/channels/voice"
IVRS = f"{API}/ivr"
TOKENS = "/oauth/tokens"
CLIENT_ID = "ivr-sync"
CLIENT_SECRET = "s3cret"
OTHER_ID = "other-app"
OTHER_SECRET = "other-s3cret"
STATIC = "fake-oauth-token"
FORM = "application/x-www-form-urlencoded"

INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Client authentication failed due to unknown client, no client "
    "authentication included, or unsupported authentication method.",
}
INVALID_GRANT = {
    "error": "invalid_grant",
    "error_description": "The provided authorization grant is invalid, expired, revoked, "
    "does not match the redirection URI used in the authorization request, or was issued "
    "to another client.",
}
INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed, or "
    "invalid for other reasons.",
}
INVALID_TOKEN_CHALLENGE = 'Bearer realm="Zendesk", error="invalid_token"'
NOT_AUTHENTICATED = {"error": "Couldn't authenticate you"}


@attrs.frozen
class Reply:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        server.add_oauth_client(CLIENT_ID, CLIENT_SECRET)
        server.add_oauth_client(OTHER_ID, OTHER_SECRET)
        yield server


@pytest.fixture
async def session(fake: FakeZendesk) -> AsyncIterator[ClientSession]:
    # No limit on connections, so concurrent requests really are concurrent.
    async with ClientSession(base_url=fake.url, connector=TCPConnector(limit=0)) as client:
        yield client


async def post_token(
    session: ClientSession,
    params: dict[str, Any],
    *,
    form: bool = False,
    path: str = TOKENS,
) -> Reply:
    if form:
        data = urlencode(params).encode()
        content_type = FORM
    else:
        data = json.dumps(params).encode()
        content_type = "application/json"
    async with session.post(path, data=data, headers={"Content-Type": content_type}) as response:
        return Reply(response.status, response.headers, await response.read())


async def get_ivrs(session: ClientSession, authorization: str) -> Reply:
    async with session.get(IVRS, headers={"Authorization": authorization}) as response:
        return Reply(response.status, response.headers, await response.read())


async def with_bearer(session: ClientSession, token: str) -> Reply:
    return await get_ivrs(session, f"Bearer {token}")


def refresh_params(
    refresh_token: str, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET
) -> dict[str, Any]:
    return {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client_id,
        "client_secret": client_secret,
    }


CLIENT_CREDENTIALS = {
    "grant_type": "client_credentials",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
}


def assert_invalid_token(reply: Reply) -> None:
    assert reply.status == 401, reply.body
    assert reply.json() == INVALID_TOKEN
    assert reply.headers["WWW-Authenticate"] == INVALID_TOKEN_CHALLENGE
    assert "x-request-id" in reply.headers


def assert_invalid_grant(reply: Reply) -> None:
    assert reply.status == 400, reply.body
    assert reply.json() == INVALID_GRANT


# --- the refresh token grant ------------------------------------------------------------


async def test_issue_oauth_tokens_returns_a_zendesk_token_response(
    fake: FakeZendesk, session: ClientSession
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID, scope="read")

    assert set(issued) == {
        "access_token",
        "token_type",
        "scope",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
    }
    assert issued["token_type"] == "bearer"
    assert issued["scope"] == "read"
    assert issued["expires_in"] == 7200
    assert issued["refresh_token_expires_in"] == 2592000
    assert issued["access_token"] != issued["refresh_token"]
    assert (await with_bearer(session, issued["access_token"])).status == 200
    assert fake.token_grants == []


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
async def test_refresh_grant_returns_a_fresh_pair_that_authenticates(
    fake: FakeZendesk, session: ClientSession, form: bool
) -> None:
    old = fake.issue_oauth_tokens(CLIENT_ID)

    reply = await post_token(session, refresh_params(old["refresh_token"]), form=form)

    assert reply.status == 200, reply.body
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    assert reply.headers["Cache-Control"] == "no-store"
    new = reply.json()
    assert new == {
        "access_token": new["access_token"],
        "token_type": "bearer",
        "scope": "read write",
        "expires_in": 7200,
        "refresh_token": new["refresh_token"],
        "refresh_token_expires_in": 2592000,
    }
    assert new["access_token"] not in (old["access_token"], old["refresh_token"])
    assert new["refresh_token"] not in (old["access_token"], old["refresh_token"])
    assert len(new["access_token"]) == 64
    assert (await with_bearer(session, new["access_token"])).status == 200
    [logged] = fake.requests[:1]
    assert (logged.method, logged.path) == ("POST", TOKENS)
    assert logged.response_request_id == reply.headers["x-request-id"]


async def test_rotation_kills_the_old_access_and_refresh_tokens(
    fake: FakeZendesk, session: ClientSession
) -> None:
    old = fake.issue_oauth_tokens(CLIENT_ID)
    assert (await with_bearer(session, old["access_token"])).status == 200

    rotated = await post_token(session, refresh_params(old["refresh_token"]))
    assert rotated.status == 200

    assert_invalid_token(await with_bearer(session, old["access_token"]))
    assert_invalid_grant(await post_token(session, refresh_params(old["refresh_token"])))
    # The new pair is untouched by the refused reuse of the old refresh token.
    new = rotated.json()
    assert (await with_bearer(session, new["access_token"])).status == 200
    assert (await post_token(session, refresh_params(new["refresh_token"]))).status == 200


async def test_the_token_endpoint_answers_at_oauth_tokens_json_too(
    fake: FakeZendesk, session: ClientSession
) -> None:
    old = fake.issue_oauth_tokens(CLIENT_ID)

    reply = await post_token(session, refresh_params(old["refresh_token"]), path=TOKENS + ".json")

    assert reply.status == 200, reply.body
    assert (await with_bearer(session, reply.json()["access_token"])).status == 200


async def test_refresh_may_narrow_the_scope_but_not_widen_it(
    fake: FakeZendesk, session: ClientSession
) -> None:
    old = fake.issue_oauth_tokens(CLIENT_ID, scope="read write")

    widened = await post_token(
        session, {**refresh_params(old["refresh_token"]), "scope": "read write impersonate"}
    )
    narrowed = await post_token(session, {**refresh_params(old["refresh_token"]), "scope": "read"})

    assert widened.status == 400
    assert widened.json()["error"] == "invalid_scope"
    assert narrowed.status == 200, narrowed.body
    assert narrowed.json()["scope"] == "read"


async def test_a_refresh_token_of_another_client_is_an_invalid_grant(
    fake: FakeZendesk, session: ClientSession
) -> None:
    theirs = fake.issue_oauth_tokens(OTHER_ID)

    reply = await post_token(session, refresh_params(theirs["refresh_token"]))

    assert_invalid_grant(reply)
    # The refused attempt didn't spend it: its own client can still use it.
    mine = refresh_params(theirs["refresh_token"], client_id=OTHER_ID, client_secret=OTHER_SECRET)
    assert (await post_token(session, mine)).status == 200


async def test_an_unknown_refresh_token_is_an_invalid_grant(session: ClientSession) -> None:
    assert_invalid_grant(await post_token(session, refresh_params("0" * 64)))


# --- the client credentials grant -------------------------------------------------------


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
async def test_client_credentials_grant_returns_an_access_token_without_a_refresh_token(
    session: ClientSession, form: bool
) -> None:
    reply = await post_token(session, CLIENT_CREDENTIALS, form=form)

    assert reply.status == 200, reply.body
    body = reply.json()
    assert body == {
        "access_token": body["access_token"],
        "token_type": "bearer",
        "scope": "read write",
        "expires_in": 7200,
    }
    assert (await with_bearer(session, body["access_token"])).status == 200


async def test_client_credentials_grant_echoes_the_requested_scope(
    session: ClientSession,
) -> None:
    reply = await post_token(session, {**CLIENT_CREDENTIALS, "scope": "read"}, form=True)

    assert reply.status == 200, reply.body
    assert reply.json()["scope"] == "read"


async def test_each_client_credentials_grant_issues_a_new_token_and_keeps_the_old(
    session: ClientSession,
) -> None:
    first = (await post_token(session, CLIENT_CREDENTIALS)).json()["access_token"]
    second = (await post_token(session, CLIENT_CREDENTIALS)).json()["access_token"]

    assert first != second
    assert (await with_bearer(session, first)).status == 200
    assert (await with_bearer(session, second)).status == 200


# --- client authentication and malformed requests ---------------------------------------


@pytest.mark.parametrize("grant", ["refresh_token", "client_credentials"])
@pytest.mark.parametrize(
    ("client_id", "client_secret"),
    [("nobody", CLIENT_SECRET), (CLIENT_ID, "wrong"), (CLIENT_ID, OTHER_SECRET)],
    ids=["unknown-client", "wrong-secret", "another-clients-secret"],
)
async def test_a_bad_client_answers_401_invalid_client(
    fake: FakeZendesk, session: ClientSession, grant: str, client_id: str, client_secret: str
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    params = {
        "grant_type": grant,
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": issued["refresh_token"],
    }

    reply = await post_token(session, params)

    assert reply.status == 401, reply.body
    assert reply.json() == INVALID_CLIENT
    assert "x-request-id" in reply.headers
    # A refused client spends nothing: the pair still works.
    assert (await with_bearer(session, issued["access_token"])).status == 200
    assert (await post_token(session, refresh_params(issued["refresh_token"]))).status == 200


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        {**CLIENT_CREDENTIALS, "grant_type": "password"},
        {**CLIENT_CREDENTIALS, "grant_type": "authorization_code"},
        {**CLIENT_CREDENTIALS, "grant_type": ""},
    ],
    ids=["missing", "password", "authorization_code", "empty"],
)
async def test_a_missing_or_other_grant_type_answers_400_unsupported_grant_type(
    session: ClientSession, params: dict[str, str]
) -> None:
    reply = await post_token(session, params, form=True)

    assert reply.status == 400, reply.body
    assert reply.json()["error"] == "unsupported_grant_type"
    assert reply.json()["error_description"]


@pytest.mark.parametrize(
    ("grant", "missing"),
    [
        ("refresh_token", "refresh_token"),
        ("refresh_token", "client_id"),
        ("refresh_token", "client_secret"),
        ("client_credentials", "client_id"),
        ("client_credentials", "client_secret"),
    ],
)
async def test_a_missing_parameter_answers_400_invalid_request(
    fake: FakeZendesk, session: ClientSession, grant: str, missing: str
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    params = {**refresh_params(issued["refresh_token"]), "grant_type": grant}
    del params[missing]

    reply = await post_token(session, params)

    assert reply.status == 400, reply.body
    assert reply.json() == {
        "error": "invalid_request",
        "error_description": f"Missing required parameter: {missing}.",
    }


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(b"{not json", "application/json"), (b"[1, 2]", "application/json"), (b"\xff", FORM)],
    ids=["bad-json", "json-array", "bad-utf8-form"],
)
async def test_an_unreadable_body_answers_400_invalid_request(
    fake: FakeZendesk, session: ClientSession, data: bytes, content_type: str
) -> None:
    async with session.post(TOKENS, data=data, headers={"Content-Type": content_type}) as resp:
        status, body = resp.status, await resp.json()

    assert status == 400
    assert body["error"] == "invalid_request"
    assert fake.token_grants == [OAuthGrant(None, None, ok=False, error="invalid_request")]


async def test_the_token_endpoint_ignores_api_credentials_and_refuses_get(
    session: ClientSession,
) -> None:
    async with session.post(
        TOKENS,
        data=urlencode(CLIENT_CREDENTIALS),
        headers={"Content-Type": FORM, "Authorization": "Bearer not-a-token"},
    ) as response:
        assert response.status == 200
    async with session.get(TOKENS) as response:
        assert response.status == 405
        assert response.headers["Allow"] == "POST"


# --- expiry on the fake's clock ---------------------------------------------------------


async def test_an_access_token_expires_when_the_clock_passes_its_ttl(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.access_token_ttl = 60
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    assert issued["expires_in"] == 60

    fake.advance_clock(59)
    assert (await with_bearer(session, issued["access_token"])).status == 200
    fake.advance_clock(1)
    assert_invalid_token(await with_bearer(session, issued["access_token"]))

    # An expired access token is what the refresh token is for.
    reply = await post_token(session, refresh_params(issued["refresh_token"]))
    assert reply.status == 200, reply.body
    assert (await with_bearer(session, reply.json()["access_token"])).status == 200


async def test_a_refresh_token_expires_when_the_clock_passes_its_ttl(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.refresh_token_ttl = 100
    fake.access_token_ttl = 1000
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    spare = fake.issue_oauth_tokens(CLIENT_ID)
    assert issued["refresh_token_expires_in"] == 100

    fake.advance_clock(99)
    assert (await post_token(session, refresh_params(spare["refresh_token"]))).status == 200
    fake.advance_clock(1)

    assert_invalid_grant(await post_token(session, refresh_params(issued["refresh_token"])))
    # The access token outlives its refresh token when its own TTL is longer.
    assert (await with_bearer(session, issued["access_token"])).status == 200


async def test_refresh_tokens_without_a_ttl_never_expire(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.refresh_token_ttl = None
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    assert issued["refresh_token_expires_in"] is None

    fake.advance_clock(10 * 365 * 86400)

    assert_invalid_token(await with_bearer(session, issued["access_token"]))
    reply = await post_token(session, refresh_params(issued["refresh_token"]))
    assert reply.status == 200, reply.body
    assert reply.json()["refresh_token_expires_in"] is None


async def test_expires_in_parameters_set_the_new_pairs_lifetimes(
    fake: FakeZendesk, session: ClientSession
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    params = {
        **refresh_params(issued["refresh_token"]),
        "expires_in": "300",
        "refresh_token_expires_in": "604800",
    }

    reply = await post_token(session, params, form=True)

    assert reply.status == 200, reply.body
    new = reply.json()
    assert (new["expires_in"], new["refresh_token_expires_in"]) == (300, 604800)
    fake.advance_clock(300)
    assert_invalid_token(await with_bearer(session, new["access_token"]))
    fake.advance_clock(604800 - 300)
    assert_invalid_grant(await post_token(session, refresh_params(new["refresh_token"])))


async def test_a_bad_expires_in_answers_400_invalid_request(
    fake: FakeZendesk, session: ClientSession
) -> None:
    for bad in (0, -5, "soon", True, 1.5):
        reply = await post_token(session, {**CLIENT_CREDENTIALS, "expires_in": bad})
        assert reply.status == 400, bad
        assert reply.json()["error"] == "invalid_request", bad


async def test_ttl_changes_apply_to_tokens_issued_afterwards(
    fake: FakeZendesk, session: ClientSession
) -> None:
    before = fake.issue_oauth_tokens(CLIENT_ID)
    fake.access_token_ttl = 10
    after = fake.issue_oauth_tokens(CLIENT_ID)

    fake.advance_clock(10)

    assert (await with_bearer(session, before["access_token"])).status == 200
    assert_invalid_token(await with_bearer(session, after["access_token"]))


async def test_the_token_clock_also_follows_real_time(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.access_token_ttl = 0.05
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    assert issued["expires_in"] == 0.05

    await asyncio.sleep(0.1)

    assert_invalid_token(await with_bearer(session, issued["access_token"]))


async def test_clock_and_ttl_settings_refuse_nonsense(fake: FakeZendesk) -> None:
    with pytest.raises(ValueError, match="forward"):
        fake.advance_clock(-1)
    with pytest.raises(ValueError, match="access_token_ttl"):
        fake.access_token_ttl = -1
    with pytest.raises(ValueError, match="refresh_token_ttl"):
        fake.refresh_token_ttl = float("inf")
    with pytest.raises(KeyError, match="add_oauth_client"):
        fake.issue_oauth_tokens("nobody")
    with pytest.raises(ValueError, match="empty"):
        fake.add_oauth_client("x", "")
    assert (fake.access_token_ttl, fake.refresh_token_ttl) == (7200.0, 2592000.0)


# --- revocation -------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["access_token", "refresh_token"])
async def test_revoking_either_token_kills_the_pair(
    fake: FakeZendesk, session: ClientSession, which: str
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    untouched = fake.issue_oauth_tokens(CLIENT_ID)

    fake.revoke_oauth_token(issued[which])

    assert_invalid_token(await with_bearer(session, issued["access_token"]))
    assert_invalid_grant(await post_token(session, refresh_params(issued["refresh_token"])))
    assert (await with_bearer(session, untouched["access_token"])).status == 200
    fake.revoke_oauth_token(issued[which])  # again: harmless


async def test_revoking_a_client_credentials_token_kills_it(
    fake: FakeZendesk, session: ClientSession
) -> None:
    token = (await post_token(session, CLIENT_CREDENTIALS)).json()["access_token"]

    fake.revoke_oauth_token(token)

    assert_invalid_token(await with_bearer(session, token))


async def test_revoking_a_token_the_fake_never_issued_is_a_key_error(fake: FakeZendesk) -> None:
    with pytest.raises(KeyError):
        fake.revoke_oauth_token("never-issued")
    with pytest.raises(KeyError):
        fake.revoke_oauth_token(STATIC)


# --- API authentication -----------------------------------------------------------------


async def test_the_static_oauth_token_still_works(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.advance_clock(10**9)

    assert (await with_bearer(session, STATIC)).status == 200
    assert (await get_ivrs(session, f"bearer {STATIC}")).status == 200


async def test_unknown_bearer_tokens_keep_the_plain_401(
    fake: FakeZendesk, session: ClientSession
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)

    for authorization in (
        "Bearer never-issued",
        "Bearer ",
        # A refresh token is not an access token, so it is merely unknown to the API.
        f"Bearer {issued['refresh_token']}",
    ):
        reply = await get_ivrs(session, authorization)
        assert reply.status == 401, authorization
        assert reply.json() == NOT_AUTHENTICATED, authorization
        assert reply.headers["WWW-Authenticate"] == 'Basic realm="Web Password"'


async def test_issued_tokens_work_when_the_static_token_is_off() -> None:
    async with (
        await FakeZendesk.start(oauth_token=None) as fake,
        ClientSession(base_url=fake.url) as session,
    ):
        fake.add_oauth_client(CLIENT_ID, CLIENT_SECRET)
        issued = fake.issue_oauth_tokens(CLIENT_ID)

        assert (await with_bearer(session, issued["access_token"])).status == 200
        assert (await with_bearer(session, STATIC)).json() == NOT_AUTHENTICATED


async def test_faults_and_rate_limits_come_before_the_token_check(
    fake: FakeZendesk, session: ClientSession
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    fake.revoke_oauth_token(issued["access_token"])
    fake.fail_next(503, path="^/api/")
    fake.fail_next(502, path="^/oauth/")

    assert (await with_bearer(session, issued["access_token"])).status == 503
    assert (await post_token(session, CLIENT_CREDENTIALS)).status == 502
    assert fake.token_grants == []
    fake.rate_limit(1)
    assert_invalid_token(await with_bearer(session, issued["access_token"]))
    assert (await with_bearer(session, issued["access_token"])).status == 429
    assert [r.path for r in fake.requests] == [IVRS, TOKENS, IVRS, IVRS]


# --- the grant log ----------------------------------------------------------------------


async def test_token_grants_logs_every_token_request_in_order(
    fake: FakeZendesk, session: ClientSession
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)

    await post_token(session, refresh_params(issued["refresh_token"]))
    await post_token(session, refresh_params(issued["refresh_token"]), form=True)
    await post_token(session, {**CLIENT_CREDENTIALS, "client_secret": "wrong"})
    await post_token(session, {**CLIENT_CREDENTIALS, "client_id": OTHER_ID}, form=True)
    await post_token(session, {"grant_type": "password", "client_id": CLIENT_ID})
    await post_token(session, {"grant_type": "client_credentials", "client_id": 7})
    await post_token(session, CLIENT_CREDENTIALS)

    assert fake.token_grants == [
        OAuthGrant("refresh_token", CLIENT_ID, ok=True, error=None),
        OAuthGrant("refresh_token", CLIENT_ID, ok=False, error="invalid_grant"),
        OAuthGrant("client_credentials", CLIENT_ID, ok=False, error="invalid_client"),
        OAuthGrant("client_credentials", OTHER_ID, ok=False, error="invalid_client"),
        OAuthGrant("password", CLIENT_ID, ok=False, error="unsupported_grant_type"),
        OAuthGrant("client_credentials", None, ok=False, error="invalid_request"),
        OAuthGrant("client_credentials", CLIENT_ID, ok=True, error=None),
    ]
    assert [r.path for r in fake.requests] == [TOKENS] * 7
    # A copy: changing it leaves the fake's log alone.
    fake.token_grants.clear()
    assert len(fake.token_grants) == 7
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fake.token_grants[0].ok = False  # type: ignore[misc]


# --- concurrency ------------------------------------------------------------------------


async def test_concurrent_use_of_one_refresh_token_succeeds_exactly_once(
    fake: FakeZendesk, session: ClientSession
) -> None:
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    # Latency holds every request in the pipeline at once before any is handled.
    fake.latency = 0.2

    replies = await asyncio.gather(
        *(post_token(session, refresh_params(issued["refresh_token"])) for _ in range(200))
    )

    fake.latency = 0
    assert fake.max_in_flight > 100
    winners = [reply for reply in replies if reply.status == 200]
    assert len(winners) == 1
    for reply in replies:
        if reply.status != 200:
            assert_invalid_grant(reply)
    assert [grant.ok for grant in fake.token_grants].count(True) == 1
    assert len(fake.token_grants) == 200
    new = winners[0].json()
    assert (await with_bearer(session, new["access_token"])).status == 200
    assert_invalid_token(await with_bearer(session, issued["access_token"]))


async def test_two_hundred_concurrent_client_credentials_grants_all_get_distinct_tokens(
    fake: FakeZendesk, session: ClientSession
) -> None:
    fake.latency = 0.2

    replies = await asyncio.gather(
        *(post_token(session, CLIENT_CREDENTIALS, form=True) for _ in range(200))
    )

    fake.latency = 0
    assert [reply.status for reply in replies] == [200] * 200
    tokens = {reply.json()["access_token"] for reply in replies}
    assert len(tokens) == 200
    checks = await asyncio.gather(*(with_bearer(session, token) for token in tokens))
    assert [reply.status for reply in checks] == [200] * 200


# --- the pure module --------------------------------------------------------------------


def test_oauth_server_expires_tokens_by_the_monotonic_reading_plus_the_offset() -> None:
    server = OAuthServer(access_token_ttl=10)
    server.add_client(CLIENT_ID, CLIENT_SECRET)
    token = server.issue(CLIENT_ID, "read", monotonic=100.0)["access_token"]

    assert server.check_bearer(token, 109.9) == "valid"
    assert server.check_bearer(token, 110.0) == "invalid_token"
    server.advance_clock(5)
    assert server.check_bearer(token, 104.9) == "valid"
    assert server.check_bearer(token, 105.0) == "invalid_token"
    assert server.check_bearer("never-issued", 0) == "unknown"


def test_token_request_logs_and_raises_oauth_errors() -> None:
    server = OAuthServer()

    with pytest.raises(OAuthError) as caught:
        server.token_request(b"grant_type=client_credentials", FORM, 0)

    assert (caught.value.status, caught.value.error) == (400, "invalid_request")
    assert server.grants == [OAuthGrant("client_credentials", None, False, "invalid_request")]


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"grant_type": "x"}', "application/json", {"grant_type": "x"}),
        (b"grant_type=x&scope=a+b", FORM, {"grant_type": "x", "scope": "a b"}),
        (b"a=1&a=2", FORM, {"a": "2"}),
        (b' {"a": "1"}', "application/octet-stream", {"a": "1"}),
        (b"a=1", "text/plain", {"a": "1"}),
    ],
)
def test_parse_token_request_reads_json_and_forms(
    body: bytes, content_type: str, expected: dict[str, object]
) -> None:
    assert parse_token_request(body, content_type) == expected
