"""
What every resource needs from the client: send a request with retries under the client's limits,
decode one object, walk pages. Protocol rules come from `urls`, `responses` and `envelopes`, retry
rules from `retry`, budget from `limiter`, bytes on the wire from `transport`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import Any, Generic, NamedTuple, TypeVar

import attrs
from cattrs import Converter
from yarl import URL

from .._exceptions import (
    APIError,
    DecodeError,
    InvalidArgument,
    NotFound,
    RateLimited,
    RequestTimeout,
    ServerError,
    TransportError,
    ZendeskError,
)
from .auth.base import Anonymous, Auth, Authorization
from .pacing.budget import Wait
from .pacing.limiter import RateLimiter
from .pacing.retry import RetryPolicy, server_retry_after
from .reading import envelopes, responses
from .reading.envelopes import Envelope, Page
from .reading.pages import Listing, RawPage, ReadPage, read_page, read_raw_page
from .reading.responses import Response
from .wire import paging, urls
from .wire.observe import Attempt, log_retry, record_attempt
from .wire.transport import Transport

T = TypeVar("T")
P = TypeVar("P", RawPage, ReadPage[Any])

_TOKEN_PATH = URL("oauth/tokens")
# The client authenticates with its id and secret in the body.
_TOKEN_ENDPOINT_AUTH = Anonymous()


class Outcome(NamedTuple, Generic[T]):
    """
    A call's successful response, what it was read as, and how many attempts it took (a named
    tuple: made for every request, it costs a third of a frozen class).
    """

    response: Response
    body: T
    attempts: int


def read_json(response: Response) -> Any:
    """The JSON of a successful response (None when it has no body)."""
    return responses.decode_json(response, now=time.time())


def read_nothing(_response: Response) -> None:
    """For a call whose answer's body is not needed (a DELETE: 200 with the object, or 204)."""


