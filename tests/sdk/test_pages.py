"""
List pages decoded into msgspec structs give exactly what pages read as dicts give: the same
models, written back the same, the same skipped records and the same errors, at the same place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from zendesk_ivr import Client, Ivr, IvrMenu, IvrRoute, ZendeskError
from zendesk_ivr._core import requester
from zendesk_ivr._core.reading import envelopes, responses, shapes
from zendesk_ivr._core.reading.envelopes import (
    IVR_ENVELOPE,
    MENU_ENVELOPE,
    ROUTE_ENVELOPE,
    Envelope,
)
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.testing import FakeZendesk

from .json_strategies import (
    everyday_routes,
    ivrs,
    menus,
    pages_of,
    routes,
    well_formed_ivrs,
    well_formed_menus,
    well_formed_routes,
)

CONVERTER = make_converter()
SITE = URL("https://example.zendesk.com")
LISTINGS: dict[type, tuple[Envelope, st.SearchStrategy[Any], st.SearchStrategy[Any]]] = {
    IvrMenu: (MENU_ENVELOPE, well_formed_menus, menus),
    IvrRoute: (ROUTE_ENVELOPE, st.one_of(everyday_routes, well_formed_routes), routes),
    Ivr: (IVR_ENVELOPE, well_formed_ivrs, ivrs),
}


def response_with(body: bytes) -> responses.Response:
    return responses.Response(
        method="GET",
        url=SITE / "api/v2/channels/voice/ivr",
        status=200,
        headers={"content-type": "application/json"},
        body=body,
    )


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def read_page(body: bytes, cls: type, *, shaped: bool) -> tuple[Any, ...]:
    """
    Everything a listing makes of one page: the models it yields (written back too), then the
    error that stopped it, the links, and what it logged about skipped records.
    """
    envelope = LISTINGS[cls][0]
    response = response_with(body)
    reader = shapes.page_reader(cls, envelope) if shaped else None
    got: list[Any] = []
    error: tuple[Any, ...] | None = None
    links = None
    logged = _Records()
    logger = logging.getLogger("zendesk_ivr")
    logger.addHandler(logged)
    try:
        decoded = responses.decode_json(response, now=0, read_first=reader)
        key, raw_items = envelopes.unwrap_list(decoded, envelope, response)
        links = envelopes.page_links(decoded, response, site=SITE)
        models: Iterator[Any]
        if isinstance(decoded, shapes.ShapedBody):
            models = shapes.iter_items(CONVERTER, cls, response, key, raw_items)
        else:
            models = envelopes.iter_items(CONVERTER, cls, response, key, raw_items)
        for model in models:
            got.append((model, CONVERTER.unstructure(model)))
    except ZendeskError as exc:
        error = (type(exc), str(exc), getattr(exc, "errors", None))
    finally:
        logger.removeHandler(logged)
    return got, error, links, logged.messages


def text_of(page: Any) -> bytes:
    return json.dumps(page).encode()


@pytest.mark.parametrize("cls", list(LISTINGS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_page_reads_the_same_through_structs_as_through_dicts(
    cls: type, data: st.DataObject
) -> None:
    envelope, well_formed, any_shape = LISTINGS[cls]
    page = data.draw(pages_of(envelope.plural, well_formed, any_shape))
    body = text_of(page)
    assert read_page(body, cls, shaped=True) == read_page(body, cls, shaped=False)


EVERYDAY_MENUS: dict[str, Any] = {
    "ivr_menus": [
        {
            "id": 360001,
            "name": "Main",
            "default": True,
            "greeting_id": "ivr_none",
            "routes": [
                {
                    "id": 10,
                    "keypress": "1",
                    "action": "group",
                    "options": {"group_ids": [5], "tags": ["sales"]},
                    "greeting": None,
                    "option_text": "Sales",
                    "overflow_options": [],
                    "url": "https://example.zendesk.com/api/v2/x.json",
                },
                {"id": 11, "keypress": "2", "action": "menu", "options": {"menu_id": 360002}},
                {"id": 12, "keypress": "3", "action": "callback", "options": {"who": "me"}},
                {
                    "id": 13,
                    "keypress": "4",
                    "action": "textback",
                    "options": {"textback_phone_number_id": 7, "sms_text": "Hi"},
                },
            ],
        },
        {"id": 360002, "name": None, "greeting_id": 77},
    ],
    "next_page": "https://example.zendesk.com/api/v2/channels/voice/ivr/1/menus?page=2",
    "previous_page": None,
    "count": 102,
}


def test_the_everyday_page_is_read_into_structs_and_never_decoded_again() -> None:
    reader = shapes.page_reader(IvrMenu, MENU_ENVELOPE)
    assert reader is not None
    decoded = reader(text_of(EVERYDAY_MENUS))
    assert isinstance(decoded, shapes.ShapedBody)
    assert decoded["count"] == 102
    # An empty body: had any record gone back to the dicts, decoding it again would fail.
    models = list(
        shapes.iter_items(CONVERTER, IvrMenu, response_with(b""), "ivr_menus", decoded["ivr_menus"])
    )
    expected = [CONVERTER.structure(menu, IvrMenu) for menu in EVERYDAY_MENUS["ivr_menus"]]
    assert models == expected
    assert models[1].name == ""
    assert models[0].routes[2].options == expected[0].routes[2].options  # unknown action kept


@pytest.mark.parametrize(
    "text",
    [
        b'{"ivr_menus": [{"id": "360001", "name": "Main"}]}',  # a string id
        b'{"ivr_menus": [{"id": null, "name": "Main"}]}',  # skipped, and logged
        b'{"ivr_menus": [{"id": 1, "name": "Main", "default": null}]}',
        b'{"ivr_menus": [{"id": 18446744073709551616, "name": "Main"}]}',
        b'{"ivr_menus": [{"id": 9223372036854775808, "name": "Main"}]}',  # past the largest id
        b'{"ivr_menus": [{"id": 1, "name": "Main", "greeting_id": 0}]}',
        b'{"ivr_menus": [{"id": 1, "name": "A", "defaul\\u0074": true, "n\\u0061me": "B"}]}',
        b'{"ivr_menus": [{"id": 1, "name": "A", "name": "B", "default": 1, "default": false}]}',
        b'{"ivr_menus": [{"id": 1.0, "name": "A"}, {"id": 1e2, "name": "B"}]}',
        b'{"ivr_menus": [{"id": -0, "name": "A"}]}',
        b'{"ivr_menus": [{"id": 1, "name": "A", "routes": [{"id": 2, "keypress": "1", '
        b'"action": "group", "options": {"group_ids": [NaN]}}]}]}',
        b'{"ivr_menus": [{"id": 1, "name": "A", "routes": [{"id": 2, "keypress": "1", '
        b'"action": "group", "options": {"group_ids": [1e400]}}]}]}',
        b'{"ivr_menus": {"id": 1}}',
        b'{"menus": [{"id": 1, "name": "A"}], "ivr_menus": [{"id": 2, "name": "B"}]}',
        b'{"ivr_menus": [{"id": 1, "name": "A"}], "ivr_menus": [{"id": 2, "name": "B"}]}',
        b'{"ivr_menus": [{"id": 1, "name": "A", "id": 3}], "count": true}',
        b'{"ivr_menus": [{"id": 1, "name": "A"}], "meta": {"has_more": true}}',
        b'["ivr_menus"]',
        b"<html>busy</html>",
        b'{"ivr_menus": [' + b"[" * 5000 + b"]" * 5000 + b"]}",
    ],
)
def test_pages_the_structs_refuse_read_as_dicts_read_them(text: bytes) -> None:
    assert read_page(text, IvrMenu, shaped=True) == read_page(text, IvrMenu, shaped=False)


def test_options_the_fast_readers_do_not_expect_send_the_rest_of_the_page_to_the_dicts() -> None:
    good = {"id": 1, "keypress": "1", "action": "group", "options": {"group_ids": [5]}}
    odd = {"id": 2, "keypress": "2", "action": "group", "options": {"group_ids": [5], "x": 1}}
    broken = {"id": 3, "keypress": "3", "action": "group", "options": {"group_ids": ["five"]}}
    body = text_of({"ivr_routes": [good, odd, broken]})
    reader = shapes.page_reader(IvrRoute, ROUTE_ENVELOPE)
    assert reader is not None
    assert isinstance(reader(body), shapes.ShapedBody)

    got, error, _, _ = read_page(body, IvrRoute, shaped=True)

    assert [model.id for model, _ in got] == [1, 2]
    assert got[1][0].options.extra == {"x": 1}  # kept, as the detailed path keeps it
    assert error is not None
    assert "$.ivr_routes[2]" in str(error)  # the place in the page, not in the rest of it
    assert (got, error) == read_page(body, IvrRoute, shaped=False)[:2]


def test_models_without_a_shape_have_no_page_reader() -> None:
    from zendesk_ivr import Group  # noqa: PLC0415 - only this test needs it

    assert shapes.page_reader(Group, envelopes.GROUP_ENVELOPE) is None


@pytest.fixture
async def seeded() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start(max_page_size=7) as fake:
        yield fake


async def _everything(fake: FakeZendesk) -> tuple[Any, ...]:
    async with Client(base_url=fake.url, email=fake.email, api_token=fake.api_token) as client:
        ivr_list = [ivr async for ivr in client.ivrs.list()]
        menu_list = []
        route_list = []
        for ivr in ivr_list:
            menu_list += [menu async for menu in client.menus.list(ivr.id)]
            for menu in ivr.menus:
                route_list += [route async for route in client.routes.list(ivr.id, menu.id)]
        pages = [page async for page in client.menus.pages(ivr_list[0].id)]
    return ivr_list, menu_list, route_list, pages


async def test_listings_give_the_same_with_and_without_msgspec(
    seeded: FakeZendesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded.seed(3, menus=9, routes=8)
    with_structs = await _everything(seeded)
    monkeypatch.setattr(requester, "shapes", None)
    without = await _everything(seeded)

    assert with_structs == without
    ivr_list, menu_list, route_list, pages = with_structs
    assert len(ivr_list) == 3
    assert len(menu_list) == 27
    assert len(route_list) == 27 * 8
    assert len(pages) == 2


def test_nesting_near_the_recursion_limit_reads_the_same_either_way() -> None:
    # The fallback reads from the frame the dict path reads from, so both meet the same limit.
    def outcome(body: bytes, *, shaped: bool) -> tuple[Any, ...]:
        got, error, links, logged = read_page(body, IvrRoute, shaped=shaped)
        return len(got), error, links, logged  # the models: too deep to compare with ==

    for depth in range(700, 1100):
        options = '{"a": ' + "[" * depth + "]" * depth + "}"
        route = '{"id": 2, "keypress": "1", "action": "x", "options": ' + options + "}"
        body = ('{"ivr_routes": [' + route + "]}").encode()
        assert outcome(body, shaped=True) == outcome(body, shaped=False), depth
