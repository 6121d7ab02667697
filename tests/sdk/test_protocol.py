"""The pure protocol layer: URLs, responses, errors, envelopes and pages."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, cast

import pytest
from yarl import URL

from tests.sdk.decoding import decode_one, decode_page, next_page_url
from zendesk_ivr import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    DecodeError,
    GroupOptions,
    InvalidArgument,
    Ivr,
    IvrMenu,
    IvrRoute,
    NotFound,
    PaginationError,
    PermissionDenied,
    RateLimited,
    RecordInvalid,
    ServerError,
)
from zendesk_ivr._core.reading.envelopes import IVR_ENVELOPE, MENU_ENVELOPE, ROUTE_ENVELOPE, Page
from zendesk_ivr._core.reading.responses import Response, decode_json, error_for, parse_retry_after
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr._core.wire.urls import (
    api_root,
    base_url_for,
    check_id,
    first_page_url,
    is_loopback,
    ivr_url,
    ivrs_url,
    menu_url,
    menus_url,
    resume_url,
    route_url,
    routes_url,
)

SITE = URL("https://acme.zendesk.com/")
ROOT = api_root(SITE)
MENUS = URL("https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus")
CURRENT = MENUS.with_query(per_page=100)
STRICT = make_converter(forbid_extra_keys=True)
NOW = 1_700_000_000.0


def _response(
    status: int = 200,
    body: bytes | str | object = b"",
    *,
    content_type: str | None = "application/json",
    method: str = "GET",
    url: URL = CURRENT,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if isinstance(body, str):
        raw = body.encode()
    elif isinstance(body, bytes):
        raw = body
    else:
        raw = json.dumps(body, ensure_ascii=False).encode()
    all_headers = {} if content_type is None else {"content-type": content_type}
    all_headers.update(headers or {})
    return Response(method=method, url=url, status=status, headers=all_headers, body=raw)


def _menu_json(menu_id: int = 5, name: str = "Main menu") -> dict[str, Any]:
    return {"id": menu_id, "name": name, "default": False, "greeting_id": None, "routes": []}


# --- base_url_for ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subdomain", "expected"),
    [
        ("acme", "https://acme.zendesk.com/"),
        ("ACME", "https://acme.zendesk.com/"),
        ("acme-support", "https://acme-support.zendesk.com/"),
        ("a", "https://a.zendesk.com/"),
        ("a" * 63, f"https://{'a' * 63}.zendesk.com/"),
    ],
)
def test_base_url_for_subdomain_is_the_zendesk_site_root(subdomain: str, expected: str) -> None:
    url = base_url_for(subdomain, None)
    assert str(url) == expected


@pytest.mark.parametrize(
    "subdomain",
    ["acme.zendesk.com", "a b", "-x", "x-", "", "a" * 64, "acme/", "a_b", "acme.", " acme"],
)
def test_base_url_for_refuses_subdomains_that_are_not_dns_labels(subdomain: str) -> None:
    with pytest.raises(ConfigurationError, match="DNS label"):
        base_url_for(subdomain, None)


def test_base_url_for_hints_the_first_label_when_given_a_full_host() -> None:
    with pytest.raises(ConfigurationError, match="subdomain='acme'"):
        base_url_for("acme.zendesk.com", None)


@pytest.mark.parametrize("subdomain", [12, b"acme", ["acme"], 1.5])
def test_base_url_for_refuses_non_str_subdomains(subdomain: object) -> None:
    with pytest.raises(ConfigurationError):
        base_url_for(cast("Any", subdomain), None)


def test_base_url_for_needs_a_subdomain_or_a_base_url() -> None:
    with pytest.raises(ConfigurationError):
        base_url_for(None, None)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://proxy.example", "https://proxy.example/"),
        ("https://proxy.example/zendesk", "https://proxy.example/zendesk/"),
        ("https://proxy.example/zendesk/", "https://proxy.example/zendesk/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("http://127.0.0.1:8080/a/b", "http://127.0.0.1:8080/a/b/"),
    ],
)
def test_base_url_keeps_the_path_and_ends_it_with_a_slash(base_url: str, expected: str) -> None:
    assert str(base_url_for(None, base_url)) == expected


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://acme.zendesk.com/api/v2", "https://acme.zendesk.com/"),
        ("https://acme.zendesk.com/api/v2/", "https://acme.zendesk.com/"),
        ("https://proxy.example/zendesk/api/v2/", "https://proxy.example/zendesk/"),
    ],
)
def test_base_url_strips_a_trailing_api_v2(base_url: str, expected: str) -> None:
    assert str(base_url_for(None, base_url)) == expected


@pytest.mark.parametrize(
    "base_url",
    [
        "https://acme.zendesk.com/?locale=fr",
        "https://acme.zendesk.com/#top",
        "https://acme.zendesk.com/api/v2?x=1#frag",
    ],
)
def test_base_url_drops_query_and_fragment(base_url: str) -> None:
    url = base_url_for(None, base_url)
    assert str(url) == "https://acme.zendesk.com/"
    assert url.query_string == ""
    assert url.fragment == ""


def test_base_url_accepts_a_yarl_url() -> None:
    url = base_url_for(None, URL("https://proxy.example/zendesk"))
    assert str(url) == "https://proxy.example/zendesk/"


def test_base_url_wins_over_subdomain() -> None:
    assert str(base_url_for("acme", "https://proxy.example/")) == "https://proxy.example/"


@pytest.mark.parametrize(
    "base_url",
    ["https://user:secret@acme.zendesk.com/", "https://user@acme.zendesk.com/"],
)
def test_base_url_with_credentials_is_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="credentials") as info:
        base_url_for(None, base_url)
    assert "secret" not in str(info.value)


@pytest.mark.parametrize(
    "base_url",
    ["ftp://acme.zendesk.com/", "file:///etc/passwd", "ws://acme.zendesk.com/", "acme.zendesk.com"],
)
def test_base_url_with_a_non_http_scheme_is_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError, match="http"):
        base_url_for(None, base_url)


@pytest.mark.parametrize("base_url", ["/api/v2", "https://", "http:///path"])
def test_base_url_without_a_host_is_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError):
        base_url_for(None, base_url)


# --- is_loopback ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8080/",
        "http://api.localhost/",
        "http://127.0.0.1/",
        "http://127.8.9.10:1234/",
        "http://[::1]:8080/",
    ],
)
def test_is_loopback_for_loopback_hosts(url: str) -> None:
    assert is_loopback(URL(url)) is True


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.zendesk.com/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://[2001:db8::1]/",
        "http://localhost.example.com/",
        "http://notlocalhost/",
    ],
)
def test_is_loopback_is_false_for_other_hosts(url: str) -> None:
    assert is_loopback(URL(url)) is False


# --- ids and URL builders -------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, True, False, "12", 1.5, None, 2.0])
def test_check_id_refuses_anything_but_a_positive_int(value: object) -> None:
    with pytest.raises(InvalidArgument, match="menu_id"):
        check_id(value, "menu_id")


@pytest.mark.parametrize("value", [1, 10001, 21973195678484, 2**63 - 1])
def test_check_id_returns_positive_ints(value: int) -> None:
    assert check_id(value, "ivr_id") == value


def test_url_builders_produce_the_documented_paths() -> None:
    base = "https://acme.zendesk.com/api/v2/channels/voice"
    assert str(ROOT) == base
    assert str(ivrs_url(ROOT)) == f"{base}/ivr"
    assert str(ivr_url(ROOT, 1)) == f"{base}/ivr/1"
    assert str(menus_url(ROOT, 1)) == f"{base}/ivr/1/menus"
    assert str(menu_url(ROOT, 1, 2)) == f"{base}/ivr/1/menus/2"
    assert str(routes_url(ROOT, 1, 2)) == f"{base}/ivr/1/menus/2/routes"
    assert str(route_url(ROOT, 1, 2, 3)) == f"{base}/ivr/1/menus/2/routes/3"


def test_url_builders_keep_a_proxy_path_prefix() -> None:
    root = api_root(base_url_for(None, "http://127.0.0.1:8080/zendesk"))
    assert (
        str(route_url(root, 1, 2, 3))
        == "http://127.0.0.1:8080/zendesk/api/v2/channels/voice/ivr/1/menus/2/routes/3"
    )


@pytest.mark.parametrize(
    ("ivr_id", "menu_id", "route_id", "name"),
    [
        (0, 2, 3, "ivr_id"),
        (1, "2", 3, "menu_id"),
        (1, 2, True, "route_id"),
        (-1, 2, 3, "ivr_id"),
        (1, None, 3, "menu_id"),
        (1, 2, 3.0, "route_id"),
    ],
)
def test_url_builders_refuse_bad_ids(
    ivr_id: object, menu_id: object, route_id: object, name: str
) -> None:
    with pytest.raises(InvalidArgument, match=name):
        route_url(ROOT, cast("Any", ivr_id), cast("Any", menu_id), cast("Any", route_id))


def test_first_page_url_asks_for_100_per_page() -> None:
    url = first_page_url(menus_url(ROOT, 1))
    assert url.path == "/api/v2/channels/voice/ivr/1/menus"
    assert dict(url.query) == {"per_page": "100"}
    assert str(url) == "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?per_page=100"


# --- Response -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-request-id": "808d6bd48df8c4ac-SEA"}, "808d6bd48df8c4ac-SEA"),
        ({"x-zendesk-request-id": "zd-123"}, "zd-123"),
        ({"x-request-id": "cf-1", "x-zendesk-request-id": "zd-1"}, "cf-1"),
        ({}, None),
    ],
)
def test_response_request_id(headers: dict[str, str], expected: str | None) -> None:
    assert _response(headers=headers).request_id == expected


def test_response_content_type_drops_parameters_and_case() -> None:
    assert _response(content_type="Application/JSON; charset=utf-8").content_type == (
        "application/json"
    )
    assert _response(content_type=None).content_type == ""


# --- parse_retry_after ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("30", 30.0), ("0", 0.0), (" 7 ", 7.0), ("1.5", 1.5), ("0.25", 0.25)],
)
def test_parse_retry_after_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_http_date_is_relative_to_now() -> None:
    # Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 in Unix time.
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 120) == 120.0


def test_parse_retry_after_http_date_built_from_now() -> None:
    when = datetime.fromtimestamp(NOW + 90, tz=UTC)
    assert parse_retry_after(format_datetime(when, usegmt=True), NOW) == 90.0


def test_parse_retry_after_past_date_is_zero() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW) == 0.0


@pytest.mark.parametrize(
    "value", [None, "", "soon", "tomorrow at noon", "12 seconds", "inf", "nan"]
)
def test_parse_retry_after_garbage_is_none(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


# --- error_for ------------------------------------------------------------------------------

SECRET_HEADER = "Basic " + base64.b64encode(b"agent@example.com/token:SECRET-TOKEN").decode()

ERROR_CLASSES: list[tuple[int, type[APIError]]] = [
    (400, APIError),
    (401, AuthenticationError),
    (403, PermissionDenied),
    (404, NotFound),
    (409, APIError),
    (422, RecordInvalid),
    (429, RateLimited),
    (500, ServerError),
    (502, ServerError),
    (503, ServerError),
]


def _error_response(status: int, body: bytes | str | object, content_type: str) -> Response:
    return _response(
        status,
        body,
        content_type=content_type,
        method="PUT",
        url=MENUS / "7",
        headers={"x-request-id": "808d6bd48df8c4ac-SEA", "retry-after": "12"},
    )


def _check_common(err: APIError, status: int, cls: type[APIError]) -> None:
    assert type(err) is cls
    assert err.status == status
    assert err.method == "PUT"
    assert err.url == "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus/7"
    assert err.request_id == "808d6bd48df8c4ac-SEA"
    message = str(err)
    assert "PUT" in message
    assert "/api/v2/channels/voice/ivr/1/menus/7" in message
    assert "808d6bd48df8c4ac-SEA" in message
    assert str(status) in message
    assert "SECRET-TOKEN" not in message
    assert SECRET_HEADER not in message


@pytest.mark.parametrize(("status", "cls"), ERROR_CLASSES)
def test_error_for_json_body(status: int, cls: type[APIError]) -> None:
    details = {"名称": [{"description": "太短", "error": "ValueTooShort"}], "base": []}
    body = {"error": "SomeCode", "description": "Something went wrong", "details": details}
    err = error_for(_error_response(status, body, "application/json; charset=utf-8"), now=NOW)
    _check_common(err, status, cls)
    assert err.error == "SomeCode"
    assert err.description == "Something went wrong"
    assert err.details == details
    assert list(err.details) == ["名称", "base"]
    assert err.body == body
    assert "SomeCode" in str(err)
    assert "Something went wrong" in str(err)


@pytest.mark.parametrize(("status", "cls"), ERROR_CLASSES)
def test_error_for_text_plain_body(status: int, cls: type[APIError]) -> None:
    err = error_for(_error_response(status, "Too many requests, slow down", "text/plain"), now=NOW)
    _check_common(err, status, cls)
    assert err.error is None
    assert err.description == "Too many requests, slow down"
    assert err.details is None
    assert "Too many requests, slow down" in str(err)


@pytest.mark.parametrize(("status", "cls"), ERROR_CLASSES)
def test_error_for_html_body(status: int, cls: type[APIError]) -> None:
    html = (
        "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
        "<body><h1>Down for maintenance</h1><p>Back soon.</p></body></html>"
    )
    err = error_for(_error_response(status, html, "text/html; charset=utf-8"), now=NOW)
    _check_common(err, status, cls)
    assert err.error is None
    assert err.description == "Service Unavailable"
    assert err.details is None
    assert "<title>" not in str(err)


def test_error_for_html_without_title_is_flattened_to_text() -> None:
    html = "<html><body><h1>Bad   Gateway</h1>\n<p>nginx</p></body></html>"
    err = error_for(_error_response(502, html, "text/html"), now=NOW)
    assert err.description == "Bad Gateway nginx"


def test_error_for_401_zendesk_body() -> None:
    body = {"error": "Couldn't authenticate you"}
    err = error_for(_error_response(401, body, "application/json"), now=NOW)
    assert isinstance(err, AuthenticationError)
    assert err.error == "Couldn't authenticate you"
    assert err.description is None
    assert err.details is None


def test_error_for_nested_error_object() -> None:
    body = {"error": {"title": "Conflict", "message": "The menu is being edited"}}
    err = error_for(_error_response(409, body, "application/json"), now=NOW)
    assert err.error == "Conflict"
    assert err.description == "The menu is being edited"


def test_error_for_422_keeps_details_verbatim() -> None:
    details = {
        "name": [{"description": "Name is too short", "error": "ValueTooShort"}],
        "基本信息": [{"description": "无效"}],
    }
    body = {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    err = error_for(_error_response(422, body, "application/json"), now=NOW)
    assert isinstance(err, RecordInvalid)
    assert err.details == details


@pytest.mark.parametrize("status", [429, 503])
def test_error_for_reads_retry_after(status: int) -> None:
    err = error_for(_error_response(status, "slow down", "text/plain"), now=NOW)
    assert isinstance(err, RateLimited | ServerError)
    assert err.retry_after == 12.0


@pytest.mark.parametrize("status", [429, 503])
def test_error_for_retry_after_http_date(status: int) -> None:
    when = format_datetime(datetime.fromtimestamp(NOW + 45, tz=UTC), usegmt=True)
    response = _response(status, b"", content_type=None, headers={"retry-after": when})
    err = error_for(response, now=NOW)
    assert isinstance(err, RateLimited | ServerError)
    assert err.retry_after == 45.0


@pytest.mark.parametrize("status", [429, 503])
def test_error_for_without_retry_after(status: int) -> None:
    err = error_for(_response(status, b"", content_type=None), now=NOW)
    assert isinstance(err, RateLimited | ServerError)
    assert err.retry_after is None


def test_error_for_message_never_carries_an_echoed_authorization() -> None:
    response = _response(
        401,
        {"error": "Couldn't authenticate you"},
        headers={"authorization": SECRET_HEADER, "x-request-id": "rid-1"},
        url=URL("https://acme.zendesk.com/api/v2/channels/voice/ivr"),
    )
    err = error_for(response, now=NOW)
    assert SECRET_HEADER not in str(err)
    assert "SECRET-TOKEN" not in str(err)
    assert "rid-1" in str(err)


def test_error_for_empty_body() -> None:
    err = error_for(_response(500, b"", content_type=None), now=NOW)
    assert type(err) is ServerError
    assert err.error is None
    assert err.description is None
    assert err.body is None


# --- decode_json ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (204, b"", None),
        (204, b"", "application/json"),
        (200, b"", "application/json"),
        (200, b"  \n", "application/json"),
    ],
)
def test_decode_json_without_a_body_is_none(
    status: int, body: bytes, content_type: str | None
) -> None:
    assert decode_json(_response(status, body, content_type=content_type), now=NOW) is None


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/x+json"]
)
def test_decode_json_reads_json(content_type: str) -> None:
    response = _response(200, {"ivr": {"name": "主菜单"}}, content_type=content_type)
    assert decode_json(response, now=NOW) == {"ivr": {"name": "主菜单"}}


@pytest.mark.parametrize("content_type", ["text/html", "text/plain; charset=utf-8"])
def test_decode_json_refuses_a_non_json_content_type(content_type: str) -> None:
    response = _response(200, "<html>maintenance</html>", content_type=content_type)
    with pytest.raises(DecodeError) as info:
        decode_json(response, now=NOW)
    bare = content_type.split(";", maxsplit=1)[0]
    assert repr(bare) in str(info.value)
    assert any(bare in line for line in info.value.errors)
    assert info.value.status == 200
    assert info.value.body == "<html>maintenance</html>"


def test_decode_json_refuses_invalid_json() -> None:
    with pytest.raises(DecodeError, match="not valid JSON") as info:
        decode_json(_response(200, b'{"ivr": '), now=NOW)
    assert info.value.url == str(CURRENT)
    assert info.value.method == "GET"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_decode_json_refuses_a_redirect_with_api_error(status: int) -> None:
    response = _response(
        status,
        b"",
        content_type=None,
        headers={"location": "https://elsewhere.example/api/v2/channels/voice/ivr"},
    )
    with pytest.raises(APIError) as info:
        decode_json(response, now=NOW)
    assert info.value.status == status


def test_decode_json_refuses_a_redirect_even_with_a_json_body() -> None:
    with pytest.raises(APIError) as info:
        decode_json(_response(302, {"ivr": {"id": 1, "name": "x"}}), now=NOW)
    assert info.value.status == 302


@pytest.mark.parametrize(("status", "cls"), ERROR_CLASSES)
def test_decode_json_raises_the_typed_error(status: int, cls: type[APIError]) -> None:
    with pytest.raises(APIError) as info:
        decode_json(_response(status, {"error": "E"}), now=NOW)
    assert type(info.value) is cls
    assert info.value.status == status


# --- next_page_url / resume_url -------------------------------------------------------------


def test_next_page_url_null_is_the_end() -> None:
    assert next_page_url({"next_page": None}, CURRENT, SITE) is None
    assert next_page_url({}, CURRENT, SITE) is None


@pytest.mark.parametrize(
    "link",
    [
        "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=2&per_page=100&sort=x",
        "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus.json?page=2&per_page=100",
        "https://acme.zendesk.com/api/v2/x?page%5Bsize%5D=100&page%5Bafter%5D=abc%3D%3D",
        "https://acme.zendesk.com/api/v2/x?per_page=100&page=2&page=3",
    ],
)
def test_next_page_url_follows_an_absolute_link_verbatim(link: str) -> None:
    url = next_page_url({"next_page": link}, CURRENT, SITE)
    assert url is not None
    assert str(url) == link


def test_next_page_url_keeps_unknown_query_params() -> None:
    link = "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=2&per_page=100&sort=x"
    url = next_page_url({"next_page": link}, CURRENT, SITE)
    assert url is not None
    assert list(url.query.items()) == [("page", "2"), ("per_page", "100"), ("sort", "x")]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (
            "/api/v2/channels/voice/ivr/1/menus?page=2",
            "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=2",
        ),
        ("?page=2", "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=2"),
        ("menus?page=3", "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=3"),
    ],
)
def test_next_page_url_joins_a_relative_link(link: str, expected: str) -> None:
    assert str(next_page_url({"next_page": link}, CURRENT, SITE)) == expected


def test_next_page_url_relative_link_keeps_a_proxy_prefix() -> None:
    site = URL("http://127.0.0.1:8080/zendesk/")
    current = URL("http://127.0.0.1:8080/zendesk/api/v2/channels/voice/ivr?per_page=100")
    url = next_page_url({"next_page": "ivr?page=2"}, current, site)
    assert str(url) == "http://127.0.0.1:8080/zendesk/api/v2/channels/voice/ivr?page=2"


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/api/v2/channels/voice/ivr/1/menus?page=2",
        "https://acme.zendesk.com.evil.example/api/v2/channels/voice/ivr/1/menus?page=2",
        "https://other.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=2",
        "https://acme.zendesk.com:8443/api/v2/channels/voice/ivr/1/menus?page=2",
        "http://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=2",
    ],
)
def test_next_page_url_refuses_another_origin(link: str) -> None:
    with pytest.raises(PaginationError) as info:
        next_page_url({"next_page": link}, CURRENT, SITE)
    assert info.value.url.split("?")[0] == link.split("?", maxsplit=1)[0]


def test_next_page_url_refuses_a_scheme_relative_link_to_another_host() -> None:
    with pytest.raises(PaginationError):
        next_page_url(
            {"next_page": "//evil.example/api/v2/channels/voice/ivr?page=2"}, CURRENT, SITE
        )


@pytest.mark.parametrize("link", [str(CURRENT), "?per_page=100"])
def test_next_page_url_refuses_the_page_just_read(link: str) -> None:
    with pytest.raises(PaginationError, match="just read"):
        next_page_url({"next_page": link}, CURRENT, SITE)


@pytest.mark.parametrize("link", [2, True, "", ["https://acme.zendesk.com/x"], {"href": "x"}])
def test_next_page_url_refuses_a_non_string(link: object) -> None:
    with pytest.raises(PaginationError, match="not a URL"):
        next_page_url({"next_page": link}, CURRENT, SITE)


@pytest.mark.parametrize(
    "link",
    [
        "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=3&per_page=100",
        URL("https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=3&per_page=100"),
    ],
)
def test_resume_url_accepts_a_link_on_the_site(link: str | URL) -> None:
    url = resume_url(link, SITE)
    assert str(url) == str(link)


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/api/v2/channels/voice/ivr?page=2",
        "http://acme.zendesk.com/api/v2/channels/voice/ivr?page=2",
        "https://acme.zendesk.com:444/api/v2/channels/voice/ivr?page=2",
        "/api/v2/channels/voice/ivr?page=2",
        "?page=2",
    ],
)
def test_resume_url_refuses_a_link_off_the_site(link: str) -> None:
    with pytest.raises(PaginationError):
        resume_url(link, SITE)


# --- decode_page ----------------------------------------------------------------------------


def _page(body: object, *, url: URL = CURRENT) -> tuple[Page[IvrMenu], URL | None]:
    return decode_page(STRICT, MENU_ENVELOPE, IvrMenu, _response(200, body, url=url), site=SITE)


def test_decode_page_reads_items_count_and_links() -> None:
    next_link = "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=2&per_page=100"
    previous = "https://acme.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=0&per_page=100"
    body = {
        "ivr_menus": [_menu_json(5, "One"), _menu_json(6, "Two")],
        "count": 250,
        "next_page": next_link,
        "previous_page": previous,
    }
    page, nxt = _page(body)
    assert [m.id for m in page.items] == [5, 6]
    assert [m.name for m in page.items] == ["One", "Two"]
    assert isinstance(page.items, tuple)
    assert page.count == 250
    assert page.next_page == next_link
    assert isinstance(page.next_page, str)
    assert page.previous_page == previous
    assert page.url == str(CURRENT)
    assert str(nxt) == next_link


def test_decode_page_last_page() -> None:
    page, nxt = _page({"ivr_menus": [], "count": 0, "next_page": None, "previous_page": None})
    assert page.items == ()
    assert page.count == 0
    assert page.next_page is None
    assert page.previous_page is None
    assert nxt is None


def test_decode_page_without_count() -> None:
    page, _ = _page({"ivr_menus": [_menu_json()]})
    assert page.count is None


@pytest.mark.parametrize("key", ["ivr_menus", "menus"])
def test_decode_page_accepts_both_menu_list_keys(key: str) -> None:
    page, _ = _page({key: [_menu_json(9, "Nine")], "next_page": None})
    assert page.items == (IvrMenu(id=9, name="Nine"),)


@pytest.mark.parametrize("body", [{"items": []}, {}, [], None, 5])
def test_decode_page_missing_list_key_is_a_decode_error(body: object) -> None:
    with pytest.raises(DecodeError) as info:
        _page(body)
    assert info.value.errors == ("missing key 'ivr_menus' @ $",)


def test_decode_page_list_key_that_is_not_a_list_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="list"):
        _page({"ivr_menus": {"id": 1}})


@pytest.mark.parametrize("count", ["3", 1.0, True, [1]])
def test_decode_page_count_must_be_an_int(count: object) -> None:
    with pytest.raises(DecodeError, match="count"):
        _page({"ivr_menus": [], "count": count})


@pytest.mark.parametrize(
    ("key", "items", "path"),
    [
        ("ivr_menus", [{"id": "5", "name": "x"}], "$.ivr_menus[0].id"),
        ("ivr_menus", [_menu_json(), {"id": 6, "name": 6}], "$.ivr_menus[1].name"),
        (
            "menus",
            [_menu_json(), _menu_json(), {"id": 7, "name": "x", "default": 1}],
            "$.menus[2].default",
        ),
        (
            "ivr_menus",
            [{"id": 1, "name": "a", "routes": [{"id": 2, "keypress": 1, "action": "menu"}]}],
            "$.ivr_menus[0].routes[0].keypress",
        ),
    ],
)
def test_decode_page_bad_item_names_the_json_path(key: str, items: list[Any], path: str) -> None:
    with pytest.raises(DecodeError) as info:
        _page({key: items})
    assert info.value.errors
    assert any(line.endswith(f"@ {path}") for line in info.value.errors), info.value.errors
    assert path in str(info.value)


def test_decode_page_unknown_key_in_an_item_names_the_item_with_the_strict_converter() -> None:
    with pytest.raises(DecodeError) as info:
        _page({"ivr_menus": [_menu_json(), {**_menu_json(), "colour": "red"}]})
    assert any("colour" in line and line.endswith("@ $.ivr_menus[1]") for line in info.value.errors)


@pytest.mark.parametrize(
    ("action", "options", "path"),
    [
        ("group", {"group_ids": ["x"]}, "$.ivr_menus[0].routes[0].options.group_ids[0]"),
        ("menu", {"menu_id": "3"}, "$.ivr_menus[0].routes[0].options.menu_id"),
        (
            "phone_number",
            {"phone_number": 5551234},
            "$.ivr_menus[0].routes[0].options.phone_number",
        ),
    ],
)
def test_decode_page_error_path_names_route_options(
    action: str, options: dict[str, Any], path: str
) -> None:
    route = {"id": 2, "keypress": "1", "action": action, "options": options}
    with pytest.raises(DecodeError) as info:
        _page({"ivr_menus": [{"id": 1, "name": "a", "routes": [route]}]})
    assert any(line.endswith(f"@ {path}") for line in info.value.errors), info.value.errors


def test_decode_page_refuses_a_next_page_on_another_host() -> None:
    with pytest.raises(PaginationError):
        _page({"ivr_menus": [], "next_page": "https://evil.example/api/v2/x?page=2"})


def test_decode_page_raises_the_typed_error_for_an_error_status() -> None:
    response = _response(404, {"error": "RecordNotFound", "description": "Not found"})
    with pytest.raises(NotFound):
        decode_page(STRICT, MENU_ENVELOPE, IvrMenu, response, site=SITE)


def test_decode_page_of_ivrs() -> None:
    body = {
        "ivrs": [{"id": 1, "name": "Support", "menus": [], "phone_number_ids": [4]}],
        "count": 1,
        "next_page": None,
        "previous_page": None,
    }
    url = URL("https://acme.zendesk.com/api/v2/channels/voice/ivr?per_page=100")
    page, nxt = decode_page(STRICT, IVR_ENVELOPE, Ivr, _response(200, body, url=url), site=SITE)
    assert page.items == (Ivr(id=1, name="Support", phone_number_ids=(4,)),)
    assert nxt is None


# --- decode_one -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["ivr_menu", "menu"])
def test_decode_one_accepts_both_menu_keys(key: str) -> None:
    menu = decode_one(
        STRICT, MENU_ENVELOPE, IvrMenu, _response(200, {key: _menu_json(3, "X")}), now=NOW
    )
    assert menu == IvrMenu(id=3, name="X")


@pytest.mark.parametrize("key", ["ivr_route", "route"])
def test_decode_one_route(key: str) -> None:
    body = {key: {"id": 4, "keypress": "#", "action": "group", "options": {"group_ids": [10001]}}}
    route = decode_one(STRICT, ROUTE_ENVELOPE, IvrRoute, _response(201, body), now=NOW)
    assert route == IvrRoute(
        id=4, keypress="#", action="group", options=GroupOptions(group_ids=(10001,))
    )


@pytest.mark.parametrize("body", [{"ivr": {"id": 1, "name": "x"}}, {}, [], None])
def test_decode_one_missing_key_is_a_decode_error(body: object) -> None:
    with pytest.raises(DecodeError) as info:
        decode_one(STRICT, MENU_ENVELOPE, IvrMenu, _response(200, body), now=NOW)
    assert info.value.errors == ("missing key 'ivr_menu' @ $",)


def test_decode_one_bad_object_is_a_decode_error() -> None:
    with pytest.raises(DecodeError) as info:
        decode_one(
            STRICT, IVR_ENVELOPE, Ivr, _response(200, {"ivr": {"id": "1", "name": "x"}}), now=NOW
        )
    assert any("id" in line for line in info.value.errors)


@pytest.mark.parametrize(("key", "path"), [("ivr_menu", "$.ivr_menu.id"), ("menu", "$.menu.id")])
def test_decode_one_error_paths_start_at_the_body_root(key: str, path: str) -> None:
    # decode_page names `$.ivr_menus[0].id`; one object must be named the same way.
    with pytest.raises(DecodeError) as info:
        decode_one(
            STRICT, MENU_ENVELOPE, IvrMenu, _response(200, {key: {"id": "x", "name": "a"}}), now=NOW
        )
    assert any(line.endswith(f"@ {path}") for line in info.value.errors), info.value.errors


def test_decode_one_raises_the_typed_error_for_an_error_status() -> None:
    response = _response(422, {"error": "RecordInvalid", "details": {"name": []}})
    with pytest.raises(RecordInvalid) as info:
        decode_one(STRICT, MENU_ENVELOPE, IvrMenu, response, now=NOW)
    assert info.value.details == {"name": []}


def test_decode_one_non_json_body_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        decode_one(
            STRICT,
            MENU_ENVELOPE,
            IvrMenu,
            _response(200, "<html/>", content_type="text/html"),
            now=NOW,
        )
