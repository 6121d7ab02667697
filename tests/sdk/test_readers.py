"""
Each model's one reader (`readers`) gives exactly what the detailed converter gives, or leaves the
record to it; the same error either way. A field added to a model is read by every path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from cattrs import BaseValidationError, transform_error
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

import zendesk_ivr
from zendesk_ivr import DecodeError, Greeting, Group, Ivr, IvrMenu, IvrRoute, PhoneNumber
from zendesk_ivr._core.reading.envelopes import ROUTE_ENVELOPE
from zendesk_ivr._core.reading.pages import Listing, read_page
from zendesk_ivr._core.reading.readers import Unusual, reader_for
from zendesk_ivr._core.reading.responses import Response
from zendesk_ivr._core.reading.serde import make_converter

from .json_strategies import (
    greetings,
    groups,
    ivrs,
    menus,
    phone_numbers,
    routes,
    well_formed_routes,
)

SITE = URL("https://acme.zendesk.com/")
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


@pytest.mark.parametrize(
    ("cls", "records"),
    [(Group, groups), (Greeting, greetings), (PhoneNumber, phone_numbers)],
    ids=["group", "greeting", "phone_number"],
)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_lookups_read_the_same_both_ways(
    cls: type[Any], records: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    raw = data.draw(records)
    assert outcome(FAST, raw, cls) == outcome(DETAILED, raw, cls)


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
    assert reader_for(IvrMenu).read(raw) == DETAILED.structure(raw, IvrMenu)


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


def test_only_an_unusual_record_goes_the_detailed_way(monkeypatch: pytest.MonkeyPatch) -> None:
    # A reader that breaks (a bug) must surface, not hide behind the slow path.
    raw = {"id": 1, "keypress": "1", "action": "group", "options": {"group_ids": [5]}}
    converter = make_converter()

    def broken(_raw: Any) -> Any:
        raise KeyError("a bug in a reader")

    hook = converter.get_structure_hook(IvrRoute)
    monkeypatch.setattr(reader_for(IvrRoute), "read", broken)
    fresh = make_converter()
    with pytest.raises(KeyError, match="a bug"):
        fresh.structure(raw, IvrRoute)

    def unusual(_raw: Any) -> Any:
        raise Unusual

    monkeypatch.setattr(reader_for(IvrRoute), "read", unusual)
    assert make_converter().structure(raw, IvrRoute) == hook(raw, IvrRoute)


_EVERY_PATH = """
import json

from yarl import URL

import zendesk_ivr
from zendesk_ivr import IvrMenu, IvrRoute
from zendesk_ivr._core.reading.envelopes import MENU_ENVELOPE
from zendesk_ivr._core.reading.pages import Listing, read_page
from zendesk_ivr._core.reading.responses import Response
from zendesk_ivr._core.reading.serde import make_converter

route = {"id": 2, "keypress": "1", "action": "group", "options": {"group_ids": [5]}, "priority": 7}
site = URL("https://acme.zendesk.com/")
body = json.dumps({"ivr_menus": [{"id": 1, "name": "Main", "routes": [route]}]}).encode()
response = Response("GET", site / "api/v2/x", 200, {"content-type": "application/json"}, body)
menus = Listing(MENU_ENVELOPE, IvrMenu)
seen = {
    "package": zendesk_ivr.__file__,
    "listing, msgspec structs": next(read_page(response, menus, site=site).models()),
    "listing, plain JSON": next(read_page(response, menus, site=site, structs=False).models()),
    "get, walk, migration": make_converter().structure(route, IvrRoute),
    "detailed": make_converter(fast_reads=False).structure(route, IvrRoute),
    "strict": make_converter(forbid_extra_keys=True).structure(route, IvrRoute),
}
for name, model in list(seen.items())[1:]:
    seen[name] = (model.routes[0] if isinstance(model, IvrMenu) else model).priority
print(json.dumps(seen))
"""


def test_a_field_added_to_a_model_is_read_by_every_path(tmp_path: Path) -> None:
    # The one edit a contributor makes: a field in _models.py, and nothing else.
    copy = tmp_path / "zendesk_ivr"
    shutil.copytree(
        Path(zendesk_ivr.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    models = copy / "_models.py"
    anchor = "    overflow_options: tuple[Any, ...] = ()\n"
    source = models.read_text(encoding="utf-8")
    assert source.count(anchor) == 1  # the last field of IvrRoute
    models.write_text(source.replace(anchor, f"{anchor}    priority: int | None = None\n"))

    result = subprocess.run(
        [sys.executable, "-c", _EVERY_PATH],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen.pop("package") == str(copy / "__init__.py")
    assert seen == dict.fromkeys(seen, 7)
    assert len(seen) == 5


@settings(max_examples=200, deadline=None)
@given(raw=routes)
def test_the_readers_signal_never_reaches_a_caller(raw: dict[str, Any]) -> None:
    # Unusual is caught by whoever asked the reader; a caller sees a model or a DecodeError.
    body = json.dumps({"ivr_routes": [raw]}).encode()
    response = Response("GET", SITE / "api/v2/x", 200, {"content-type": "application/json"}, body)
    for structs in (True, False):
        try:
            list(
                read_page(
                    response, Listing(ROUTE_ENVELOPE, IvrRoute), site=SITE, structs=structs
                ).models()
            )
        except Unusual:  # pragma: no cover - the failure this test exists for
            pytest.fail("Unusual escaped read_page")
        except DecodeError:
            pass
