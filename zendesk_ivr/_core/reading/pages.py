"""
A listing's page read from its response, without I/O: `read_page` (its models) and `read_raw_page`
(its records as JSON, for the walk, which fills in what a listing left out).

With msgspec, a page is decoded straight into the model's struct (see `readers`): the types are
checked in C, and what is left in Python is filling the models. A page that does not fit (a null
id, a string where an id goes, a number past 64 bits, a body that is not JSON) is read as plain
JSON instead, and its records one by one; the rare page with options the struct path does not
expect goes on from that record the same way. So a page gives the same models, skips and errors
either way (``tests/sdk/test_pages.py`` checks that over generated pages), and the everyday page
is decoded once.

Models are made as a listing's loop asks for them: a model its caller is done with is freed
before the next one exists, so the garbage collector does not keep promoting a whole page of them.
A record that cannot be read raises `DecodeError` naming its JSON path when the loop reaches it.
"""

from __future__ import annotations

import itertools
import time
import types
from collections.abc import Iterable, Iterator
from typing import Any, Final, Generic, TypeVar

from attrs import frozen
from yarl import URL

from ..._exceptions import DecodeError
from . import responses, skipping
from .envelopes import Envelope, PageLinks, page_links, structure, unwrap_list
from .readers import Unusual, reader_for
from .responses import Response
from .serde import shared_converter

try:
    import msgspec
except ImportError:  # PyPy: plain JSON only
    msgspec = None  # type: ignore[assignment]

__all__ = ["Listing", "RawPage", "ReadPage", "read_page", "read_raw_page"]

T = TypeVar("T")

# The keys of a list page besides its items: offset links and count, or a cursor's links.
_PAGE_KEYS: Final = ("next_page", "previous_page", "count", "links", "meta")


@frozen(cache_hash=True)  # the key of its page decoder, looked up for every page
class Listing(Generic[T]):
    """What a listing reads: where a page holds its records, and the model they become."""

    envelope: Envelope
    model: type[T]


@frozen
class RawPage:
    """A page's records as decoded JSON, the key they were under, and its checked links."""

    response: Response
    key: str
    items: list[Any]
    links: PageLinks

    @property
    def size(self) -> int:
        return len(self.items)


class ReadPage(Generic[T]):
    """A page of a listing: its links (checked), how many records it holds, and `models()`."""

    __slots__ = ("_items", "_structs", "key", "links", "model", "response")

    def __init__(
        self,
        response: Response,
        model: type[T],
        key: str,
        items: list[Any],
        links: PageLinks,
        *,
        structs: bool,
    ) -> None:
        self.response = response
        self.model = model
        self.key = key
        self.links = links
        self._items = items
        self._structs = structs

    @property
    def size(self) -> int:
        """How many records the page holds (a record without an id included)."""
        return len(self._items)

    def models(self) -> Iterator[T]:
        """The page's models, each made when it is asked for; records without an id skipped."""
        if not self._structs:
            return _models_of_json(self.model, self.response, self.key, self._items)
        return self._models_of_structs()

    def _models_of_structs(self) -> Iterator[T]:
        fill = reader_for(self.model).fill
        index = 0
        try:
            for shape in self._items:
                yield fill(shape)
                index += 1
        except Unusual:
            # Options the structs do not expect: the rest of the page is read as JSON, from this
            # record on, so skips and errors come out as that path has them.
            records = responses.decode_json(self.response, now=time.time())[self.key]
            rest = itertools.islice(records, index, None)
            yield from _models_of_json(self.model, self.response, self.key, rest, start=index)


def read_page(
    response: Response, listing: Listing[T], *, site: URL, structs: bool = True
) -> ReadPage[T]:
    """
    A list page of *listing* from a successful *response*; *site* is where ``next_page`` may
    lead (see `urls.follow_link`). ``structs=False`` reads it as plain JSON, as a page that does
    not fit the structs is read: the same models either way, which the tests compare.
    """
    if structs and msgspec is not None and response.body and _is_json(response):
        decoded = _decode_structs(response.body, listing)
        if decoded is not None:
            key, items, rest = decoded
            links = page_links(rest, response, site=site)
            return ReadPage(response, listing.model, key, items, links, structs=True)
    page = read_raw_page(response, listing.envelope, site=site)
    return ReadPage(response, listing.model, page.key, page.items, page.links, structs=False)


def read_raw_page(response: Response, envelope: Envelope, *, site: URL) -> RawPage:
    """A list page's records as decoded JSON, from a successful *response*."""
    body = responses.decode_json(response, now=time.time())
    key, items = unwrap_list(body, envelope, response)
    return RawPage(response, key, items, page_links(body, response, site=site))


def _is_json(response: Response) -> bool:
    content_type = response.content_type
    return not content_type or responses.is_json(content_type)


_DECODERS: dict[Listing[Any], Any] = {}


def _decode_structs(
    body: bytes, listing: Listing[Any]
) -> tuple[str, list[Any], dict[str, Any]] | None:
    """The key, structs and other keys of a page, or None when it does not fit the structs."""
    decoder = _DECODERS.get(listing)
    if decoder is None:
        decoder = _DECODERS[listing] = _page_decoder(listing)
    try:
        page = decoder(body)
    except (ValueError, RecursionError):  # msgspec's errors are ValueErrors
        return None
    for key in listing.envelope.plural:
        items = getattr(page, key)
        if items is not msgspec.UNSET:
            rest = {k: v for k in _PAGE_KEYS if (v := getattr(page, k)) is not msgspec.UNSET}
            return key, items, rest
    return None  # no items: plain JSON says what is wrong


def _page_decoder(listing: Listing[Any]) -> Any:
    item = reader_for(listing.model).struct
    fields: list[tuple[str, Any, Any]] = [
        (key, types.GenericAlias(list, (item,)) | msgspec.UnsetType, msgspec.UNSET)
        for key in listing.envelope.plural
    ]
    fields += [(key, Any, msgspec.UNSET) for key in _PAGE_KEYS]
    name = f"{listing.model.__name__}Page"
    return msgspec.json.Decoder(msgspec.defstruct(name, fields, gc=False)).decode


def _models_of_json(
    cls: type[T], response: Response, key: str, records: Iterable[Any], *, start: int = 0
) -> Iterator[T]:
    read = reader_for(cls).read
    for index, raw in enumerate(records, start):
        try:
            item: T | None = read(raw)
        except Unusual:  # read again with its path: skipped, or an error that names the path
            item = _read_in_detail(cls, response, f"$.{key}[{index}]", raw)
        if item is not None:
            yield item


def _read_in_detail(cls: type[T], response: Response, path: str, raw: Any) -> T | None:
    """*raw* read with its path in every error; None when it is an unusable record, skipped."""

    def read_again(cleaned: Any, at: str) -> T:
        return structure(shared_converter(), cleaned, cls, response, at)

    try:
        return read_again(raw, path)
    except DecodeError:
        item, skipped = skipping.salvage(raw, cls, path, read_again)
        if not skipped:
            raise
        return item