class Requester:
    def __init__(
        self,
        *,
        transport: Transport,
        converter: Converter,
        site: URL,
        policy: RetryPolicy,
        limiter: RateLimiter,
        max_concurrency: int,
        auth: Auth,
        on_attempt: Callable[[Attempt], None] | None = None,
        max_pages: int = paging.DEFAULT_MAX_PAGES,
    ) -> None:
        self.transport = transport
        self.converter = converter
        self.site = site
        self.root = urls.api_root(site)
        self.policy = policy
        self.limiter = limiter
        self.max_concurrency = max_concurrency
        self.max_pages = max_pages
        self._slots = asyncio.Semaphore(max_concurrency)
        self._on_attempt = on_attempt
        self.auth = auth
        self.requests_sent = 0
        self.in_flight = 0

    async def request(
        self,
        method: str,
        url: URL,
        payload: Any = None,
        *,
        read: Callable[[Response], T],
        auth: Auth | None = None,
    ) -> Outcome[T]:
        """
        Send with retries; return the successful response and what *read* (a pure function of
        the response, see `pages.read_page`) makes of it. Errors surface typed once retries are
        spent; a 2xx whose body *read* cannot read (cut short on the way) is a failed attempt.
        *auth* signs it instead of the client's.

        Three layers, each a method: this retry loop (waits, backoff, the limiter's pause,
        a DELETE whose lost answer was a success), `_send_authorized` (the Authorization, and
        one more attempt after a 401 the auth renews), `_attempt` (one request on the wire under
        the client's limits).
        """
        body = None if payload is None else _json_body(payload)
        started = time.monotonic()
        deadline = None if self.policy.deadline is None else started + self.policy.deadline
        call = _Call(method, url, body, deadline, auth or self.auth)
        while True:
            try:
                response = await self._send_authorized(call)
                if not 200 <= response.status < 300:
                    raise responses.error_for(response, now=time.time())
                return Outcome(response=response, body=read(response), attempts=call.attempts)
            except (APIError, TransportError, DecodeError) as error:
                error.attempts = call.attempts
                if method == "DELETE" and call.maybe_done and isinstance(error, NotFound):
                    raise _GoneAfterRetry from None
                self._share_server_wait(error)
                call.maybe_done = call.maybe_done or _maybe_carried_out(error)
                delay = self._retry_delay(call, error)
                if delay is None:
                    raise
                log_retry(method, url, error, call.attempts, delay)
                await asyncio.sleep(delay)

    def _share_server_wait(self, error: ZendeskError) -> None:
        """
        A 429 (or a 503 with Retry-After) holds off every task of the client, and of clients
        sharing its limiter, whether or not this call waits it out itself. A longer wait than
        the client would ever take is surfaced to this call alone: one absurd header must not
        stop every other call.
        """
        server_wait = server_retry_after(error)
        if server_wait is not None and server_wait <= self.policy.max_retry_after:
            self.limiter.pause(server_wait)

    def _retry_delay(self, call: _Call, error: ZendeskError) -> float | None:
        if call.token_failed:
            return None  # the token request followed its own retry rules; resending would repeat it
        delay = self.policy.delay_for(call.method, error, call.attempts - 1, random.random)
        if delay is None:
            return None
        if call.deadline is not None and time.monotonic() + delay >= call.deadline:
            return None
        return delay

    async def _send_authorized(self, call: _Call) -> Response:
        """
        One attempt with the Authorization the call's auth gives (waiting for a refresh, not past
        the deadline), and one more after a 401 when the auth says a resend can help (OAuth,
        once it has refreshed), once per call.
        """
        auth = call.auth
        while True:
            used = auth.authorize(self._token_request)
            if not isinstance(used, Authorization):
                # A refresh: only that is waited for under the deadline, since the bound (an
                # asyncio timer) costs some 7 us a request.
                used = await self._for_token(call, used)
            response = await self._attempt(call, used)
            if response.status != 401:
                return response
            refused = responses.error_for(response, now=time.time())
            refused.attempts = call.attempts
            renewed = not call.reauthorized and await self._for_token(
                call, auth.renew(used, self._token_request)
            )
            if not renewed:
                raise auth.refused(refused)
            call.reauthorized = True

    async def _for_token(self, call: _Call, waiting: Awaitable[T]) -> T:
        """Wait for the auth (a refresh) before the call's deadline; a failure ends the call."""
        try:
            return await self._before_deadline(waiting, call.deadline, call.method, call.url)
        except BaseException:
            call.token_failed = True
            raise

    async def _attempt(self, call: _Call, authorization: Authorization) -> Response:
        """
        One request on the wire with *authorization*, once a connection slot and the rate
        limit's budget allow.
        """
        call.attempts += 1
        method, url, deadline = call.method, call.url, call.deadline
        # The deadline only needs watching when something makes this attempt wait.
        if self._slots.locked():
            await self._before_deadline(self._slots.acquire(), deadline, method, url)
        else:
            await self._slots.acquire()
        try:
            ticket = self.limiter.try_acquire()
            if ticket is None:
                ticket = await self._before_deadline(
                    self._wait_for_budget(method, url), deadline, method, url
                )
            headers: Mapping[str, str] | None = None
            status: int | None = None
            try:
                response = await self._send(call, authorization)
                headers, status = response.headers, response.status
            finally:
                self.limiter.settle(ticket, headers, status)
        finally:
            self._slots.release()
        return response

    async def _wait_for_budget(self, method: str, url: URL) -> int:
        taken = await self.limiter.acquire(wait=self.policy.wait_on_rate_limit)
        if isinstance(taken, Wait):
            # Nothing was sent: say so in the error the caller already handles for 429s.
            raise RateLimited(
                f"{method} {url.with_query(None)}: the rate limit's window is spent for "
                f"{taken.seconds:.1f} s more and wait_on_rate_limit is off; not sent",
                retry_after=taken.seconds,
                status=429,
                method=method,
                url=str(url),
            )
        return taken

    async def _before_deadline(
        self, waiting: Awaitable[T], deadline: float | None, method: str, url: URL
    ) -> T:
        """Wait for a slot, a token or a refresh, but not past the call's deadline."""
        if deadline is None:
            return await waiting
        window = asyncio.timeout(max(0.0, deadline - time.monotonic()))
        try:
            async with window:
                return await waiting
        except TimeoutError:
            if not window.expired():
                raise  # a timeout of the awaited work itself, not of the deadline
        raise RequestTimeout(
            f"{method} {url.with_query(None)}: the call's deadline of {self.policy.deadline} s "
            "passed while waiting for the rate limiter or a free connection slot",
            method=method,
            url=str(url),
            request_sent=False,
        )

    async def _send(self, call: _Call, authorization: Authorization) -> Response:
        self.requests_sent += 1
        self.in_flight += 1
        began = time.monotonic()
        response: Response | None = None
        failure: str | None = None
        time_left = None if call.deadline is None else call.deadline - began
        try:
            response = await self.transport.send(
                call.method, call.url, call.body, authorization=authorization, time_left=time_left
            )
        except TransportError as exc:
            failure = type(exc).__name__
            raise
        finally:
            self.in_flight -= 1
            record_attempt(
                self._on_attempt,
                call.method,
                url=call.url,
                attempt=call.attempts,
                response=response,
                duration=time.monotonic() - began,
                failure=failure,
            )
        return response

    async def _token_request(self, form: dict[str, str]) -> tuple[int, Any, str | None]:
        """
        POST /oauth/tokens under the rules of any POST: resent only when its connection failed
        before sending, since a refresh the server may have run has rotated the pair already.
        """
        url = self.site.join(_TOKEN_PATH)
        outcome = await self.request("POST", url, form, read=read_json, auth=_TOKEN_ENDPOINT_AUTH)
        return outcome.response.status, outcome.body, outcome.response.request_id

    async def fetch_one(
        self,
        method: str,
        url: URL,
        envelope: Envelope,
        cls: type[T],
        fields: object = None,
    ) -> T:
        payload = None
        if fields is not None:
            payload = envelopes.wrap(envelope, self.converter.unstructure(fields))
        outcome = await self.request(method, url, payload, read=read_json)
        return envelopes.structure_one(
            self.converter, envelope, cls, outcome.response, outcome.body
        )

    async def delete(self, url: URL) -> None:
        # 200 with the deleted object and 204 with nothing both mean done; the body is not needed.
        with contextlib.suppress(_GoneAfterRetry):
            await self.request("DELETE", url, read=read_nothing)

    async def raw_pages(
        self, first: URL, envelope: Envelope
    ) -> AsyncGenerator[Outcome[RawPage], None]:
        """
        A listing's pages as decoded JSON (the walk completes what they leave out), following
        ``next_page`` (or a cursor's ``links.next``) under the listing's cycle rule and page
        cap; each response is read and released before its page is handed out.
        """
        read = functools.partial(read_raw_page, envelope=envelope, site=self.site)
        pages = _Pages(self, first, read, None)
        while (outcome := await pages.next()) is not None:
            yield outcome

    async def pages(
        self, first: URL, listing: Listing[T], start: str | URL | None = None
    ) -> AsyncGenerator[Page[T], None]:
        pages = _Pages(self, first, self._page_reader(listing), start)
        while (outcome := await pages.next()) is not None:
            page = outcome.body
            yield page.links.page(tuple(page.models()), outcome.response)

    async def items(
        self, first: URL, listing: Listing[T], start: str | URL | None = None
    ) -> AsyncGenerator[T, None]:
        # One generator, not one over another: each item a caller's loop takes passes through
        # every generator between them, and a listing hands out a hundred a page.
        pages = _Pages(self, first, self._page_reader(listing), start)
        while (outcome := await pages.next()) is not None:
            for item in outcome.body.models():
                yield item

    def _page_reader(self, listing: Listing[T]) -> Callable[[Response], ReadPage[T]]:
        return functools.partial(read_page, listing=listing, site=self.site)

    async def _list_page(
        self, url: URL, records_read: int, read: Callable[[Response], P]
    ) -> Outcome[P]:
        """GET one page of a listing; a 400 past the offset cap becomes a PaginationError."""
        try:
            return await self.request("GET", url, read=read)
        except APIError as error:
            if error.status == 400 and paging.past_offset_cap(url, records_read):
                raise paging.offset_cap_error(url, error) from error
            raise


