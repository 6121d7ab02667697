"""
The fake's state, kept free of aiohttp and I/O so it can be unit-tested directly.

It holds the in-memory IVR store with Zendesk's validation rules, the pagination
maths, the hand-written JSON rendering (never the client's converter, so a client
bug can't hide on both sides), the request log, the fault queue and the rate limiter.
Clocks are passed in as plain numbers for the same reason.
"""

from __future__ import annotations

import base64
import binascii
import copy
import http
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal

import attrs
from yarl import URL

JSONObject = dict[str, Any]

API_PREFIX: Final = "/api/v2/channels/voice"
#: The first id handed out, taken from a live sample so ids look like Zendesk's 14-digit ones.
FIRST_ID: Final = 21973195678484
KEYPRESSES: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#", "default")
#: The keypresses a phone keypad offers, in the order `Store.seed` uses them.
SEED_KEYPRESSES: Final = KEYPRESSES[:12]
ACTIONS: Final = ("group", "voicemail", "phone_number", "textback", "menu")
DEFAULT_MENU_NAME: Final = "Main menu"
DEFAULT_PER_PAGE: Final = 100
#: Zendesk refuses offset pagination past the first 10,000 records (rolled out 2024).
OFFSET_LIMIT: Final = 10_000

JSON_TYPE: Final = "application/json; charset=utf-8"
TEXT_TYPE: Final = "text/plain; charset=utf-8"
HTML_TYPE: Final = "text/html; charset=utf-8"
MAINTENANCE_PAGE: Final = (
    b"<!DOCTYPE html><html><head><title>Zendesk is down for maintenance</title></head>"
    b"<body><h1>We'll be back shortly</h1><p>Zendesk is undergoing scheduled maintenance."
    b"</p></body></html>"
)


# --- errors ---------------------------------------------------------------------------


class ApiError(Exception):
    """
    A Zendesk-shaped error response; the web layer serialises *body* as JSON.
    """

    def __init__(self, status: int, body: JSONObject) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body


def not_found() -> ApiError:
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def parameter_missing(key: str) -> ApiError:
    return ApiError(
        400,
        {
            "error": "ParameterMissing",
            "description": f"param is missing or the value is empty: {key}",
        },
    )


def bad_request(error: str, description: str) -> ApiError:
    return ApiError(400, {"error": error, "description": description})


class _Errors:
    """Collects every failed rule first, as Rails does, so one 422 lists them all."""

    def __init__(self) -> None:
        self.details: dict[str, list[JSONObject]] = {}

    def add(self, field: str, error: str, description: str) -> None:
        self.details.setdefault(field, []).append({"description": description, "error": error})

    def raise_if_any(self) -> None:
        if self.details:
            raise ApiError(
                422,
                {
                    "error": "RecordInvalid",
                    "description": "Record validation errors",
                    "details": self.details,
                },
            )


def parse_wrapped(body: bytes, key: str) -> JSONObject:
    """
    Return the object under *key* of a write body.

    An empty wrapper counts as missing, as with Rails' ``params.require``.
    """
    if not body.strip():
        raise parameter_missing(key)
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise bad_request("InvalidJSON", f"The request body is not valid JSON: {exc}") from None
    fields = data.get(key) if isinstance(data, dict) else None
    if not isinstance(fields, dict) or not fields:
        raise parameter_missing(key)
    return fields


# --- records and validation -----------------------------------------------------------


@attrs.define
class RouteRecord:
    id: int
    ivr_id: int
    menu_id: int
    keypress: str
    action: str
    options: JSONObject
    overflow_options: list[Any]


@attrs.define
class MenuRecord:
    id: int
    ivr_id: int
    name: str
    default: bool
    greeting_id: int | None
    # Ids come from one increasing counter, so insertion order is id order.
    routes: dict[int, RouteRecord] = attrs.Factory(dict)


@attrs.define
class IvrRecord:
    id: int
    name: str
    phone_number_ids: list[int]
    menus: dict[int, MenuRecord] = attrs.Factory(dict)


