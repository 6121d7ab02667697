"""
What happens to a request before a handler sees it, kept free of aiohttp and I/O.

The credentials check, the request log, the fault queue and the rate limiter live
here, apart from the IVR store, because the pipeline consults them for every path
alike. Clocks are passed in as plain numbers so the rate window can be unit-tested.
"""

from __future__ import annotations

import base64
import binascii
import html
import http
import json
import math
import re
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

JSONObject = dict[str, Any]

JSON_TYPE: Final = "application/json; charset=utf-8"
TEXT_TYPE: Final = "text/plain; charset=utf-8"
HTML_TYPE: Final = "text/html; charset=utf-8"
MAINTENANCE_PAGE: Final = (
    b"<!DOCTYPE html><html><head><title>Zendesk is down for maintenance</title></head>"
    b"<body><h1>We'll be back shortly</h1><p>Zendesk is undergoing scheduled maintenance."
    b"</p></body></html>"
)


# --- auth -----------------------------------------------------------------------------


@attrs.frozen
class Credentials:
    """The secrets the fake accepts; a scheme whose secret is None is turned off."""

    email: str
    api_token: str | None
    password: str | None
    oauth_token: str | None

    def accepts(self, authorization: str | None) -> bool:
        if authorization is None:
            return False
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() == "bearer":
            return self.oauth_token is not None and value.strip() == self.oauth_token
        decoded = _decoded_basic(authorization)
        if decoded is None:
            return False
        user, _, secret = decoded.partition(":")
        # Zendesk matches sign-in emails without regard to case.
        if user.casefold() == f"{self.email}/token".casefold():
            return self.api_token is not None and secret == self.api_token
        if user.casefold() == self.email.casefold():
            return self.password is not None and secret == self.password
        return False


# --- request log ----------------------------------------------------------------------


@attrs.frozen
class RecordedRequest:
    """
    One request as the fake received it, before any fault or auth check.
    """

    method: str
    #: The path without the query string.
    path: str
    #: The query parameters in order, duplicates kept.
    query: tuple[tuple[str, str], ...]
    #: A plain copy of the headers, names as the client sent them.
    headers: Mapping[str, str] = attrs.field(hash=False)
    body: bytes
    #: The x-request-id the fake answered with; None when it hung up without answering.
    response_request_id: str | None = None
    #: Which rate-limit window counted it (1 for the first since the limit was set);
    #: None when no limit was set or it was never admitted or refused.
    window: int | None = None
    #: Whether the rate limit refused it with a 429.
    rate_limited: bool = False

    @property
    def query_dict(self) -> dict[str, str]:
        """The last value of each query parameter."""
        return dict(self.query)

    def header(self, name: str) -> str | None:
        """Look a header up without regard to case."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    @property
    def json(self) -> Any:
        """The parsed body, or None when it is empty or not JSON."""
        return json.loads(self.body) if _is_json(self.body) else None


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


# --- faults ---------------------------------------------------------------------------


@attrs.frozen
class StatusFault:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class DropFault:
    mode: Literal["before_response", "mid_body"]


@attrs.frozen
class TruncateFault:
    pass


@attrs.frozen
class DelayFault:
    seconds: float


Echo = Literal["json", "text", "html"]


@attrs.frozen
class EchoFault:
    """An answer that quotes the request back: its headers and body, credentials included."""

    status: int
    kind: Echo
    headers: tuple[tuple[str, str], ...] = ()


Fault = StatusFault | DropFault | TruncateFault | DelayFault | EchoFault


def format_retry_after(value: float | str) -> str:
    """Strings go out verbatim (an HTTP-date); numbers as given, without a stray ``.0``."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not value.is_integer():
        return repr(value)
    return str(int(value))


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def default_fault_body(status: int) -> tuple[bytes, str]:
    """The body Zendesk (or what stands in front of it) sends with *status*."""
    if status == 429:
        return b"Too Many Requests", TEXT_TYPE
    if status == 503:
        return MAINTENANCE_PAGE, HTML_TYPE
    body: JSONObject
    if status == 401:
        body = {"error": "Couldn't authenticate you"}
    elif status == 403:
        body = {
            "error": "Forbidden",
            "description": "You do not have access to this page. "
            "Please contact the account owner of this help desk for further help.",
        }
    elif status == 404:
        body = {"error": "RecordNotFound", "description": "Not found"}
    elif status in (500, 502, 504):
        body = {
            "error": "InternalServerError",
            "description": "Something went wrong. Please try again later.",
        }
    else:
        body = {"error": _reason(status).replace(" ", ""), "description": _reason(status)}
    return json.dumps(body).encode(), JSON_TYPE


