"""
No error quotes a secret the client holds, whatever a server echoes back: the credentials of
every scheme, in every form they travel in, against JSON, text and HTML error bodies, in the
error's text, its attributes, the chain behind it and the log records of an application that
logs it.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Literal

import pytest
from aiohttp import web
from yarl import URL

import zendesk_ivr
from tests.sdk.test_hostile_servers import serve
from zendesk_ivr import Client, OAuth
from zendesk_ivr._core.auth import secrets
from zendesk_ivr._core.auth.credentials import ApiToken
from zendesk_ivr._core.reading.responses import Response, decode_error, error_for
from zendesk_ivr.testing import FakeZendesk

EMAIL = "agent@example.com"
API_TOKEN = "tok-SECRET-4242"
# Characters that HTML and JSON escape, a colon (Basic's separator) and a non-ASCII letter.
PASSWORD = "pw-SECRET:<w&rd/ö>"
OAUTH_TOKEN = "oauth-SECRET-77aa"
CLIENT_ID = "ivr-audit-job"
CLIENT_SECRET = "client-SECRET-5f1e"
REDACTED = "[redacted]"

Kind = Literal["json", "text", "html"]
KINDS: list[Kind] = ["json", "text", "html"]
SCHEMES = ["api_token", "password", "oauth_token", "oauth", "oauth_token_endpoint"]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def basic_forms(userpass: str, secret: str) -> list[str]:
    return [secret, userpass, b64(userpass), f"Basic {b64(userpass)}"]


def unsafe_texts(error: BaseException) -> list[str]:
    """Everything an error shows: its text, repr and attributes, and those of its chain."""
    texts: list[str] = []
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        texts += [str(current), repr(current), repr(vars(current))]
        for name in ("error", "description", "details", "body", "headers", "errors"):
            texts.append(repr(getattr(current, name, None)))
        current = current.__cause__ or current.__context__
    return texts


def assert_hidden(texts: list[str], forms: list[str]) -> None:
    for form in forms:
        assert form
        leaks = [text for text in texts if form in text]
        assert leaks == [], f"{form!r} shown"


@contextlib.asynccontextmanager
async def fake_accepting_every_secret() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start(
        email=EMAIL, api_token=API_TOKEN, password=PASSWORD, oauth_token=OAUTH_TOKEN
    ) as server:
        server.add_oauth_client(CLIENT_ID, CLIENT_SECRET)
        server.seed(1)
        yield server


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with fake_accepting_every_secret() as server:
        yield server


def client_for(fake: FakeZendesk, scheme: str) -> tuple[Client, Callable[[], list[str]]]:
    """A client of *scheme* and, called once it has run, every form of every secret it held."""
    if scheme == "api_token":
        client = Client(base_url=fake.url, email=EMAIL, api_token=API_TOKEN, max_retries=0)
        return client, lambda: basic_forms(f"{EMAIL}/token:{API_TOKEN}", API_TOKEN)
    if scheme == "password":
        with pytest.warns(DeprecationWarning, match="password"):
            client = Client(base_url=fake.url, email=EMAIL, password=PASSWORD, max_retries=0)
        forms = basic_forms(f"{EMAIL}:{PASSWORD}", PASSWORD)
        return client, lambda: [*forms, html.escape(PASSWORD), json.dumps(PASSWORD)[1:-1]]
    if scheme == "oauth_token":
        client = Client(base_url=fake.url, oauth_token=OAUTH_TOKEN, max_retries=0)
        return client, lambda: [OAUTH_TOKEN]
    # Refreshing OAuth, from a refresh token alone: the first request rotates the pair.
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    oauth = OAuth(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token=issued["refresh_token"]
    )

    def held() -> list[str]:
        rotated = [] if oauth.tokens is None else [oauth.tokens.access_token]
        if oauth.tokens is not None and oauth.tokens.refresh_token:
            rotated.append(oauth.tokens.refresh_token)
        return [CLIENT_SECRET, issued["access_token"], issued["refresh_token"], *rotated]

    return Client(base_url=fake.url, oauth=oauth, max_retries=0), held


def echo_path(scheme: str) -> str:
    return "^/oauth/tokens" if scheme == "oauth_token_endpoint" else "^/api/"


# --- every scheme, every body kind -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scheme", SCHEMES)
async def test_an_error_echoing_the_request_shows_no_secret(
    fake: FakeZendesk, scheme: str, kind: Kind, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    status = 400 if scheme == "oauth_token_endpoint" else 403
    fake.fail_next(status, echo=kind, path=echo_path(scheme))
    client, held = client_for(fake, scheme)
    async with client:
        try:
            await client.ivrs.get(fake.ivr_ids()[0])
        except zendesk_ivr.APIError as caught:
            logging.getLogger("tests.app").exception("the IVR could not be read")
            error = caught
        else:
            pytest.fail("the echo fault was not raised")

    texts = unsafe_texts(error)
    assert any(REDACTED in text for text in texts)  # the server did quote a secret
    assert_hidden(texts, held())
    assert_hidden([caplog.text, *(r.getMessage() for r in caplog.records)], held())
    if scheme != "oauth_token_endpoint":
        assert REDACTED in str(error)  # the message quotes what the server said, scrubbed
        assert error.status == 403


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scheme", ["api_token", "password", "oauth_token", "oauth"])
async def test_a_200_echoing_the_request_is_a_decode_error_showing_no_secret(
    fake: FakeZendesk, scheme: str, kind: Kind
) -> None:
    fake.fail_next(200, echo=kind, path=echo_path(scheme))
    client, held = client_for(fake, scheme)
    async with client:
        with pytest.raises(zendesk_ivr.DecodeError) as info:
            await client.ivrs.get(fake.ivr_ids()[0])

    texts = unsafe_texts(info.value)
    assert info.value.body is not None
    assert REDACTED in info.value.body
    assert_hidden(texts, held())


async def test_the_pair_before_a_rotation_stays_hidden(fake: FakeZendesk) -> None:
    # A request sent with the old access token may be answered after the rotation.
    issued = fake.issue_oauth_tokens(CLIENT_ID)
    oauth = OAuth(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token=issued["refresh_token"]
    )
    async with Client(base_url=fake.url, oauth=oauth) as client:
        await client.ivrs.get(fake.ivr_ids()[0])
        assert oauth.tokens is not None
        before = oauth.tokens
        fake.advance_clock(fake.access_token_ttl + 1)
        await client.ivrs.get(fake.ivr_ids()[0])

    assert oauth.tokens is not None
    assert oauth.tokens.access_token != before.access_token
    old = f"{before.access_token} {before.refresh_token}"
    assert oauth.scrub(old) == "[redacted] [redacted]"


async def test_tokens_are_hidden_as_they_rotate(fake: FakeZendesk) -> None:
    client, held = client_for(fake, "oauth")
    async with client:
        await client.ivrs.get(fake.ivr_ids()[0])  # the first pair, refreshed once
        fake.advance_clock(fake.access_token_ttl + 1)
        await client.ivrs.get(fake.ivr_ids()[0])  # the 401 refreshes again: a third pair
        fake.fail_next(403, echo="json", path="^/api/")
        with pytest.raises(zendesk_ivr.PermissionDenied) as info:
            await client.ivrs.get(fake.ivr_ids()[0])

    tokens = [r.header("Authorization") for r in fake.requests if r.path.startswith("/api/")]
    assert len(set(tokens)) == 2  # two access tokens were sent
    assert_hidden(unsafe_texts(info.value), [*held(), *(t or "" for t in tokens)])


# --- the mechanism: what is a form of a secret, where the scrub applies -------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "pw-SECRET:<w&rd/ö>",  # as sent
        "pw-SECRET:<w&rd/\\u00f6>",  # JSON, ASCII only
        "pw-SECRET:<w&rd\\/\\u00f6>",  # JSON with escaped slashes
        "pw-SECRET:<w&rd\\/ö>",
        "pw-SECRET:&lt;w&amp;rd/ö&gt;",  # HTML
        "pw-SECRET%3A%3Cw%26rd%2F%C3%B6%3E",  # percent-encoded
    ],
)
def test_every_spelling_of_a_secret_is_scrubbed(spelling: str) -> None:
    assert secrets.scrub(f"a {spelling} b", [PASSWORD]) == "a [redacted] b"


def test_a_token_long_secret_is_scrubbed_even_glued_to_other_text() -> None:
    assert secrets.scrub(f"id{API_TOKEN}x", [API_TOKEN]) == "id[redacted]x"


def test_a_short_secret_is_scrubbed_only_where_it_stands_apart() -> None:
    # Test suites use secrets such as "t": "Not found" must stay readable.
    assert (
        secrets.scrub("Not found; token t (t)", ["t"]) == "Not found; token [redacted] ([redacted])"
    )


def test_a_secret_that_begins_another_does_not_leave_the_rest_of_it() -> None:
    assert secrets.scrub("x abc-123 y", ["abc", "abc-123"]) == "x [redacted] y"


def test_an_api_token_is_known_in_every_form_it_travels_in() -> None:
    auth = ApiToken(EMAIL, API_TOKEN)
    header = f"Basic {b64(f'{EMAIL}/token:{API_TOKEN}')}"
    assert auth.scrub(f"had {header}; decoded {EMAIL}/token:{API_TOKEN}") == (
        "had [redacted]; decoded [redacted]"
    )


def echoing(body: bytes, content_type: str, **headers: str) -> Response:
    return Response(
        method="GET",
        url=URL("https://acme.zendesk.com/api/v2/channels/voice/ivr/1"),
        status=403,
        headers={"content-type": content_type, **headers},
        body=body,
        scrub=ApiToken(EMAIL, API_TOKEN).scrub,
    )


def test_a_secret_astride_the_quoted_texts_cut_is_scrubbed_before_the_cut() -> None:
    filler = "x" * 1995  # the quoted body stops at 2,000 characters, in the token
    error = error_for(echoing(f"{filler}{API_TOKEN} tail".encode(), "text/plain"), now=0)
    assert error.body == f"{filler}[reda"
    assert API_TOKEN[:5] not in error.body


def test_the_request_id_and_headers_are_scrubbed() -> None:
    response = echoing(b"{}", "application/json", **{"x-request-id": f"rid {API_TOKEN}"})
    error = error_for(response, now=0)
    assert error.request_id == "rid [redacted]"
    assert error.headers["x-request-id"] == "rid [redacted]"
    assert API_TOKEN not in str(error)


def test_a_decode_errors_problem_and_errors_are_scrubbed() -> None:
    response = echoing(f"<p>{API_TOKEN}</p>".encode(), "text/html")
    error = decode_error(response, f"count is {API_TOKEN!r}", (f"$.count: {API_TOKEN}",))
    assert API_TOKEN not in str(error)
    assert error.errors == ("$.count: [redacted]",)
    assert error.body == "<p>[redacted]</p>"


async def test_the_request_id_of_a_token_answer_is_scrubbed_in_an_oauth_refusal() -> None:
    # A 200 without an access token, its request id echoing the form: the refusal quotes only
    # the request id, scrubbed.
    async def handler(request: web.Request) -> web.Response:
        form = await request.json()
        return web.json_response({}, headers={"x-request-id": form["client_secret"]})

    oauth = OAuth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token="r-SECRET-1")
    async with serve(handler) as (url, _seen), Client(base_url=url, oauth=oauth) as client:
        with pytest.raises(zendesk_ivr.AuthenticationError, match="no access_token") as info:
            await client.ivrs.get(1)

    assert info.value.request_id == REDACTED
    assert_hidden(unsafe_texts(info.value), [CLIENT_SECRET, "r-SECRET-1"])
