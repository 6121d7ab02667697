"""
The HTTP protocol of the Talk IVR API without any I/O: URLs, auth headers, envelopes, response
decoding and the next-page rule. Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Final, Generic, TypeVar

import attrs
from attrs import frozen
from cattrs import BaseValidationError, Converter, transform_error
from yarl import URL

from ._exceptions import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    DecodeError,
    InvalidArgument,
    NotFound,
    PaginationError,
    PermissionDenied,
    RateLimited,
    RecordInvalid,
    ServerError,
)

T = TypeVar("T")

API_PATH: Final = "api/v2/channels/voice"
MAX_PAGE_SIZE: Final = 100
_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE | re.ASCII)
_ERROR_TEXT_LIMIT: Final = 200
_MAX_FIELD_ERRORS: Final = 10


# --- URLs -----------------------------------------------------------------------------------


def base_url_for(subdomain: str | None, base_url: str | URL | None) -> URL:
    """The site root requests go to: *base_url* if given, else ``https://{subdomain}.zendesk.com``."""
    if base_url is not None:
        url = URL(base_url) if isinstance(base_url, str) else base_url
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        if url.user is not None or url.password is not None:
            raise ConfigurationError("base_url must not carry credentials; pass them as arguments")
        path = url.path.rstrip("/")
        # People paste the API root they see in the docs; accept it as the site root.
        path = path.removesuffix("/api/v2")
        return url.with_path(path + "/", encoded=False).with_query(None).with_fragment(None)
    if subdomain is None:
        raise ConfigurationError("pass subdomain='acme' (for acme.zendesk.com) or base_url=")
    if not isinstance(subdomain, str) or not _DNS_LABEL.fullmatch(subdomain):
        hint = ""
        if isinstance(subdomain, str) and subdomain.lower().endswith(".zendesk.com"):
            hint = f"; pass only the first label, subdomain={subdomain.split('.')[0]!r}"
        raise ConfigurationError(f"subdomain must be a DNS label like 'acme'{hint}")
    return URL.build(scheme="https", host=f"{subdomain.lower()}.zendesk.com", path="/")


def is_loopback(url: URL) -> bool:
    host = url.host or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_root(site: URL) -> URL:
    return site.join(URL(API_PATH))


