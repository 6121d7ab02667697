"""
The only module that touches aiohttp: send one request, read its body to the end, release the
connection, and turn aiohttp's failures into `TransportError`.

One call of `Transport.send` is one request on the wire: aiohttp's own resend of an idempotent
request whose connection dropped is turned off (`_SendOnce`), because only the SDK knows whether
a resend is safe, and it counts each one. The Authorization header lives in a redacting
`Authorization` until the request is built, so no frame an error passes through holds it in clear.
Each `Response` carries the client's *scrub*, which its errors apply to what they quote of it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiohttp
from yarl import URL

from ..._exceptions import ClientClosed, RequestTimeout, ResponseTooLarge, TransportError
from ..auth.base import Authorization
from ..reading.responses import Response, Scrub, unchanged

DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024
# A session setting of aiohttp's, private but kept for its own test client; should a release drop
# it, every request gets the `_SendOnce` middleware instead.
_CAN_TURN_RESEND_OFF = "_retry_connection" in getattr(aiohttp.ClientSession, "ATTRS", ())


class Transport:
    """
    One aiohttp session, made on first use (aiohttp wants a running loop for that) unless the
    caller brought one; a caller's session is never closed here.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None,
        headers: Mapping[str, str],
        timeout: float | None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
        scrub: Scrub = unchanged,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._headers = dict(headers)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_body_size = max_body_size
        self._closed = False
        self._trace_configs = list(trace_configs)
        self._scrub = scrub

    @property
    def closed(self) -> bool:
        return self._closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosed("the client is closed: make a new one (or use it inside async with)")
        if self._session is None:
            self._session = aiohttp.ClientSession(trace_configs=self._trace_configs or None)
            if _CAN_TURN_RESEND_OFF:
                # aiohttp's own resend, off for the session this client owns, as aiohttp's test
                # client turns it off: cheaper than `_SendOnce` on every request.
                self._session._retry_connection = False
        return self._session

    async def send(
        self,
        method: str,
        url: URL,
        body: bytes | None = None,
        *,
        authorization: Authorization,
        time_left: float | None = None,
    ) -> Response:
        """
        Send once; the response comes back fully read, its connection already released.

        *time_left* shortens the client's timeout for this attempt (a call's deadline is near).
        """
        session = self._get_session()
        limit = self._timeout
        if time_left is not None and (limit.total is None or time_left < limit.total):
            limit = aiohttp.ClientTimeout(total=max(time_left, 0.001))
        failure: TransportError
        try:
            async with session.request(
                method,
                url,
                data=body,
                # Built by a call, so the header in clear is in no local of this frame.
                headers=self._headers_for(authorization, body),
                timeout=limit,
                allow_redirects=False,
                middlewares=self._middlewares(session),
            ) as resp:
                payload = await self._read_body(resp, method, url)
                return Response(
                    method=method,
                    url=url,
                    status=resp.status,
                    # Copied lower-cased, so a repeated header reads as its last value wherever
                    # it is read (aiohttp's own view would give the first to `get`).
                    headers={k.lower(): v for k, v in resp.headers.items()},
                    body=payload,
                    scrub=self._scrub,
                )
        except TimeoutError as exc:
            failure = RequestTimeout(
                f"{method} {url.with_query(None)}: timed out after {limit.total} s",
                method=method,
                url=str(url),
                # A connect timeout means nothing was sent; any later one is ambiguous.
                request_sent=not isinstance(exc, aiohttp.ConnectionTimeoutError),
            )
        except aiohttp.ClientError as exc:
            failure = TransportError(
                f"{method} {url.with_query(None)}: {type(exc).__name__}: {exc}",
                method=method,
                url=str(url),
                request_sent=not _failed_before_sending(exc),
            )
        # Raised outside the except clause so that neither __cause__ nor __context__ keeps
        # aiohttp's error, whose request_info holds the request headers (Authorization).
        raise failure

    def _headers_for(self, authorization: Authorization, body: bytes | None) -> dict[str, str]:
        headers = dict(self._headers)
        if authorization.header is not None:
            headers["Authorization"] = authorization.header
        if body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def _middlewares(self, session: aiohttp.ClientSession) -> tuple[Any, ...] | None:
        """
        None (the session's own) for the session this client made, whose resend is off; a
        caller's session keeps its middlewares and gets `_SendOnce` after them (aiohttp
        replaces a session's middlewares with those given per request, and offers no public
        way to read them).
        """
        if self._owns_session and _CAN_TURN_RESEND_OFF:
            return None
        theirs = () if self._owns_session else getattr(session, "_middlewares", ()) or ()
        return (*theirs, _SendOnce())

    async def _read_body(self, resp: aiohttp.ClientResponse, method: str, url: URL) -> bytes:
        """
        The body as decoded (aiohttp inflates gzip, deflate, br and zstd), at most the cap.

        The cap bounds the decoded bytes: with a Content-Encoding, the Content-Length counts
        compressed bytes and says nothing of what they inflate to (a gzip bomb), so the body is
        read in chunks and refused as soon as it passes the cap.
        """
        limit = self._max_body_size
        length = resp.content_length
        if length is not None and not resp.headers.get("Content-Encoding"):
            if length > limit:
                raise ResponseTooLarge(
                    f"{method} {url.with_query(None)}: response of {length} bytes "
                    f"is over the {limit}-byte cap",
                    method=method,
                    url=str(url),
                )
            return await resp.read()  # the size is known and allowed: one read, no chunking
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > limit:
                raise ResponseTooLarge(
                    f"{method} {url.with_query(None)}: response is over the {limit}-byte cap",
                    method=method,
                    url=str(url),
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._owns_session and self._session is not None:
            await self._session.close()
        # Let the event loop run the SSL/transport close callbacks before the loop may end.
        await asyncio.sleep(0)


class _SendOnce:
    """
    A per-request aiohttp middleware that lets the request out once.

    aiohttp resends an idempotent request by itself when its connection drops before the answer
    (RFC 9112, 9.3.1), behind the SDK's back: ``max_retries=0`` would still send twice, and a
    DELETE carried out whose answer was lost would meet its own 404 unseen. The second send fails
    with the first one's error, which the SDK then retries, or not, by its own rules.
    """

    __slots__ = ("_failure",)

    def __init__(self) -> None:
        self._failure: aiohttp.ClientError | None = None

    async def __call__(
        self,
        request: aiohttp.ClientRequest,
        handler: Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]],
    ) -> aiohttp.ClientResponse:
        if self._failure is not None:
            raise self._failure
        try:
            return await handler(request)
        except aiohttp.ClientError as exc:
            self._failure = exc
            raise


def _failed_before_sending(exc: aiohttp.ClientError) -> bool:
    """True when no byte of the request can have reached the server: the connection failed."""
    return isinstance(exc, aiohttp.ClientConnectorError) and not isinstance(
        exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError
    )
