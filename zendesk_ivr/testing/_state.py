"""
The fake's account, kept free of aiohttp and I/O so it can be unit-tested directly.

It holds the in-memory IVR store, which applies Zendesk's validation rules from
`._rules`, and the groups and greetings IVRs point at. The JSON rendering is in
`._render` and the pagination maths in `._paging`. What the pipeline does before a
handler runs (auth, faults, rate limits, the request log) is in `._faults`, and the
OAuth token server in `._oauth`.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

import attrs

from ._faults import Admission, Credentials, FaultQueue, RateWindow, RecordedRequest
from ._oauth import OAuthServer, bearer_token
from ._paging import DEFAULT_PER_PAGE
from ._records import (
    GreetingRecord,
    GroupRecord,
    IvrRecord,
    MenuRecord,
    PhoneNumberRecord,
    RouteRecord,
)
from ._rules import (
    IVR_FIELDS,
    MENU_FIELDS,
    ROUTE_FIELDS,
    Errors,
    merge,
    not_found,
    validate_ivr,
    validate_menu,
    validate_route,
)

#: The first id handed out, taken from a live sample so ids look like Zendesk's 14-digit ones.
FIRST_ID: Final = 21973195678484
DEFAULT_MENU_NAME: Final = "Main menu"
#: The greeting category of IVR menu greetings, from the docs' greeting_categories example.
IVR_GREETING_CATEGORY: Final = 5


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

    Groups, greetings and phone numbers are only what IVRs point at: tests add them
    directly, and the API only lists them. Routes and menus may name ones that don't
    exist, as they can in Zendesk once a group or greeting is deleted.
    """

    ivrs: dict[int, IvrRecord] = attrs.Factory(dict)
    groups: dict[int, GroupRecord] = attrs.Factory(dict)
    greetings: dict[int, GreetingRecord] = attrs.Factory(dict)
    phone_numbers: dict[int, PhoneNumberRecord] = attrs.Factory(dict)
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
        fields = merge({"phone_number_ids": []}, sent, IVR_FIELDS)
        validate_ivr(fields)
        return self._insert_ivr(fields["name"], fields["phone_number_ids"])

    def update_ivr(self, ivr_id: int, sent: Mapping[str, Any]) -> IvrRecord:
        ivr = self.ivr(ivr_id)
        fields = merge(
            {"name": ivr.name, "phone_number_ids": ivr.phone_number_ids}, sent, IVR_FIELDS
        )
        validate_ivr(fields)
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
        fields = merge({"greeting_id": None}, sent, MENU_FIELDS)
        validate_menu(fields)
        return self._insert_menu(ivr, fields["name"], greeting_id=fields["greeting_id"])

    def update_menu(self, ivr_id: int, menu_id: int, sent: Mapping[str, Any]) -> MenuRecord:
        menu = self.menu(ivr_id, menu_id)
        fields = merge({"name": menu.name, "greeting_id": menu.greeting_id}, sent, MENU_FIELDS)
        validate_menu(fields)
        menu.name = fields["name"]
        menu.greeting_id = fields["greeting_id"]
        return menu

    def delete_menu(self, ivr_id: int, menu_id: int) -> MenuRecord:
        menu = self.menu(ivr_id, menu_id)
        if menu.default:
            errors = Errors()
            errors.add("base", "InvalidValue", "The default menu of an IVR cannot be deleted")
            errors.raise_if_any()
        del self.ivrs[ivr_id].menus[menu_id]
        return menu

    # routes

    def create_route(self, ivr_id: int, menu_id: int, sent: Mapping[str, Any]) -> RouteRecord:
        menu = self.menu(ivr_id, menu_id)
        fields = merge({"options": {}, "overflow_options": []}, sent, ROUTE_FIELDS)
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
        fields = merge(current, sent, ROUTE_FIELDS)
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
        validate_route(
            fields,
            taken_keypresses={
                r.keypress for r in menu.routes.values() if r.id != route_id and r.keypress
            },
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

    def add_phone_number(
        self, number: str, *, nickname: str | None = None, phone_number_id: int | None = None
    ) -> PhoneNumberRecord:
        phone = PhoneNumberRecord(
            id=self.new_id() if phone_number_id is None else phone_number_id,
            number=number,
            nickname=nickname,
        )
        self.phone_numbers[phone.id] = phone
        return phone

    def group_names(self) -> dict[int, str]:
        return {group.id: group.name for group in self.groups.values()}

    def greeting_users(self) -> dict[int | str, list[IvrRecord]]:
        """The IVRs whose menus play each greeting, each IVR once, in store order."""
        users: dict[int | str, list[IvrRecord]] = {}
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

        Nulls real accounts' data allows (Airbyte's Talk schemas) are kept: an explicit
        ``"id": None`` on the IVR, a menu or a route renders that record's id as null
        (it is still stored under a fresh id), and a null ``name``, ``default``,
        ``keypress``, ``action`` or ``options`` renders as null.
        """
        phone_number_ids = list(tree.get("phone_number_ids", []))
        ivr = IvrRecord(
            id=self.new_id(),
            name=tree["name"],
            phone_number_ids=phone_number_ids,
            null_id=_planted_null_id(tree),
        )
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
        for sent, menu in zip(sent_menus, menus, strict=True):
            menu.null_id = _planted_null_id(sent)
        menu_ids = [menu.id for menu in menus]
        for sent, menu in zip(sent_menus, menus, strict=True):
            for route in sent.get("routes", []):
                options = copy.deepcopy(route["options"])
                if isinstance(options, dict) and "menu_id" in options:
                    options["menu_id"] = _resolve_menu_ref(options["menu_id"], menu_ids)
                fields = {
                    "keypress": route["keypress"],
                    "action": route["action"],
                    "options": options,
                    "overflow_options": copy.deepcopy(list(route.get("overflow_options", []))),
                }
                self._insert_route(menu, fields).null_id = _planted_null_id(route)
        # Stored last, so a tree that fails to resolve leaves nothing behind.
        self.ivrs[ivr.id] = ivr
        return ivr

    # inserts shared by the endpoints and `put_ivr`

    def _insert_ivr(self, name: str | None, phone_number_ids: list[int]) -> IvrRecord:
        ivr = IvrRecord(id=self.new_id(), name=name, phone_number_ids=phone_number_ids)
        self.ivrs[ivr.id] = ivr
        # Zendesk creates the default menu with the IVR (seen live), named in the
        # account's language; the fake's account speaks English.
        self._insert_menu(ivr, DEFAULT_MENU_NAME, default=True)
        return ivr

    def _insert_menu(
        self,
        ivr: IvrRecord,
        name: str | None,
        *,
        default: bool | None = False,
        greeting_id: int | str | None = None,
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


def _planted_null_id(record: Mapping[str, Any]) -> bool:
    return "id" in record and record["id"] is None


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
    limiter: RateWindow | None = None
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
        self._replace(record, attrs.evolve(record, response_request_id=None))

    def _replace(self, record: RecordedRequest, new: RecordedRequest) -> None:
        # Found by identity: the log may have been cleared or grown meanwhile.
        for index in range(len(self.requests) - 1, -1, -1):
            if self.requests[index] is record:
                self.requests[index] = new
                return

    def admit(self, now: float) -> Admission:
        if self.limiter is None:
            return Admission(None, None, None)
        retry_after = self.limiter.take(now)
        if retry_after is not None:
            self.rate_limited_count += 1
        limiter = self.limiter
        return Admission(retry_after, limiter.limit, limiter.remaining, limiter.number)

    def note_admission(self, record: RecordedRequest, admission: Admission) -> RecordedRequest:
        """
        Write into the log which window counted *record* and whether it was refused;
        return the record as the log now holds it.
        """
        if admission.window is None:
            return record
        refused = admission.retry_after is not None
        noted = attrs.evolve(record, window=admission.window, rate_limited=refused)
        self._replace(record, noted)
        return noted
