"""The fake's records: IVRs, menus and routes, and the groups, greetings and numbers they use."""

from __future__ import annotations

from typing import Any

import attrs

from ._rules import JSONObject


@attrs.define
class RouteRecord:
    id: int
    ivr_id: int
    menu_id: int
    # None only where a test planted a null, as real accounts' data allows (see `Store.put_ivr`).
    keypress: str | None
    action: str | None
    options: JSONObject | None
    overflow_options: list[Any]
    null_id: bool = False


@attrs.define
class MenuRecord:
    id: int
    ivr_id: int
    name: str | None
    default: bool | None
    # An integer for an uploaded greeting, a string for a built-in one ("ivr_none").
    greeting_id: int | str | None
    # Ids come from one increasing counter, so insertion order is id order.
    routes: dict[int, RouteRecord] = attrs.Factory(dict)
    null_id: bool = False


@attrs.define
class IvrRecord:
    id: int
    name: str | None
    phone_number_ids: list[int]
    menus: dict[int, MenuRecord] = attrs.Factory(dict)
    # The fake has no phone number resource, so names planted with `Store.put_ivr`
    # live here; numbers without one get an invented name.
    phone_number_names: dict[int, str] = attrs.Factory(dict)
    null_id: bool = False


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


@attrs.define
class PhoneNumberRecord:
    id: int
    number: str  # E.164
    nickname: str | None
