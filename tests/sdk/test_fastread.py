"""The fast read path gives exactly what the detailed converter gives, or the same error."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from cattrs import BaseValidationError, transform_error
from hypothesis import given, settings
from hypothesis import strategies as st

from zendesk_ivr import Ivr, IvrMenu, IvrRoute, make_converter

FAST = make_converter()
DETAILED = make_converter(fast_reads=False)

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


def outcome(converter: Any, raw: Any, cls: type[Any]) -> tuple[str, Any, Any]:
    """The model (or the errors), and how it is written back: the options keep what was read."""
    try:
        model = converter.structure(raw, cls)
    except BaseValidationError as exc:
        return "error", transform_error(exc), None
    # Written by one converter for both paths, so only what each path read can differ.
    return "ok", model, DETAILED.unstructure(model)


@settings(max_examples=400, deadline=None)
@given(raw=routes)
def test_routes_read_the_same_both_ways(raw: dict[str, Any]) -> None:
    assert outcome(FAST, raw, IvrRoute) == outcome(DETAILED, raw, IvrRoute)


@settings(max_examples=300, deadline=None)
@given(raw=menus)
def test_menus_read_the_same_both_ways(raw: dict[str, Any]) -> None:
    assert outcome(FAST, raw, IvrMenu) == outcome(DETAILED, raw, IvrMenu)


@settings(max_examples=200, deadline=None)
@given(raw=ivrs)
def test_ivrs_read_the_same_both_ways(raw: dict[str, Any]) -> None:
    assert outcome(FAST, raw, Ivr) == outcome(DETAILED, raw, Ivr)


def test_the_everyday_shape_takes_the_fast_path() -> None:
    raw = {
        "id": 1,
        "name": "Main",
        "default": True,
        "greeting_id": None,
        "routes": [
            {"id": 2, "keypress": "1", "action": "group", "options": {"group_ids": [5]}},
            {"id": 3, "keypress": "2", "action": "menu", "options": {"menu_id": 1}},
        ],
    }
    from zendesk_ivr._core import fastread as _fastread  # noqa: PLC0415 - the module under test, by name

    assert _fastread.menu(raw) == DETAILED.structure(raw, IvrMenu)


def test_the_detailed_converter_really_is_a_different_path() -> None:
    # Otherwise the comparisons above would compare the fast path with itself.
    assert FAST.get_structure_hook(IvrRoute) is not DETAILED.get_structure_hook(IvrRoute)
    assert DETAILED.get_structure_hook(IvrRoute).__qualname__.endswith("structure_route")


def test_models_filled_past_init_are_as_frozen_hashable_and_equal_as_built_ones() -> None:
    raw = {
        "id": 1,
        "name": "Main",
        "routes": [
            {"id": 2, "keypress": "1", "action": "group", "options": {"group_ids": [5]}},
            {"id": 3, "keypress": "2", "action": "textback", "options": {"sms_text": "Hi"}},
        ],
    }
    fast = FAST.structure(raw, IvrMenu)
    built = DETAILED.structure(raw, IvrMenu)

    assert (fast, hash(fast), repr(fast)) == (built, hash(built), repr(built))
    assert type(fast.routes[0].options) is type(built.routes[0].options)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.name = "changed"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.routes[0].options.group_ids = ()  # type: ignore[misc, union-attr]
    assert attrs.evolve(fast, name="Other").name == "Other"
    assert FAST.unstructure(fast) == DETAILED.unstructure(built)


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
    }
)


@settings(max_examples=300, deadline=None)
@given(raw=well_formed_routes)
def test_well_formed_routes_read_and_write_back_the_same_both_ways(raw: dict[str, Any]) -> None:
    assert outcome(FAST, raw, IvrRoute) == outcome(DETAILED, raw, IvrRoute)


def test_written_back_options_are_compared_too() -> None:
    # Equality ignores the JSON options were read from; the write form does not.
    raw = {"id": 1, "keypress": "1", "action": "textback", "options": {"sms_text": None}}
    fast, detailed = outcome(FAST, raw, IvrRoute), outcome(DETAILED, raw, IvrRoute)
    assert fast == detailed
    assert fast[2]["options"] == {"sms_text": None}
