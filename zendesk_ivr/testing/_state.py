"""
The fake's account, kept free of aiohttp and I/O so it can be unit-tested directly.

It holds the in-memory IVR store with Zendesk's validation rules, the groups and
greetings IVRs point at, the pagination maths and the hand-written JSON rendering
(never the client's converter, so a client bug can't hide on both sides). What the
pipeline does before a handler runs (auth, faults, rate limits, the request log)
is in `._faults`, and the OAuth token server in `._oauth`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, Literal

import attrs
from yarl import URL

from ._faults import Admission, Credentials, FaultQueue, RecordedRequest, TokenBucket
from ._oauth import OAuthServer, bearer_token

JSONObject = dict[str, Any]

API_PREFIX: Final = "/api/v2/channels/voice"
#: Groups belong to Zendesk Support, not Talk, so they sit outside `API_PREFIX`.
GROUPS_PATH: Final = "/api/v2/groups"
#: The first id handed out, taken from a live sample so ids look like Zendesk's 14-digit ones.
FIRST_ID: Final = 21973195678484
KEYPRESSES: Final = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#", "default")
ACTIONS: Final = ("group", "voicemail", "phone_number", "textback", "menu")
DEFAULT_MENU_NAME: Final = "Main menu"
#: The greeting category of IVR menu greetings, from the docs' greeting_categories example.
IVR_GREETING_CATEGORY: Final = 5
DEFAULT_PER_PAGE: Final = 100
#: Zendesk refuses offset pagination past the first 10,000 records (rolled out 2024).
OFFSET_LIMIT: Final = 10_000

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
    # The fake has no phone number resource, so names planted with `Store.put_ivr`
    # live here; numbers without one get an invented name.
    phone_number_names: dict[int, str] = attrs.Factory(dict)


@attrs.define
class GroupRecord:
    id: int
    name: str
    default: bool
    # Derived from the store's history rather than the clock, so a seeded
    # account renders the same on every run.
    created_at: str


@attrs.define
class GreetingRecord:
    id: int
    name: str
    category_id: int


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

    Groups and greetings are only what IVRs point at: tests add them directly,
    and the API only lists them. Routes and menus may name ones that don't exist,
    as they can in Zendesk once a group or greeting is deleted.
    """

    ivrs: dict[int, IvrRecord] = attrs.Factory(dict)
    groups: dict[int, GroupRecord] = attrs.Factory(dict)
    greetings: dict[int, GreetingRecord] = attrs.Factory(dict)
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

    # groups and greetings: only what IVRs point at, set up by tests rather than the API

    def add_group(self, name: str, *, group_id: int | None = None) -> GroupRecord:
        group = GroupRecord(
            id=self.new_id() if group_id is None else group_id,
            name=name,
            # Zendesk makes an account's first group its default one.
            default=not self.groups,
            created_at=_timestamp(len(self.groups)),
        )
        self.groups[group.id] = group
        return group

    def delete_group(self, group_id: int) -> GroupRecord:
        return self.groups.pop(group_id)

    def add_greeting(
        self, name: str, *, category_id: int = IVR_GREETING_CATEGORY
    ) -> GreetingRecord:
        greeting = GreetingRecord(id=self.new_id(), name=name, category_id=category_id)
        self.greetings[greeting.id] = greeting
        return greeting

    def delete_greeting(self, greeting_id: int) -> GreetingRecord:
        return self.greetings.pop(greeting_id)

    def group_names(self) -> dict[int, str]:
        return {group.id: group.name for group in self.groups.values()}

    def greeting_users(self) -> dict[int, list[IvrRecord]]:
        """The IVRs whose menus play each greeting, each IVR once, in store order."""
        users: dict[int, list[IvrRecord]] = {}
        for ivr in self.ivrs.values():
            for greeting_id in dict.fromkeys(m.greeting_id for m in ivr.menus.values()):
                if greeting_id is not None:
                    users.setdefault(greeting_id, []).append(ivr)
        return users

    # raw trees

    def put_ivr(self, tree: Mapping[str, Any]) -> IvrRecord:
        """
        Store an IVR given in the API's JSON shape, skipping every validation rule.

        This is how tests plant trees the API would refuse. Ids in *tree* are
        ignored and fresh ones assigned, except that a route's ``menu_id`` option
        is kept as given unless it is ``"@menu:<index>"``, which names a menu of
        *tree* by position, since the menu's id is not known before it is stored.
        """
        phone_number_ids = list(tree.get("phone_number_ids", []))
        ivr = IvrRecord(id=self.new_id(), name=tree["name"], phone_number_ids=phone_number_ids)
        names = tree.get("phone_number_names")
        if names is not None:
            if len(names) != len(phone_number_ids):
                msg = "phone_number_names must pair up with phone_number_ids"
                raise ValueError(msg)
            ivr.phone_number_names = dict(zip(phone_number_ids, names, strict=True))
        sent_menus = list(tree.get("menus", []))
        menus = [
            self._insert_menu(
                ivr,
                sent["name"],
                default=sent.get("default", False),
                greeting_id=sent.get("greeting_id"),
            )
            for sent in sent_menus
        ]
        menu_ids = [menu.id for menu in menus]
        for sent, menu in zip(sent_menus, menus, strict=True):
            for route in sent.get("routes", []):
                options = copy.deepcopy(dict(route["options"]))
                if "menu_id" in options:
                    options["menu_id"] = _resolve_menu_ref(options["menu_id"], menu_ids)
                fields = {
                    "keypress": route["keypress"],
                    "action": route["action"],
                    "options": options,
                    "overflow_options": copy.deepcopy(list(route.get("overflow_options", []))),
                }
                self._insert_route(menu, fields)
        # Stored last, so a tree that fails to resolve leaves nothing behind.
        self.ivrs[ivr.id] = ivr
        return ivr

    # inserts shared by the endpoints and `put_ivr`

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