def _is_int(value: object) -> bool:
    # JSON true/false arrive as bool, which Python counts as int.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_int_list(value: object) -> bool:
    return isinstance(value, list) and all(_is_int(item) for item in value)


def _check_name(errors: _Errors, name: object) -> None:
    if name is None or (isinstance(name, str) and not name.strip()):
        errors.add("name", "BlankValue", "Name: cannot be blank")
    elif not isinstance(name, str):
        errors.add("name", "InvalidValue", "Name: must be a string")


def _merge(
    current: Mapping[str, Any], sent: Mapping[str, Any], writable: Sequence[str]
) -> JSONObject:
    """
    Overlay the writable keys a client sent on the current values.

    Anything else, read-only fields included, is ignored rather than refused, as
    Zendesk does.
    """
    merged = dict(current)
    merged.update({key: copy.deepcopy(sent[key]) for key in writable if key in sent})
    return merged


_IVR_FIELDS: Final = ("name", "phone_number_ids")
_MENU_FIELDS: Final = ("name", "greeting_id")
_ROUTE_FIELDS: Final = ("keypress", "action", "options", "overflow_options")


def _validate_ivr(fields: Mapping[str, Any]) -> None:
    errors = _Errors()
    _check_name(errors, fields.get("name"))
    if not _is_int_list(fields.get("phone_number_ids")):
        errors.add(
            "phone_number_ids", "InvalidValue", "Phone number ids: must be a list of integers"
        )
    errors.raise_if_any()


def _validate_menu(fields: Mapping[str, Any]) -> None:
    errors = _Errors()
    _check_name(errors, fields.get("name"))
    greeting_id = fields.get("greeting_id")
    if greeting_id is not None and not _is_int(greeting_id):
        errors.add("greeting_id", "InvalidValue", "Greeting: must be an integer or null")
    errors.raise_if_any()


def _validate_route(
    fields: Mapping[str, Any], *, taken_keypresses: set[str], menu_ids: set[int]
) -> None:
    errors = _Errors()
    keypress = fields.get("keypress")
    if keypress is None or keypress == "":
        errors.add("keypress", "BlankValue", "Keypress: cannot be blank")
    elif not isinstance(keypress, str) or keypress not in KEYPRESSES:
        errors.add("keypress", "InvalidValue", f"Keypress: {keypress!r} is not a valid keypress")
    elif keypress in taken_keypresses:
        errors.add("keypress", "DuplicateValue", "Keypress: has already been taken")

    action = fields.get("action")
    if action is None or action == "":
        errors.add("action", "BlankValue", "Action: cannot be blank")
    elif action not in ACTIONS:
        errors.add("action", "InvalidValue", f"Action: {action!r} is not a valid action")

    options = fields.get("options")
    if not isinstance(options, dict):
        errors.add("options", "InvalidValue", "Options: must be an object")
    elif action in ("group", "voicemail"):
        group_ids = options.get("group_ids")
        if not group_ids or not _is_int_list(group_ids):
            errors.add(
                "options", "InvalidValue", "Options: group_ids must be a non-empty list of integers"
            )
    elif action == "phone_number":
        phone_number = options.get("phone_number")
        if not isinstance(phone_number, str) or not phone_number.strip():
            errors.add("options", "InvalidValue", "Options: phone_number must be a phone number")
    elif action == "menu" and options.get("menu_id") not in menu_ids:
        errors.add("options", "InvalidValue", "Options: menu_id must be a menu of this IVR")

    if not isinstance(fields.get("overflow_options"), list):
        errors.add("overflow_options", "InvalidValue", "Overflow options: must be a list")
    errors.raise_if_any()


