"""
What every resource needs from the client: send a request with retries under the client's limits,
decode one object, walk pages. Protocol rules come from `urls`, `responses` and `envelopes`, retry
rules from `retry`, budget from `limiter`, bytes on the wire from `transport`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Mapping
from contextlib import aclosing
from typing import Any, TypeVar

import attrs
from attrs import frozen
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
from .auth import passwords
from .auth.credentials import Credentials
from .auth.oauth import OAuth
from .pacing.budget import Wait
from .pacing.limiter import RateLimiter
from .pacing.retry import RetryPolicy, server_retry_after
from .reading import envelopes, jsontext, responses
from .reading.envelopes import Envelope, Page, PageLinks
from .reading.jsontext import Reader
from .reading.responses import Response
from .wire import paging, urls
from .wire.observe import Attempt, log_retry, record_attempt
from .wire.transport import Transport

try:
    from .reading import shapes
except ImportError:  # no msgspec (PyPy): listings read dicts
    shapes = None  # type: ignore[assignment]

T = TypeVar("T")


@frozen
class Outcome:
    response: Response
    body: Any
    attempts: int


@frozen
class RawPage:
    """
    One page of a listing as sent: its items as decoded (JSON values, or `shapes` structs where
    the body was read into them), its links already checked.
    """

    outcome: Outcome
    key: str
    items: list[Any]
    links: PageLinks


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
        on_attempt: Callable[[Attempt], None] | None = None,
        credentials: Credentials | None = None,
        oauth: OAuth | None = None,
        max_pages: int = paging.DEFAULT_MAX_PAGES,
    ) -> None:
        if (credentials is None) == (oauth is None):
            raise ValueError("exactly one of credentials and oauth")
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
        self._credentials = credentials
        self._oauth = oauth
        self.requests_sent = 0
        self.in_flight = 0

    async def request(
        self,
        method: str,
        url: URL,
        payload: Any = None,
        *,
        parse: bool = True,
        read_first: Reader | None = None,
    ) -> Outcome:
        """
        Send with retries; return the successful response and its decoded JSON (None when
        *parse* is off or the body is empty), read by *read_first* where it can. Errors surface
        typed once retries are spent.

        Three layers, each a method: this retry loop (waits, backoff, the limiter's pause,
        a DELETE whose lost answer was a success), `_send_authorized` (credentials, and one
        OAuth refresh on a 401), `_attempt` (one request on the wire under the client's limits).
        """
        body = None if payload is None else _json_body(payload)
        started = time.monotonic()
        deadline = None if self.policy.deadline is None else started + self.policy.deadline
        call = _Call(method, url, body, deadline)
        while True:
            try:
                response = await self._send_authorized(call)
                if not parse:
                    if not 200 <= response.status < 300:
                        raise responses.error_for(response, now=time.time())
                    return Outcome(response=response, body=None, attempts=call.attempts)
                decoded = responses.decode_json(response, now=time.time(), read_first=read_first)
                return Outcome(response=response, body=decoded, attempts=call.attempts)
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
        delay = self.policy.delay_for(call.method, error, call.attempts - 1, random.random)
        if delay is None:
            return None
        if call.deadline is not None and time.monotonic() + delay >= call.deadline:
            return None
        return delay

    async def _send_authorized(self, call: _Call) -> Response:
        """
        One attempt with the client's credentials, and with OAuth one more after a 401 (an
        expired or revoked access token), once per call, after refreshing the tokens.
        """
        while True:
            response, generation = await self._attempt(call)
            if response.status != 401:
                return response
            refused = responses.error_for(response, now=time.time())
            refused.attempts = call.attempts
            if self._oauth is None or call.reauthorized:
                if self._credentials is not None and self._credentials.scheme == "password":
                    raise passwords.explain_refusal(refused)
                raise refused
            call.reauthorized = True
            await self._oauth.after_unauthorized(generation, self._token_request)

    async def _attempt(self, call: _Call) -> tuple[Response, int]:
        """
        One request on the wire, once a connection slot, the credentials and the rate limit's
        budget allow; the response, and which generation of OAuth tokens it was sent with.
        """
        call.attempts += 1
        method, url, deadline = call.method, call.url, call.deadline
        # The deadline only needs watching when something makes this attempt wait.
        if self._slots.locked():
            await self._before_deadline(self._slots.acquire(), deadline, method, url)
        else:
            await self._slots.acquire()
        try:
            # Credentials, not the header itself: its repr is redacted, and this frame is one a
            # TransportError passes through (a locals-capturing error reporter records them).
            if self._credentials is not None:
                credentials, generation = self._credentials, 0
            else:
                credentials, generation = await self._before_deadline(
                    self._authorization(), deadline, method, url
                )
            ticket = self.limiter.try_acquire()
            if ticket is None:
                ticket = await self._before_deadline(
                    self._wait_for_budget(method, url), deadline, method, url
                )
            headers: Mapping[str, str] | None = None
            status: int | None = None
            try:
                response = await self._send(call, credentials)
                headers, status = response.headers, response.status
            finally:
                self.limiter.settle(ticket, headers, status)
        finally:
            self._slots.release()
        return response, generation

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

    async def _send(self, call: _Call, credentials: Credentials) -> Response:
        self.requests_sent += 1
        self.in_flight += 1
        began = time.monotonic()
        response: Response | None = None
        failure: str | None = None
        time_left = None if call.deadline is None else call.deadline - began
        try:
            response = await self.transport.send(
                call.method, call.url, call.body, credentials=credentials, time_left=time_left
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

    async def _authorization(self) -> tuple[Credentials, int]:
        """The OAuth Authorization header, and which generation of tokens it is."""
        assert self._oauth is not None
        header = await self._oauth.authorization(self._token_request)
        return Credentials("oauth", header), self._oauth.generation

    async def _token_request(self, form: dict[str, str]) -> tuple[int, Any, str | None]:
        """POST /oauth/tokens; retried only when the connection failed before sending."""
        url = self.site.join(URL("oauth/tokens"))
        body = json.dumps(form).encode()
        retries = 0
        while True:
            try:
                response = await self.transport.send("POST", url, body)
                break
            except TransportError as exc:
                # A refresh the server may have run has already rotated the pair: never resend.
                if exc.request_sent or retries >= self.policy.max_retries:
                    raise
                retries += 1
                await asyncio.sleep(self.policy.backoff(retries - 1))
        try:
            parsed = jsontext.loads(response.body) if response.body.strip() else None
        except ValueError:
            parsed = None
        return response.status, parsed, response.request_id

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
        outcome = await self.request(method, url, payload)
        return envelopes.structure_one(
            self.converter, envelope, cls, outcome.response, outcome.body
        )

    async def delete(self, url: URL) -> None:
        # 200 with the deleted object and 204 with nothing both mean done; the body is not needed.
        with contextlib.suppress(_GoneAfterRetry):
            await self.request("DELETE", url, parse=False)

    async def raw_pages(
        self,
        first: URL,
        envelope: Envelope,
        start: str | URL | None = None,
        *,
        read_first: Reader | None = None,
    ) -> AsyncGenerator[RawPage, None]:
        """
        Every page of a listing, decoded items and checked links, following ``next_page`` (or
        a cursor's ``links.next``) under the listing's cycle rule and page cap. Each response
        is read and released before its page is handed out.
        """
        url: URL | None = first if start is None else urls.resume_url(start, self.site)
        records = 0
        trail = paging.PageTrail(self.max_pages)
        while url is not None:
            trail.visit(url)
            outcome = await self.list_page(url, records, read_first)
            key, items = envelopes.unwrap_list(outcome.body, envelope, outcome.response)
            links = envelopes.page_links(outcome.body, outcome.response, site=self.site)
            records += len(items)
            yield RawPage(outcome=outcome, key=key, items=items, links=links)
            url = links.next_url

    async def pages(
        self, first: URL, envelope: Envelope, cls: type[T], start: str | URL | None = None
    ) -> AsyncGenerator[Page[T], None]:
        async with aclosing(self._model_pages(first, envelope, cls, start)) as raw_pages:
            async for raw in raw_pages:
                items = tuple(self._models(cls, raw))
                yield raw.links.page(items, raw.outcome.response)

    async def items(
        self, first: URL, envelope: Envelope, cls: type[T], start: str | URL | None = None
    ) -> AsyncGenerator[T, None]:
        async with aclosing(self._model_pages(first, envelope, cls, start)) as raw_pages:
            async for raw in raw_pages:
                for item in self._models(cls, raw):
                    yield item

    def _model_pages(
        self, first: URL, envelope: Envelope, cls: type[T], start: str | URL | None
    ) -> AsyncGenerator[RawPage, None]:
        """The pages of a listing of *cls*, decoded into `shapes` where it has them."""
        # Only Client makes a Requester, always with the tolerant converter the structs agree with.
        reader = None if shapes is None else shapes.page_reader(cls, envelope)
        return self.raw_pages(first, envelope, start, read_first=reader)

    def _models(self, cls: type[T], raw: RawPage) -> Iterator[T]:
        """The models of a page, each made when it is asked for."""
        response = raw.outcome.response
        if shapes is not None and isinstance(raw.outcome.body, shapes.ShapedBody):
            return shapes.iter_items(self.converter, cls, response, raw.key, raw.items)
        return envelopes.iter_items(self.converter, cls, response, raw.key, raw.items)

    async def list_page(
        self, url: URL, records_read: int, read_first: Reader | None = None
    ) -> Outcome:
        """GET one page of a listing; a 400 past the offset cap becomes a PaginationError."""
        try:
            return await self.request("GET", url, read_first=read_first)
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


@attrs.define
class _Call:
    """One call of `Requester.request`, across its attempts."""

    method: str
    url: URL
    body: bytes | None
    deadline: float | None
    attempts: int = 0
    reauthorized: bool = False  # OAuth tokens were refreshed for this call once already
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