def check_id(value: object, name: str) -> int:
    """Ids go into URL paths: only positive integers may, never strings or bools."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidArgument(f"{name} must be a positive integer, got {value!r}")
    return value


def ivrs_url(root: URL) -> URL:
    return root / "ivr"


def ivr_url(root: URL, ivr_id: int) -> URL:
    return root / "ivr" / str(check_id(ivr_id, "ivr_id"))


def menus_url(root: URL, ivr_id: int) -> URL:
    return ivr_url(root, ivr_id) / "menus"


def menu_url(root: URL, ivr_id: int, menu_id: int) -> URL:
    return menus_url(root, ivr_id) / str(check_id(menu_id, "menu_id"))


def routes_url(root: URL, ivr_id: int, menu_id: int) -> URL:
    return menu_url(root, ivr_id, menu_id) / "routes"


def route_url(root: URL, ivr_id: int, menu_id: int, route_id: int) -> URL:
    return routes_url(root, ivr_id, menu_id) / str(check_id(route_id, "route_id"))


def groups_url(site: URL) -> URL:
    return site.join(URL("api/v2/groups"))


def greetings_url(root: URL) -> URL:
    return root / "greetings"


def phone_numbers_url(root: URL) -> URL:
    return root / "phone_numbers"


def first_page_url(collection: URL, per_page: int = MAX_PAGE_SIZE) -> URL:
    return collection.with_query(per_page=per_page)


def same_origin(a: URL, b: URL) -> bool:
    """Same scheme, host and port, and no credentials of its own in the link."""
    if a.user is not None or a.password is not None:
        return False
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def resume_url(link: str | URL, site: URL) -> URL:
    """A ``next_page`` link a caller kept, checked like any link the server sends."""
    url = URL(link) if isinstance(link, str) else link
    if not url.scheme or not same_origin(url, site):
        shown = _without_userinfo(url)
        raise PaginationError(f"refusing to follow {shown:.200}: not on {site.origin()}", url=shown)
    return url


def _without_userinfo(url: URL) -> str:
    """A refused link as it may be shown: any credentials it carried are dropped."""
    try:
        return str(url.with_user(None)) if url.is_absolute() else str(url)
    except ValueError:
        return "<unparsable URL>"


def next_page_url(page: Mapping[str, Any], current: URL, site: URL) -> URL | None:
    """
    The next page to fetch, exactly as the server gave it, or None at the end.

    The link is opaque: its query may carry parameters the client never sent, so it is followed
    verbatim. It is refused when it leaves the client's origin (credentials would go with it) or
    points back at the page just read (the listing would never end).
    """
    link = page.get("next_page")
    if link is None:
        return None
    if not isinstance(link, str) or not link:
        raise PaginationError(f"next_page is not a URL: {link!r:.100}", url=str(current))
    url = URL(link)
    if not url.scheme:  # relative, or scheme-relative ("//host/..."): resolve against the page
        url = current.join(url)
    if not same_origin(url, site):
        raise PaginationError(
            f"refusing to follow next_page to another origin (or one carrying credentials); "
            f"the client only talks to {site.origin()}",
            url=_without_userinfo(url),
        )
    if url == current:
        raise PaginationError("next_page points at the page just read", url=str(url))
    return url


# --- Auth -----------------------------------------------------------------------------------


@frozen(repr=False)
class Credentials:
    """An Authorization header value with a repr that says only which scheme it is."""

    scheme: str
    header: str

    def __repr__(self) -> str:
        return f"<Credentials {self.scheme} (redacted)>"


def credentials_for(
    *,
    email: str | None,
    api_token: str | None,
    password: str | None,
    oauth_token: str | None,
) -> Credentials:
    """Exactly one scheme: email + api_token, email + password, or oauth_token."""
    supplied = {
        "email": email,
        "api_token": api_token,
        "password": password,
        "oauth_token": oauth_token,
    }
    for name, value in supplied.items():
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigurationError(f"{name} must be a non-empty string")
    given = {name for name, value in supplied.items() if value is not None}
    schemes = "pass exactly one of: email + api_token, email + password, or oauth_token"
    if given == {"email", "api_token"}:
        return Credentials("api_token", "Basic " + _b64(f"{email}/token:{api_token}"))
    if given == {"email", "password"}:
        return Credentials("password", "Basic " + _b64(f"{email}:{password}"))
    if given == {"oauth_token"}:
        return Credentials("oauth_token", f"Bearer {oauth_token}")
    if not given:
        raise ConfigurationError(f"no credentials: {schemes}")
    raise ConfigurationError(f"got {', '.join(sorted(given))}: {schemes}")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


# --- Responses ------------------------------------------------------------------------------


@frozen
class Response:
    """A response read to the end; nothing in it refers to an open connection."""

    method: str
    url: URL
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id") or self.headers.get("x-zendesk-request-id")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self, limit: int | None = None) -> str:
        body = self.body if limit is None else self.body[:limit]
        return body.decode("utf-8", errors="replace")


def _is_json(content_type: str) -> bool:
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
    """The typed error for an error status, with whatever the body says about it."""
    error = description = details = None
    body: Any = None
    if _is_json(response.content_type) or response.body[:1] in (b"{", b"["):
        try:
            body = json.loads(response.body)
        except ValueError:
            body = None
    if isinstance(body, Mapping):
        raw_error = body.get("error")
        # Some endpoints nest the code: {"error": {"title": ..., "message": ...}}.
        if isinstance(raw_error, Mapping):
            error = _str_or_none(raw_error.get("title"))
            description = _str_or_none(raw_error.get("message"))
        else:
            error = _str_or_none(raw_error)
        description = _str_or_none(body.get("description")) or description
        details = body.get("details")
    elif response.body:
        body = response.text(_ERROR_TEXT_LIMIT * 10)
        description = _summarize_text(body)
    status = response.status
    cls = _ERROR_CLASSES.get(status) or (ServerError if status >= 500 else APIError)
    summary = " ".join(part for part in (error, description) if part)
    message = f"{response.method} {response.url.with_query(None)} -> {status}"
    if summary:
        message += f": {summary}"
    if field_errors := _field_errors(details):
        message += f": {field_errors}"
    if response.request_id:
        message += f" (request id {response.request_id})"
    kwargs: dict[str, Any] = {
        "status": status,
        "method": response.method,
        "url": str(response.url),
        "error": error,
        "description": description,
        "details": details,
        "request_id": response.request_id,
        "body": body,
        "headers": response.headers,
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


def _str_or_none(value: object) -> str | None:
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
    if response.content_type and not _is_json(response.content_type):
        raise _decode_error(response, f"expected JSON, got Content-Type {response.content_type!r}")
    try:
        return json.loads(response.body)
    except ValueError as exc:
        raise _decode_error(response, f"the body is not valid JSON ({exc})") from None


def _decode_error(response: Response, problem: str, errors: tuple[str, ...] = ()) -> DecodeError:
    return DecodeError(
        f"{response.method} {response.url.with_query(None)} -> {response.status}: {problem}",
        method=response.method,
        url=str(response.url),
        status=response.status,
        errors=errors or (problem,),
        body=response.text(_ERROR_TEXT_LIMIT * 10),
        request_id=response.request_id,
    )


# --- Envelopes ------------------------------------------------------------------------------


@frozen
class Envelope:
    """Where a resource sits in request and response bodies."""

    single: tuple[str, ...]  # accepted keys of one object, documented one first
    plural: tuple[str, ...]  # accepted keys of a list page

    @property
    def write_key(self) -> str:
        return self.single[0]


# The menus page documents ivr_menu(s); a third-party client uses menu/route. Reads accept both.
IVR_ENVELOPE: Final = Envelope(single=("ivr",), plural=("ivrs",))
MENU_ENVELOPE: Final = Envelope(single=("ivr_menu", "menu"), plural=("ivr_menus", "menus"))
ROUTE_ENVELOPE: Final = Envelope(single=("ivr_route", "route"), plural=("ivr_routes", "routes"))
GROUP_ENVELOPE: Final = Envelope(single=("group",), plural=("groups",))
GREETING_ENVELOPE: Final = Envelope(single=("greeting",), plural=("greetings",))
PHONE_NUMBER_ENVELOPE: Final = Envelope(single=("phone_number",), plural=("phone_numbers",))


def wrap(envelope: Envelope, fields: Mapping[str, Any]) -> dict[str, Any]:
    return {envelope.write_key: dict(fields)}


def unwrap(body: Any, keys: tuple[str, ...], response: Response) -> tuple[str, Any]:
    """The key under which *body* holds the resource, and what it holds."""
    if isinstance(body, Mapping):
        for key in keys:
            if key in body:
                return key, body[key]
    raise _decode_error(
        response,
        f"expected a JSON object with {' or '.join(repr(k) for k in keys)}",
        (f"missing key {keys[0]!r} @ $",),
    )


def unwrap_list(body: Any, envelope: Envelope, response: Response) -> tuple[str, list[Any]]:
    """The key of a list page and its items, still raw JSON."""
    key, raw_items = unwrap(body, envelope.plural, response)
    if not isinstance(raw_items, list):
        raise _decode_error(response, f"expected a list under {key!r}")
    return key, raw_items


def structure(converter: Converter, raw: Any, cls: type[T], response: Response, path: str) -> T:
    try:
        return converter.structure(raw, cls)
    except BaseValidationError as exc:
        lines = tuple(transform_error(exc, path=path))
        raise _decode_error(
            response, f"unexpected {cls.__name__} JSON: {'; '.join(lines)}", lines
        ) from None
    except (TypeError, ValueError) as exc:
        raise _decode_error(
            response, f"unexpected {cls.__name__} JSON @ {path}: {exc}", (f"{exc} @ {path}",)
        ) from None


def decode_one(
    converter: Converter, envelope: Envelope, cls: type[T], response: Response, *, now: float
) -> T:
    return structure_one(converter, envelope, cls, response, decode_json(response, now=now))


def structure_one(
    converter: Converter, envelope: Envelope, cls: type[T], response: Response, body: Any
) -> T:
    """The object in an already decoded single-object *body*."""
    key, raw = unwrap(body, envelope.single, response)
    return structure(converter, raw, cls, response, f"$.{key}")


@frozen
class Page(Generic[T]):
    """
    One page of a listing.

    ``next_page`` is the server's link, as given, to pass as ``start=`` to resume the listing
    later; None on the last page. ``count`` is the server's total, when it sent one.
    """

    items: tuple[T, ...]
    count: int | None
    next_page: str | None
    previous_page: str | None
    url: str = attrs.field(repr=False)


def decode_page(
    converter: Converter,
    envelope: Envelope,
    cls: type[T],
    response: Response,
    *,
    site: URL,
    now: float,
) -> tuple[Page[T], URL | None]:
    """The page in *response* and the URL of the next one (None at the end)."""
    body = decode_json(response, now=now)
    return structure_page(converter, envelope, cls, response, body, site=site)


def structure_page(
    converter: Converter,
    envelope: Envelope,
    cls: type[T],
    response: Response,
    body: Any,
    *,
    site: URL,
) -> tuple[Page[T], URL | None]:
    """The page in an already decoded list *body* and the URL of the next one."""
    key, raw_items = unwrap_list(body, envelope, response)
    items = tuple(
        structure(converter, raw, cls, response, f"$.{key}[{i}]") for i, raw in enumerate(raw_items)
    )
    count = body.get("count")
    if isinstance(count, bool) or not isinstance(count, int | None):
        raise _decode_error(response, f"count is not an integer: {count!r:.50}")
    nxt = next_page_url(body, response.url, site)
    previous = body.get("previous_page")
    page = Page(
        items=items,
        count=count,
        next_page=None if nxt is None else str(nxt),
        previous_page=previous if isinstance(previous, str) else None,
        url=str(response.url),
    )
    return page, nxt
