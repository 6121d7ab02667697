"""
Hypothesis strategies for IVR, menu and route JSON: right values, and values wrong in the ways
real payloads go wrong (string and null ids, nulls where lists go, unknown keys and actions).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Values that are right, and values that are wrong in the ways real payloads go wrong.
ids: st.SearchStrategy[Any] = st.one_of(
    st.integers(1, 2**53), st.just(0), st.booleans(), st.text(max_size=3), st.none()
)
texts: st.SearchStrategy[Any] = st.one_of(st.text(max_size=8), st.none(), st.integers(0, 9))
int_lists: st.SearchStrategy[Any] = st.one_of(
    st.lists(ids, max_size=3), st.none(), st.text(max_size=3), st.just({})
)
str_lists: st.SearchStrategy[Any] = st.one_of(
    st.lists(texts, max_size=3), st.none(), st.text(max_size=3)
)
option_keys = st.sampled_from(
    [
        "group_ids",
        "tags",
        "phone_number",
        "textback_phone_number_id",
        "sms_text",
        "sms_textstring",
        "menu_id",
        "priority",
    ]
)
option_values = st.one_of(ids, texts, int_lists, str_lists)
options = st.one_of(
    st.none(), st.dictionaries(option_keys, option_values, max_size=4), st.text(max_size=3)
)
actions = st.one_of(
    st.sampled_from(["group", "voicemail", "phone_number", "textback", "menu", "callback"]),
    st.integers(0, 3),
)


def maybe(entries: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects where any key may be missing, and an unknown key may appear."""
    return st.fixed_dictionaries(
        {},
        optional={**entries, "url": st.text(max_size=5)},
    )


routes = maybe(
    {
        "id": ids,
        "keypress": texts,
        "action": actions,
        "options": options,
        "greeting": texts,
        "option_text": texts,
        "overflow_options": st.one_of(st.lists(st.integers(), max_size=2), st.none(), texts),
    }
)
# Built-in greetings have string ids ("ivr_none"), uploaded ones integers.
greeting_ids: st.SearchStrategy[Any] = st.one_of(ids, st.sampled_from(["ivr_none", "voicemail_en"]))
menus = maybe(
    {
        "id": ids,
        "name": texts,
        "default": st.one_of(st.booleans(), st.none(), st.integers(0, 1)),
        "greeting_id": greeting_ids,
        "routes": st.one_of(st.lists(routes, max_size=3), st.none(), texts),
    }
)
ivrs = maybe(
    {
        "id": ids,
        "name": texts,
        "menus": st.one_of(st.lists(menus, max_size=3), st.none()),
        "phone_number_ids": int_lists,
        "phone_number_names": str_lists,
    }
)


# Well-formed routes whose options take every shape real accounts send: absent keys, nulls,
# the older sms_textstring key, both SMS keys, unknown keys, null options.
_valid_option_values: dict[str, st.SearchStrategy[Any]] = {
    "group_ids": st.lists(st.integers(1, 2**53), max_size=2),
    "tags": st.lists(st.text(max_size=3), max_size=2),
    "phone_number": st.text(max_size=5),
    "textback_phone_number_id": st.integers(1, 2**53),
    "sms_text": st.text(max_size=5),
    "sms_textstring": st.text(max_size=5),
    "menu_id": st.integers(1, 2**53),
    "priority": st.integers(0, 3),
}
_route_extras: dict[str, st.SearchStrategy[Any]] = {
    "greeting": st.one_of(st.text(max_size=3), st.none()),
    "option_text": st.one_of(st.text(max_size=3), st.none()),
    "overflow_options": st.one_of(st.lists(st.integers(), max_size=2), st.none()),
    "url": st.text(max_size=5),
}
well_formed_routes = st.fixed_dictionaries(
    {
        "id": st.integers(1, 2**53),
        "keypress": st.sampled_from(["1", "#", "default"]),
        "action": st.sampled_from(["group", "voicemail", "phone_number", "textback", "menu"]),
        "options": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {},
                optional={k: st.one_of(st.none(), v) for k, v in _valid_option_values.items()},
            ),
        ),
    },
    optional=_route_extras,
)

