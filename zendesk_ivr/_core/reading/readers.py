"""
One reader per model: how a JSON record becomes each read model, made once from its attrs fields.

Each field's type says how it is read: an id (every integer of these models is one), a string, a
flag, a greeting id (an uploaded greeting's integer or a built-in one's string), a list of ids,
strings or anything, a list of a nested model, or route options (typed by the sibling ``action``).
A null reads as the field's default, a required string's null as ``""`` (the audit flags what that
leaves), and null options as the action's options with nothing set. From that one description
come two feeds of the same models:

- `Reader.read`: a decoded JSON object (a dict) to the model, each value's type checked as
  strictly as the converter checks it;
- `Reader.struct` and `Reader.fill` (CPython, with msgspec): a msgspec Struct of the same shape,
  which msgspec decodes and type-checks in C, and the model filled from it. Listings decode their
  pages into these, so what is left in Python is filling the models.

A record outside the everyday shape (a wrong type, a missing required key, a null id, options
holding keys their action does not document, the older docs' ``sms_textstring``) raises `Unusual`,
and its caller reads that record the detailed way: the cattrs converter, which names the JSON path
of a bad field, keeps unknown option keys in ``extra``, and lets `skipping` leave out a record
without an id. Only `Unusual` sends a record there; any other exception is a bug and surfaces as
one. Adding a field to a model is one edit in ``_models.py``: its readers follow from its type.

Models are filled through their slots' descriptors, skipping attrs' ``__init__``: its converters
and validators would check again what is checked here, at about 0.8 µs an object, more than
reading the object's JSON costs. The code of each reader is generated, as attrs generates
``__init__``, so that a field costs a few bytecodes rather than a function call.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Final, Generic, TypeVar

import attrs

from ..._models import MAX_ID, TYPED_OPTIONS, RouteOptions, UnknownOptions

try:
    import msgspec
except ImportError:  # PyPy, or a platform msgspec has no wheel for: dicts only
    msgspec = None  # type: ignore[assignment]

__all__ = ["OPTION_BOOKKEEPING", "Reader", "Unusual", "read_options", "reader_for"]

T = TypeVar("T")

#: Fields of route options that are not JSON keys: unknown keys kept, and the JSON as read.
OPTION_BOOKKEEPING: Final = frozenset({"extra", "read_as"})


class Unusual(Exception):
    """A record outside the everyday shape: read it the detailed way instead."""


# --- what each field is ----------------------------------------------------------------------


@attrs.frozen
class _Field:
    """One field of a model: its name, how its value is read, and what a null reads as."""

    name: str
    kind: str  # id, str, bool, greeting_id, any, list:<item kind>, model:<name>, options
    nullable: bool  # None is a value of the field
    default: Any  # attrs.NOTHING for a required field
    child: type | None = None  # the nested model of a list of models

    @property
    def required(self) -> bool:
        return self.default is attrs.NOTHING

    @property
    def null_value(self) -> Any:
        """What a null (or, for a field with a default, a missing key) reads as."""
        if self.nullable:
            return None
        if not self.required:
            return self.default
        return "" if self.kind == "str" else attrs.NOTHING  # a null id: an unusable record


def _kind_of(hint: Any) -> tuple[str, bool, type | None]:
    """The kind of a field's type, whether it takes None, and its nested model."""
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        members = [a for a in args if a is not type(None)]
        nullable = len(members) < len(args)
        if set(members) == {int, str}:
            return "greeting_id", nullable, None
        if hint == RouteOptions:
            return "options", False, None
        if len(members) == 1:
            kind, _, child = _kind_of(members[0])
            return kind, nullable, child
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if attrs.has(item):
            return f"model:{item.__name__}", False, item
        return f"list:{_kind_of(item)[0]}", False, None
    simple = {int: "id", str: "str", bool: "bool", Any: "any"}
    if hint in simple:
        return simple[hint], False, None
    raise TypeError(f"no reader for a field of type {hint!r}")


def fields_of(cls: type) -> tuple[_Field, ...]:
    """The JSON fields of *cls*, in order, each with how it is read."""
    hints = typing.get_type_hints(cls)
    found = []
    for field in attrs.fields(cls):
        if field.name in OPTION_BOOKKEEPING:
            continue
        kind, nullable, child = _kind_of(hints[field.name])
        found.append(_Field(field.name, kind, nullable, field.default, child))
    return tuple(found)


# --- reading decoded JSON --------------------------------------------------------------------


_MISSING: Final = object()


def _ids(value: list[Any]) -> tuple[int, ...]:
    for item in value:
        if type(item) is not int or not 0 < item <= MAX_ID:
            raise Unusual
    return tuple(value)


