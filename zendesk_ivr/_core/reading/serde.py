"""
The one place that says how Zendesk JSON becomes models and how fields become request bodies.

`make_converter()` builds a fresh converter (never ``cattrs.global_converter``):

- tolerant by default: keys the docs do not list are ignored, so a newer API never breaks a read;
  ``forbid_extra_keys=True`` gives the strict converter the tests run over recorded samples;
- scalars are checked, not coerced: ``"12"`` is not an id and ``null`` is not a name;
- route ``options`` are structured by the sibling ``action``; an unknown action keeps its options
  as `UnknownOptions` so they survive a round trip;
- a null where the docs promise a value reads as a fallback (``default`` False, ``keypress`` and
  ``action`` ``""``, greeting and group fields their defaults) instead of failing the page;
- writes drop UNSET fields and keep explicit ``None`` as null; options that were read and not
  changed are written back exactly as read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, get_origin

import attrs
from cattrs import ClassValidationError, Converter
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import AttributeValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as make_json_converter

from ..._account import Greeting, Group, PhoneNumber
from ..._models import (
    MAX_ID,
    TYPED_OPTIONS,
    UNSET,
    GreetingId,
    Ivr,
    IvrFields,
    IvrMenu,
    IvrMenuFields,
    IvrRoute,
    IvrRouteFields,
    RouteOptions,
    TextbackOptions,
    UnknownOptions,
)
from . import jsontext
from .readers import OPTION_BOOKKEEPING, Unusual, reader_for

__all__ = ["make_converter"]

T = TypeVar("T")


def _strict_scalar(kind: type[T], *, allow_bool: bool = False) -> Callable[[Any, Any], T]:
    def structure(value: Any, _: Any) -> T:
        if type(value) is kind or (
            isinstance(value, kind) and (allow_bool or type(value) is not bool)
        ):
            return value
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__} {value!r:.80}")

    return structure


def _structure_id(value: Any, _: Any) -> int:
    # Every int in these models is an id: -1 or 2**80 is no id, whatever the server says.
    if type(value) is int and 0 < value <= MAX_ID:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"expected an id (a positive 64-bit integer), got {value!r:.40}")
    raise TypeError(f"expected int, got {type(value).__name__} {value!r:.80}")


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"expected a number, got {type(value).__name__} {value!r:.80}")


def _is_tuple_type(type_: Any) -> bool:
    origin: object = get_origin(type_)
    return origin is tuple


def _structure_any(value: Any, _: Any) -> Any:
    return value


_SMS_KEYS: Final = ("sms_text", "sms_textstring")


def _option_fields(cls: type) -> list[str]:
    return [a.name for a in attrs.fields(cls) if a.name not in OPTION_BOOKKEEPING]


def _json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _canonical_options(options: Any) -> dict[str, Any]:
    """Options built in code: every field that is set, under its documented name."""
    known = {
        name: _json_value(value)
        for name in _option_fields(type(options))
        if (value := getattr(options, name)) is not None
    }
    return {**options.extra, **known}


def _changed_options(options: Any, as_read: Any, read_as: Mapping[str, Any] | None) -> Any:
    """
    Options read from *read_as* and then changed: what was read, with only the changed fields
    replaced, so nulls, absent keys and the key the SMS body was read under stay as they were.
    """
    body = {k: v for k, v in (read_as or {}).items() if k not in as_read.extra}
    body.update(options.extra)
    for name in _option_fields(type(options)):
        value = getattr(options, name)
        if value == getattr(as_read, name):
            continue
        keys: tuple[str, ...] = (name,)
        if name == "sms_text":
            keys = tuple(k for k in _SMS_KEYS if read_as and k in read_as) or ("sms_text",)
        for key in keys:
            if value is None:
                body.pop(key, None)
            else:
                body[key] = _json_value(value)
    return body


def _null_as_false(value: Any, _: Any) -> bool:
    """Flags such as a menu's ``default`` are documented as booleans; null reads as False."""
    if value is None:
        return False
    if type(value) is bool:
        return value
    raise TypeError(f"expected bool, got {type(value).__name__} {value!r:.80}")