@attrs.define
class Store:
    """
    The IVRs, their menus and routes, with Zendesk's rules where the docs give them.

    Where the docs are silent the fake follows what Zendesk (a Rails app) does:

    - updates are validated against the merged record, and a sent ``options``
      object replaces the stored one whole rather than being deep-merged;
    - read-only fields (``id``, ``default``, ``routes``, ``greeting``,
      ``option_text``, ``phone_number_names``) and nested ``menus`` on an IVR
      are ignored, not refused;
    - ``overflow_options`` must be a list when sent (its element shape is undocumented).
    """

    ivrs: dict[int, IvrRecord] = attrs.Factory(dict)
    _next_id: int = FIRST_ID

    def new_id(self) -> int:
        # One counter for every kind of object, like Zendesk's global ids.
        value = self._next_id
        self._next_id += 1
        return value

    def ivr(self, ivr_id: int) -> IvrRecord:
        try:
            return self.ivrs[ivr_id]
        except KeyError:
            raise not_found() from None

    def menu(self, ivr_id: int, menu_id: int) -> MenuRecord:
        try:
            return self.ivr(ivr_id).menus[menu_id]
        except KeyError:
            raise not_found() from None

    def route(self, ivr_id: int, menu_id: int, route_id: int) -> RouteRecord:
        try:
            return self.menu(ivr_id, menu_id).routes[route_id]
        except KeyError:
            raise not_found() from None

    # IVRs

    def create_ivr(self, sent: Mapping[str, Any]) -> IvrRecord:
        fields = _merge({"phone_number_ids": []}, sent, _IVR_FIELDS)
        _validate_ivr(fields)
        return self._insert_ivr(fields["name"], fields["phone_number_ids"])

    def update_ivr(self, ivr_id: int, sent: Mapping[str, Any]) -> IvrRecord:
        ivr = self.ivr(ivr_id)
        fields = _merge(
            {"name": ivr.name, "phone_number_ids": ivr.phone_number_ids}, sent, _IVR_FIELDS
        )
        _validate_ivr(fields)
        ivr.name = fields["name"]
        ivr.phone_number_ids = fields["phone_number_ids"]
        return ivr

    def delete_ivr(self, ivr_id: int) -> IvrRecord:
        # Menus and routes live inside the IVR record, so they go with it.
        ivr = self.ivr(ivr_id)
        del self.ivrs[ivr_id]
        return ivr

    # menus

    def create_menu(self, ivr_id: int, sent: Mapping[str, Any]) -> MenuRecord:
        ivr = self.ivr(ivr_id)
        fields = _merge({"greeting_id": None}, sent, _MENU_FIELDS)
        _validate_menu(fields)
        return self._insert_menu(ivr, fields["name"], greeting_id=fields["greeting_id"])

    def update_menu(self, ivr_id: int, menu_id: int, sent: Mapping[str, Any]) -> MenuRecord:
        menu = self.menu(ivr_id, menu_id)
        fields = _merge({"name": menu.name, "greeting_id": menu.greeting_id}, sent, _MENU_FIELDS)
        _validate_menu(fields)
        menu.name = fields["name"]
        menu.greeting_id = fields["greeting_id"]
        return menu

    def delete_menu(self, ivr_id: int, menu_id: int) -> MenuRecord:
        menu = self.menu(ivr_id, menu_id)
        if menu.default:
            errors = _Errors()
            errors.add("base", "InvalidValue", "The default menu of an IVR cannot be deleted")
            errors.raise_if_any()
        del self.ivrs[ivr_id].menus[menu_id]
        return menu

    # routes

    def create_route(self, ivr_id: int, menu_id: int, sent: Mapping[str, Any]) -> RouteRecord:
        menu = self.menu(ivr_id, menu_id)
        fields = _merge({"options": {}, "overflow_options": []}, sent, _ROUTE_FIELDS)
        self._validate_route_in(menu, fields, route_id=None)
        return self._insert_route(menu, fields)

    def update_route(
        self, ivr_id: int, menu_id: int, route_id: int, sent: Mapping[str, Any]
    ) -> RouteRecord:
        menu = self.menu(ivr_id, menu_id)
        route = self.route(ivr_id, menu_id, route_id)
        current = {
            "keypress": route.keypress,
            "action": route.action,
            "options": route.options,
            "overflow_options": route.overflow_options,
        }
        fields = _merge(current, sent, _ROUTE_FIELDS)
        self._validate_route_in(menu, fields, route_id=route_id)
        route.keypress = fields["keypress"]
        route.action = fields["action"]
        route.options = fields["options"]
        route.overflow_options = fields["overflow_options"]
        return route

    def delete_route(self, ivr_id: int, menu_id: int, route_id: int) -> RouteRecord:
        route = self.route(ivr_id, menu_id, route_id)
        del self.ivrs[ivr_id].menus[menu_id].routes[route_id]
        return route

    def _validate_route_in(
        self, menu: MenuRecord, fields: Mapping[str, Any], *, route_id: int | None
    ) -> None:
        _validate_route(
            fields,
            taken_keypresses={r.keypress for r in menu.routes.values() if r.id != route_id},
            menu_ids=set(self.ivrs[menu.ivr_id].menus),
        )

    # inserts shared by the endpoints and `seed`

    def _insert_ivr(self, name: str, phone_number_ids: list[int]) -> IvrRecord:
        ivr = IvrRecord(id=self.new_id(), name=name, phone_number_ids=phone_number_ids)
        self.ivrs[ivr.id] = ivr
        # Zendesk creates the default menu with the IVR (seen live), named in the
        # account's language; the fake's account speaks English.
        self._insert_menu(ivr, DEFAULT_MENU_NAME, default=True)
        return ivr

    def _insert_menu(
        self, ivr: IvrRecord, name: str, *, default: bool = False, greeting_id: int | None = None
    ) -> MenuRecord:
        menu = MenuRecord(
            id=self.new_id(), ivr_id=ivr.id, name=name, default=default, greeting_id=greeting_id
        )
        ivr.menus[menu.id] = menu
        return menu

    def _insert_route(self, menu: MenuRecord, fields: Mapping[str, Any]) -> RouteRecord:
        route = RouteRecord(
            id=self.new_id(),
            ivr_id=menu.ivr_id,
            menu_id=menu.id,
            keypress=fields["keypress"],
            action=fields["action"],
            options=fields["options"],
            overflow_options=fields["overflow_options"],
        )
        menu.routes[route.id] = route
        return route

    def seed(self, ivrs: int, *, menus: int = 2, routes: int = 3) -> list[int]:
        """
        Create *ivrs* IVRs with *menus* menus each and *routes* routes per menu.

        The output depends only on the arguments and the store's history. Route
        actions cycle through every action; a ``menu`` route points at the next
        menu of its IVR and becomes a ``group`` route when the IVR has only one menu.
        """
        if ivrs < 0:
            msg = f"ivrs must be at least 0, got {ivrs}"
            raise ValueError(msg)
        if menus < 1:
            msg = f"every IVR has a default menu, so menus must be at least 1, got {menus}"
            raise ValueError(msg)
        if not 0 <= routes <= len(SEED_KEYPRESSES):
            msg = f"a menu has {len(SEED_KEYPRESSES)} keypresses, so routes must be 0-12"
            raise ValueError(msg)
        created = []
        for _ in range(ivrs):
            number = len(self.ivrs) + 1
            ivr = self._insert_ivr(
                f"Seeded IVR {number}", [360000100000 + 2 * number, 360000100001 + 2 * number]
            )
            for extra in range(2, menus + 1):
                self._insert_menu(ivr, f"Menu {extra}")
            menu_ids = list(ivr.menus)
            for position, menu_id in enumerate(menu_ids):
                target = menu_ids[(position + 1) % len(menu_ids)]
                for slot in range(routes):
                    action = ACTIONS[(position + slot) % len(ACTIONS)]
                    if action == "menu" and len(menu_ids) == 1:
                        action = "group"
                    fields: JSONObject = {
                        "keypress": SEED_KEYPRESSES[slot],
                        "action": action,
                        "options": _seed_options(action, slot, target),
                        "overflow_options": [],
                    }
                    self._insert_route(ivr.menus[menu_id], fields)
            created.append(ivr.id)
        return created


