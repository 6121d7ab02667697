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
from typing import Any, Final

from .._models import (
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


class _Unusual(Exception):
    """The JSON is not in the everyday shape; read it the detailed way instead."""


def _int(value: Any) -> int:
    if type(value) is not int or not 0 < value <= MAX_ID:
        raise _Unusual
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise _Unusual
    return value


def _optional_str(value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise _Unusual
    return value


def _optional_int(value: Any) -> int | None:
    if value is not None and (type(value) is not int or not 0 < value <= MAX_ID):
        raise _Unusual
    return value


def _optional_greeting_id(value: Any) -> int | str | None:
    # Built-in greetings have string ids, uploaded ones integers.
    if value is None or type(value) is str:
        return value
    if type(value) is not int or not 0 < value <= MAX_ID:
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


def _optional_strs(value: Any) -> tuple[str, ...] | None:
    return None if value is None else _strs(value)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if type(value) is not list:
        raise _Unusual
    return value


def _check_keys(raw: dict[str, Any], known: frozenset[str]) -> None:
    for key in raw:
        if key not in known:
            raise _Unusual  # kept in `extra` by the detailed path


_GROUP_KEYS: Final = frozenset({"group_ids", "tags"})
_PHONE_KEYS: Final = frozenset({"phone_number", "tags"})
_TEXTBACK_KEYS: Final = frozenset({"textback_phone_number_id", "sms_text", "tags"})
_MENU_KEYS: Final = frozenset({"menu_id", "tags"})


def _group(raw: dict[str, Any]) -> GroupOptions:
    _check_keys(raw, _GROUP_KEYS)
    return GroupOptions(
        group_ids=_ints(raw.get("group_ids")), tags=_optional_strs(raw.get("tags")), read_as=raw
    )


def _voicemail(raw: dict[str, Any]) -> VoicemailOptions:
    _check_keys(raw, _GROUP_KEYS)
    return VoicemailOptions(
        group_ids=_ints(raw.get("group_ids")), tags=_optional_strs(raw.get("tags")), read_as=raw
    )


def _phone_number(raw: dict[str, Any]) -> PhoneNumberOptions:
    _check_keys(raw, _PHONE_KEYS)
    return PhoneNumberOptions(
        phone_number=_optional_str(raw.get("phone_number")),
        tags=_optional_strs(raw.get("tags")),
        read_as=raw,
    )


def _textback(raw: dict[str, Any]) -> TextbackOptions:
    _check_keys(raw, _TEXTBACK_KEYS)  # sms_textstring (older docs) takes the detailed path
    return TextbackOptions(
        textback_phone_number_id=_optional_int(raw.get("textback_phone_number_id")),
        sms_text=_optional_str(raw.get("sms_text")),
        tags=_optional_strs(raw.get("tags")),
        read_as=raw,
    )


def _menu(raw: dict[str, Any]) -> MenuOptions:
    _check_keys(raw, _MENU_KEYS)
    return MenuOptions(
        menu_id=_optional_int(raw.get("menu_id")), tags=_optional_strs(raw.get("tags")), read_as=raw
    )


_OPTIONS: Final[dict[str, Callable[[dict[str, Any]], RouteOptions]]] = {
    "group": _group,
    "voicemail": _voicemail,
    "phone_number": _phone_number,
    "textback": _textback,
    "menu": _menu,
}
assert set(_OPTIONS) == set(TYPED_OPTIONS)


def route(raw: Any) -> IvrRoute:
    if type(raw) is not dict:
        raise _Unusual
    action = _str(raw["action"])
    options = raw.get("options")
    if type(options) is not dict:
        raise _Unusual  # null options (kept null on write) or malformed ones
    read_options = _OPTIONS.get(action)
    return IvrRoute(
        id=_int(raw["id"]),
        keypress=_str(raw["keypress"]),
        action=action,
        options=(
            UnknownOptions(action=action, data=raw.get("options"))
            if read_options is None
            else read_options(options)
        ),
        greeting=_optional_str(raw.get("greeting")),
        option_text=_optional_str(raw.get("option_text")),
        overflow_options=tuple(_items(raw.get("overflow_options"))),
    )


def menu(raw: Any) -> IvrMenu:
    if type(raw) is not dict:
        raise _Unusual
    default = raw.get("default", False)
    if type(default) is not bool:
        raise _Unusual
    return IvrMenu(
        id=_int(raw["id"]),
        name=_name(raw.get("name", _Unusual)),
        default=default,
        greeting_id=_optional_greeting_id(raw.get("greeting_id")),
        routes=tuple([route(r) for r in _items(raw.get("routes"))]),
    )


def ivr(raw: Any) -> Ivr:
    if type(raw) is not dict:
        raise _Unusual
    return Ivr(
        id=_int(raw["id"]),
        name=_name(raw.get("name", _Unusual)),
        menus=tuple([menu(m) for m in _items(raw.get("menus"))]),
        phone_number_ids=_ints(raw.get("phone_number_ids")),
        phone_number_names=_strs(raw.get("phone_number_names")),
    )