def status_fault(
    status: int,
    *,
    retry_after: float | str | None = None,
    body: str | bytes | None = None,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> StatusFault:
    """
    Build the response for `FakeZendesk.fail_next`.

    A 2xx status makes a canned success, for bodies the real handlers never
    produce. With a *body* but no *content_type*, the body is labelled JSON when
    it parses as JSON and plain text otherwise.
    """
    if not 200 <= status <= 599:
        msg = f"fail_next needs a final status (200-599), got {status}"
        raise ValueError(msg)
    if status in (204, 304):
        # HTTP forbids a body on these, and aiohttp would refuse to send one.
        raw, guessed = b"", TEXT_TYPE
    elif body is None:
        raw, guessed = default_fault_body(status)
    else:
        raw = body.encode() if isinstance(body, str) else body
        guessed = JSON_TYPE if _is_json(raw) else TEXT_TYPE
    extra = [] if retry_after is None else [("Retry-After", format_retry_after(retry_after))]
    extra.extend((headers or {}).items())
    return StatusFault(status, raw, content_type or guessed, tuple(extra))


def echo_fault(
    status: int, kind: Echo, *, retry_after: float | str | None, headers: Mapping[str, str] | None
) -> EchoFault:
    """Build the echo fault for `FakeZendesk.fail_next`."""
    if kind not in ("json", "text", "html"):
        msg = f"echo must be 'json', 'text' or 'html', got {kind!r}"
        raise ValueError(msg)
    if status in (204, 304):
        msg = f"a {status} has no body to echo the request in"
        raise ValueError(msg)
    fault = status_fault(status, retry_after=retry_after, headers=headers)
    return EchoFault(fault.status, kind, fault.headers)


def echo_response(fault: EchoFault, headers: Mapping[str, str], body: bytes) -> StatusFault:
    """
    The answer of *fault* to a request with *headers* and *body*, quoting it as a debugging
    proxy or a careless server does: the Authorization header (and, for Basic, the credentials
    it encodes) in the error, the description and the details, then every header and the body;
    the Authorization also comes back in an ``X-Echoed-Authorization`` header.
    """
    authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    raw, content_type = _echo_body(fault.kind, fault.status, authorization, headers, body)
    extra = () if authorization is None else (("X-Echoed-Authorization", authorization),)
    return StatusFault(fault.status, raw, content_type, (*fault.headers, *extra))


def _echo_body(
    kind: Echo,
    status: int,
    authorization: str | None,
    headers: Mapping[str, str],
    body: bytes,
) -> tuple[bytes, str]:
    reason = _reason(status)
    sent = body.decode("utf-8", errors="replace")
    if authorization is None:
        quoted = f"request body {sent}"
    else:
        decoded = _decoded_basic(authorization)
        quoted = f"Authorization: {authorization}" + (f" (user {decoded})" if decoded else "")
    if kind == "json":
        echoed: JSONObject = {
            "error": f"{reason.replace(' ', '')}: {quoted}",
            "description": f"{reason} request had {quoted}",
            "details": {
                "authorization": [{"description": quoted}],
                "request": {"headers": dict(headers), "body": sent, "seen": {quoted: [reason]}},
            },
        }
        return json.dumps(echoed).encode(), JSON_TYPE
    lines = [f"{name}: {value}" for name, value in headers.items()]
    if kind == "text":
        text = "\n".join([f"{status} {reason}: {quoted}", *lines, "", sent])
        return text.encode(), TEXT_TYPE
    page = (
        f"<!DOCTYPE html><html><head><title>{status} {reason}: {html.escape(quoted)}</title>"
        f"</head><body><h1>{reason}</h1><pre>{html.escape(chr(10).join(lines))}</pre>"
        f"<pre>{html.escape(sent)}</pre></body></html>"
    )
    return page.encode(), HTML_TYPE


def _decoded_basic(authorization: str) -> str | None:
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


@attrs.define
class _QueuedFault:
    fault: Fault
    remaining: int
    method: str | None
    path: re.Pattern[str] | None

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method.upper():
            return False
        return self.path is None or self.path.search(path) is not None


@attrs.define
class FaultQueue:
    """
    Faults waiting for matching requests, first queued first served.

    A request takes at most one fault: the oldest one that matches it.
    """

    _queued: list[_QueuedFault] = attrs.Factory(list)

    def add(
        self, fault: Fault, *, times: int = 1, method: str | None = None, path: str | None = None
    ) -> None:
        if times < 1:
            msg = f"times must be at least 1, got {times}"
            raise ValueError(msg)
        pattern = None if path is None else re.compile(path)
        upper = None if method is None else method.upper()
        self._queued.append(_QueuedFault(fault, times, upper, pattern))

    def take(self, method: str, path: str) -> Fault | None:
        for queued in self._queued:
            if queued.matches(method, path):
                queued.remaining -= 1
                if not queued.remaining:
                    self._queued.remove(queued)
                return queued.fault
        return None

    def __len__(self) -> int:
        return sum(queued.remaining for queued in self._queued)


# --- rate limiting --------------------------------------------------------------------


#: Zendesk's plan limits are requests per minute (200 to 2,500). The highest, the High Volume
#: API add-on's, is the default: a sandbox job or a test rarely waits for a window to turn,
#: yet every answer carries the headers a real account sends.
DEFAULT_PLAN_LIMIT: Final = 2_500
DEFAULT_WINDOW: Final = 60.0


@attrs.define
class RateWindow:
    """
    *limit* requests per window of *length* seconds, as Zendesk counts a plan's limit.

    A window opens with the first request after the last one closed, so a test (or a
    benchmark) knows where its windows begin. Refused requests spend nothing.
    """

    limit: int
    length: float
    retry_after: float | None = None
    start: float = -math.inf
    count: int = 0
    #: How many windows have opened: the current one's number.
    number: int = 0

    @classmethod
    def create(cls, limit: int, *, length: float, retry_after: float | None) -> RateWindow:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            msg = f"limit must be a positive whole number of requests, got {limit!r}"
            raise ValueError(msg)
        if not length > 0 or math.isinf(length):
            msg = f"window must be a positive number of seconds, got {length!r}"
            raise ValueError(msg)
        return cls(limit, float(length), retry_after)

    @property
    def remaining(self) -> int:
        return self.limit - self.count

    def take(self, now: float) -> float | None:
        """Spend one request; when the window is spent, return the Retry-After to send."""
        if now >= self.start + self.length:
            self.start, self.count = now, 0
            self.number += 1
        if self.count < self.limit:
            self.count += 1
            return None
        if self.retry_after is not None:
            return self.retry_after
        # Whole seconds, as Zendesk sends them: rounded up, so a client that waits them out
        # finds the window turned.
        return max(1, math.ceil(self.start + self.length - now))


@attrs.frozen
class Admission:
    """What the rate limiter decided for one request, and the headers to report it."""

    retry_after: float | None
    # None when no limit is configured: a fake that enforces nothing reports nothing, so a
    # client that learns its pace from these headers is not slowed by a limit that isn't there.
    limit: int | None
    remaining: int | None
    window: int | None = None