def _seed_options(action: str, slot: int, target_menu_id: int) -> JSONObject:
    if action in ("group", "voicemail"):
        return {"group_ids": [360001381413 + slot]}
    if action == "phone_number":
        return {"phone_number": f"+1555{2000100 + slot:07d}"}
    if action == "textback":
        return {"textback_phone_number_id": 360000200000 + slot, "sms_text": "Reply to this text"}
    return {"menu_id": target_menu_id}


# --- rendering ------------------------------------------------------------------------


def phone_number_name(phone_number_id: int) -> str:
    """The display name of a Talk number; the fake has no numbers, so it invents one."""
    return f"Talk number {phone_number_id}"


def group_name(group_id: int) -> str:
    return f"Group {group_id}"


def _option_text(route: RouteRecord) -> str | None:
    group_ids = route.options.get("group_ids")
    if route.action != "group" or not isinstance(group_ids, list):
        return None
    return ", ".join(group_name(group_id) for group_id in group_ids)


def ivr_url(base: str, ivr_id: int) -> str:
    return f"{base}{API_PREFIX}/ivr/{ivr_id}.json"


def menu_url(base: str, ivr_id: int, menu_id: int) -> str:
    return f"{base}{API_PREFIX}/ivr/{ivr_id}/menus/{menu_id}.json"