def _json_body(payload: Any) -> bytes:
    """The request body; `InvalidArgument` for what JSON cannot hold (NaN, objects, huge ints)."""
    try:
        return json.dumps(payload, allow_nan=False).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArgument(f"the request body cannot be sent as JSON: {exc}") from None


class _Pages(Generic[P]):
    """Where a listing stands: the next page to fetch, and how many records it has read."""

    __slots__ = ("_api", "_read", "_records", "_trail", "_url")

    def __init__(
        self,
        api: Requester,
        first: URL,
        read: Callable[[Response], P],
        start: str | URL | None,
    ) -> None:
        self._api = api
        self._read: Callable[[Response], P] = read
        self._url: URL | None = first if start is None else urls.resume_url(start, api.site)
        self._records = 0
        self._trail = paging.PageTrail(api.max_pages)

    async def next(self) -> Outcome[P] | None:
        """The next page, read and released; None past the last."""
        url = self._url
        if url is None:
            return None
        self._trail.visit(url)
        outcome = await self._api._list_page(url, self._records, self._read)
        self._records += outcome.body.size
        self._url = outcome.body.links.next_url
        return outcome


@attrs.define
class _Call:
    """One call of `Requester.request`, across its attempts."""

    method: str
    url: URL
    body: bytes | None
    deadline: float | None
    auth: Auth
    attempts: int = 0
    reauthorized: bool = False  # the auth renewed its tokens for this call once already
    token_failed: bool = False  # getting a token failed: its request was retried by its own rules
    maybe_done: bool = False  # an earlier attempt may have been carried out, its answer lost


class _GoneAfterRetry(Exception):
    """
    A retried DELETE got 404 after an attempt that may have been carried out (a timeout, a
    dropped connection, a 5xx): that attempt deleted it and its answer was lost. Done, as asked.
    """


def _maybe_carried_out(error: ZendeskError) -> bool:
    """Whether the failed attempt may have been run by the server all the same."""
    if isinstance(error, TransportError):
        return error.request_sent
    if isinstance(error, RateLimited) or server_retry_after(error) is not None:
        return False  # 429, and 503 with Retry-After: the server says it did not run it
    return isinstance(error, ServerError | DecodeError)