def _resolve_menu_ref(value: object, menu_ids: Sequence[int]) -> object:
    # Anything but a reference is kept as given, so tests can plant dead keys.
    if not isinstance(value, str) or not value.startswith("@menu:"):
        return value
    match = re.fullmatch(r"@menu:([0-9]+)", value)
    if match is None or int(match[1]) >= len(menu_ids):
        msg = f"{value!r} names no menu of this IVR, which has {len(menu_ids)}"
        raise ValueError(msg)
    return menu_ids[int(match[1])]


#: Group timestamps count from here, so they look real but never depend on the clock.
_EPOCH: Final = dt.datetime(2023, 3, 6, 9, 30, tzinfo=dt.UTC)


def _timestamp(index: int) -> str:
    return (_EPOCH + dt.timedelta(days=index, hours=3 * index)).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- rendering ------------------------------------------------------------------------


def phone_number_name(phone_number_id: int) -> str:
    """The display name of a Talk number; the fake has no numbers, so it invents one."""
    return f"Talk number {phone_number_id}"


def group_name(group_id: int) -> str:
    """The name shown for a group the account doesn't have."""
    return f"Group {group_id}"


#: No known groups: every route names its groups with `group_name`.
NO_GROUPS: Final[Mapping[int, str]] = MappingProxyType({})


def _option_text(route: RouteRecord, group_names: Mapping[int, str]) -> str | None:
    group_ids = route.options.get("group_ids")
    if route.action != "group" or not isinstance(group_ids, list):
        return None
    return ", ".join(group_names.get(g, group_name(g)) for g in group_ids if _is_int(g))


def ivr_url(base: str, ivr_id: int) -> str:
    return f"{base}{API_PREFIX}/ivr/{ivr_id}.json"


def menu_url(base: str, ivr_id: int, menu_id: int) -> str:
    return f"{base}{API_PREFIX}/ivr/{ivr_id}/menus/{menu_id}.json"


def route_url(base: str, route: RouteRecord) -> str:
    return f"{base}{API_PREFIX}/ivr/{route.ivr_id}/menus/{route.menu_id}/routes/{route.id}.json"


def render_route(
    route: RouteRecord, base: str, *, group_names: Mapping[int, str] = NO_GROUPS
) -> JSONObject:
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
        "option_text": _option_text(route, group_names),
        "overflow_options": copy.deepcopy(route.overflow_options),
        "url": route_url(base, route),
    }