def _greeting_id(value: Any, _: Any) -> GreetingId:
    """Built-in greetings have string ids, uploaded ones integers; both read as they are."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _structure_id(value, None)
    raise TypeError(f"expected a greeting id, int or str, got {type(value).__name__} {value!r:.80}")


def _optional_greeting_id(value: Any, _: Any) -> GreetingId | None:
    return None if value is None else _greeting_id(value, None)


def _without_nulls(
    structure: Callable[[Any, Any], T],
) -> Callable[[Any, Any], T]:
    """Nulls read as the field's default: a lookup record is never failed by one (a null id
    then counts as missing, and the listing skips the record)."""

    def read(value: Any, cls: Any) -> T:
        if isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if v is not None}
        return structure(value, cls)

    return read


def _null_as_empty(value: Any, _: Any) -> str:
    """Names are documented as strings; a null one reads as "" rather than failing the page."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise TypeError(f"expected str, got {type(value).__name__} {value!r:.80}")


def make_converter(*, forbid_extra_keys: bool = False, fast_reads: bool = True) -> Converter:
    """
    A converter for zendesk_ivr models; ``forbid_extra_keys`` makes reads strict.

    ``fast_reads`` reads every model through its `readers` reader first, and only a record that
    reader finds unusual the detailed way (tolerant converters only); turning it off gives the
    same results more slowly, which the tests compare.
    """
    c = make_json_converter(forbid_extra_keys=forbid_extra_keys)
    _configure_values(c)
    _configure_models(c, forbid_extra_keys=forbid_extra_keys, fast=fast_reads)
    _configure_writes(c)
    return c


@functools.cache
def shared_converter() -> Converter:
    """
    The tolerant converter the SDK itself reads and writes with, made once per process.

    Building one compiles a hook per model, about 8 ms; a service that makes a `Client` per job
    paid that every time. Nothing registers hooks on this one after it is made.
    """
    return make_converter()


