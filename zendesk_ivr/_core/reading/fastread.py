"""
A fast path for reading IVRs, menus and routes from JSON, used by the tolerant converter.

cattrs' generated hooks with detailed validation cost about 15 µs per route, which made a
listing spend twice the CPU of raw aiohttp + ``json()``. These functions read the documented
shape directly and check every type as strictly as the converter does. Anything they do not
expect (a wrong type, a missing key, an unknown option key) raises `_Unusual`, and the converter
then reads the same JSON the slow, detailed way: it either succeeds (an unusual but valid shape)
or raises the error that names the JSON path. So both paths give the same models or the same
errors; ``tests/test_fastread.py`` checks that over generated JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs

from ..._models import (
    MAX_ID,
    TYPED_OPTIONS,
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    RouteOptions,
    TextbackOptions,
    UnknownOptions,
    VoicemailOptions,
)

T = TypeVar("T")


class _Unusual(Exception):
    """The JSON is not in the everyday shape; read it the detailed way instead."""


def _filler(cls: type[T]) -> Callable[..., T]:
    """
    A constructor of *cls* taking every field in order, that skips attrs' ``__init__``.

    A frozen attrs ``__init__`` sets each field through ``object.__setattr__`` and runs the
    converters and validators: about 0.8 µs an object, more than reading its JSON. The values
    here are already checked, so the instance is filled through the slots' own descriptors,
    which a frozen class leaves alone. The generated code is the whole constructor, as attrs
    generates its own ``__init__``.
    """
    names = [field.name for field in attrs.fields(cls)]  # type: ignore[arg-type]
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    lines = [f"def fill({', '.join(names)}):", "    self = new(cls)"]
    for name in names:
        scope[f"set_{name}"] = cls.__dict__[name].__set__  # a slot's member descriptor
        lines.append(f"    set_{name}(self, {name})")
    lines.append("    return self")
    exec("\n".join(lines), scope)  # the source is built from attrs field names only
    fill: Callable[..., T] = scope["fill"]
    return fill


_new_group = _filler(GroupOptions)
_new_voicemail = _filler(VoicemailOptions)
_new_phone_number = _filler(PhoneNumberOptions)
_new_textback = _filler(TextbackOptions)
_new_menu_options = _filler(MenuOptions)
_new_unknown = _filler(UnknownOptions)
# Shared with `shapes`, which fills the same models from typed structs instead of dicts.
new_route = _filler(IvrRoute)
new_menu = _filler(IvrMenu)
new_ivr = _filler(Ivr)


def _int(value: Any) -> int:
    if type(value) is not int or not 0 < value <= MAX_ID:
        raise _Unusual
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _Unusual
    return value


def _name(value: Any) -> str:
    if value is None:
        return ""
    return _str(value)


def _ints(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    if type(value) is not list:
        raise _Unusual
    for item in value:
        if type(item) is not int or not 0 < item <= MAX_ID:
            raise _Unusual
    return tuple(value)


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if type(value) is not list:
        raise _Unusual
    for item in value:
        if type(item) is not str:
            raise _Unusual
    return tuple(value)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if type(value) is not list:
        raise _Unusual
    return value


# A listing reads these for every menu and route of every page: each check is inlined where
# it is used, in as few steps as Python allows (a type looked up in a set, a dict's keys
# compared with a set), since a function call per field cost more than the JSON itself.
_STR_OR_NONE: Final = frozenset({str, type(None)})


def _optional_id(value: Any) -> bool:
    """Whether *value* is None or an id: a positive integer of at most 64 bits."""
    return value is None or (type(value) is int and 0 < value <= MAX_ID)


_GROUP_KEYS: Final = frozenset({"group_ids", "tags"})
_PHONE_KEYS: Final = frozenset({"phone_number", "tags"})
_TEXTBACK_KEYS: Final = frozenset({"textback_phone_number_id", "sms_text", "tags"})
_MENU_KEYS: Final = frozenset({"menu_id", "tags"})


def _tags(raw: dict[str, Any], known: frozenset[str]) -> tuple[str, ...] | None:
    """The ``tags`` of options that hold only *known* keys (others are kept in ``extra``)."""
    if not raw.keys() <= known:
        raise _Unusual
    tags = raw.get("tags")
    return None if tags is None else _strs(tags)


def _group(raw: dict[str, Any]) -> GroupOptions:
    tags = _tags(raw, _GROUP_KEYS)
    return _new_group(_ints(raw.get("group_ids")), tags, {}, raw)


def _voicemail(raw: dict[str, Any]) -> VoicemailOptions:
    tags = _tags(raw, _GROUP_KEYS)
    return _new_voicemail(_ints(raw.get("group_ids")), tags, {}, raw)


def _phone_number(raw: dict[str, Any]) -> PhoneNumberOptions:
    tags = _tags(raw, _PHONE_KEYS)
    number = raw.get("phone_number")
    if type(number) not in _STR_OR_NONE:
        raise _Unusual
    return _new_phone_number(number, tags, {}, raw)


def _textback(raw: dict[str, Any]) -> TextbackOptions:
    tags = _tags(raw, _TEXTBACK_KEYS)  # sms_textstring (older docs) takes the detailed path
    number_id = raw.get("textback_phone_number_id")
    text = raw.get("sms_text")
    if not _optional_id(number_id) or type(text) not in _STR_OR_NONE:
        raise _Unusual
    return _new_textback(number_id, text, tags, {}, raw)


def _menu(raw: dict[str, Any]) -> MenuOptions:
    tags = _tags(raw, _MENU_KEYS)
    menu_id = raw.get("menu_id")
    if not _optional_id(menu_id):
        raise _Unusual
    return _new_menu_options(menu_id, tags, {}, raw)


_OPTIONS: Final[dict[str, Callable[[dict[str, Any]], RouteOptions]]] = {
    "group": _group,
    "voicemail": _voicemail,
    "phone_number": _phone_number,
    "textback": _textback,
    "menu": _menu,
}
assert set(_OPTIONS) == set(TYPED_OPTIONS)


def route_options(action: str, raw: dict[str, Any]) -> RouteOptions:
    """The options of a route with *action*, from its JSON object."""
    read = _OPTIONS.get(action)
    return _new_unknown(action, raw) if read is None else read(raw)


def route(raw: Any) -> IvrRoute:
    if type(raw) is not dict:
        raise _Unusual
    action = raw["action"]
    options = raw.get("options")
    route_id = raw["id"]
    keypress = raw["keypress"]
    greeting = raw.get("greeting")
    option_text = raw.get("option_text")
    overflow = raw.get("overflow_options")
    if (
        type(action) is not str
        or type(route_id) is not int
        or not 0 < route_id <= MAX_ID
        or type(keypress) is not str
        or type(greeting) not in _STR_OR_NONE
        or type(option_text) not in _STR_OR_NONE
    ):
        raise _Unusual
    if overflow is None:
        overflow = ()
    elif type(overflow) is list:
        overflow = tuple(overflow)
    else:
        raise _Unusual
    if type(options) is not dict:
        raise _Unusual  # null options (kept null on write) or malformed ones
    typed = route_options(action, options)
    return new_route(route_id, keypress, action, typed, greeting, option_text, overflow)


def menu(raw: Any) -> IvrMenu:
    if type(raw) is not dict:
        raise _Unusual
    default = raw.get("default", False)
    menu_id = raw["id"]
    name = raw.get("name", _Unusual)
    greeting_id = raw.get("greeting_id")
    routes = raw.get("routes")
    if (
        type(default) is not bool
        or type(menu_id) is not int
        or not 0 < menu_id <= MAX_ID
        # Built-in greetings have string ids, uploaded ones integers.
        or (type(greeting_id) is not str and not _optional_id(greeting_id))
    ):
        raise _Unusual
    if name is None:
        name = ""
    elif type(name) is not str:
        raise _Unusual
    if routes is None:
        routes = ()
    elif type(routes) is list:
        routes = tuple([route(r) for r in routes])
    else:
        raise _Unusual
    return new_menu(menu_id, name, default, greeting_id, routes)


def ivr(raw: Any) -> Ivr:
    if type(raw) is not dict:
        raise _Unusual
    return new_ivr(
        _int(raw["id"]),
        _name(raw.get("name", _Unusual)),
        tuple([menu(m) for m in _items(raw.get("menus"))]),
        _ints(raw.get("phone_number_ids")),
        _strs(raw.get("phone_number_names")),
    )
