"""
List pages of IVRs, menus and routes decoded by msgspec into typed structs, then filled into models.

Read as dicts, a page went through Python twice: msgspec made a dict of every object, and
`fastread` looked up and type-checked each field while it built the models. Decoded against the
everyday shape below, msgspec checks the types in C and makes small structs the garbage collector
does not track; what is left in Python is filling the models. On pages of 100 menus that cut the
client's CPU per listing request by about a sixth, which was what kept a listing at full speed
from keeping up with a local server.

The structs take exactly what `fastread` reads without a detour. A page with anything else (a
null id, a string id, a number past 64 bits, a NaN, a body that is not JSON) does not decode into
them and is read as before, from dicts. Options stay dicts, read by `fastread`'s own readers; an
option they do not expect sends the rest of its page the usual way. So a page gives the same
models, skips and errors either way; ``tests/sdk/test_shapes.py`` checks that over generated pages.

msgspec is a dependency on CPython only: where it is missing this module does not import, and
listings read dicts.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Final, TypeVar, cast

import msgspec
from cattrs import Converter

from ..._models import MAX_ID, Ivr, IvrMenu, IvrRoute
from . import envelopes, fastread, jsontext, responses
from .envelopes import Envelope
from .responses import Response

T = TypeVar("T")

_Id = Annotated[int, msgspec.Meta(gt=0, le=MAX_ID)]

# gc=False: decoded JSON holds no cycles, and untracked structs cost the collector nothing.


class _Route(msgspec.Struct, gc=False):
    id: _Id
    keypress: str
    action: str
    options: dict[str, Any]  # kept as read: the model writes it back unchanged
    greeting: str | None = None
    option_text: str | None = None
    overflow_options: list[Any] | None = None


class _Menu(msgspec.Struct, gc=False):
    id: _Id
    name: str | None  # required, but a null name reads as ""
    default: bool = False
    # Built-in greetings have string ids, uploaded ones integers.
    greeting_id: _Id | str | None = None
    routes: list[_Route] | None = None


class _Ivr(msgspec.Struct, gc=False):
    id: _Id
    name: str | None
    menus: list[_Menu] | None = None
    phone_number_ids: list[_Id] | None = None
    phone_number_names: list[str] | None = None


def _route(shape: _Route) -> IvrRoute:
    overflow = shape.overflow_options
    return fastread.new_route(
        shape.id,
        shape.keypress,
        shape.action,
        fastread.route_options(shape.action, shape.options),
        shape.greeting,
        shape.option_text,
        () if overflow is None else tuple(overflow),
    )


def _menu(shape: _Menu) -> IvrMenu:
    routes = shape.routes
    return fastread.new_menu(
        shape.id,
        shape.name or "",
        shape.default,
        shape.greeting_id,
        () if routes is None else tuple(map(_route, routes)),
    )


def _ivr(shape: _Ivr) -> Ivr:
    menus = shape.menus
    ids = shape.phone_number_ids
    names = shape.phone_number_names
    return fastread.new_ivr(
        shape.id,
        shape.name or "",
        () if menus is None else tuple(map(_menu, menus)),
        () if ids is None else tuple(ids),
        () if names is None else tuple(names),
    )


class ShapedBody(dict[str, Any]):
    """A list page's body whose items are structs of this module, not dicts."""


# The keys of a list page besides its items: offset links and count, or a cursor's links.
_PAGE_KEYS: Final = ("next_page", "previous_page", "count", "links", "meta")


class _PageReader:
    """Decodes a list page of one model into a `ShapedBody`; a `ValueError` if it does not fit."""

    def __init__(self, item: type[msgspec.Struct], envelope: Envelope) -> None:
        fields: list[tuple[str, Any, Any]] = [
            (key, list[item] | msgspec.UnsetType, msgspec.UNSET)  # type: ignore[valid-type]
            for key in envelope.plural
        ]
        fields += [(key, Any, msgspec.UNSET) for key in _PAGE_KEYS]
        page = msgspec.defstruct(f"{item.__name__}Page", fields, gc=False)
        self._decode = msgspec.json.Decoder(page).decode

    def __call__(self, text: bytes | str) -> ShapedBody:
        page = self._decode(text)  # msgspec's errors are ValueErrors
        body = ShapedBody()
        for key in page.__struct_fields__:
            value = getattr(page, key)
            if value is not msgspec.UNSET:
                body[key] = value
        return body


_SHAPES: Final[dict[type, tuple[type[msgspec.Struct], Callable[[Any], Any]]]] = {
    Ivr: (_Ivr, _ivr),
    IvrMenu: (_Menu, _menu),
    IvrRoute: (_Route, _route),
}
_READERS: dict[tuple[type, Envelope], _PageReader] = {}


def page_reader(cls: type, envelope: Envelope) -> jsontext.Reader | None:
    """
    What reads a list page of *cls* into structs, for `jsontext.loads` to try first (a page
    that does not fit is read as plain JSON); None for a model without a shape.
    """
    if cls not in _SHAPES:
        return None
    reader = _READERS.get((cls, envelope))
    if reader is None:
        reader = _READERS[cls, envelope] = _PageReader(_SHAPES[cls][0], envelope)
    return reader


def iter_items(
    converter: Converter, cls: type[T], response: Response, key: str, shapes: list[Any]
) -> Iterator[T]:
    """
    The models of a page a `page_reader` decoded, each made when it is asked for.

    Options the fast readers do not expect send the rest of the page the usual way: decoded
    again from *response*, structured by *converter*, with skips and errors as that path has them.
    The structs give what `make_converter()`'s tolerant converter gives, the one `Client` reads
    with; a listing read with any other converter must not come here.
    """
    fill = cast("Callable[[Any], T]", _SHAPES[cls][1])
    for index, shape in enumerate(shapes):
        try:
            item = fill(shape)
        except Exception:  # as `fastread` does: anything unexpected is read the detailed way
            raw_items = responses.decode_json(response, now=time.time())[key]
            yield from envelopes.iter_items(
                converter, cls, response, key, itertools.islice(raw_items, index, None), start=index
            )
            return
        yield item
