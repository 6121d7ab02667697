"""
A response read to the end, and what it means without any I/O: the typed error of an error
status, the wait a ``Retry-After`` asks for, and the JSON of a successful body.

An error quotes what the server sent only through the response's *scrub*, which takes out every
secret the client holds: a server may echo the request's credentials in its error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Final

from attrs import field, frozen
from yarl import URL

from ..._exceptions import (
    APIError,
    AuthenticationError,
    DecodeError,
    NotFound,
    PermissionDenied,
    RateLimited,
    RecordInvalid,
    ServerError,
)
from . import jsontext

_ERROR_TEXT_LIMIT: Final = 200
_QUOTED_TEXT: Final = _ERROR_TEXT_LIMIT * 10
# Scrubbed past the cut, so that no secret is cut in half (and escapes the scrub): no server takes
# a header longer than this.
_SECRET_MARGIN: Final = 8192
_MAX_FIELD_ERRORS: Final = 10

Scrub = Callable[[str], str]


def unchanged(text: str) -> str:
    """The scrub of a client without secrets."""
    return text


@frozen
class Response:
    """
    A response read to the end; nothing in it refers to an open connection. *scrub* takes the
    client's secrets out of a text.
    """

    method: str
    url: URL
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    scrub: Scrub = field(default=unchanged, eq=False, repr=False)

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id") or self.headers.get("x-zendesk-request-id")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self, limit: int | None = None) -> str:
        body = self.body if limit is None else self.body[:limit]
        return body.decode("utf-8", errors="replace")


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


_DELTA_SECONDS = re.compile(r"\d+(?:\.\d+)?")


def parse_retry_after(value: str | None, now: float) -> float | None:
    """
    Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), never negative;
    None when absent or unreadable (so "inf" or "nan" can never become a wait).
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


_ERROR_CLASSES: Final[Mapping[int, type[APIError]]] = {
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    422: RecordInvalid,
    429: RateLimited,
}


def error_for(response: Response, *, now: float) -> APIError:
    """
    The typed error for an error status, with whatever the body says about it, scrubbed of the
    client's secrets: every string of a JSON body (keys too), the text of any other, the headers.
    """
    scrub = response.scrub
    error = description = details = None
    body: Any = None
    if is_json(response.content_type) or response.body[:1] in (b"{", b"["):
        try:
            body = _scrubbed_json(jsontext.loads(response.body), scrub)
        except ValueError:
            body = None
    if isinstance(body, Mapping):
        raw_error = body.get("error")
        # Some endpoints nest the code: {"error": {"title": ..., "message": ...}}.
        if isinstance(raw_error, Mapping):
            error = str_or_none(raw_error.get("title"))
            description = str_or_none(raw_error.get("message"))
        else:
            error = str_or_none(raw_error)
        description = str_or_none(body.get("description")) or description
        details = body.get("details")
    elif response.body:
        body = _quoted_text(response)
        description = _summarize_text(body)
    request_id = _scrub_or_none(response.request_id, scrub)
    status = response.status
    cls = _ERROR_CLASSES.get(status) or (ServerError if status >= 500 else APIError)
    summary = " ".join(part for part in (error, description) if part)
    message = f"{response.method} {response.url.with_query(None)} -> {status}"
    if summary:
        message += f": {summary}"
    if field_errors := _field_errors(details):
        message += f": {field_errors}"
    if request_id:
        message += f" (request id {request_id})"
    kwargs: dict[str, Any] = {
        "status": status,
        "method": response.method,
        "url": str(response.url),
        "error": error,
        "description": description,
        "details": details,
        "request_id": request_id,
        "body": body,
        "headers": {name: scrub(value) for name, value in response.headers.items()},
    }
    if cls in (RateLimited, ServerError):
        kwargs["retry_after"] = parse_retry_after(response.headers.get("retry-after"), now)
    return cls(message, **kwargs)


def _field_errors(details: Any) -> str:
    """
    A 422's ``details`` on one line, ``field: description`` for each error, keys as sent (they
    may be localized). Zendesk's descriptions often repeat the field's name ("Keypress: is
    invalid"); that prefix is left out once so the line reads ``keypress: is invalid``.
    """
    if not isinstance(details, Mapping):
        return ""
    parts = []
    for key, errors in details.items():
        for item in errors if isinstance(errors, list) else [errors]:
            text = item.get("description") if isinstance(item, Mapping) else item
            if not isinstance(text, str) or not text.strip():
                text = item.get("error") if isinstance(item, Mapping) else None
            if not isinstance(text, str):
                continue
            text = " ".join(text.split())
            label = f"{str(key).replace('_', ' ')}:"
            if text[: len(label)].lower() == label.lower():
                text = text[len(label) :].strip()
            parts.append(f"{key}: {text}")
    shown = "; ".join(parts[:_MAX_FIELD_ERRORS])
    more = len(parts) - _MAX_FIELD_ERRORS
    return f"{shown}; and {more} more" if more > 0 else shown


def _scrubbed_json(value: Any, scrub: Scrub) -> Any:
    """*value* with every string scrubbed, keys too; a loop, since a server picks the depth."""
    root = [value]
    pending: list[tuple[Any, Any]] = [(root, 0)]
    while pending:
        parent, key = pending.pop()
        item = parent[key]
        if isinstance(item, str):
            parent[key] = scrub(item)
        elif isinstance(item, list):
            pending.extend((item, index) for index in range(len(item)))
        elif isinstance(item, dict):
            parent[key] = item = {scrub(name): inner for name, inner in item.items()}
            pending.extend((item, name) for name in item)
    return root[0]


def _quoted_text(response: Response) -> str:
    """The start of a body as text, scrubbed before it is cut."""
    return response.scrub(response.text(_QUOTED_TEXT + _SECRET_MARGIN))[:_QUOTED_TEXT]


def _scrub_or_none(text: str | None, scrub: Scrub) -> str | None:
    return None if text is None else scrub(text)


def str_or_none(value: object) -> str | None:
    """A JSON value that should be a string, or None when the server sent something else."""
    return value if isinstance(value, str) else None


def _summarize_text(text: str) -> str:
    """The gist of a text/plain or HTML error page, on one line."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    if title:
        text = title.group(1)
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:_ERROR_TEXT_LIMIT]


def decode_json(response: Response, *, now: float) -> Any:
    """
    The JSON body of a successful response, or None when it has none (204, empty 200).

    Raises the typed `APIError` for an error status and `DecodeError` for a body that is not JSON.
    """
    if not 200 <= response.status < 300:
        raise error_for(response, now=now)
    if not response.body.strip():
        return None
    if response.content_type and not is_json(response.content_type):
        raise decode_error(response, f"expected JSON, got Content-Type {response.content_type!r}")
    try:
        return jsontext.loads(response.body)
    except ValueError as exc:
        raise decode_error(response, f"the body is not valid JSON ({exc})") from None


def decode_error(response: Response, problem: str, errors: tuple[str, ...] = ()) -> DecodeError:
    """
    The error of a body that is not the JSON expected; *problem* and *errors* may quote it, so
    they are scrubbed of the client's secrets as the body is.
    """
    scrub = response.scrub
    problem = scrub(problem)
    return DecodeError(
        f"{response.method} {response.url.with_query(None)} -> {response.status}: {problem}",
        method=response.method,
        url=str(response.url),
        status=response.status,
        errors=tuple(map(scrub, errors)) or (problem,),
        body=_quoted_text(response),
        request_id=_scrub_or_none(response.request_id, scrub),
    )
