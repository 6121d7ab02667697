"""How JSON becomes models and how write fields become request bodies (`make_converter`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from cattrs import BaseValidationError, Converter, transform_error
from hypothesis import given, settings
from hypothesis import strategies as st

from zendesk_ivr import (
    ACTIONS,
    KEYPRESSES,
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
    RouteOptions,
    TextbackOptions,
    UnknownOptions,
    VoicemailOptions,
)
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr._models import TYPED_OPTIONS

TOLERANT = make_converter()
STRICT = make_converter(forbid_extra_keys=True)
CONVERTERS = [pytest.param(TOLERANT, id="tolerant"), pytest.param(STRICT, id="strict")]
READ_ONLY_KEYS = {"id", "default", "routes", "greeting", "option_text", "phone_number_names"}


def _route(**overrides: Any) -> dict[str, Any]:
    return {"id": 3, "keypress": "1", "action": "group", "options": {"group_ids": [7]}} | overrides


def _error_paths(exc: BaseValidationError) -> list[str]:
    return [line.rsplit(" @ ", 1)[1] for line in transform_error(exc)]


# --- tolerant vs strict reads ---------------------------------------------------------------

NESTED_WITH_EXTRA_KEYS: dict[str, Any] = {
    "id": 1,
    "name": "Support",
    "url": "https://acme.zendesk.com/api/v2/channels/voice/ivr/1",
    "menus": [
        {
            "id": 2,
            "name": "Main",
            "created_at": "2024-01-01T00:00:00Z",
            "routes": [
                {
                    "id": 3,
                    "keypress": "1",
                    "action": "group",
                    "options": {"group_ids": [7], "priority": "high"},
                    "position": 1,
                }
            ],
        }
    ],
}


def test_tolerant_converter_ignores_unknown_keys_at_every_level() -> None:
    ivr = TOLERANT.structure(NESTED_WITH_EXTRA_KEYS, Ivr)
    # Unknown option keys are kept, since options are written back whole.
    options = GroupOptions(group_ids=(7,), extra={"priority": "high"})
    route = IvrRoute(id=3, keypress="1", action="group", options=options)
    assert ivr == Ivr(id=1, name="Support", menus=(IvrMenu(id=2, name="Main", routes=(route,)),))


def test_unknown_option_keys_survive_a_write_back() -> None:
    ivr = TOLERANT.structure(NESTED_WITH_EXTRA_KEYS, Ivr)
    options = ivr.menus[0].routes[0].options

    assert TOLERANT.unstructure(IvrRouteFields(options=options)) == {
        "action": "group",
        "options": {"group_ids": [7], "priority": "high"},
    }


@pytest.mark.parametrize(
    ("data", "cls", "expected"),
    [
        ({"id": 1, "name": None}, Ivr, Ivr(id=1, name="")),
        ({"id": 1, "name": "x", "menus": None, "phone_number_ids": None}, Ivr, Ivr(id=1, name="x")),
        ({"id": 2, "name": "m", "routes": None}, IvrMenu, IvrMenu(id=2, name="m")),
        (
            {
                "id": 3,
                "keypress": "1",
                "action": "group",
                "options": {"group_ids": None},
                "overflow_options": None,
            },
            IvrRoute,
            IvrRoute(id=3, keypress="1", action="group", options=GroupOptions()),
        ),
    ],
)
def test_nulls_in_documented_lists_and_names_read_as_empty(
    data: dict[str, Any], cls: type[Any], expected: object
) -> None:
    # One null somewhere must not fail a whole listing (and with it a walk or an audit).
    assert TOLERANT.structure(data, cls) == expected


@pytest.mark.parametrize(
    ("data", "cls", "extra"),
    [
        ({"id": 1, "name": "x", "url": "u"}, Ivr, "url"),
        ({"id": 1, "name": "x", "menus": [{"id": 2, "name": "m", "position": 1}]}, Ivr, "position"),
        ({"id": 2, "name": "m", "created_at": "2024"}, IvrMenu, "created_at"),
        ({"id": 2, "name": "m", "routes": [_route(position=1)]}, IvrMenu, "position"),
        (_route(position=1), IvrRoute, "position"),
        (_route(options={"group_ids": [7], "priority": "high"}), IvrRoute, "priority"),
        (_route(action="menu", options={"menu_id": 2, "label": 1}), IvrRoute, "label"),
        (_route(action="textback", options={"sms_text": "hi", "emoji": True}), IvrRoute, "emoji"),
        (
            _route(action="phone_number", options={"phone_number": "+1", "ext": "9"}),
            IvrRoute,
            "ext",
        ),
    ],
)
def test_strict_converter_rejects_unknown_keys(
    data: dict[str, Any], cls: type[Any], extra: str
) -> None:
    with pytest.raises(BaseValidationError) as info:
        STRICT.structure(data, cls)
    assert any(f"extra fields found ({extra})" in line for line in transform_error(info.value))
    # The tolerant converter reads the very same data.
    assert isinstance(TOLERANT.structure(data, cls), cls)


def test_strict_converter_rejects_the_nested_sample_with_extra_keys() -> None:
    with pytest.raises(BaseValidationError):
        STRICT.structure(NESTED_WITH_EXTRA_KEYS, Ivr)


# --- no coercion ----------------------------------------------------------------------------


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize(
    ("data", "cls", "path"),
    [
        ({"id": "12", "name": "x"}, IvrMenu, "$.id"),
        ({"id": True, "name": "x"}, IvrMenu, "$.id"),
        ({"id": 1.0, "name": "x"}, IvrMenu, "$.id"),
        ({"id": 1, "name": 7}, IvrMenu, "$.name"),
        ({"id": 1, "name": 5}, IvrMenu, "$.name"),
        ({"id": 1, "name": "x", "default": 1}, IvrMenu, "$.default"),
        ({"id": 1, "name": "x", "default": "true"}, IvrMenu, "$.default"),
        ({"id": 1, "name": "x", "greeting_id": 10001.0}, IvrMenu, "$.greeting_id"),
        ({"id": 1, "name": "x", "greeting_id": True}, IvrMenu, "$.greeting_id"),
        ({"id": 1, "name": "x", "phone_number_ids": ["1"]}, Ivr, "$.phone_number_ids[0]"),
        ({"id": 1, "name": "x", "phone_number_ids": [True]}, Ivr, "$.phone_number_ids[0]"),
        ({"id": 1, "name": "x", "phone_number_names": [1]}, Ivr, "$.phone_number_names[0]"),
        (_route(id="3"), IvrRoute, "$.id"),
        (_route(keypress=1), IvrRoute, "$.keypress"),
        (_route(greeting=1), IvrRoute, "$.greeting"),
    ],
)
def test_scalars_are_not_coerced(
    converter: Converter, data: dict[str, Any], cls: type[Any], path: str
) -> None:
    with pytest.raises(BaseValidationError) as info:
        converter.structure(data, cls)
    assert path in _error_paths(info.value)


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize(
    "options",
    [
        {"group_ids": ["12"]},
        {"group_ids": [True]},
        {"group_ids": [1.5]},
        {"group_ids": [1], "tags": [1]},
        {"group_ids": [1], "tags": [None]},
    ],
)
def test_option_scalars_are_not_coerced(converter: Converter, options: dict[str, Any]) -> None:
    with pytest.raises(BaseValidationError):
        converter.structure(_route(options=options), IvrRoute)


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ({"id": 1, "name": "x", "phone_number_names": "abc"}, Ivr),
        ({"id": 1, "name": "x", "phone_number_ids": {}}, Ivr),
        ({"id": 1, "name": "x", "menus": {}}, Ivr),
        ({"id": 1, "name": "x", "routes": {}}, IvrMenu),
        (_route(overflow_options="ab"), IvrRoute),
        (_route(options={"group_ids": {}}), IvrRoute),
        (_route(options={"group_ids": [1], "tags": "vip"}), IvrRoute),
    ],
)
def test_strings_and_objects_are_not_read_as_arrays(
    converter: Converter, data: dict[str, Any], cls: type[Any]
) -> None:
    with pytest.raises(BaseValidationError):
        converter.structure(data, cls)


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize("data", ["route", 3, None, ["id", 3]])
def test_a_route_must_be_an_object(converter: Converter, data: object) -> None:
    with pytest.raises((BaseValidationError, TypeError)):
        converter.structure(data, IvrRoute)


# --- options by action ----------------------------------------------------------------------


def test_every_documented_action_has_typed_options() -> None:
    assert set(TYPED_OPTIONS) == set(ACTIONS)
    for action, cls in TYPED_OPTIONS.items():
        assert cls.action == action


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize(
    ("action", "options", "expected"),
    [
        ("group", {"group_ids": [360001381413, 2]}, GroupOptions(group_ids=(360001381413, 2))),
        (
            "group",
            {"group_ids": [1], "tags": ["vip", "en"]},
            GroupOptions(group_ids=(1,), tags=("vip", "en")),
        ),
        ("voicemail", {"group_ids": [5]}, VoicemailOptions(group_ids=(5,))),
        ("voicemail", {"group_ids": [], "tags": []}, VoicemailOptions(group_ids=(), tags=())),
        (
            "phone_number",
            {"phone_number": "+15551234567"},
            PhoneNumberOptions(phone_number="+15551234567"),
        ),
        (
            "textback",
            {"sms_text": "We will text you", "textback_phone_number_id": 8},
            TextbackOptions(sms_text="We will text you", textback_phone_number_id=8),
        ),
        ("textback", {"sms_textstring": "legacy"}, TextbackOptions(sms_text="legacy")),
        (
            "textback",
            {"sms_textstring": "legacy", "textback_phone_number_id": 8, "tags": ["sms"]},
            TextbackOptions(sms_text="legacy", textback_phone_number_id=8, tags=("sms",)),
        ),
        ("menu", {"menu_id": 10002}, MenuOptions(menu_id=10002)),
        ("menu", {"menu_id": 10002, "tags": ["t"]}, MenuOptions(menu_id=10002, tags=("t",))),
    ],
)
def test_options_are_structured_by_action(
    converter: Converter, action: str, options: dict[str, Any], expected: RouteOptions
) -> None:
    route = converter.structure(_route(action=action, options=options), IvrRoute)
    assert route.action == action
    assert type(route.options) is type(expected)
    assert route.options == expected


def test_textback_prefers_sms_text_when_both_keys_are_sent() -> None:
    options = {"sms_text": "new", "sms_textstring": "old"}
    route = STRICT.structure(_route(action="textback", options=options), IvrRoute)
    assert route.options == TextbackOptions(sms_text="new")


def test_textback_legacy_key_is_written_back_as_it_was_read() -> None:
    route = STRICT.structure(_route(action="textback", options={"sms_textstring": "hi"}), IvrRoute)
    assert TOLERANT.unstructure(route)["options"] == {"sms_textstring": "hi"}


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize(
    ("action", "empty"),
    [
        ("group", GroupOptions()),
        ("voicemail", VoicemailOptions()),
        ("phone_number", PhoneNumberOptions()),
        ("textback", TextbackOptions()),
        ("menu", MenuOptions()),
    ],
)
@pytest.mark.parametrize("present", [True, False], ids=["null", "missing"])
def test_null_or_missing_options_of_a_known_action_are_empty_typed_options(
    converter: Converter, action: str, empty: RouteOptions, present: bool
) -> None:
    data = _route(action=action)
    if present:
        data["options"] = None
    else:
        del data["options"]
    route = converter.structure(data, IvrRoute)
    assert type(route.options) is type(empty)
    assert route.options == empty


@pytest.mark.parametrize("converter", CONVERTERS)
@pytest.mark.parametrize(
    "options",
    [
        {"callback_number": "+1555", "queue": {"id": 4, "ids": [1, None]}, "weird": None},
        None,
        [],
        ["a", 1],
        "text",
        0,
    ],
)
def test_unknown_action_keeps_its_options_losslessly(converter: Converter, options: Any) -> None:
    data = {
        "id": 3,
        "keypress": "*",
        "action": "callback",
        "options": options,
        "greeting": None,
        "option_text": "Call me back",
        "overflow_options": [],
    }
    route = converter.structure(data, IvrRoute)
    assert route.options == UnknownOptions(action="callback", data=options)
    assert converter.unstructure(route) == data


def test_unknown_action_options_survive_a_write() -> None:
    route = STRICT.structure(_route(action="callback", options={"n": [1, {"a": None}]}), IvrRoute)
    fields = IvrRouteFields(keypress=route.keypress, options=route.options)
    assert TOLERANT.unstructure(fields) == {
        "keypress": "1",
        "action": "callback",
        "options": {"n": [1, {"a": None}]},
    }


# --- write rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (IvrFields(), {}),
        (IvrFields(name="Support"), {"name": "Support"}),
        (IvrFields(phone_number_ids=[1, 2]), {"phone_number_ids": [1, 2]}),
        (IvrFields(phone_number_ids=[]), {"phone_number_ids": []}),
        (
            IvrFields(name="主菜单", phone_number_ids=(9,)),
            {"name": "主菜单", "phone_number_ids": [9]},
        ),
        (IvrMenuFields(), {}),
        (IvrMenuFields(greeting_id=None), {"greeting_id": None}),
        (IvrMenuFields(greeting_id=10001), {"greeting_id": 10001}),
        (IvrMenuFields(name="Main"), {"name": "Main"}),
        (IvrMenuFields(name="Main", greeting_id=None), {"name": "Main", "greeting_id": None}),
        (IvrRouteFields(), {}),
        (IvrRouteFields(keypress="#"), {"keypress": "#"}),
        (IvrRouteFields(overflow_options=[]), {"overflow_options": []}),
        (IvrRouteFields(overflow_options=[{"a": 1}]), {"overflow_options": [{"a": 1}]}),
    ],
)
def test_write_fields_omit_unset_and_keep_none(fields: object, expected: dict[str, Any]) -> None:
    body = TOLERANT.unstructure(fields)
    assert body == expected
    assert type(body) is dict


@pytest.mark.parametrize(
    ("options", "action"),
    [
        (GroupOptions(group_ids=[1]), "group"),
        (VoicemailOptions(group_ids=[1]), "voicemail"),
        (PhoneNumberOptions(phone_number="+1555"), "phone_number"),
        (TextbackOptions(sms_text="hi"), "textback"),
        (MenuOptions(menu_id=4), "menu"),
        (UnknownOptions(action="callback", data={"x": 1}), "callback"),
    ],
)
def test_route_fields_infer_the_action_from_typed_options(
    options: RouteOptions, action: str
) -> None:
    fields = IvrRouteFields(keypress="2", options=options)
    assert fields.action == action
    assert TOLERANT.unstructure(fields)["action"] == action


def test_route_fields_write_typed_options_as_json() -> None:
    fields = IvrRouteFields(keypress="0", options=GroupOptions(group_ids=[10001], tags=["vip"]))
    assert TOLERANT.unstructure(fields) == {
        "keypress": "0",
        "action": "group",
        "options": {"group_ids": [10001], "tags": ["vip"]},
    }


def test_route_fields_accept_a_matching_action() -> None:
    fields = IvrRouteFields(action="menu", options=MenuOptions(menu_id=4))
    assert TOLERANT.unstructure(fields) == {"action": "menu", "options": {"menu_id": 4}}


@pytest.mark.parametrize(
    ("action", "options"),
    [
        ("menu", GroupOptions(group_ids=[1])),
        ("group", VoicemailOptions(group_ids=[1])),
        ("textback", PhoneNumberOptions(phone_number="+1")),
        ("group", UnknownOptions(action="callback", data={})),
    ],
)
def test_route_fields_refuse_a_contradicting_action(action: str, options: RouteOptions) -> None:
    with pytest.raises(InvalidArgument, match=action):
        IvrRouteFields(action=action, options=options)


def test_route_fields_pass_a_dict_of_options_through_verbatim() -> None:
    options = {"group_ids": [1], "weird": None, "nested": {"a": [1, None]}, "tags": []}
    fields = IvrRouteFields(action="group", options=options)
    assert TOLERANT.unstructure(fields) == {"action": "group", "options": options}


def test_route_fields_dict_options_do_not_invent_an_action() -> None:
    fields = IvrRouteFields(options={"group_ids": [1]})
    assert fields.action is UNSET
    assert TOLERANT.unstructure(fields) == {"options": {"group_ids": [1]}}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (TextbackOptions(sms_text="hi"), {"sms_text": "hi"}),
        (TextbackOptions(textback_phone_number_id=3), {"textback_phone_number_id": 3}),
        (MenuOptions(), {}),
        (PhoneNumberOptions(), {}),
        (GroupOptions(group_ids=[1]), {"group_ids": [1]}),
        (GroupOptions(group_ids=[1], tags=[]), {"group_ids": [1], "tags": []}),
    ],
)
def test_typed_options_drop_none_fields_on_write(
    options: RouteOptions, expected: dict[str, Any]
) -> None:
    assert TOLERANT.unstructure(IvrRouteFields(options=options))["options"] == expected
    assert TOLERANT.unstructure(options) == expected


@pytest.mark.parametrize(
    ("factory", "keyword"),
    [
        (IvrFields, "id"),
        (IvrFields, "phone_number_names"),
        (IvrMenuFields, "id"),
        (IvrMenuFields, "default"),
        (IvrMenuFields, "routes"),
        (IvrRouteFields, "id"),
        (IvrRouteFields, "greeting"),
        (IvrRouteFields, "option_text"),
    ],
)
def test_read_only_fields_cannot_be_given_to_write_types(
    factory: Callable[..., object], keyword: str
) -> None:
    with pytest.raises(TypeError, match=keyword):
        factory(**{keyword: 1})


@pytest.mark.parametrize(
    ("factory", "keyword"),
    [
        (IvrFields, "name"),
        (IvrFields, "phone_number_ids"),
        (IvrMenuFields, "name"),
        (IvrMenuFields, "greeting_id"),
        (IvrRouteFields, "action"),
        (IvrRouteFields, "options"),
        (IvrRouteFields, "overflow_options"),
    ],
)
def test_an_explicit_none_is_written_as_null(factory: Callable[..., object], keyword: str) -> None:
    assert TOLERANT.unstructure(factory(**{keyword: None})) == {keyword: None}


@pytest.mark.parametrize(
    ("factory", "keyword"),
    [(IvrFields, "name"), (IvrMenuFields, "name"), (IvrRouteFields, "keypress")],
)
def test_write_fields_of_the_wrong_type_are_refused(
    factory: Callable[..., object], keyword: str
) -> None:
    with pytest.raises(InvalidArgument, match=keyword):
        factory(**{keyword: 12})


# --- properties -----------------------------------------------------------------------------

ids = st.integers(min_value=1, max_value=2**63 - 1)
tags = st.none() | st.lists(st.text(max_size=8), max_size=3).map(tuple)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_data = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
unknown_actions = st.text(max_size=12).filter(lambda action: action not in TYPED_OPTIONS)

route_options: st.SearchStrategy[RouteOptions] = st.one_of(
    st.builds(GroupOptions, group_ids=st.lists(ids, max_size=3), tags=tags),
    st.builds(VoicemailOptions, group_ids=st.lists(ids, max_size=3), tags=tags),
    st.builds(PhoneNumberOptions, phone_number=st.none() | st.text(max_size=16), tags=tags),
    st.builds(
        TextbackOptions,
        textback_phone_number_id=st.none() | ids,
        sms_text=st.none() | st.text(max_size=20),
        tags=tags,
    ),
    st.builds(MenuOptions, menu_id=st.none() | ids, tags=tags),
    st.builds(UnknownOptions, action=unknown_actions, data=json_data),
)


@st.composite
def routes(draw: st.DrawFn) -> IvrRoute:
    options = draw(route_options)
    return IvrRoute(
        id=draw(ids),
        keypress=draw(st.sampled_from(KEYPRESSES) | st.text(max_size=3)),
        action=options.action,
        options=options,
        greeting=draw(st.none() | st.text(max_size=10)),
        option_text=draw(st.none() | st.text(max_size=10)),
        overflow_options=tuple(draw(st.lists(json_data, max_size=2))),
    )


menus = st.builds(
    IvrMenu,
    id=ids,
    name=st.text(),
    default=st.booleans(),
    greeting_id=st.none() | ids,
    routes=st.lists(routes(), max_size=3).map(tuple),
)
ivrs = st.builds(
    Ivr,
    id=ids,
    name=st.text(),
    menus=st.lists(menus, max_size=3).map(tuple),
    phone_number_ids=st.lists(ids, max_size=3).map(tuple),
    phone_number_names=st.lists(st.text(max_size=10), max_size=3).map(tuple),
)
models = st.one_of(ivrs, menus, routes())


@settings(max_examples=100)
@given(models)
def test_read_models_round_trip(model: Ivr | IvrMenu | IvrRoute) -> None:
    data = TOLERANT.unstructure(model)
    assert TOLERANT.structure(data, type(model)) == model


@settings(max_examples=100)
@given(models)
def test_strict_converter_accepts_the_unstructured_form(model: Ivr | IvrMenu | IvrRoute) -> None:
    data = TOLERANT.unstructure(model)
    assert STRICT.structure(data, type(model)) == model


def _unset(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.just(UNSET) | strategy


@st.composite
def route_fields(draw: st.DrawFn) -> IvrRouteFields:
    options = draw(_unset(route_options | st.dictionaries(st.text(max_size=6), json_data)))
    if options is UNSET or isinstance(options, dict):
        action = draw(_unset(st.text(max_size=12)))
    else:
        action = draw(st.sampled_from([UNSET, options.action]))
    return IvrRouteFields(
        keypress=draw(_unset(st.sampled_from(KEYPRESSES))),
        action=action,
        options=options,
        overflow_options=draw(_unset(st.lists(json_data, max_size=2))),
    )


write_fields = st.one_of(
    st.builds(
        IvrFields,
        name=_unset(st.text()),
        phone_number_ids=_unset(st.lists(ids, max_size=3)),
    ),
    st.builds(IvrMenuFields, name=_unset(st.text()), greeting_id=_unset(st.none() | ids)),
    route_fields(),
)


def _contains_unset(value: object) -> bool:
    if value is UNSET:
        return True
    if isinstance(value, dict):
        return any(_contains_unset(k) or _contains_unset(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_unset(v) for v in value)
    return False


@settings(max_examples=100)
@given(write_fields)
def test_write_bodies_hold_only_the_fields_that_were_set(
    fields: IvrFields | IvrMenuFields | IvrRouteFields,
) -> None:
    body = TOLERANT.unstructure(fields)
    assert not READ_ONLY_KEYS & set(body)
    assert not _contains_unset(body)
    set_fields = {
        a.name for a in attrs.fields(type(fields)) if getattr(fields, a.name) is not UNSET
    }
    assert set(body) == set_fields