def route_url(base: str, route: RouteRecord) -> str:
    return f"{base}{API_PREFIX}/ivr/{route.ivr_id}/menus/{route.menu_id}/routes/{route.id}.json"


def render_route(route: RouteRecord, base: str) -> JSONObject:
    """
    Render a route as Zendesk does, plus ``url``, a field the docs don't list.

    The unknown field proves clients tolerate fields they don't model.
    """
    return {
        "id": route.id,
        "keypress": route.keypress,
        "action": route.action,
        "options": copy.deepcopy(route.options),
        "greeting": None,
        "option_text": _option_text(route),
        "overflow_options": copy.deepcopy(route.overflow_options),
        "url": route_url(base, route),
    }


def render_menu(menu: MenuRecord, base: str) -> JSONObject:
    return {
        "id": menu.id,
        "name": menu.name,
        "default": menu.default,
        "greeting_id": menu.greeting_id,
        "routes": [render_route(route, base) for route in menu.routes.values()],
        "url": menu_url(base, menu.ivr_id, menu.id),
    }


def render_ivr(ivr: IvrRecord, base: str) -> JSONObject:
    return {
        "id": ivr.id,
        "name": ivr.name,
        "menus": [render_menu(menu, base) for menu in ivr.menus.values()],
        "phone_number_ids": list(ivr.phone_number_ids),
        "phone_number_names": [phone_number_name(pid) for pid in ivr.phone_number_ids],
        "url": ivr_url(base, ivr.id),
    }


# --- pagination -----------------------------------------------------------------------


@attrs.frozen
class PageRequest:
    page: int
    per_page: int