def render_menu(
    menu: MenuRecord,
    base: str,
    *,
    group_names: Mapping[int, str] = NO_GROUPS,
    embed_routes: bool = True,
) -> JSONObject:
    """Without *embed_routes* the ``routes`` key is left out, not emptied."""
    body: JSONObject = {
        "id": menu.id,
        "name": menu.name,
        "default": menu.default,
        "greeting_id": menu.greeting_id,
    }
    if embed_routes:
        body["routes"] = [
            render_route(route, base, group_names=group_names) for route in menu.routes.values()
        ]
    body["url"] = menu_url(base, menu.ivr_id, menu.id)
    return body


def render_ivr(
    ivr: IvrRecord,
    base: str,
    *,
    group_names: Mapping[int, str] = NO_GROUPS,
    embed_routes: bool = True,
) -> JSONObject:
    names = ivr.phone_number_names
    return {
        "id": ivr.id,
        "name": ivr.name,
        "menus": [
            render_menu(menu, base, group_names=group_names, embed_routes=embed_routes)
            for menu in ivr.menus.values()
        ],
        "phone_number_ids": list(ivr.phone_number_ids),
        "phone_number_names": [names.get(p, phone_number_name(p)) for p in ivr.phone_number_ids],
        "url": ivr_url(base, ivr.id),
    }


def render_group(group: GroupRecord, base: str) -> JSONObject:
    return {
        "id": group.id,
        "name": group.name,
        "description": "",
        "default": group.default,
        "deleted": False,
        "created_at": group.created_at,
        "updated_at": group.created_at,
        "url": f"{base}{GROUPS_PATH}/{group.id}.json",
    }


def render_greeting(greeting: GreetingRecord, base: str, users: Sequence[IvrRecord]) -> JSONObject:
    """
    Render a custom greeting; *users* are the IVRs whose menus play it.

    The docs call a greeting active when a phone number uses it, and an IVR
    greeting reaches callers through the numbers of its IVRs.
    """
    phone_number_ids = sorted({p for ivr in users for p in ivr.phone_number_ids})
    slug = re.sub(r"[^a-z0-9]+", "-", greeting.name.lower()).strip("-") or "greeting"
    return {
        "id": greeting.id,
        "name": greeting.name,
        "category_id": greeting.category_id,
        "active": bool(phone_number_ids),
        "default": False,
        "default_lang": True,
        "pending": False,
        "audio_name": f"{slug}.mp3",
        "audio_url": f"/system/voice/uploads/{greeting.id}/{slug}.mp3",
        "ivr_ids": [ivr.id for ivr in users],
        "phone_number_ids": phone_number_ids,
        "has_sub_settings": False,
        "url": f"{base}{API_PREFIX}/greetings/{greeting.id}.json",
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


# --- everything the web layer needs ---------------------------------------------------

#: ``invalid_token``: a bearer token the fake issued that has expired, been revoked or
#: been rotated away, which Zendesk answers differently from credentials it never knew.
AuthOutcome = Literal["ok", "invalid_token", "refused"]


@attrs.define
class FakeState:
    credentials: Credentials
    max_page_size: int = DEFAULT_PER_PAGE
    store: Store = attrs.Factory(Store)
    requests: list[RecordedRequest] = attrs.Factory(list)
    faults: FaultQueue = attrs.Factory(FaultQueue)
    latency: float = 0.0
    next_page_params: dict[str, str] = attrs.Factory(dict)
    omit_embedded_routes: bool = False
    limiter: TokenBucket | None = None
    rate_limited_count: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    oauth: OAuthServer = attrs.Factory(OAuthServer)

    def authenticate(self, authorization: str | None, monotonic: float) -> AuthOutcome:
        """Judge an Authorization header; *monotonic* is a reading of the monotonic clock."""
        if self.credentials.accepts(authorization):
            return "ok"
        token = bearer_token(authorization)
        if not token:
            return "refused"
        check = self.oauth.check_bearer(token, monotonic)
        if check == "valid":
            return "ok"
        return "invalid_token" if check == "invalid_token" else "refused"

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
