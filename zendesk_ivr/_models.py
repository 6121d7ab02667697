"""
Frozen attrs classes for what the API returns (read models) and what a caller may send (fields).

Read models hold every documented field, named exactly as the JSON. How JSON becomes these classes
and back lives in `_serde.py`, not here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final, Literal, TypeAlias

import attrs
from attrs import field, frozen

from ._exceptions import InvalidArgument

__all__ = [
    "ACTIONS",
    "KEYPRESSES",
    "UNSET",
    "GreetingId",
    "GroupOptions",
    "Ivr",
    "IvrFields",
    "IvrMenu",
    "IvrMenuFields",
    "IvrRoute",
    "IvrRouteFields",
    "IvrTree",
    "MenuOptions",
    "PhoneNumberOptions",
    "RouteOptions",
    "SkippedRecord",
    "TextbackOptions",
    "UnknownOptions",
    "Unset",
    "VoicemailOptions",
]


class _UnsetType(enum.Enum):
    """A field the caller did not pass: never sent, unlike ``None`` which is sent as null."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = _UnsetType.UNSET
Unset: TypeAlias = Literal[_UnsetType.UNSET]

# Every integer the API documents is an id, and Zendesk ids are positive 64-bit integers.
MAX_ID: Final = 2**63 - 1
#: Built-in greetings have string ids ("voicemail_en", "ivr_none"), uploaded ones integers.
GreetingId: TypeAlias = int | str

KEYPRESSES: Final = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "default")
ACTIONS: Final = ("group", "voicemail", "phone_number", "textback", "menu")


def _int_tuple(value: Sequence[int]) -> tuple[int, ...]:
    # Models are built for every route of a listing: plain lists and tuples of plain ints
    # (the everyday case) skip the general checks below.
    if (type(value) is tuple or type(value) is list) and all(type(i) is int for i in value):
        return tuple(value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidArgument(f"expected a sequence of integers, got {value!r}")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int):
            raise InvalidArgument(f"expected a sequence of integers, got {value!r}")
    return tuple(value)


def _str_tuple(value: Sequence[str]) -> tuple[str, ...]:
    if (type(value) is tuple or type(value) is list) and all(type(i) is str for i in value):
        return tuple(value)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidArgument(f"expected a sequence of strings, got {value!r}")
    for item in value:
        if not isinstance(item, str):
            raise InvalidArgument(f"expected a sequence of strings, got {value!r}")
    return tuple(value)


def _json_object(value: Mapping[str, Any]) -> dict[str, Any]:
    if type(value) is dict:
        return dict(value)
    if not isinstance(value, Mapping):
        raise InvalidArgument(f"extra must be a mapping of JSON keys, got {value!r}")
    return dict(value)


