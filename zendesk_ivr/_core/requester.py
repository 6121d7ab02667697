"""
What every resource needs from the client: send a request with retries under the client's limits,
decode one object, walk pages. Protocol rules come from `_protocol`, retry rules from `_retry`,
bytes on the wire from `_http`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from typing import Any, TypeVar

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
from . import envelopes, jsontext, paging, passwords, responses, urls
from .auth import Credentials
from .envelopes import Envelope, Page, PageLinks
from .limiter import RateLimiter, _MustWait
from .oauth import OAuth
from .responses import Response
from .retry import RetryPolicy, server_retry_after
from .transport import Transport

T = TypeVar("T")
logger = logging.getLogger("zendesk_ivr")


@frozen
class Attempt:
    """
    One HTTP attempt, as handed to the client's ``on_attempt`` hook (for metrics) and logged.

    ``status`` is None when no response arrived; ``error`` then names the failure.
    """

    method: str
    url: str
    attempt: int
    status: int | None
    duration: float
    request_id: str | None
    error: str | None


@frozen
class Outcome:
    response: Response
    body: Any
    attempts: int


@frozen
class RawPage:
    """One page of a listing as sent: its items still raw JSON, its links already checked."""

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
        self, method: str, url: URL, payload: Any = None, *, parse: bool = True
    ) -> Outcome:
        """
        Send with retries; return the successful response and its decoded JSON (None when
        *parse* is off or the body is empty). Errors surface typed once retries are spent.
        """
        body = None if payload is None else _json_body(payload)
        start = time.monotonic()
        deadline = None if self.policy.deadline is None else start + self.policy.deadline
        attempt = 0
        reauthorized = False
        maybe_done = False  # an earlier attempt may have been carried out, its answer lost
        while True:
            attempt += 1
            try:
                response = await self._attempt(method, url, body, attempt, deadline)
                decoded = responses.decode_json(response, now=time.time()) if parse else None
                if not parse and not 200 <= response.status < 300:
                    raise responses.error_for(response, now=time.time())
                return Outcome(response=response, body=decoded, attempts=attempt)
            except _Unauthorized as refused:
                if self._oauth is None or reauthorized:
                    refused.error.attempts = attempt
                    if self._credentials is not None and self._credentials.scheme == "password":
                        raise passwords.explain_refusal(refused.error) from None
                    raise refused.error from None
                # An expired or revoked access token: refresh once, then send this again.
                reauthorized = True
                await self._oauth.after_unauthorized(refused.generation, self._token_request)
            except (APIError, TransportError, DecodeError) as error:
                error.attempts = attempt
                if method == "DELETE" and maybe_done and isinstance(error, NotFound):
                    raise _GoneAfterRetry from None
                server_wait = server_retry_after(error)
                if server_wait is not None and server_wait <= self.policy.max_retry_after:
                    # Every task of the client (and of clients sharing the limiter) holds off,
                    # whether or not this call waits it out itself. A longer wait than the
                    # client would ever take is surfaced to this call alone: one absurd header
                    # must not stop every other call.
                    self.limiter.pause(server_wait)
                maybe_done = maybe_done or _maybe_carried_out(error)
                delay = self._retry_delay(method, error, attempt, deadline)
                if delay is None:
                    raise
                if isinstance(error, RateLimited) or server_wait is not None:
                    logger.warning(
                        "%s %s: %s; waiting %.1f s before attempt %d",
                        method,
                        url.path,
                        _short(error),
                        delay,
                        attempt + 1,
                    )
                else:
                    logger.debug(
                        "%s %s: %s; retrying in %.2f s", method, url.path, _short(error), delay
                    )
                await asyncio.sleep(delay)

    def _retry_delay(
        self, method: str, error: ZendeskError, attempt: int, deadline: float | None
    ) -> float | None:
        delay = self.policy.delay_for(method, error, attempt - 1, random.random)
        if delay is None:
            return None
        if deadline is not None and time.monotonic() + delay >= deadline:
            return None
        return delay

    async def _attempt(
        self, method: str, url: URL, body: bytes | None, attempt: int, deadline: float | None
    ) -> Response:
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
            ticket = self.limiter.try_acquire() or await self._before_deadline(
                self._wait_for_budget(method, url), deadline, method, url
            )
            headers: Mapping[str, str] | None = None
            status: int | None = None
            try:
                response = await self._send(
                    method,
                    url,
                    body,
                    credentials=credentials,
                    attempt=attempt,
                    deadline=deadline,
                )
                headers, status = response.headers, response.status
            finally:
                self.limiter.settle(headers, ticket, status)
        finally:
            self._slots.release()
        if response.status == 401:
            raise _Unauthorized(responses.error_for(response, now=time.time()), generation)
        return response

    async def _wait_for_budget(self, method: str, url: URL) -> int:
        wait = self.policy.wait_on_rate_limit
        try:
            return await self.limiter.acquire(wait=wait)
        except _MustWait as refused:
            # Nothing was sent: say so in the error the caller already handles for 429s.
            raise RateLimited(
                f"{method} {url.with_query(None)}: the rate limit's window is spent for "
                f"{refused.seconds:.1f} s more and wait_on_rate_limit is off; not sent",
                retry_after=refused.seconds,
                status=429,
                method=method,
                url=str(url),
            ) from None

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

    async def _send(
        self,
        method: str,
        url: URL,
        body: bytes | None,
        *,
        credentials: Credentials,
        attempt: int,
        deadline: float | None,
    ) -> Response:
        self.requests_sent += 1
        self.in_flight += 1
        began = time.monotonic()
        response: Response | None = None
        failure: str | None = None
        time_left = None if deadline is None else deadline - began
        try:
            response = await self.transport.send(
                method, url, body, credentials=credentials, time_left=time_left
            )
        except TransportError as exc:
            failure = type(exc).__name__
            raise
        finally:
            self.in_flight -= 1
            self._record(
                method,
                url=url,
                attempt=attempt,
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

    def _record(
        self,
        method: str,
        *,
        url: URL,
        attempt: int,
        response: Response | None,
        duration: float,
        failure: str | None,
    ) -> None:
        status = None if response is None else response.status
        request_id = None if response is None else response.request_id
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s in %.1f ms (attempt %d, request id %s)",
                method,
                url.path_qs,
                status if status is not None else failure,
                duration * 1000,
                attempt,
                request_id,
                extra={
                    "http_method": method,
                    "path": url.path,
                    "status": status,
                    "attempt": attempt,
                    "duration": duration,
                    "request_id": request_id,
                },
            )
        if self._on_attempt is not None:
            self._on_attempt(
                Attempt(
                    method=method,
                    url=str(url),
                    attempt=attempt,
                    status=status,
                    duration=duration,
                    request_id=request_id,
                    error=failure,
                )
            )

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
        self, first: URL, envelope: Envelope, start: str | URL | None = None
    ) -> AsyncGenerator[RawPage, None]:
        """
        Every page of a listing, raw JSON items and checked links, following ``next_page`` (or
        a cursor's ``links.next``) under the listing's cycle rule and page cap. Each response
        is read and released before its page is handed out.
        """
        url: URL | None = first if start is None else urls.resume_url(start, self.site)
        records = 0
        trail = paging.PageTrail(self.max_pages)
        while url is not None:
            trail.visit(url)
            outcome = await self.list_page(url, records)
            key, items = envelopes.unwrap_list(outcome.body, envelope, outcome.response)
            links = envelopes.page_links(outcome.body, outcome.response, site=self.site)
            records += len(items)
            yield RawPage(outcome=outcome, key=key, items=items, links=links)
            url = links.next_url

    async def pages(
        self, first: URL, envelope: Envelope, cls: type[T], start: str | URL | None = None
    ) -> AsyncGenerator[Page[T], None]:
        async with aclosing(self.raw_pages(first, envelope, start)) as raw_pages:
            async for raw in raw_pages:
                response = raw.outcome.response
                items = envelopes.structure_items(self.converter, cls, response, raw.key, raw.items)
                yield raw.links.page(items, response)

    async def list_page(self, url: URL, records_read: int) -> Outcome:
        """GET one page of a listing; a 400 past the offset cap becomes a PaginationError."""
        try:
            return await self.request("GET", url)
        except APIError as error:
            if error.status == 400 and paging.past_offset_cap(url, records_read):
                raise paging.offset_cap_error(url, error) from error
            raise

    async def items(
        self, first: URL, envelope: Envelope, cls: type[T], start: str | URL | None = None
    ) -> AsyncGenerator[T, None]:
        async with aclosing(self.pages(first, envelope, cls, start)) as pages:
            async for page in pages:
                for item in page.items:
                    yield item


def _json_body(payload: Any) -> bytes:
    """The request body; `InvalidArgument` for what JSON cannot hold (NaN, objects, huge ints)."""
    try:
        return json.dumps(payload, allow_nan=False).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArgument(f"the request body cannot be sent as JSON: {exc}") from None


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


class _Unauthorized(Exception):
    """
    A 401 inside `Requester.request`, never outside it, with the generation of OAuth tokens it
    refused (a counter, not a secret, so no exception ever holds a token).
    """

    def __init__(self, error: APIError, generation: int) -> None:
        super().__init__("unauthorized")
        self.error = error
        self.generation = generation


def _short(error: ZendeskError) -> str:
    if isinstance(error, APIError):
        return f"{error.status} {type(error).__name__}"
    return type(error).__name__
