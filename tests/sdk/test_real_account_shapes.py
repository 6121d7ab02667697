"""
What real accounts send, read and written back over HTTP against the fake: built-in greetings
with string ids, retired password access, options written back exactly as read, nulls where the
docs promise values, and records without an id.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zendesk_ivr
import zendesk_ivr.analysis
from zendesk_ivr import (
    Client,
    GroupOptions,
    InvalidArgument,
    MenuOptions,
    SkippedRecord,
    TextbackOptions,
)
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.testing import BUILT_IN_GREETING_IDS, FakeZendesk

API = "/api/v2/channels/voice"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as server:
        yield server


def client_for(fake: FakeZendesk) -> Client:
    return Client(base_url=fake.url, email=fake.email, api_token=fake.api_token, max_retries=0)


# --- greetings: string ids of built-in greetings beside integer ids of uploaded ones ---------


async def test_greetings_list_reads_built_in_string_ids_beside_uploaded_integer_ids(
    fake: FakeZendesk,
) -> None:
    uploaded = fake.add_greeting("Welcome")
    ivr_id = fake.put_ivr(
        {
            "name": "Support",
            "phone_number_ids": [7],
            "menus": [{"name": "Main menu", "default": True, "greeting_id": "ivr_none"}],
        }
    )

    async with client_for(fake) as client:
        greetings = {g.id: g async for g in client.greetings.list()}

    assert list(greetings) == [*BUILT_IN_GREETING_IDS, uploaded]
    none = greetings["ivr_none"]
    assert none.built_in
    assert not greetings[uploaded].built_in
    assert (none.name, none.category_id, none.default, none.audio_url) == ("None", 5, True, None)
    assert (none.ivr_ids, none.phone_number_ids, none.active) == ((ivr_id,), (7,), True)
    assert greetings["voicemail_en"].category_id == 1
    assert greetings[uploaded].upload_id == uploaded
    assert greetings[uploaded].audio_name == "welcome.mp3"


async def test_the_greeting_check_matches_ids_of_either_kind(fake: FakeZendesk) -> None:
    kept, deleted = fake.add_greeting("Welcome"), fake.add_greeting("Summer sale")
    fake.delete_greeting(deleted)
    menus: list[dict[str, Any]] = [
        {"name": "Main menu", "default": True, "greeting_id": "ivr_none"},
        {"name": "Uploaded", "greeting_id": kept},
        {"name": "Deleted", "greeting_id": deleted},
        {"name": "Gone built-in", "greeting_id": "ivr_retired_en"},
    ]
    for menu in menus:
        menu["routes"] = [{"keypress": "1", "action": "group", "options": {"group_ids": [1]}}]
    fake.put_ivr({"name": "Support", "phone_number_ids": [7], "menus": menus})

    async with client_for(fake) as client:
        findings = await zendesk_ivr.analysis.audit(client, check_greetings=True)

    flagged = [f.message for f in findings if f.rule == "unknown_greeting"]
    assert len(flagged) == 2
    assert "'Deleted'" in flagged[0]
    assert str(deleted) in flagged[0]
    assert "'Gone built-in'" in flagged[1]
    assert "'ivr_retired_en'" in flagged[1]


async def test_a_built_in_greeting_is_written_as_its_string_id(fake: FakeZendesk) -> None:
    ivr_id = fake.put_ivr({"name": "Support", "menus": [{"name": "Main menu", "default": True}]})

    async with client_for(fake) as client:
        menu = (await client.ivrs.get(ivr_id)).menus[0]
        updated = await client.menus.update(ivr_id, menu.id, greeting_id="voicemail_en")
        sent = fake.requests[-1].json
        fake.clear_requests()
        # A string of digits is an uploaded greeting's id as text: refused, nothing sent.
        with pytest.raises(InvalidArgument, match="greeting_id"):
            await client.menus.update(ivr_id, menu.id, greeting_id="10001")

    assert sent == {"ivr_menu": {"greeting_id": "voicemail_en"}}
    assert updated.greeting_id == "voicemail_en"
    assert fake.requests == []


# --- password access: retired by Zendesk in January 2026 --------------------------------------


def test_a_password_client_warns_at_the_callers_line() -> None:
    with pytest.warns(DeprecationWarning, match="password") as caught:
        Client(subdomain="acme", email="a@b.c", password="pw")

    (warning,) = caught
    assert warning.filename == __file__
    text = str(warning.message)
    assert "no longer accepts email + password" in text
    assert "12 and 22 January 2026" in text
    assert "OAuth" in text
    assert "30 April 2027" in text


def test_from_env_with_zendesk_password_warns_at_the_callers_line() -> None:
    env = {"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_EMAIL": "a@b.c", "ZENDESK_PASSWORD": "pw"}
    with pytest.warns(DeprecationWarning, match="password") as caught:
        Client.from_env(env)

    assert [w.filename for w in caught] == [__file__]


def test_other_schemes_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Client(subdomain="acme", email="a@b.c", api_token="t")
        Client.from_env({"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_OAUTH_TOKEN": "t"})


async def test_a_refused_password_says_passwords_are_retired_and_what_to_use() -> None:
    # Like every real account since January 2026: the fake takes no password.
    async with await FakeZendesk.start(password=None) as fake:
        with pytest.warns(DeprecationWarning, match="password"):
            client = Client(base_url=fake.url, email=fake.email, password="old password")
        async with client:
            with pytest.raises(zendesk_ivr.AuthenticationError) as info:
                await client.ivrs.get(1)

        assert (fake.requests[-1].header("Authorization") or "").startswith("Basic ")
    message = str(info.value)
    assert "Couldn't authenticate you" in message
    assert "no longer accepts email + password" in message
    assert "OAuth" in message
    assert "api_token" in message
    assert "old password" not in message


async def test_a_refused_api_token_does_not_mention_passwords(fake: FakeZendesk) -> None:
    async with Client(base_url=fake.url, email=fake.email, api_token="wrong") as client:
        with pytest.raises(zendesk_ivr.AuthenticationError) as info:
            await client.ivrs.get(1)

    assert "password" not in str(info.value)


# --- lossless write-back --------------------------------------------------------------------


async def read_and_write_back(fake: FakeZendesk, route: dict[str, Any]) -> tuple[Any, Any]:
    """Plant *route*, read it with the client, write its own fields back; (served, sent)."""
    ivr_id = fake.put_ivr(
        {"name": "Support", "menus": [{"name": "Main menu", "default": True, "routes": [route]}]}
    )
    async with client_for(fake) as client:
        menu = (await client.ivrs.get(ivr_id)).menus[0]
        served = fake.ivr_json(ivr_id)["menus"][0]["routes"][0]
        (read,) = menu.routes
        fake.clear_requests()
        await client.routes.update(
            ivr_id,
            menu.id,
            read.id,
            keypress=read.keypress,
            action=read.action,
            options=read.options,
            overflow_options=read.overflow_options,
        )
    (request,) = fake.requests
    return served, request.json["ivr_route"]


@pytest.mark.parametrize(
    "options",
    [
        {"sms_textstring": "Chat with us", "textback_phone_number_id": 5},
        {"sms_text": "New", "sms_textstring": "Old", "textback_phone_number_id": 5},
        {"sms_text": None, "sms_textstring": "Chat", "textback_phone_number_id": None},
        None,
        {},
    ],
    ids=["legacy key", "both keys", "nulls", "null options", "empty"],
)
async def test_textback_options_go_back_exactly_as_read(
    fake: FakeZendesk, options: dict[str, Any] | None
) -> None:
    route = {"keypress": "1", "action": "textback", "options": options}

    served, sent = await read_and_write_back(fake, route)

    assert sent["options"] == served["options"] == options
    assert list(json.dumps(sent["options"])) == list(json.dumps(options))  # key order too


async def test_a_changed_sms_text_keeps_the_key_it_was_read_with(fake: FakeZendesk) -> None:
    ivr_id = fake.put_ivr(
        {
            "name": "Support",
            "menus": [
                {
                    "name": "Main menu",
                    "default": True,
                    "routes": [
                        {
                            "keypress": "1",
                            "action": "textback",
                            "options": {"sms_textstring": "Old", "tags": None, "priority": 2},
                        }
                    ],
                }
            ],
        }
    )
    async with client_for(fake) as client:
        menu = (await client.ivrs.get(ivr_id)).menus[0]
        route = menu.routes[0]
        assert isinstance(route.options, TextbackOptions)
        assert route.options.sms_text == "Old"
        changed = TextbackOptions(
            sms_text="New",
            textback_phone_number_id=9,
            tags=route.options.tags,
            extra=route.options.extra,
            read_as=route.options.read_as,
        )
        await client.routes.update(ivr_id, menu.id, route.id, options=changed)

    sent = fake.requests[-1].json["ivr_route"]["options"]
    assert sent == {
        "sms_textstring": "New",
        "tags": None,
        "priority": 2,
        "textback_phone_number_id": 9,
    }


async def test_options_built_in_code_are_written_as_documented(fake: FakeZendesk) -> None:
    ivr_id = fake.put_ivr({"name": "Support", "menus": [{"name": "Main menu", "default": True}]})
    async with client_for(fake) as client:
        menu = (await client.ivrs.get(ivr_id)).menus[0]
        await client.routes.create(
            ivr_id, menu.id, keypress="1", options=TextbackOptions(sms_text="Hi")
        )

    assert fake.requests[-1].json["ivr_route"]["options"] == {"sms_text": "Hi"}


# The shapes the fake serves from real data, each one the fake accepts back.
_tags = st.one_of(st.none(), st.lists(st.sampled_from(["vip", "sms"]), max_size=2))
_extra = st.dictionaries(
    st.sampled_from(["priority", "queue"]), st.one_of(st.none(), st.integers(0, 3)), max_size=2
)


def _maybe(**entries: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=entries)


_OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "group": st.builds(
        lambda base, extra: {**extra, **base},
        st.fixed_dictionaries(
            {"group_ids": st.lists(st.integers(1, 10**14), min_size=1, max_size=3)},
            optional={"tags": _tags},
        ),
        _extra,
    ),
    "phone_number": st.fixed_dictionaries(
        {"phone_number": st.sampled_from(["+15551234567", "555-0100"])}, optional={"tags": _tags}
    ),
    "textback": st.one_of(
        st.none(),
        st.builds(
            lambda base, extra: {**extra, **base},
            _maybe(
                sms_text=st.one_of(st.none(), st.text(max_size=5)),
                sms_textstring=st.one_of(st.none(), st.text(max_size=5)),
                textback_phone_number_id=st.one_of(st.none(), st.integers(1, 10**14)),
                tags=_tags,
            ),
            _extra,
        ),
    ),
}
_overflow = st.lists(st.fixed_dictionaries({"group_ids": st.lists(st.integers(1, 9))}), max_size=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(sorted(_OPTIONS)).flatmap(
        lambda action: st.fixed_dictionaries(
            {
                "keypress": st.sampled_from(["1", "*", "default"]),
                "action": st.just(action),
                "options": _OPTIONS[action],
                "overflow_options": _overflow,
            }
        )
    )
)
async def test_a_write_back_that_changes_nothing_sends_exactly_what_was_read(
    route: dict[str, Any],
) -> None:
    async with await FakeZendesk.start() as fake:
        served, sent = await read_and_write_back(fake, route)

    for key in ("keypress", "action", "options", "overflow_options"):
        assert json.dumps(sent[key]) == json.dumps(served[key]), key


async def test_menu_options_to_a_menu_round_trip_with_a_null_tag(fake: FakeZendesk) -> None:
    route = {"keypress": "2", "action": "menu", "options": {"menu_id": "@menu:0", "tags": None}}

    served, sent = await read_and_write_back(fake, route)

    assert sent["options"] == served["options"]
    assert sent["options"]["tags"] is None


# --- nulls where the docs promise a value, and records without an id -------------------------

_GROUP_ROUTE = {"action": "group", "options": {"group_ids": [1]}}


def odd_account(fake: FakeZendesk) -> dict[str, int]:
    """One IVR of each odd shape beside a normal one; their ids by label."""
    return {
        "normal": fake.put_ivr(
            {
                "name": "Normal",
                "phone_number_ids": [1],
                "menus": [
                    {"name": "Main", "default": True, "routes": [{**_GROUP_ROUTE, "keypress": "1"}]}
                ],
            }
        ),
        "nulls": fake.put_ivr(
            {
                "name": None,
                "phone_number_ids": [1],
                "menus": [
                    {
                        "name": None,
                        "default": None,
                        "routes": [
                            {**_GROUP_ROUTE, "keypress": None},
                            {"keypress": "2", "action": None, "options": {"x": 1}},
                            {"keypress": "3", "action": "group", "options": None},
                        ],
                    }
                ],
            }
        ),
        "holes": fake.put_ivr(
            {
                "name": "Holes",
                "phone_number_ids": [1],
                "menus": [
                    {
                        "name": "Main",
                        "default": True,
                        "routes": [
                            {**_GROUP_ROUTE, "keypress": "1"},
                            {**_GROUP_ROUTE, "keypress": "2", "id": None},
                        ],
                    },
                    {"name": "Ghost menu", "id": None, "routes": []},
                ],
            }
        ),
        "ghost": fake.put_ivr({"id": None, "name": "Ghost IVR", "menus": []}),
    }


async def test_the_walk_reads_nulls_as_fallbacks_and_skips_records_without_an_id(
    fake: FakeZendesk, caplog: pytest.LogCaptureFixture
) -> None:
    ids = odd_account(fake)

    with caplog.at_level(logging.WARNING, logger="zendesk_ivr"):
        async with client_for(fake) as client:
            tree = await client.walk()

    by_id = {ivr.id: ivr for ivr in tree.ivrs}
    assert list(by_id) == [ids["normal"], ids["nulls"], ids["holes"]]
    nulls = by_id[ids["nulls"]]
    assert nulls.name == ""
    assert nulls.menus[0].name == ""
    assert nulls.menus[0].default is False
    first, second, third = nulls.menus[0].routes
    assert first.keypress == ""
    assert second.action == ""
    assert third.options == GroupOptions()
    assert third.options.read_as is None
    holes = by_id[ids["holes"]]
    assert [m.name for m in holes.menus] == ["Main"]
    assert [r.keypress for r in holes.menus[0].routes] == ["1"]
    menu_id = holes.menus[0].id
    assert tree.skipped == (
        SkippedRecord("route", "$.ivrs[2].menus[0].routes[1]", "2", ids["holes"], menu_id),
        SkippedRecord("menu", "$.ivrs[2].menus[1]", "Ghost menu", ids["holes"], None),
        SkippedRecord("ivr", "$.ivrs[3]", "Ghost IVR", None, None),
    )
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 3
    assert "'Ghost IVR' at $.ivrs[3]" in warned[2]
    assert "no id" in warned[2]
    assert f"'Ghost menu' at $.ivrs[2].menus[1], IVR {ids['holes']}" in warned[1]


async def test_the_audit_flags_what_the_nulls_leave_and_reads_the_neighbours(
    fake: FakeZendesk,
) -> None:
    ids = odd_account(fake)

    async with client_for(fake) as client:
        findings = await zendesk_ivr.analysis.audit(client)

    assert {f.ivr_id for f in findings} == {ids["nulls"]}
    assert sorted((f.rule, f.route_id is not None) for f in findings) == [
        ("default_menu", False),
        ("incomplete_route", True),
        ("incomplete_route", True),
        ("missing_group", True),
    ]


async def test_listings_skip_records_without_an_id_and_keep_the_rest(
    fake: FakeZendesk, caplog: pytest.LogCaptureFixture
) -> None:
    ids = odd_account(fake)
    holes = fake.ivr_json(ids["holes"])
    menu_id = holes["menus"][0]["id"]

    with caplog.at_level(logging.WARNING, logger="zendesk_ivr"):
        async with client_for(fake) as client:
            ivrs = [ivr.id async for ivr in client.ivrs.list()]
            menus = [m.name async for m in client.menus.list(ids["holes"])]
            routes = [r.keypress async for r in client.routes.list(ids["holes"], menu_id)]

    assert ivrs == [ids["normal"], ids["nulls"], ids["holes"]]
    assert menus == ["Main"]
    assert routes == ["1"]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("ivr 'Ghost IVR' at $.ivrs[3]" in w for w in warned)
    assert any("menu 'Ghost menu' at $.ivr_menus[1]" in w for w in warned)
    assert any("route '2' at $.ivr_routes[1]" in w for w in warned)


@pytest.mark.parametrize(
    ("path", "body", "listing"),
    [
        (
            "/api/v2/groups",
            {
                "groups": [{"id": None, "name": "Ghost"}, {"id": 5, "name": None, "deleted": None}],
                "meta": {"has_more": False},
                "links": {"next": None, "prev": None},
            },
            "groups",
        ),
        (
            f"{API}/greetings",
            {
                "greetings": [
                    {"id": None, "name": "Ghost"},
                    {"id": "ivr_none", "name": None, "active": None, "ivr_ids": None},
                ],
                "next_page": None,
            },
            "greetings",
        ),
    ],
)
async def test_group_and_greeting_listings_read_nulls_as_defaults_and_skip_missing_ids(
    fake: FakeZendesk,
    caplog: pytest.LogCaptureFixture,
    path: str,
    body: dict[str, Any],
    listing: str,
) -> None:
    fake.fail_next(200, path=path, body=json.dumps(body), content_type="application/json")

    with caplog.at_level(logging.WARNING, logger="zendesk_ivr"):
        async with client_for(fake) as client:
            items = [item async for item in getattr(client, listing).list()]

    (item,) = items
    assert item.name == ""
    if listing == "groups":
        assert (item.id, item.deleted) == (5, False)
    else:
        assert (item.id, item.active, item.ivr_ids) == ("ivr_none", False, ())
    assert any("'Ghost' at $." in r.getMessage() for r in caplog.records)


async def test_a_record_that_is_wrong_for_another_reason_still_fails_the_page(
    fake: FakeZendesk,
) -> None:
    ids = odd_account(fake)
    fake.put_ivr({"name": 7, "menus": []})  # a number for a name: not a null

    async with client_for(fake) as client:
        with pytest.raises(zendesk_ivr.DecodeError, match=r"\$\.ivrs\[4\]\.name"):
            await client.walk()
    assert ids


# --- pagination: groups by cursor, the offset cap ---------------------------------------------


async def test_groups_are_listed_by_cursor_past_10000(fake: FakeZendesk) -> None:
    created = [fake.add_group(f"Group {n}") for n in range(10_050)]

    async with client_for(fake) as client:
        listed = [group.id async for group in client.groups.list()]

    assert listed == created
    requests = fake.requests
    assert len(requests) == 101
    assert dict(requests[0].query) == {"page[size]": "100"}
    assert all(dict(r.query).keys() == {"page[size]", "page[after]"} for r in requests[1:])
    assert all(r.path == "/api/v2/groups" for r in requests)


async def test_a_cursor_listing_stops_when_has_more_is_false_though_next_is_given(
    fake: FakeZendesk,
) -> None:
    created = [fake.add_group(f"Group {n}") for n in range(150)]

    async with client_for(fake) as client:
        pages = [page async for page in client.groups.pages()]

    assert [len(p.items) for p in pages] == [100, 50]
    assert [g.id for p in pages for g in p.items] == created
    assert pages[0].next_page is not None
    assert pages[1].next_page is None
    assert pages[0].count is None
    assert len(fake.requests) == 2


async def test_an_offset_listing_past_10000_records_raises_a_pagination_error(
    fake: FakeZendesk,
) -> None:
    for n in range(10_000):
        fake.add_greeting(f"Greeting {n}")

    seen: list[zendesk_ivr.Greeting] = []

    async def read_all(client: Client) -> None:
        async for greeting in client.greetings.list():
            seen.append(greeting)

    async with client_for(fake) as client:
        with pytest.raises(zendesk_ivr.PaginationError, match="stops at 10,000 records") as info:
            await read_all(client)

    assert len(seen) == 10_000
    assert "400" in str(info.value)
    assert "greetings" in str(info.value)
    assert dict(fake.requests[-1].query)["page"] == "101"
    assert isinstance(info.value.__cause__, zendesk_ivr.APIError)


async def test_a_resumed_offset_listing_past_the_cap_raises_a_pagination_error(
    fake: FakeZendesk,
) -> None:
    async with client_for(fake) as client:
        start = f"{fake.url}{API}/ivr?per_page=100&page=101"
        with pytest.raises(zendesk_ivr.PaginationError, match="10,000"):
            [ivr async for ivr in client.ivrs.list(start=start)]
        # A 400 short of the cap is the server's error as it is.
        with pytest.raises(zendesk_ivr.APIError) as info:
            [ivr async for ivr in client.ivrs.list(start=f"{fake.url}{API}/ivr?page=0")]
    assert not isinstance(info.value, zendesk_ivr.PaginationError)
    assert info.value.status == 400


async def test_menu_options_read_from_real_shapes_compare_by_meaning() -> None:
    converter = make_converter()
    legacy = converter.structure({"sms_textstring": "x"}, TextbackOptions)
    assert legacy == TextbackOptions(sms_text="x")
    assert converter.unstructure(legacy) == {"sms_textstring": "x"}
    assert converter.structure({"menu_id": None}, MenuOptions) == MenuOptions()