def _configure_values(c: Converter) -> None:
    """Scalars are checked, not coerced; JSON arrays, and only arrays, become tuples."""
    c.register_structure_hook(int, _structure_id)
    c.register_structure_hook(str, _strict_scalar(str))
    c.register_structure_hook(bool, _strict_scalar(bool, allow_bool=True))
    c.register_structure_hook(float, _structure_float)
    c.register_structure_hook(Any, _structure_any)
    c.register_structure_hook_func(lambda t: t == GreetingId, _greeting_id)
    c.register_structure_hook_func(lambda t: t == GreetingId | None, _optional_greeting_id)

    def arrays_only(tuple_type: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        # cattrs would iterate any value into a tuple: "abc" -> ("a", "b", "c"), {} -> ().
        items = homogenous_tuple_structure_factory(tuple_type, c)

        def structure(value: Any, _: Any) -> tuple[Any, ...]:
            if value is None:
                return ()  # a documented list sent as null reads as empty
            if not isinstance(value, list | tuple):
                raise TypeError(f"expected a JSON array, got {type(value).__name__} {value!r:.80}")
            return items(value, tuple_type)  # type: ignore[no-any-return]

        return structure

    c.register_structure_hook_factory(_is_tuple_type, arrays_only)


def _configure_models(c: Converter, *, forbid_extra_keys: bool, fast: bool) -> None:
    def structure_class(cls: type[T], **overrides: Any) -> Callable[[Any, Any], T]:
        return make_dict_structure_fn(
            cls, c, _cattrs_forbid_extra_keys=forbid_extra_keys, **overrides
        )

    for options_cls in TYPED_OPTIONS.values():
        generated = structure_class(
            options_cls, extra=override(omit=True), read_as=override(omit=True)
        )
        reader = _options_reader(options_cls, generated, forbid_extra_keys=forbid_extra_keys)
        c.register_structure_hook(options_cls, reader)

    def structure_options(action: Any, value: Any) -> RouteOptions:
        options_cls = TYPED_OPTIONS.get(action) if isinstance(action, str) else None
        if options_cls is None:
            return UnknownOptions(action=str(action), data=value)
        if value is None:
            # Null options read as nothing set (the audit flags what is missing) and stay null.
            empty = c.structure({}, options_cls)
            object.__setattr__(empty, "read_as", None)
            return empty
        return c.structure(value, options_cls)

    null_as_empty = override(struct_hook=_null_as_empty)
    route = structure_class(
        IvrRoute,
        options=override(struct_hook=_structure_any),
        keypress=null_as_empty,
        action=null_as_empty,
    )

    def structure_route(value: Any, _: Any) -> IvrRoute:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected an IVR route object, got {type(value).__name__}")
        value = dict(value)
        if "action" in value and value["action"] is None:
            value["action"] = ""  # unknown: the audit's incomplete_route flags it
        try:
            value["options"] = structure_options(value.get("action"), value.get("options"))
        except Exception as exc:
            # Options are structured ahead of the route, so name their place in the path here.
            note = AttributeValidationNote(
                "Structuring class IvrRoute @ attribute options", "options", RouteOptions
            )
            exc.add_note(note)
            raise ClassValidationError("While structuring IvrRoute", [exc], IvrRoute) from None
        return route(value, IvrRoute)

    def register(cls: type[T], detailed: Callable[[Any, Any], T]) -> None:
        # Registered one by one, inner first: cattrs builds an outer hook from the inner ones.
        if forbid_extra_keys or not fast:
            c.register_structure_hook(cls, detailed)
        else:
            c.register_structure_hook(cls, _usual_or_detailed(reader_for(cls).read, detailed))

    name = null_as_empty
    default = override(struct_hook=_null_as_false)
    register(IvrRoute, structure_route)
    register(IvrMenu, structure_class(IvrMenu, name=name, default=default))
    register(Ivr, structure_class(Ivr, name=name))
    register(Group, _without_nulls(structure_class(Group)))
    register(Greeting, _without_nulls(structure_class(Greeting)))
    register(PhoneNumber, _without_nulls(structure_class(PhoneNumber)))


def _options_reader(
    options_cls: type[T], generated: Callable[[Any, Any], T], *, forbid_extra_keys: bool
) -> Callable[[Any, Any], T]:
    """Typed options: unknown keys kept in ``extra``, the JSON read kept in ``read_as``."""
    known = set(_option_fields(options_cls))

    def structure(value: Any, _: Any) -> T:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a JSON object, got {type(value).__name__}")
        read_as = value
        if "sms_textstring" in value and options_cls is TextbackOptions:
            # Older doc pages call the SMS body sms_textstring; newer ones sms_text.
            value = dict(value)
            legacy = value.pop("sms_textstring")
            if value.get("sms_text") is None:
                value["sms_text"] = legacy
        extra = {k: v for k, v in value.items() if k not in known}
        if not extra or forbid_extra_keys:
            options = generated(value, options_cls)  # strict: extra keys are an error there
        else:
            options = generated({k: v for k, v in value.items() if k in known}, options_cls)
            options = attrs.evolve(options, extra=extra)  # type: ignore[misc]
        object.__setattr__(options, "read_as", read_as)
        return options

    return structure


def _usual_or_detailed(
    usual: Callable[[Any], T], detailed: Callable[[Any, Any], T]
) -> Callable[[Any, Any], T]:
    def structure(value: Any, cls: Any) -> T:
        try:
            return usual(value)
        except Unusual:  # and nothing else: a bug in a reader must not hide behind this
            return detailed(value, cls)

    return structure


def _configure_writes(c: Converter) -> None:
    """Request bodies: UNSET fields left out, None kept as null, options as JSON."""

    def unstructure_options(options: RouteOptions) -> Any:
        if isinstance(options, UnknownOptions):
            return options.data
        read_as = options.read_as
        if read_as is UNSET:
            return _canonical_options(options)
        # Read from the account: unchanged, it goes back byte for byte as the account has it.
        as_read = c.structure({} if read_as is None else read_as, type(options))
        if as_read == options:
            return jsontext.copy_json(read_as)
        return _changed_options(options, as_read, read_as)

    def unstructure_options_or_dict(options: RouteOptions | dict[str, Any] | None) -> Any:
        if options is None or isinstance(options, dict):
            return options
        return unstructure_options(options)

    c.register_unstructure_hook(IvrRoute, make_dict_unstructure_fn(IvrRoute, c))
    for unknown_or_typed in (*TYPED_OPTIONS.values(), UnknownOptions):
        c.register_unstructure_hook(unknown_or_typed, unstructure_options)
    for fields_cls in (IvrFields, IvrMenuFields):
        c.register_unstructure_hook(
            fields_cls, make_dict_unstructure_fn(fields_cls, c, _cattrs_omit_if_default=True)
        )
    c.register_unstructure_hook(
        IvrRouteFields,
        make_dict_unstructure_fn(
            IvrRouteFields,
            c,
            _cattrs_omit_if_default=True,
            options=override(unstruct_hook=unstructure_options_or_dict),
        ),
    )