def _optional_str_tuple(value: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if value is None else _str_tuple(value)


def _check_optional(kind: type | tuple[type, ...]) -> Any:
    """An attrs validator raising InvalidArgument; None always passes, bool never counts as int."""

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise InvalidArgument(f"{attribute.name} must not be a bool, got {value!r}")
        if not isinstance(value, kind):
            raise InvalidArgument(f"{attribute.name} has the wrong type: {value!r}")

    return check


# Route options: their shape depends on the route's action. `tags` may go with any action; None
# means "absent" (not sent), which keeps reads and writes of the same object symmetric. `extra`
# keeps keys a newer API added, so writing the options back (Zendesk replaces them whole) loses
# nothing. `read_as` keeps the JSON the options were read from (None when the route's options
# were null, UNSET when built in code): a write that changes nothing sends it back exactly, nulls,
# absent keys and the older ``sms_textstring`` key included. It takes no part in equality: two
# options that mean the same are equal however the account spelled them.


@frozen(kw_only=True)
class GroupOptions:
    """Options of a ``group`` route: ring these groups."""

    group_ids: tuple[int, ...] = field(default=(), converter=_int_tuple)
    tags: tuple[str, ...] | None = field(default=None, converter=_optional_str_tuple)
    extra: Mapping[str, Any] = field(factory=dict, hash=False, converter=_json_object)
    read_as: Mapping[str, Any] | Unset | None = field(
        default=UNSET, eq=False, hash=False, repr=False
    )

    action: ClassVar[str] = "group"


@frozen(kw_only=True)
class VoicemailOptions:
    """Options of a ``voicemail`` route: leave a voicemail for these groups."""

    group_ids: tuple[int, ...] = field(default=(), converter=_int_tuple)
    tags: tuple[str, ...] | None = field(default=None, converter=_optional_str_tuple)
    extra: Mapping[str, Any] = field(factory=dict, hash=False, converter=_json_object)
    read_as: Mapping[str, Any] | Unset | None = field(
        default=UNSET, eq=False, hash=False, repr=False
    )

    action: ClassVar[str] = "voicemail"


@frozen(kw_only=True)
class PhoneNumberOptions:
    """Options of a ``phone_number`` route: forward to an external number (E.164)."""

    phone_number: str | None = field(default=None, validator=_check_optional(str))
    tags: tuple[str, ...] | None = field(default=None, converter=_optional_str_tuple)
    extra: Mapping[str, Any] = field(factory=dict, hash=False, converter=_json_object)
    read_as: Mapping[str, Any] | Unset | None = field(
        default=UNSET, eq=False, hash=False, repr=False
    )

    action: ClassVar[str] = "phone_number"


@frozen(kw_only=True)
class TextbackOptions:
    """
    Options of a ``textback`` route: hang up and text the caller.

    The docs name the SMS body ``sms_text`` (newer pages) or ``sms_textstring`` (older ones); both
    are read into ``sms_text`` (``sms_text`` first when both are there). Written back, the body
    keeps the key(s) it was read with; options built in code write ``sms_text``.
    """

    textback_phone_number_id: int | None = field(default=None, validator=_check_optional(int))
    sms_text: str | None = field(default=None, validator=_check_optional(str))
    tags: tuple[str, ...] | None = field(default=None, converter=_optional_str_tuple)
    extra: Mapping[str, Any] = field(factory=dict, hash=False, converter=_json_object)
    read_as: Mapping[str, Any] | Unset | None = field(
        default=UNSET, eq=False, hash=False, repr=False
    )

    action: ClassVar[str] = "textback"


@frozen(kw_only=True)
class MenuOptions:
    """Options of a ``menu`` route: go to another menu of the same IVR."""

    menu_id: int | None = field(default=None, validator=_check_optional(int))
    tags: tuple[str, ...] | None = field(default=None, converter=_optional_str_tuple)
    extra: Mapping[str, Any] = field(factory=dict, hash=False, converter=_json_object)
    read_as: Mapping[str, Any] | Unset | None = field(
        default=UNSET, eq=False, hash=False, repr=False
    )

    action: ClassVar[str] = "menu"


@frozen
class UnknownOptions:
    """
    Options of an action this version does not know, kept exactly as received.

    Writing the route back sends ``data`` unchanged, so nothing is lost on a round trip.
    """

    action: str
    data: Any


RouteOptions: TypeAlias = (
    GroupOptions
    | VoicemailOptions
    | PhoneNumberOptions
    | TextbackOptions
    | MenuOptions
    | UnknownOptions
)
TYPED_OPTIONS: Final[Mapping[str, type[RouteOptions]]] = {
    "group": GroupOptions,
    "voicemail": VoicemailOptions,
    "phone_number": PhoneNumberOptions,
    "textback": TextbackOptions,
    "menu": MenuOptions,
}


@frozen
class IvrRoute:
    """
    A keypress of an IVR menu and what it does.

    A null ``keypress`` or ``action`` reads as ``""`` (the audit's ``incomplete_route`` flags it);
    null ``options`` read as the action's options with nothing set, and are written back as null.
    """

    id: int
    keypress: str
    action: str
    options: RouteOptions
    greeting: str | None = None
    option_text: str | None = None
    overflow_options: tuple[Any, ...] = ()


@frozen
class IvrMenu:
    """
    A menu of an IVR: a greeting and the routes a caller can press.

    ``greeting_id`` is an integer (an uploaded greeting) or a string (a built-in one such as
    ``"ivr_none"``). A null ``default`` reads as False, a null ``name`` as ``""``.
    """

    id: int
    name: str
    default: bool = False
    greeting_id: GreetingId | None = None
    routes: tuple[IvrRoute, ...] = ()

    def route_for(self, keypress: str) -> IvrRoute | None:
        """The route answering *keypress*, or None."""
        for route in self.routes:
            if route.keypress == keypress:
                return route
        return None


@frozen
class Ivr:
    """An IVR: a call flow of menus, attached to Talk phone numbers."""

    id: int
    name: str
    menus: tuple[IvrMenu, ...] = ()
    phone_number_ids: tuple[int, ...] = ()
    phone_number_names: tuple[str, ...] = ()

    @property
    def default_menu(self) -> IvrMenu | None:
        """The menu callers hear first (the first one flagged default), or None."""
        for menu in self.menus:
            if menu.default:
                return menu
        return None


@frozen
class SkippedRecord:
    """
    A record a read left out because it cannot be used: its ``id`` was null or missing.

    ``kind`` is ``"ivr"``, ``"menu"``, ``"route"``, ``"group"`` or ``"greeting"``; ``path`` is where
    it was in the response (``$.ivrs[3].menus[1]``); ``name`` its name or keypress, if it had one;
    ``ivr_id`` and ``menu_id`` the IVR and menu it belonged to, where known.
    """

    kind: str
    path: str
    name: str | None = None
    ivr_id: int | None = None
    menu_id: int | None = None

    def describe(self) -> str:
        where = "".join(
            f", {label} {value}"
            for label, value in (("IVR", self.ivr_id), ("menu", self.menu_id))
            if value is not None
        )
        named = f" {self.name!r}" if self.name else ""
        return f"{self.kind}{named} at {self.path}{where}: it has no id, so it cannot be used"


@frozen
class IvrTree:
    """
    Every IVR of an account with its menus and routes, as `Client.walk` read it.

    ``requests`` is how many HTTP requests the walk made (retries included); ``skipped`` the
    records it left out because their id was null (each also logged as a WARNING).
    """

    ivrs: tuple[Ivr, ...]
    requests: int
    skipped: tuple[SkippedRecord, ...] = ()


# What a caller may send. Read-only fields (id, default, routes, greeting, option_text,
# phone_number_names) have no place here, so they cannot be sent. UNSET fields are left out of
# the body; None is sent as null.


def _unset_or(kind: type | tuple[type, ...]) -> Any:
    check = _check_optional(kind)

    def validate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not UNSET:
            check(instance, attribute, value)

    return validate


def _unset_or_int_tuple(
    value: Sequence[int] | Unset | None,
) -> tuple[int, ...] | Unset | None:
    return value if value is UNSET or value is None else _int_tuple(value)


@frozen(kw_only=True)
class IvrFields:
    """The writable fields of an IVR."""

    name: str | Unset | None = field(default=UNSET, validator=_unset_or(str))
    phone_number_ids: tuple[int, ...] | Unset | None = field(
        default=UNSET, converter=_unset_or_int_tuple
    )


def _check_greeting_id(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is UNSET or value is None:
        return
    # A string of digits is an uploaded greeting's id turned into text by mistake: refused, as
    # Zendesk's built-in ids are words ("ivr_none").
    if (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or (isinstance(value, str) and (not value.strip() or value.isdigit()))
    ):
        raise InvalidArgument(
            f"greeting_id must be an integer (an uploaded greeting) or the string id of a "
            f"built-in one such as 'ivr_none', got {value!r}"
        )


@frozen(kw_only=True)
class IvrMenuFields:
    """
    The writable fields of an IVR menu.

    ``greeting_id`` may be a built-in greeting's string id: the notes on the Greetings API say to
    accept either kind wherever a greeting id is referenced.
    """

    name: str | Unset | None = field(default=UNSET, validator=_unset_or(str))
    greeting_id: GreetingId | Unset | None = field(default=UNSET, validator=_check_greeting_id)


def _options_value(
    value: RouteOptions | Mapping[str, Any] | Unset | None,
) -> RouteOptions | dict[str, Any] | Unset | None:
    if value is UNSET or value is None or isinstance(value, _OPTION_CLASSES):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    raise InvalidArgument(
        f"options must be GroupOptions, VoicemailOptions, PhoneNumberOptions, TextbackOptions, "
        f"MenuOptions, UnknownOptions or a dict of JSON keys, got {value!r}"
    )


_OPTION_CLASSES: Final = (*TYPED_OPTIONS.values(), UnknownOptions)


def _overflow_value(value: Sequence[Any] | Unset | None) -> tuple[Any, ...] | Unset | None:
    if value is UNSET or value is None:
        return value
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidArgument(f"overflow_options must be a list, got {value!r}")
    return tuple(value)


def _keypress(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    # A route answers one key of the phone pad, or "default"; null or "10" reaches no caller.
    if value is not UNSET and (type(value) is not str or value not in KEYPRESSES):
        raise InvalidArgument(f"keypress must be one of 0-9, *, # or default, got {value!r:.40}")


@frozen(kw_only=True)
class IvrRouteFields:
    """
    The writable fields of an IVR route.

    When typed options are given without an action, the action is taken from the options class
    (Zendesk wants ``action`` whenever ``options`` changes). An action that contradicts typed
    options is refused.
    """

    keypress: str | Unset = field(default=UNSET, validator=_keypress)
    action: str | Unset | None = field(default=UNSET, validator=_unset_or(str))
    options: RouteOptions | dict[str, Any] | Unset | None = field(
        default=UNSET, converter=_options_value
    )
    overflow_options: tuple[Any, ...] | Unset | None = field(
        default=UNSET, converter=_overflow_value
    )

    def __attrs_post_init__(self) -> None:
        if isinstance(self.options, dict) or self.options is UNSET or self.options is None:
            return
        implied = self.options.action
        if self.action is UNSET:
            object.__setattr__(self, "action", implied)
        elif self.action != implied:
            raise InvalidArgument(
                f"action {self.action!r} does not match options of action {implied!r}"
            )
