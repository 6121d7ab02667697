"""
`read_page`, the one seam a listing reads its pages through: decoded into msgspec structs, a page
gives exactly what it gives read as plain JSON (the same models, written back the same, the same
skipped records and the same errors, at the same place), and the everyday page is decoded once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from zendesk_ivr import Client, Ivr, IvrMenu, IvrRoute, ZendeskError
from zendesk_ivr._core.reading import envelopes, pages, responses
from zendesk_ivr._core.reading.envelopes import (
    IVR_ENVELOPE,
    MENU_ENVELOPE,
    ROUTE_ENVELOPE,
    Envelope,
)
from zendesk_ivr._core.reading.pages import Listing
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
    listing: Listing[Any] = Listing(LISTINGS[cls][0], cls)
    got: list[Any] = []
    error: tuple[Any, ...] | None = None
    links = None
    logged = _Records()
    logger = logging.getLogger("zendesk_ivr")
    logger.addHandler(logged)
    try:
        page = pages.read_page(response_with(body), listing, site=SITE, structs=shaped)
        links = page.links
        for model in page.models():
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


def test_the_everyday_page_is_read_into_structs_and_never_decoded_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_second_decode(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the page was decoded again")

    page = pages.read_page(
        response_with(text_of(EVERYDAY_MENUS)), Listing(MENU_ENVELOPE, IvrMenu), site=SITE
    )
    assert page.links.count == 102
    monkeypatch.setattr(responses, "decode_json", no_second_decode)
    models = list(page.models())
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

    got, error, _, _ = read_page(body, IvrRoute, shaped=True)

    assert [model.id for model, _ in got] == [1, 2]
    assert got[1][0].options.extra == {"x": 1}  # kept, as the detailed path keeps it
    assert error is not None
    assert "$.ivr_routes[2]" in str(error)  # the place in the page, not in the rest of it
    assert (got, error) == read_page(body, IvrRoute, shaped=False)[:2]


def test_lookups_read_through_structs_too() -> None:
    from zendesk_ivr import Group  # noqa: PLC0415 - only this test needs it

    body = b'{"groups": [{"id": 5, "name": "Sales", "deleted": null}], "meta": {"has_more": false}}'
    listing = Listing(envelopes.GROUP_ENVELOPE, Group)
    page = pages.read_page(response_with(body), listing, site=SITE)
    plain = pages.read_page(response_with(body), listing, site=SITE, structs=False)
    assert list(page.models()) == list(plain.models()) == [Group(id=5, name="Sales")]


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
        menu_pages = [page async for page in client.menus.pages(ivr_list[0].id)]
    return ivr_list, menu_list, route_list, menu_pages


async def test_listings_give_the_same_with_and_without_msgspec(
    seeded: FakeZendesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded.seed(3, menus=9, routes=8)
    with_structs = await _everything(seeded)
    monkeypatch.setattr(pages, "msgspec", None)
    without = await _everything(seeded)

    assert with_structs == without
    ivr_list, menu_list, route_list, menu_pages = with_structs
    assert len(ivr_list) == 3
    assert len(menu_list) == 27
    assert len(route_list) == 27 * 8
    assert len(menu_pages) == 2


def test_nesting_near_the_recursion_limit_never_fails_the_struct_path_alone() -> None:
    # How deep JSON may nest depends on the stack the decoder runs on. A page the structs refuse
    # is read as plain JSON from the frame a plain read starts from, so the structs never fail
    # a page plain JSON reads. They decode from a shallower frame, so near the limit they may
    # read a page plain JSON finds too deep: then they read it whole.
    def outcome(body: bytes, *, shaped: bool) -> tuple[Any, ...]:
        got, error, links, logged = read_page(body, IvrRoute, shaped=shaped)
        return len(got), error, links, logged  # the models: too deep to compare with ==

    deeper_only = 0
    for depth in range(700, 1100):
        options = '{"a": ' + "[" * depth + "]" * depth + "}"
        route = '{"id": 2, "keypress": "1", "action": "x", "options": ' + options + "}"
        body = ('{"ivr_routes": [' + route + "]}").encode()
        shaped, plain = outcome(body, shaped=True), outcome(body, shaped=False)
        if plain[1] is not None and shaped[1] is None:
            assert shaped[0] == 1, depth
            assert "nested too deeply" in plain[1][1], depth
            deeper_only += 1
            continue
        assert shaped == plain, depth
    assert deeper_only < 20  # a few frames' worth of depth, not another limit
