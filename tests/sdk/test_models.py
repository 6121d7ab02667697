"""Read models, options classes and UNSET."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

import zendesk_ivr
from zendesk_ivr import (
    UNSET,
    GroupOptions,
    InvalidArgument,
    Ivr,
    IvrFields,
    IvrMenu,
    IvrMenuFields,
    IvrRoute,
    IvrRouteFields,
    MenuOptions,
    PhoneNumberOptions,
    TextbackOptions,
    UnknownOptions,
    VoicemailOptions,
)


def _route(route_id: int, keypress: str) -> IvrRoute:
    return IvrRoute(
        id=route_id, keypress=keypress, action="group", options=GroupOptions(group_ids=[1])
    )


# --- Ivr.default_menu -----------------------------------------------------------------------


def test_default_menu_is_the_menu_flagged_default() -> None:
    main = IvrMenu(id=2, name="主菜单", default=True)
    ivr = Ivr(id=1, name="Support", menus=(IvrMenu(id=3, name="Sales"), main))
    assert ivr.default_menu is main


def test_default_menu_is_the_first_of_several_flagged_default() -> None:
    first = IvrMenu(id=2, name="A", default=True)
    second = IvrMenu(id=3, name="B", default=True)
    ivr = Ivr(id=1, name="Support", menus=(IvrMenu(id=4, name="C"), first, second))
    assert ivr.default_menu is first


def test_default_menu_is_none_without_a_default_menu() -> None:
    ivr = Ivr(id=1, name="Support", menus=(IvrMenu(id=2, name="A"), IvrMenu(id=3, name="B")))
    assert ivr.default_menu is None


def test_default_menu_is_none_without_menus() -> None:
    assert Ivr(id=1, name="Support").default_menu is None


# --- IvrMenu.route_for ----------------------------------------------------------------------


@pytest.mark.parametrize(("keypress", "route_id"), [("1", 11), ("*", 12), ("default", 13)])
def test_route_for_finds_the_route_of_a_keypress(keypress: str, route_id: int) -> None:
    menu = IvrMenu(
        id=1, name="Main", routes=(_route(11, "1"), _route(12, "*"), _route(13, "default"))
    )
    route = menu.route_for(keypress)
    assert route is not None
    assert route.id == route_id
    assert route.keypress == keypress


@pytest.mark.parametrize("keypress", ["2", "#", "", "01", " 1"])
def test_route_for_is_none_for_an_unrouted_keypress(keypress: str) -> None:
    menu = IvrMenu(id=1, name="Main", routes=(_route(11, "1"), _route(12, "*")))
    assert menu.route_for(keypress) is None


def test_route_for_is_none_without_routes() -> None:
    assert IvrMenu(id=1, name="Main").route_for("1") is None


# --- frozen ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance", "attribute"),
    [
        (Ivr(id=1, name="x"), "name"),
        (Ivr(id=1, name="x"), "menus"),
        (IvrMenu(id=1, name="x"), "default"),
        (IvrMenu(id=1, name="x"), "routes"),
        (_route(1, "1"), "options"),
        (_route(1, "1"), "keypress"),
        (GroupOptions(group_ids=[1]), "group_ids"),
        (VoicemailOptions(), "tags"),
        (PhoneNumberOptions(), "phone_number"),
        (TextbackOptions(), "sms_text"),
        (MenuOptions(), "menu_id"),
        (UnknownOptions(action="callback", data={}), "data"),
        (IvrFields(name="x"), "name"),
        (IvrMenuFields(), "greeting_id"),
        (IvrRouteFields(), "action"),
    ],
)
def test_models_are_frozen(instance: object, attribute: str) -> None:
    before = getattr(instance, attribute)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(instance, attribute, None)
    assert getattr(instance, attribute) is before


# --- options classes ------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [GroupOptions, VoicemailOptions])
def test_group_ids_and_tags_become_tuples(cls: type[GroupOptions | VoicemailOptions]) -> None:
    options = cls(group_ids=[1, 360001381413], tags=["vip", "en"])
    assert options.group_ids == (1, 360001381413)
    assert type(options.group_ids) is tuple
    assert options.tags == ("vip", "en")
    assert type(options.tags) is tuple


@pytest.mark.parametrize(
    "options",
    [
        PhoneNumberOptions(tags=["a"]),
        TextbackOptions(tags=["a"]),
        MenuOptions(tags=["a"]),
        GroupOptions(tags=["a"]),
    ],
)
def test_tags_become_a_tuple(options: Any) -> None:
    assert options.tags == ("a",)
    assert type(options.tags) is tuple


def test_options_defaults() -> None:
    assert GroupOptions().group_ids == ()
    assert GroupOptions().tags is None
    assert VoicemailOptions().group_ids == ()
    assert PhoneNumberOptions().phone_number is None
    assert TextbackOptions().sms_text is None
    assert TextbackOptions().textback_phone_number_id is None
    assert MenuOptions().menu_id is None


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (GroupOptions, {"group_ids": "12"}),
        (GroupOptions, {"group_ids": [True]}),
        (GroupOptions, {"group_ids": ["1"]}),
        (GroupOptions, {"group_ids": [1.0]}),
        (GroupOptions, {"group_ids": 12}),
        (GroupOptions, {"group_ids": None}),
        (GroupOptions, {"group_ids": b"12"}),
        (GroupOptions, {"tags": "x"}),
        (GroupOptions, {"tags": [1]}),
        (GroupOptions, {"tags": b"x"}),
        (VoicemailOptions, {"group_ids": "12"}),
        (VoicemailOptions, {"group_ids": [False]}),
        (VoicemailOptions, {"tags": "x"}),
        (PhoneNumberOptions, {"phone_number": 15551234567}),
        (PhoneNumberOptions, {"tags": "x"}),
        (TextbackOptions, {"textback_phone_number_id": True}),
        (TextbackOptions, {"textback_phone_number_id": "3"}),
        (TextbackOptions, {"sms_text": 5}),
        (TextbackOptions, {"tags": "x"}),
        (MenuOptions, {"menu_id": "3"}),
        (MenuOptions, {"menu_id": True}),
        (MenuOptions, {"menu_id": 1.5}),
        (MenuOptions, {"tags": "x"}),
    ],
)
def test_options_refuse_nonsense(factory: Callable[..., object], kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        factory(**kwargs)


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (IvrFields, {"name": 5}),
        (IvrFields, {"phone_number_ids": "12"}),
        (IvrFields, {"phone_number_ids": [True]}),
        (IvrMenuFields, {"greeting_id": "1"}),
        (IvrMenuFields, {"greeting_id": True}),
        (IvrRouteFields, {"keypress": 1}),
        (IvrRouteFields, {"action": 1}),
        (IvrRouteFields, {"options": "group"}),
        (IvrRouteFields, {"options": [1]}),
        (IvrRouteFields, {"overflow_options": "x"}),
        (IvrRouteFields, {"overflow_options": {"a": 1}}),
    ],
)
def test_write_fields_refuse_nonsense(
    factory: Callable[..., object], kwargs: dict[str, Any]
) -> None:
    with pytest.raises(InvalidArgument):
        factory(**kwargs)


def test_invalid_argument_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="sequence of integers"):
        GroupOptions(group_ids="12")  # type: ignore[arg-type]


# --- UNSET ----------------------------------------------------------------------------------


def test_unset_repr() -> None:
    assert repr(UNSET) == "UNSET"
    assert f"{UNSET!r}" == "UNSET"


def test_unset_is_falsy() -> None:
    assert bool(UNSET) is False
    assert not UNSET


def test_unset_is_not_none_and_is_a_singleton() -> None:
    assert UNSET is not None
    assert UNSET != None  # noqa: E711 - UNSET must not compare equal to None
    assert zendesk_ivr.UNSET is UNSET
    assert IvrFields().name is UNSET
    assert IvrRouteFields().options is UNSET


def test_unset_shows_in_the_repr_of_write_fields() -> None:
    assert repr(IvrMenuFields(name="Main")) == "IvrMenuFields(name='Main', greeting_id=UNSET)"