# What most routes of most accounts look like: options with only the keys their action knows.
_ACTION_KEYS: dict[str, tuple[str, ...]] = {
    "group": ("group_ids", "tags"),
    "voicemail": ("group_ids", "tags"),
    "phone_number": ("phone_number", "tags"),
    "textback": ("textback_phone_number_id", "sms_text", "tags"),
    "menu": ("menu_id", "tags"),
    "callback": ("priority", "tags"),  # an action this version does not know
}


def _everyday_route(action: str) -> st.SearchStrategy[dict[str, Any]]:
    option_values = {
        key: st.one_of(st.none(), _valid_option_values[key]) for key in _ACTION_KEYS[action]
    }
    return st.fixed_dictionaries(
        {
            "id": st.integers(1, 2**63 - 1),
            "keypress": st.sampled_from(["1", "#", "default"]),
            "action": st.just(action),
            "options": st.fixed_dictionaries({}, optional=option_values),
        },
        optional=_route_extras,
    )


everyday_routes = st.sampled_from(list(_ACTION_KEYS)).flatmap(_everyday_route)
well_formed_menus = st.fixed_dictionaries(
    {
        "id": st.integers(1, 2**63 - 1),
        "name": st.one_of(st.text(max_size=5), st.none()),
        "routes": st.one_of(
            st.lists(st.one_of(everyday_routes, everyday_routes, well_formed_routes), max_size=3),
            st.none(),
        ),
    },
    optional={
        "default": st.booleans(),
        "greeting_id": st.one_of(st.integers(1, 2**53), st.just("ivr_none"), st.none()),
        "url": st.text(max_size=5),
    },
)
well_formed_ivrs = st.fixed_dictionaries(
    {
        "id": st.integers(1, 2**53),
        "name": st.one_of(st.text(max_size=5), st.none()),
    },
    optional={
        "menus": st.one_of(st.lists(well_formed_menus, max_size=2), st.none()),
        "phone_number_ids": st.one_of(st.lists(st.integers(1, 2**53), max_size=2), st.none()),
        "phone_number_names": st.one_of(st.lists(st.text(max_size=3), max_size=2), st.none()),
    },
)


def pages_of(
    keys: tuple[str, ...],
    well_formed: st.SearchStrategy[Any],
    any_shape: st.SearchStrategy[Any],
) -> st.SearchStrategy[dict[str, Any]]:
    """
    List pages of well-formed records (or of some that are not), under any of the
    envelope's *keys*, with offset links (or links that are not URLs), a count, cursor links
    and ``meta`` (well-formed or not), and an unknown key.
    """
    records = st.one_of(
        st.lists(well_formed, max_size=4), st.lists(st.one_of(well_formed, any_shape), max_size=4)
    )
    link = st.just("https://example.zendesk.com/api/v2/x?page=2")
    links = st.one_of(st.none(), link, st.sampled_from(["", 2, ["x"]]))
    cursor = st.one_of(
        st.fixed_dictionaries({}, optional={"next": links, "prev": links}), st.none(), st.just(1)
    )
    meta = st.one_of(
        st.fixed_dictionaries({}, optional={"has_more": st.one_of(st.booleans(), st.none())}),
        st.none(),
        st.just("more"),
    )
    return st.fixed_dictionaries(
        {},
        optional={
            **dict.fromkeys(keys, records),
            "next_page": links,
            "previous_page": links,
            "count": st.one_of(st.integers(0, 10), st.none(), st.text(max_size=2)),
            "links": cursor,
            "meta": meta,
            "later": st.integers(),
        },
    )


# The account's lookups: groups, greetings (integer or built-in string ids) and phone numbers.
flags: st.SearchStrategy[Any] = st.one_of(st.booleans(), st.none(), st.integers(0, 1))
groups = maybe({"id": ids, "name": texts, "deleted": flags})
greetings = maybe(
    {
        "id": st.one_of(ids, st.sampled_from(["voicemail_en", "ivr_none"])),
        "name": texts,
        "category_id": ids,
        "active": flags,
        "default": flags,
        "audio_url": texts,
        "upload_id": ids,
        "ivr_ids": int_lists,
        "phone_number_ids": int_lists,
    }
)
phone_numbers = maybe({"id": ids, "number": texts, "display_number": texts, "nickname": texts})