def _strs(value: list[Any]) -> tuple[str, ...]:
    for item in value:
        if type(item) is not str:
            raise Unusual
    return tuple(value)


_LIST_ITEMS: Final = {"list:id": "_ids(v)", "list:str": "_strs(v)", "list:any": "tuple(v)"}


def _check(field: _Field, child_reader: str) -> list[str]:
    """
    Lines that turn ``v`` (the JSON value, or MISSING) into the field's value, raising Unusual
    for anything else. A missing key reads as a null would where the field has a default.
    """
    null = field.null_value
    lines = []
    if field.required:
        lines.append("if v is MISSING: raise Unusual")
    else:
        lines.append("if v is MISSING: v = None")
    if null is attrs.NOTHING:
        lines.append("if v is None: raise Unusual")
    elif null is not None:
        lines.append(f"if v is None: v = {null!r}")
    else:
        lines.append("if v is None: pass")
    if field.kind == "id":
        lines.append("elif type(v) is not int or not 0 < v <= MAX_ID: raise Unusual")
    elif field.kind == "str":
        lines.append("elif type(v) is not str: raise Unusual")
    elif field.kind == "bool":
        lines.append("elif type(v) is not bool: raise Unusual")
    elif field.kind == "greeting_id":
        lines.append(
            "elif type(v) is not str and (type(v) is not int or not 0 < v <= MAX_ID): raise Unusual"
        )
    elif field.kind == "any":
        pass
    else:  # a list
        lines.append("elif type(v) is not list: raise Unusual")
        items = _LIST_ITEMS.get(field.kind, f"tuple([{child_reader}(x) for x in v])")
        lines.append(f"else: v = {items}")
    return lines


def _scope(cls: type, **more: Any) -> dict[str, Any]:
    """
    What the generated code of *cls* calls on: ``new``, ``set_NAME`` for each of its fields (a
    slot's member descriptor sets the value on a frozen instance without its __setattr__),
    and the checks' own names.
    """
    names = [field.name for field in attrs.fields(cls)]
    return {
        "new": object.__new__,
        "cls": cls,
        "Unusual": Unusual,
        "MISSING": _MISSING,
        "MAX_ID": MAX_ID,
        "_ids": _ids,
        "_strs": _strs,
        **{f"set_{name}": cls.__dict__[name].__set__ for name in names},
        **more,
    }


def _compile(source: str, scope: dict[str, Any], name: str) -> Callable[..., Any]:
    exec(compile(source, f"<reader of {name}>", "exec"), scope)  # from attrs field names only
    function: Callable[..., Any] = scope[name]
    return function


def _dict_reader(cls: type[T], fields: tuple[_Field, ...]) -> Callable[[Any], T]:
    scope = _scope(cls, read_options=read_options)
    lines = ["def read(raw):", "    if type(raw) is not dict: raise Unusual"]
    for field in fields:
        if field.kind == "options":
            # Typed by the action, read before it: attrs keeps the fields in that order.
            lines.append(f"    v_{field.name} = read_options(v_action, raw.get({field.name!r}))")
            continue
        child = ""
        if field.child is not None:
            child = f"read_{field.child.__name__}"
            scope[child] = reader_for(field.child).read
        lines.append(f"    v = raw.get({field.name!r}, MISSING)")
        lines += [f"    {line}" for line in _check(field, child)]
        lines.append(f"    v_{field.name} = v")
    lines.append("    self = new(cls)")
    lines += [f"    set_{f.name}(self, v_{f.name})" for f in fields]
    lines.append("    return self")
    return _compile("\n".join(lines), scope, "read")


# --- route options ---------------------------------------------------------------------------


def _options_reader(cls: type[T]) -> Callable[[Any], T]:
    """
    Options of one action, in the everyday shape: only the keys the action documents. Null
    options read as nothing set and are written back as null (``read_as`` None).
    """
    fields = fields_of(cls)
    scope = _scope(cls, KEYS=frozenset(f.name for f in fields))
    lines = [
        "def read(raw):",
        "    self = new(cls)",
        "    if raw is None:",
        *[f"        set_{f.name}(self, {f.null_value!r})" for f in fields],
        "        set_extra(self, {})",
        "        set_read_as(self, None)",
        "        return self",
        "    if type(raw) is not dict or not raw.keys() <= KEYS: raise Unusual",
    ]
    for field in fields:
        lines.append(f"    v = raw.get({field.name!r}, MISSING)")
        lines += [f"    {line}" for line in _check(field, "")]
        lines.append(f"    set_{field.name}(self, v)")
    lines += ["    set_extra(self, {})", "    set_read_as(self, raw)", "    return self"]
    return _compile("\n".join(lines), scope, "read")


