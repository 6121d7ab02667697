"""The fast read path gives exactly what the detailed converter gives, or the same error."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from cattrs import BaseValidationError, transform_error
from hypothesis import given, settings

from zendesk_ivr import Ivr, IvrMenu, IvrRoute
from zendesk_ivr._core.reading.serde import make_converter

from .json_strategies import ivrs, menus, routes, well_formed_routes

FAST = make_converter()
DETAILED = make_converter(fast_reads=False)


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
    from zendesk_ivr._core.reading import fastread as _fastread  # noqa: PLC0415 - the module under test, by name

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