def _query_int(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request("InvalidPaginationParameter", f"{name} must be an integer") from None


def parse_page_request(query: Mapping[str, str], max_page_size: int) -> PageRequest:
    """
    Read ``page`` and ``per_page``.

    ``per_page`` is clamped into 1..*max_page_size* rather than refused, as
    Zendesk does; a non-integer value or a page below 1 is a 400.
    """
    page = _query_int(query, "page")
    if page is None:
        page = 1
    elif page < 1:
        raise bad_request("InvalidPaginationParameter", "page must be 1 or more")
    per_page = _query_int(query, "per_page")
    if per_page is None:
        per_page = DEFAULT_PER_PAGE
    per_page = min(max(per_page, 1), max_page_size)
    if (page - 1) * per_page >= OFFSET_LIMIT:
        raise bad_request(
            "TooManyValues",
            f"Offset pagination is limited to the first {OFFSET_LIMIT} records. "
            "Use cursor pagination to fetch more.",
        )
    return PageRequest(page=page, per_page=per_page)


@attrs.frozen
class PageSlice:
    start: int
    stop: int
    next_page: int | None
    previous_page: int | None


def page_slice(total: int, request: PageRequest) -> PageSlice:
    start = (request.page - 1) * request.per_page
    stop = min(start + request.per_page, total)
    return PageSlice(
        start=start,
        stop=max(start, stop),
        next_page=request.page + 1 if stop < total else None,
        # Zendesk links back even from a page past the end.
        previous_page=request.page - 1 if request.page > 1 else None,
    )


def page_link(request_url: URL, page: int, extra: Mapping[str, str]) -> str:
    """
    The URL of another page: the request URL as received, with ``page`` replaced.

    The path keeps or drops ``.json`` as the client sent it, the client's other
    query parameters stay, and *extra* stands for parameters only the server knows.
    """
    return str(request_url.update_query({"page": str(page)}).update_query(dict(extra)))


def list_body(
    key: str,
    items: Sequence[JSONObject],
    page: PageSlice,
    count: int,
    link: Callable[[int], str],
) -> JSONObject:
    """*link* maps a page number to its URL; it is only called for pages that exist."""
    return {
        key: list(items),
        "next_page": None if page.next_page is None else link(page.next_page),
        "previous_page": None if page.previous_page is None else link(page.previous_page),
        "count": count,
    }


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
        value = value.strip()
        if scheme.lower() == "bearer":
            return self.oauth_token is not None and value == self.oauth_token
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
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


Fault = StatusFault | DropFault | TruncateFault | DelayFault


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


@attrs.define
class TokenBucket:
    """
    *rate* tokens a second, at most *capacity* saved up; a request spends one.
    """

    rate: float
    capacity: int
    retry_after: float | None
    tokens: float
    updated: float

    @classmethod
    def create(
        cls, rate: float, *, burst: int | None, retry_after: float | None, now: float
    ) -> TokenBucket:
        """A full bucket; without *burst* it holds one second's worth of tokens."""
        if rate <= 0:
            msg = f"requests_per_second must be positive, got {rate}"
            raise ValueError(msg)
        capacity = max(1, math.ceil(rate)) if burst is None else burst
        if capacity < 1:
            msg = f"burst must be at least 1, got {burst}"
            raise ValueError(msg)
        return cls(rate, capacity, retry_after, float(capacity), now)

    @property
    def per_minute(self) -> int:
        return round(self.rate * 60)

    @property
    def remaining(self) -> int:
        return math.floor(self.tokens)

    def take(self, now: float) -> float | None:
        """Spend a token; when none is left, return the Retry-After to send instead."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        if self.retry_after is not None:
            return self.retry_after
        return max(1, math.ceil((1 - self.tokens) / self.rate))


@attrs.frozen
class Admission:
    """What the rate limiter decided for one request, and the headers to report it."""

    retry_after: float | None
    # None when no limit is configured: a fake that enforces nothing reports nothing, so a
    # client that learns its pace from these headers is not slowed by a limit that isn't there.
    limit: int | None
    remaining: int | None


# --- everything the web layer needs ---------------------------------------------------


@attrs.define
class FakeState:
    credentials: Credentials
    max_page_size: int = DEFAULT_PER_PAGE
    store: Store = attrs.Factory(Store)
    requests: list[RecordedRequest] = attrs.Factory(list)
    faults: FaultQueue = attrs.Factory(FaultQueue)
    latency: float = 0.0
    next_page_params: dict[str, str] = attrs.Factory(dict)
    limiter: TokenBucket | None = None
    rate_limited_count: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    def mark_unanswered(self, record: RecordedRequest) -> None:
        # Found by identity: the log may have been cleared or grown meanwhile.
        for index in range(len(self.requests) - 1, -1, -1):
            if self.requests[index] is record:
                self.requests[index] = attrs.evolve(record, response_request_id=None)
                return

    def admit(self, now: float) -> Admission:
        if self.limiter is None:
            return Admission(None, None, None)
        retry_after = self.limiter.take(now)
        if retry_after is not None:
            self.rate_limited_count += 1
        return Admission(retry_after, self.limiter.per_minute, self.limiter.remaining)
