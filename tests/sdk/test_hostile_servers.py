"""
Hostile servers and bad input: every answer is bounded, every failure typed, nothing sent twice.

Each test runs a small aiohttp server of its own that misbehaves one way (or the fake, where it
can), and checks what that server saw, not the SDK's counters.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import zendesk_ivr
from zendesk_ivr import Attempt, Client, GroupOptions, OAuth
from zendesk_ivr._core.wire import transport
from zendesk_ivr.testing import FakeZendesk

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
IVRS = "/api/v2/channels/voice/ivr"
FAST = {"backoff_base": 0.001, "backoff_max": 0.01}


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[tuple[str, list[web.Request]]]:
    """A server answering every path with *handler*; yields its URL and the requests it got."""
    seen: list[web.Request] = []

    async def logged(request: web.Request) -> web.StreamResponse:
        seen.append(request)
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", logged)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/"), seen
    finally:
        await server.close()


def client_at(url: str, **kwargs: Any) -> Client:
    return Client(base_url=url, oauth_token="tok", **{**FAST, **kwargs})


async def hang_up(request: web.Request) -> web.Response:
    """Close the connection with no answer: whatever the request did, its answer is lost."""
    assert request.transport is not None
    request.transport.close()
    return web.Response()  # aiohttp cannot send it and drops it


# --- 1. The body cap bounds decoded bytes --------------------------------------------------------


async def test_a_gzip_bomb_is_refused_at_the_decoded_size_cap() -> None:
    inflated = b'{"ivr": {"id": 1, "name": "' + b"a" * (16 * 1024 * 1024) + b'"}}'
    bomb = gzip.compress(inflated)
    assert len(bomb) < 64 * 1024  # well under the cap on the wire

    async def handler(_: web.Request) -> web.Response:
        return web.Response(
            body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    async with serve(handler) as (url, seen), client_at(url, max_body_size=1024 * 1024) as client:
        with pytest.raises(zendesk_ivr.ResponseTooLarge) as info:
            await client.ivrs.get(1)
    assert "cap" in str(info.value)
    assert len(seen) == 1  # over the cap is not retried


async def test_a_gzipped_body_under_the_cap_still_reads() -> None:
    async def handler(_: web.Request) -> web.Response:
        body = gzip.compress(json.dumps({"ivr": {"id": 7, "name": "Zipped"}}).encode())
        return web.Response(
            body=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    async with serve(handler) as (url, _seen), client_at(url, max_body_size=1024) as client:
        assert (await client.ivrs.get(7)).name == "Zipped"


# --- 2. Only the SDK resends -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_max_retries_zero_puts_exactly_one_request_on_the_wire(method: str) -> None:
    async with serve(hang_up) as (url, seen), client_at(url, max_retries=0) as client:
        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "GET": lambda: client.ivrs.get(1),
            "PUT": lambda: client.ivrs.update(1, name="x"),
            "DELETE": lambda: client.ivrs.delete(1),
        }
        with pytest.raises(zendesk_ivr.TransportError) as info:
            await calls[method]()
    assert [r.method for r in seen] == [method]
    assert info.value.request_sent is True
    assert info.value.attempts == 1


async def test_without_aiohttps_session_switch_a_middleware_sends_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Should aiohttp drop the session setting the client turns its resend off with, every
    # request of the client's own session gets the middleware that lets a request out once.
    monkeypatch.setattr(transport, "_CAN_TURN_RESEND_OFF", False)
    async with serve(hang_up) as (url, seen), client_at(url, max_retries=0) as client:
        with pytest.raises(zendesk_ivr.TransportError):
            await client.ivrs.get(1)
    assert [r.method for r in seen] == ["GET"]


async def test_each_sdk_attempt_is_one_request_on_the_wire() -> None:
    attempts: list[Attempt] = []
    async with (
        serve(hang_up) as (url, seen),
        client_at(url, max_retries=3, on_attempt=attempts.append) as client,
    ):
        with pytest.raises(zendesk_ivr.TransportError) as info:
            await client.ivrs.update(1, name="x")
    assert len(seen) == 4
    assert info.value.attempts == 4
    assert len(attempts) == 4
    assert client.requests_sent == 4


async def test_a_callers_session_keeps_its_middlewares_and_sends_once() -> None:
    async def tag(
        request: aiohttp.ClientRequest,
        handler: Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]],
    ) -> aiohttp.ClientResponse:
        request.headers["X-Mine"] = "yes"
        return await handler(request)

    async with (
        serve(hang_up) as (url, seen),
        aiohttp.ClientSession(middlewares=(tag,)) as session,
        client_at(url, max_retries=1, session=session) as client,
    ):
        with pytest.raises(zendesk_ivr.TransportError):
            await client.ivrs.get(1)
    assert [r.headers.get("X-Mine") for r in seen] == ["yes", "yes"]  # two SDK attempts


async def test_a_delete_carried_out_whose_answer_was_lost_is_done() -> None:
    deleted: set[str] = set()

    async def handler(request: web.Request) -> web.Response:
        if request.path in deleted:
            return web.json_response({"error": "RecordNotFound"}, status=404)
        deleted.add(request.path)  # carried out ...
        return await hang_up(request)  # ... and its answer lost

    async with serve(handler) as (url, seen), client_at(url) as client:
        await client.ivrs.delete(5)  # the SDK saw the loss, so its own retry's 404 means done
    assert [r.method for r in seen] == ["DELETE", "DELETE"]


# --- 3. Page cycles and endless listings ------------------------------------------------------


def pager(next_of: Callable[[int], int | None], *, stop_after: int = 300) -> Handler:
    """
    Pages of one IVR each; page n links to page next_of(n). The link is null from the
    *stop_after*-th request on, so that a client without the guards still ends (and fails).
    """
    served = 0

    async def handler(request: web.Request) -> web.Response:
        nonlocal served
        served += 1
        page = int(request.query.get("page", "1"))
        following = next_of(page) if served < stop_after else None
        link = None if following is None else str(request.url.update_query(page=following))
        return web.json_response(
            {"ivrs": [{"id": page, "name": f"IVR {page}"}], "next_page": link, "count": None}
        )

    return handler


async def _drain_items(client: Client) -> list[int]:
    return [ivr.id async for ivr in client.ivrs.list()]


async def _drain_pages(client: Client) -> list[int]:
    return [len(page.items) async for page in client.ivrs.pages()]


LISTINGS: dict[str, Callable[[Client], Awaitable[object]]] = {
    "list": _drain_items,
    "pages": _drain_pages,
    "walk": lambda c: c.walk(),
}


async def test_a_repeated_header_reads_as_its_last_value_everywhere() -> None:
    # A proxy that adds its own copy of a header: the error's headers, its Retry-After and its
    # request id must agree on which one counts.
    async def twice(request: web.Request) -> web.Response:
        response = web.Response(status=429, text="Too Many Requests")
        for name, value in [
            ("Retry-After", "1"),
            ("retry-after", "120"),
            ("X-Request-Id", "first"),
            ("X-Request-Id", "second"),
        ]:
            response.headers.add(name, value)
        return response

    async with serve(twice) as (url, _seen), client_at(url, max_retries=0) as client:
        with pytest.raises(zendesk_ivr.RateLimited) as info:
            await client.ivrs.get(1)

    error = info.value
    assert (error.retry_after, error.request_id) == (120, "second")
    assert (error.headers["retry-after"], error.headers["x-request-id"]) == ("120", "second")


@pytest.mark.parametrize("how", list(LISTINGS))
@pytest.mark.parametrize(
    ("cycle", "requests"),
    [
        # The first page is asked for without page=, so the cycles start from page 2.
        (lambda n: 3 if n == 2 else 2, 3),  # 1 -> 2 -> 3 -> 2
        (lambda n: n + 1 if n < 4 else 2, 4),  # 1 -> 2 -> 3 -> 4 -> 2
        (lambda n: n + 1 if n < 10 else 5, 10),  # 1 -> ... -> 10 -> 5
    ],
    ids=["2-cycle", "3-cycle", "tail-and-loop"],
)
async def test_a_next_page_cycle_of_any_length_is_refused(
    how: str, cycle: Callable[[int], int], requests: int
) -> None:
    async with serve(pager(cycle)) as (url, seen), client_at(url) as client:
        with pytest.raises(zendesk_ivr.PaginationError, match="already read"):
            await LISTINGS[how](client)
    assert len(seen) == requests


@pytest.mark.parametrize("how", list(LISTINGS))
async def test_an_endless_listing_stops_at_max_pages(how: str) -> None:
    async with serve(pager(lambda n: n + 1)) as (url, seen), client_at(url, max_pages=40) as client:
        with pytest.raises(zendesk_ivr.PaginationError, match="40 pages"):
            await LISTINGS[how](client)
    assert len(seen) == 40


async def test_a_listing_of_exactly_max_pages_completes() -> None:
    handler = pager(lambda n: n + 1, stop_after=40)
    async with serve(handler) as (url, seen), client_at(url, max_pages=40) as client:
        assert await _drain_items(client) == list(range(1, 41))
    assert len(seen) == 40


def test_max_pages_must_be_a_positive_integer() -> None:
    with pytest.raises(zendesk_ivr.ConfigurationError, match="max_pages"):
        Client(base_url="http://127.0.0.1:1", oauth_token="t", max_pages=0)


# --- 6. Deep JSON -----------------------------------------------------------------------------

DEEP = "[" * 100_000


@pytest.mark.parametrize("status", [200, 500])
async def test_deeply_nested_json_is_a_typed_error(status: int) -> None:
    async def handler(_: web.Request) -> web.Response:
        return web.Response(text=DEEP, status=status, content_type="application/json")

    async with serve(handler) as (url, _seen), client_at(url, max_retries=0) as client:
        expected = zendesk_ivr.DecodeError if status == 200 else zendesk_ivr.ServerError
        with pytest.raises(expected) as info:
            await client.ivrs.get(1)
    assert info.value.__cause__ is None


# --- 7. Malformed links -----------------------------------------------------------------------

BAD_LINKS = ["http://a\\@b/", "http://[::1", "http://127.0.0.1:99999/x", "http://xn--/"]


@pytest.mark.parametrize("link", BAD_LINKS)
async def test_a_malformed_next_page_is_a_pagination_error(link: str) -> None:
    async def handler(_: web.Request) -> web.Response:
        return web.json_response({"ivrs": [{"id": 1, "name": "a"}], "next_page": link})

    async with serve(handler) as (url, seen), client_at(url) as client:
        with pytest.raises(zendesk_ivr.PaginationError) as info:
            await _drain_items(client)
    assert len(seen) == 1
    assert info.value.__cause__ is None


@pytest.mark.parametrize("link", BAD_LINKS)
async def test_a_malformed_start_link_is_a_pagination_error_and_sends_nothing(
    zendesk_fake: FakeZendesk, link: str
) -> None:
    async with client_at(zendesk_fake.url) as client:
        with pytest.raises(zendesk_ivr.PaginationError):
            await client.ivrs.pages(start=link).__anext__()
    assert zendesk_fake.requests == []


# --- 8, 9. Secrets in configuration -----------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    ["htps://u:SECRET@host", "//u:SECRET@host/", "http://u:SECRET@[::1", "ftp://u:SECRET@h/"],
)
def test_a_base_url_password_is_never_echoed(base_url: str) -> None:
    with pytest.raises(zendesk_ivr.ConfigurationError) as info:
        Client(base_url=base_url, oauth_token="t")
    assert "SECRET" not in str(info.value)
    assert info.value.__context__ is None or "SECRET" not in str(info.value.__context__)


@pytest.mark.parametrize("token", ["SECRET\r\nX-Injected: 1", "SECRET\n", "\rSECRET", "SE\x00CRET"])
def test_a_token_with_a_line_break_is_refused_up_front_and_not_echoed(token: str) -> None:
    with pytest.raises(zendesk_ivr.ConfigurationError) as info:
        Client(base_url="http://127.0.0.1:1", oauth_token=token)
    assert "SECRET" not in str(info.value)
    with pytest.raises(zendesk_ivr.ConfigurationError) as info:
        OAuth(client_id="c", access_token=token, refresh_token="r")
    assert "SE" not in str(info.value)


def token_endpoint(
    tokens: list[dict[str, object]], *, page_links: int = 0
) -> tuple[Handler, list[str]]:
    """/oauth/tokens hands out *tokens* in turn; the IVR listing runs *page_links* pages."""
    grants: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/oauth/tokens":
            grants.append((await request.json())["grant_type"])
            return web.json_response(tokens[min(len(grants), len(tokens)) - 1])
        page = int(request.query.get("page", "1"))
        link = str(request.url.update_query(page=page + 1)) if page < page_links else None
        return web.json_response({"ivrs": [{"id": page, "name": "a"}], "next_page": link})

    return handler, grants


async def test_an_access_token_with_a_line_break_from_the_server_is_refused() -> None:
    secret = "evil\r\nX-Injected: 1"
    handler, grants = token_endpoint([{"access_token": secret, "expires_in": 3600}])
    oauth = OAuth(client_id="c", client_secret="s", refresh_token="r")
    async with serve(handler) as (url, seen), Client(base_url=url, oauth=oauth) as client:
        with pytest.raises(zendesk_ivr.AuthenticationError) as info:
            await client.ivrs.get(1)
    assert "evil" not in str(info.value)
    assert "control characters" in str(info.value)
    assert [r.path for r in seen] == ["/oauth/tokens"]  # the IVR request never went out
    assert grants == ["refresh_token"]


# --- 10. Input checked before sending ---------------------------------------------------------


@pytest.mark.parametrize("keypress", ["10", "a", "", "\n", None, 1])
async def test_a_keypress_off_the_phone_pad_is_refused_unsent(
    zendesk_fake: FakeZendesk, keypress: Any
) -> None:
    async with client_at(zendesk_fake.url) as client:
        with pytest.raises(zendesk_ivr.InvalidArgument, match="keypress"):
            await client.routes.create(1, 2, keypress=keypress, options=GroupOptions(group_ids=[1]))
        with pytest.raises(zendesk_ivr.InvalidArgument, match="keypress"):
            await client.routes.update(1, 2, 3, keypress=keypress)
    assert zendesk_fake.requests == []


@pytest.mark.parametrize(
    "options",
    [
        {"group_ids": [1], "weight": math.nan},
        {"group_ids": [1], "weight": math.inf},
        GroupOptions(group_ids=[1], extra={"weight": -math.inf}),
        {"group_ids": [object()]},
    ],
)
async def test_options_json_cannot_hold_are_refused_unsent(
    zendesk_fake: FakeZendesk, options: Any
) -> None:
    async with client_at(zendesk_fake.url) as client:
        with pytest.raises(zendesk_ivr.InvalidArgument, match="JSON"):
            await client.routes.create(1, 2, keypress="1", action="group", options=options)
    assert zendesk_fake.requests == []


async def test_overflow_options_json_cannot_hold_are_refused_unsent(
    zendesk_fake: FakeZendesk,
) -> None:
    async with client_at(zendesk_fake.url) as client:
        with pytest.raises(zendesk_ivr.InvalidArgument):
            await client.routes.update(1, 2, 3, overflow_options=[object()])
    assert zendesk_fake.requests == []


@pytest.mark.parametrize(
    "ivr_id",
    [10**5000, -(10**5000), 2**63, 0, -1],
    ids=["10**5000", "-10**5000", "2**63", "0", "-1"],
)
async def test_an_id_no_zendesk_id_can_be_is_refused_unsent(
    zendesk_fake: FakeZendesk, ivr_id: int
) -> None:
    async with client_at(zendesk_fake.url) as client:
        with pytest.raises(zendesk_ivr.InvalidArgument, match="64-bit"):
            await client.ivrs.get(ivr_id)
    assert zendesk_fake.requests == []


@pytest.mark.parametrize("bad_id", [-1, 0, 2**80, 2**63])
@pytest.mark.parametrize("where", ["ivr", "menu", "route", "group_ids", "greeting_id"])
async def test_ids_from_the_server_out_of_range_are_decode_errors(bad_id: int, where: str) -> None:
    ids = {"ivr": 1, "menu": 2, "route": 3, "group_ids": 4, "greeting_id": 5} | {where: bad_id}
    route = {
        "id": ids["route"],
        "keypress": "1",
        "action": "group",
        "options": {"group_ids": [ids["group_ids"]]},
    }
    ivr = {
        "id": ids["ivr"],
        "name": "a",
        "menus": [
            {"id": ids["menu"], "name": "m", "greeting_id": ids["greeting_id"], "routes": [route]}
        ],
    }

    async def handler(_: web.Request) -> web.Response:
        return web.json_response({"ivr": ivr})

    async with serve(handler) as (url, _seen), client_at(url) as client:
        with pytest.raises(zendesk_ivr.DecodeError, match="id"):
            await client.ivrs.get(1)


# --- 11. Short-lived OAuth tokens -------------------------------------------------------------


@pytest.mark.parametrize("expires_in", [30, 1, 0, -100])
async def test_short_lived_tokens_are_not_refreshed_for_every_request(expires_in: int) -> None:
    handler, grants = token_endpoint(
        [{"access_token": "a1", "refresh_token": "r1", "expires_in": expires_in}], page_links=20
    )
    oauth = OAuth(client_id="c", client_secret="s", refresh_token="r0", refresh_margin=60)
    async with serve(handler) as (url, seen), Client(base_url=url, oauth=oauth) as client:
        assert len(await _drain_items(client)) == 20
    assert grants == ["refresh_token"]  # the first token, and no rotation after it
    assert sum(1 for r in seen if r.path == IVRS) == 20


async def test_a_short_lived_token_is_refreshed_at_half_its_lifetime() -> None:
    now = [1_000.0]
    handler, grants = token_endpoint(
        [{"access_token": f"a{n}", "refresh_token": f"r{n}", "expires_in": 30} for n in (1, 2)]
    )
    oauth = OAuth(
        client_id="c",
        client_secret="s",
        refresh_token="r0",
        refresh_margin=60,
        clock=lambda: now[0],
    )
    async with serve(handler) as (url, seen), Client(base_url=url, oauth=oauth) as client:
        await _drain_items(client)
        now[0] += 14  # 16 s of 30 left: still over half
        await _drain_items(client)
        assert len(grants) == 1
        now[0] += 2  # 14 s left: under half, so refreshed before sending
        await _drain_items(client)
    assert len(grants) == 2
    auth = [r.headers["Authorization"] for r in seen if r.path.startswith(IVRS)]
    assert auth == ["Bearer a1", "Bearer a1", "Bearer a2"]


# --- 12. No secret in the frames a transport error passes through -----------------------------


async def garbage(request: web.Request) -> web.Response:
    """An answer aiohttp cannot parse, after reading the request."""
    assert request.transport is not None
    request.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n")
    request.transport.close()
    return web.Response()


@pytest.mark.parametrize("scheme", ["oauth_token", "api_token", "oauth"])
async def test_no_frame_a_transport_error_passes_through_holds_the_secret(scheme: str) -> None:
    secret = "very-secret-token-9f2c"

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/oauth/tokens":
            return web.json_response({"access_token": secret, "expires_in": 3600})
        return await garbage(request)

    schemes: dict[str, dict[str, Any]] = {
        "oauth_token": {"oauth_token": secret},
        "api_token": {"email": "a@b.c", "api_token": secret},
        "oauth": {"oauth": OAuth(client_id="c", client_secret="s", refresh_token="r")},
    }
    settings = schemes[scheme]
    async with (
        serve(handler) as (url, _seen),
        Client(base_url=url, max_retries=0, **settings) as client,
    ):
        with pytest.raises(zendesk_ivr.TransportError) as info:
            await client.ivrs.get(1)

    forms = [secret, base64.b64encode(f"a@b.c/token:{secret}".encode()).decode()]
    frames = 0
    assert info.value.__traceback__ is not None
    tb = info.value.__traceback__.tb_next  # past this test's own frame, which has the secret
    while tb is not None:
        frames += 1
        for name, value in tb.tb_frame.f_locals.items():
            shown = repr(value)
            for form in forms:
                assert form not in shown, f"{tb.tb_frame.f_code.co_qualname}: {name}"
        tb = tb.tb_next
    assert frames >= 4  # the test, the resource, the requester's frames, the transport
