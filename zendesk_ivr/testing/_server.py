"""
`FakeZendesk`: a real HTTP server on a free local port that plays Zendesk Talk.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Literal

import attrs
from aiohttp import web
from yarl import URL

from ._app import make_app
from ._faults import (
    DEFAULT_PLAN_LIMIT,
    DEFAULT_WINDOW,
    Credentials,
    DelayFault,
    DropFault,
    Echo,
    Fault,
    RateWindow,
    RecordedRequest,
    TruncateFault,
    echo_fault,
    status_fault,
)
from ._greetings import BUILT_IN_GREETING_IDS
from ._render import render_ivr
from ._seeding import seed_ivrs
from ._server_oauth import OAuthControls
from ._state import IVR_GREETING_CATEGORY, FakeState


@attrs.define(eq=False)
class FakeZendesk(OAuthControls):
    """
    A fake Zendesk Talk IVR API for tests, started with `FakeZendesk.start`.

    It serves ``/api/v2/channels/voice/ivr`` with its menus and routes, and lists
    the groups (``/api/v2/groups``, by offset or cursor pages), greetings
    (``/api/v2/channels/voice/greetings``, the built-in ones with string ids beside the
    uploaded ones) and phone numbers (``/api/v2/channels/voice/phone_numbers``) they point at,
    all from memory. It checks credentials, paginates, and injects faults on request. It also
    plays Zendesk's OAuth token endpoint (``/oauth/tokens``) for clients registered with
    `add_oauth_client`, with tokens that expire on a clock the test can move with
    `advance_clock`.
    Close it with `aclose` or by using it as an async context manager.
    """

    _state: FakeState
    _runner: web.AppRunner | None
    _url: str

    @classmethod
    async def start(
        cls,
        *,
        email: str = "agent@example.com",
        api_token: str | None = "fake-api-token",
        password: str | None = "fake-password",
        oauth_token: str | None = "fake-oauth-token",
        host: str = "127.0.0.1",
        port: int = 0,
        max_page_size: int = 100,
        rate_limit: int | None = DEFAULT_PLAN_LIMIT,
        rate_limit_window: float = DEFAULT_WINDOW,
    ) -> FakeZendesk:
        """
        Start serving on *host*:*port*; port 0 picks a free one.

        Args:
            email, api_token, password, oauth_token: The credentials the fake
                accepts; a secret set to None turns its scheme off.
            max_page_size: The largest ``per_page``; larger values are clamped.
            rate_limit, rate_limit_window: The plan limit, *rate_limit* requests
                per window of *rate_limit_window* seconds (the High Volume plan's 2,500 a
                minute by default); None sends no rate-limit headers and refuses
                nothing. See `rate_limit`.
        """
        if max_page_size < 1:
            msg = f"max_page_size must be at least 1, got {max_page_size}"
            raise ValueError(msg)
        state = FakeState(
            Credentials(email, api_token, password, oauth_token),
            max_page_size=max_page_size,
            limiter=_window(rate_limit, rate_limit_window, None),
        )
        # A short shutdown timeout: a test that closes the fake mid-delay
        # shouldn't hang for aiohttp's default minute.
        runner = web.AppRunner(make_app(state), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        try:
            # Above aiohttp's 128, so a burst of a few hundred concurrent connections
            # (a test of atomic token rotation, say) isn't slowed by SYN retries.
            await web.TCPSite(runner, host, port, backlog=1024).start()
        except BaseException:
            await runner.cleanup()
            raise
        bound_port = runner.addresses[0][1]
        return cls(state, runner, str(URL.build(scheme="http", host=host, port=bound_port)))

    async def aclose(self) -> None:
        """Stop the server; closing twice is harmless."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeZendesk:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # configuration

    @property
    def url(self) -> str:
        """The server's root, such as ``http://127.0.0.1:53211``, without a trailing slash."""
        return self._url

    @property
    def email(self) -> str:
        return self._state.credentials.email

    @property
    def api_token(self) -> str | None:
        return self._state.credentials.api_token

    @property
    def password(self) -> str | None:
        return self._state.credentials.password

    @property
    def oauth_token(self) -> str | None:
        return self._state.credentials.oauth_token

    @property
    def latency(self) -> float:
        """Seconds the fake waits before answering any request."""
        return self._state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            msg = f"latency can't be negative, got {seconds}"
            raise ValueError(msg)
        self._state.latency = seconds

    @property
    def next_page_params(self) -> dict[str, str]:
        """
        Query parameters added to every ``next_page`` and ``previous_page`` link.

        They stand for opaque parameters Zendesk adds, which a client must keep
        by following links as given rather than rebuilding them.
        """
        return self._state.next_page_params

    @next_page_params.setter
    def next_page_params(self, params: Mapping[str, str]) -> None:
        self._state.next_page_params = dict(params)

    # the request log

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first, faulted and refused ones too."""
        return list(self._state.requests)

    def clear_requests(self) -> None:
        self._state.requests.clear()

    # faults

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | str | None = None,
        body: str | bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        echo: Echo | None = None,
    ) -> None:
        """
        Answer the next *times* matching requests with *status* without handling them.

        *method* matches case-insensitively and *path* is a regular expression
        searched in the request path; None matches anything. *retry_after* becomes
        the Retry-After header, strings verbatim. Without *body*, Zendesk's usual
        body for *status* is sent: text for 429, an HTML page for 503, JSON otherwise.
        A 2xx *status* with a *body* serves a canned success, for testing how a
        client copes with shapes the fake itself never produces.

        *echo* (``"json"``, ``"text"`` or ``"html"``) sends instead a body of that kind that
        quotes the request back, as a debugging proxy or a careless server does: its
        Authorization header (and the credentials a Basic one encodes) in the error, the
        description and the details, then every header and the request body (where a token
        request carries the client secret and the refresh token). For testing that errors
        never show a client's secrets.
        """
        if echo is not None:
            if body is not None or content_type is not None:
                msg = "echo= builds the body itself: pass no body or content_type"
                raise ValueError(msg)
            fault: Fault = echo_fault(status, echo, retry_after=retry_after, headers=headers)
        else:
            fault = status_fault(
                status,
                retry_after=retry_after,
                body=body,
                content_type=content_type,
                headers=headers,
            )
        self._state.faults.add(fault, times=times, method=method, path=path)

    def drop_next(
        self,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        mode: Literal["before_response", "mid_body"] = "before_response",
    ) -> None:
        """
        Hang up on the next *times* matching requests.

        ``"before_response"`` closes the connection before handling the request,
        so nothing changes. ``"mid_body"`` handles it, sends a 200 whose
        Content-Length promises the whole body, sends half, and closes.

        aiohttp's ClientSession silently resends an idempotent request (GET, PUT,
        DELETE, ...) once when the connection closes before any response, so a
        single ``"before_response"`` drop is invisible to it; use ``times=2`` to
        make such a request fail.
        """
        if mode not in ("before_response", "mid_body"):
            msg = f"mode must be 'before_response' or 'mid_body', got {mode!r}"
            raise ValueError(msg)
        self._state.faults.add(DropFault(mode), times=times, method=method, path=path)

    def truncate_next(
        self, *, times: int = 1, method: str | None = None, path: str | None = None
    ) -> None:
        """
        Handle the next *times* matching requests but answer a 200 holding half the body.

        The Content-Length fits the cut body, so the client reads invalid JSON.
        """
        self._state.faults.add(TruncateFault(), times=times, method=method, path=path)

    def delay_next(
        self, seconds: float, *, times: int = 1, method: str | None = None, path: str | None = None
    ) -> None:
        """Wait *seconds* before handling the next *times* matching requests."""
        if seconds < 0:
            msg = f"seconds can't be negative, got {seconds}"
            raise ValueError(msg)
        self._state.faults.add(DelayFault(seconds), times=times, method=method, path=path)

    def rate_limit(
        self,
        limit: int | None,
        *,
        window: float = DEFAULT_WINDOW,
        retry_after: float | None = None,
    ) -> None:
        """
        Allow *limit* requests per window of *window* seconds, as Zendesk counts a plan's
        limit; None lifts the limit and its headers. The count starts afresh.

        Every answer carries ``X-Rate-Limit`` (*limit*) and ``X-Rate-Limit-Remaining``.
        A window opens with the first request after the last one closed; once it is
        spent, requests get a text/plain 429 with Retry-After set to the whole seconds
        until the window turns (at least 1), or to *retry_after* when given. Tests
        shorten *window* to see windows turn over.
        """
        self._state.limiter = _window(limit, window, retry_after)

    @property
    def rate_limited_count(self) -> int:
        """How many requests the rate limit has refused."""
        return self._state.rate_limited_count

    @property
    def max_in_flight(self) -> int:
        """The most requests the fake has been answering at the same time."""
        return self._state.max_in_flight

    # data

    def seed(self, ivrs: int, *, menus: int = 2, routes: int = 3) -> list[int]:
        """
        Create *ivrs* IVRs with *menus* menus (the first is the default) and
        *routes* routes per menu (at most 12); return their ids in creation order.

        Every menu is reachable from the default one when *routes* allows it, and
        the groups the routes name exist.
        """
        return seed_ivrs(self._state.store, ivrs, menus=menus, routes=routes)

    def put_ivr(self, ivr: Mapping[str, Any]) -> int:
        """
        Store an IVR in the API's JSON shape without validating it; return its id.

        This plants trees the API would refuse: no default menu, a dead key, and
        so on. The IVR, its menus and routes get fresh ids, whatever ids *ivr*
        holds. A route's ``menu_id`` option is kept as given (so a dead one stays
        dead) unless it is ``"@menu:<index>"``, which means the *index*-th menu of
        *ivr*; a reference to a menu that isn't there is a ValueError.
        ``phone_number_names``, when given, must pair up with ``phone_number_ids``.

        It also plants the nulls real accounts' data has: an explicit ``"id": None`` on the
        IVR, a menu or a route serves that id as null (the record is still stored, under the
        id returned), and null names, defaults, keypresses, actions and options are served as
        null. A menu's ``greeting_id`` may be a built-in greeting's string id (``"ivr_none"``).
        """
        return self._state.store.put_ivr(ivr).id

    def ivr_json(self, ivr_id: int) -> dict[str, Any]:
        """The JSON the server returns for the IVR; KeyError if there is none."""
        store = self._state.store
        return render_ivr(
            store.ivrs[ivr_id],
            self._url,
            group_names=store.group_names(),
            embed_routes=not self._state.omit_embedded_routes,
        )

    def ivr_ids(self) -> list[int]:
        return list(self._state.store.ivrs)

    @property
    def omit_embedded_routes(self) -> bool:
        """
        Leave ``routes`` out of the menus embedded in IVRs, as a listing may.

        The menu and route endpoints still return routes, so a client can list
        them menu by menu instead.
        """
        return self._state.omit_embedded_routes

    @omit_embedded_routes.setter
    def omit_embedded_routes(self, omit: bool) -> None:
        self._state.omit_embedded_routes = omit

    def add_group(self, name: str) -> int:
        """Add a group to the account, served by ``GET /api/v2/groups``; return its id."""
        return self._state.store.add_group(name).id

    def delete_group(self, group_id: int) -> None:
        """
        Delete a group, so it leaves the listing; KeyError if there is none.

        Routes that name it keep its id, as they do in Zendesk.
        """
        self._state.store.delete_group(group_id)

    def group_ids(self) -> list[int]:
        return list(self._state.store.groups)

    def add_greeting(self, name: str, *, category_id: int = IVR_GREETING_CATEGORY) -> int:
        """
        Add an uploaded greeting; return its (integer) id. Category 5 is ``ivr``, for menu
        greetings.
        """
        return self._state.store.add_greeting(name, category_id=category_id).id

    def delete_greeting(self, greeting_id: int) -> None:
        """
        Delete an uploaded greeting; menus that play it keep its id. KeyError if there is none
        (built-in greetings cannot be deleted).
        """
        self._state.store.delete_greeting(greeting_id)

    def greeting_ids(self, *, built_in: bool = False) -> list[int | str]:
        """
        The uploaded greetings' ids; with *built_in*, every id the listing serves: the
        built-in greetings every account has (string ids such as ``"voicemail_en"`` and
        ``"ivr_none"``, `BUILT_IN_GREETING_IDS`) first, then the uploaded ones.
        """
        uploaded: list[int | str] = list(self._state.store.greetings)
        return [*BUILT_IN_GREETING_IDS, *uploaded] if built_in else uploaded

    def add_phone_number(
        self, number: str, *, nickname: str | None = None, phone_number_id: int | None = None
    ) -> int:
        """
        Add a Talk number (E.164, such as ``+14155550100``), served by ``GET
        /api/v2/channels/voice/phone_numbers``; return its id (*phone_number_id* if given).
        """
        store = self._state.store
        return store.add_phone_number(number, nickname=nickname, phone_number_id=phone_number_id).id


def _window(limit: int | None, window: float, retry_after: float | None) -> RateWindow | None:
    if limit is None:
        return None
    return RateWindow.create(limit, length=window, retry_after=retry_after)