_unknown = _compile(
    "def unknown(action, data):\n"
    "    self = new(cls)\n"
    "    set_action(self, action)\n"
    "    set_data(self, data)\n"
    "    return self",
    _scope(UnknownOptions),
    "unknown",
)
_OPTIONS: Final[Mapping[str, Callable[[Any], RouteOptions]]] = {
    action: _options_reader(cls) for action, cls in TYPED_OPTIONS.items()
}


def read_options(action: str, raw: Any) -> RouteOptions:
    """The options of a route with *action*, from their JSON (kept as it is for other actions)."""
    read = _OPTIONS.get(action)
    return _unknown(action, raw) if read is None else read(raw)


# --- msgspec structs -------------------------------------------------------------------------


def _struct_type(field: _Field) -> Any:
    """What msgspec decodes the field as: the same checks, in C."""
    assert msgspec is not None
    id_ = Annotated[int, msgspec.Meta(gt=0, le=MAX_ID)]
    kind = field.kind
    if kind == "id":
        base: Any = id_
    elif kind == "str":
        base = str
    elif kind == "bool":
        base = bool
    elif kind == "greeting_id":
        base = id_ | str
    elif kind in ("any", "options"):
        return Any  # options are read by their action, from the dict msgspec makes
    elif kind == "list:id":
        base = types.GenericAlias(list, (id_,))
    elif kind == "list:str":
        base = list[str]
    elif kind == "list:any":
        base = list[Any]
    else:
        assert field.child is not None
        base = types.GenericAlias(list, (reader_for(field.child).struct,))
    # A required id's null fails the struct (the record is unusable); any other null is read.
    return base if field.null_value is attrs.NOTHING else base | None


def _struct(cls: type, fields: tuple[_Field, ...]) -> Any:
    assert msgspec is not None
    spec: list[Any] = []
    for field in fields:
        hint = _struct_type(field)
        if field.required and field.kind != "options":
            spec.append((field.name, hint))
        else:
            spec.append((field.name, hint, None))
    # gc=False: decoded JSON holds no cycles, and untracked structs cost the collector nothing.
    return msgspec.defstruct(f"{cls.__name__}Struct", spec, gc=False)


def _filler(cls: type[T], fields: tuple[_Field, ...]) -> Callable[[Any], T]:
    scope = _scope(cls, OPTIONS=_OPTIONS, unknown=_unknown, map=map)
    lines = ["def fill(s):"]
    for field in fields:
        name, null = field.name, field.null_value
        lines.append(f"    v_{name} = s.{name}")
        empty = "()" if null is not None else "None"
        if field.kind == "options":
            # `read_options`, written out: a call saved per route of a page.
            lines.append("    read = OPTIONS.get(v_action)")
            lines.append(
                f"    v_{name} = unknown(v_action, v_{name}) if read is None else read(v_{name})"
            )
        elif field.child is not None:
            child = f"fill_{field.child.__name__}"
            scope[child] = reader_for(field.child).fill
            # map, not a comprehension: on Python 3.11 a comprehension is a call of its own.
            items = f"tuple(map({child}, v_{name}))"
            lines.append(f"    v_{name} = {empty} if v_{name} is None else {items}")
        elif field.kind.startswith("list:"):
            lines.append(f"    v_{name} = {empty} if v_{name} is None else tuple(v_{name})")
        elif null is not None and null is not attrs.NOTHING:
            lines.append(f"    if v_{name} is None: v_{name} = {null!r}")
    lines.append("    self = new(cls)")
    lines += [f"    set_{f.name}(self, v_{f.name})" for f in fields]
    lines.append("    return self")
    return _compile("\n".join(lines), scope, "fill")


# --- the readers -----------------------------------------------------------------------------


class Reader(Generic[T]):
    """
    How records of one model are read: `read` from decoded JSON, and, with msgspec, `fill` from
    the `struct` msgspec decodes them into (None without msgspec). Both raise `Unusual` for a
    record outside the everyday shape.
    """

    __slots__ = ("fill", "read", "struct")

    def __init__(self, model: type[T]) -> None:
        fields = fields_of(model)
        self.read: Callable[[Any], T] = _dict_reader(model, fields)
        self.struct: Any = None if msgspec is None else _struct(model, fields)
        self.fill: Callable[[Any], T] = _filler(model, fields)


_READERS: dict[type, Reader[Any]] = {}


def reader_for(model: type[T]) -> Reader[T]:
    """The reader of *model*, made on first use (a nested model's first)."""
    reader = _READERS.get(model)
    if reader is None:
        reader = _READERS[model] = Reader(model)
    return reader
