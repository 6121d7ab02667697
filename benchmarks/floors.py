"""
The least reading a page into models can cost, two ways, for scenario 5: what the CPU target of
scenario 6 is up against.

- `slot_filled`: msgspec decodes the page into the SDK's own structs, and Python makes the models
  with nothing checked, setting each slot the fastest way Python can set one on a frozen attrs
  class (the slot's descriptor; attrs' ``__init__`` is slower). The SDK's readers do this plus
  their checks.
- `decoded_into_attrs`: msgspec makes attrs objects itself, in C. It cannot make the public
  models: it refuses the union of attrs classes that ``IvrRoute.options`` is. So these are attrs
  classes of the same fields with the options left as dicts: a lower bound of that design.
- `decoded_into_attrs_then_options`: the same, then each route's options made in Python by the
  SDK's options readers, as that design would have to: what it would cost.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import attrs
import msgspec

from zendesk_ivr import IvrMenu, IvrRoute
from zendesk_ivr._core.reading.readers import read_options, reader_for
from zendesk_ivr._models import TYPED_OPTIONS

_new = object.__new__
# A slot's descriptor sets it on a frozen instance, past attrs' __setattr__, as the readers do.
_set = {
    (cls, field.name): cls.__dict__[field.name].__set__
    for cls in (IvrMenu, IvrRoute, *TYPED_OPTIONS.values())
    for field in attrs.fields(cls)
}
_MENU_FIELDS = ("id", "name", "default", "greeting_id", "routes")
_ROUTE_FIELDS = (
    "id",
    "keypress",
    "action",
    "options",
    "greeting",
    "option_text",
    "overflow_options",
)
# The unrolled code below sets these fields: a field added to a model must be added here too.
assert tuple(f.name for f in attrs.fields(IvrMenu)) == _MENU_FIELDS
assert tuple(f.name for f in attrs.fields(IvrRoute)) == _ROUTE_FIELDS
(_menu_id, _menu_name, _menu_default, _menu_greeting, _menu_routes) = (
    _set[IvrMenu, name] for name in _MENU_FIELDS
)
(_id, _keypress, _action, _route_options, _greeting, _option_text, _overflow) = (
    _set[IvrRoute, name] for name in _ROUTE_FIELDS
)
_OPTIONS = {
    action: (cls, [(f.name, _set[cls, f.name]) for f in attrs.fields(cls)])
    for action, cls in TYPED_OPTIONS.items()
}


def _options(action: str, raw: dict[str, Any]) -> object:
    cls, setters = _OPTIONS[action]
    options = _new(cls)
    for name, set_slot in setters:
        value = raw if name == "read_as" else {} if name == "extra" else raw.get(name)
        set_slot(options, tuple(value) if type(value) is list else value)
    return options


def _route(shape: Any) -> IvrRoute:
    route: IvrRoute = _new(IvrRoute)
    _id(route, shape.id)
    _keypress(route, shape.keypress)
    _action(route, shape.action)
    _route_options(route, _options(shape.action, shape.options))
    _greeting(route, shape.greeting)
    _option_text(route, shape.option_text)
    _overflow(route, tuple(shape.overflow_options))
    return route


def _menu(shape: Any) -> IvrMenu:
    menu: IvrMenu = _new(IvrMenu)
    _menu_id(menu, shape.id)
    _menu_name(menu, shape.name)
    _menu_default(menu, shape.default)
    _menu_greeting(menu, shape.greeting_id)
    _menu_routes(menu, tuple(map(_route, shape.routes)))
    return menu


def slot_filled(raw: bytes) -> Callable[[], object]:
    """The page decoded into the SDK's structs, and models filled from them unchecked."""
    menus: Any = types.GenericAlias(list, (reader_for(IvrMenu).struct,))
    decode = msgspec.json.Decoder(msgspec.defstruct("Page", [("ivr_menus", menus)])).decode

    def read() -> object:
        page: Any = decode(raw)
        return list(map(_menu, page.ivr_menus))

    return read


@attrs.frozen
class _Route:
    id: int
    keypress: str
    action: str
    options: dict[str, Any] | None
    greeting: str | None = None
    option_text: str | None = None
    overflow_options: tuple[Any, ...] = ()


@attrs.frozen
class _Menu:
    id: int
    name: str
    default: bool = False
    greeting_id: int | str | None = None
    routes: tuple[_Route, ...] = ()


class _Page(msgspec.Struct, gc=False):
    ivr_menus: list[_Menu]


def decoded_into_attrs(raw: bytes) -> Callable[[], object]:
    """The page decoded by msgspec into attrs classes of the models' fields, options as dicts."""
    decode = msgspec.json.Decoder(_Page).decode

    def read() -> object:
        return decode(raw).ivr_menus

    return read


_set_route_options = _Route.__dict__["options"].__set__


def decoded_into_attrs_then_options(raw: bytes) -> Callable[[], object]:
    """
    As `decoded_into_attrs`, then each route's options made by the SDK's own options readers:
    what making the models in C would cost, since the options' class depends on the route's
    action and msgspec cannot choose it.
    """
    decode = msgspec.json.Decoder(_Page).decode

    def read() -> object:
        menus = decode(raw).ivr_menus
        for menu in menus:
            for route in menu.routes:
                _set_route_options(route, read_options(route.action, route.options))
        return menus

    return read
