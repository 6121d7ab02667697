"""JSON is read by msgspec where installed; every text gives what the standard parser gives."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zendesk_ivr._core.reading import jsontext

Outcome = tuple[str, str]


def outcome(read: Callable[[Any], Any], text: str | bytes) -> Outcome:
    """The value as its repr (which tells 1 from 1.0 and True, and shows key order and NaN)."""
    try:
        return ("value", repr(read(text)))
    except ValueError:
        return ("error", "")


def standard(text: str | bytes) -> Outcome:
    return outcome(json.loads, text)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # unbounded: past 64 bits too
    | st.floats()  # NaN and the infinities included
    | st.text(),  # lone surrogates included
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children),
    max_leaves=25,
)


def test_msgspec_reads_wherever_it_is_installed() -> None:
    # It is a dependency on CPython: a missing fast path would cost listings a sixth of their CPU.
    assert importlib.util.find_spec("msgspec") is not None
    assert jsontext._fast_decode is not None


@settings(max_examples=400)
@given(JSON_VALUES, st.booleans())
def test_every_value_reads_back_as_the_standard_parser_reads_it(value: Any, ascii: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii)
    raw = text.encode("utf-8", "surrogatepass")  # what a server with lone surrogates sends
    assert outcome(jsontext.loads, text) == standard(text)
    assert outcome(jsontext.loads, raw) == standard(raw)


@settings(max_examples=300)
@given(st.text() | st.binary())
def test_any_text_gives_the_same_value_or_an_error_either_way(text: str | bytes) -> None:
    assert outcome(jsontext.loads, text) == standard(text)


@pytest.mark.parametrize(
    "text",
    [
        "18446744073709551616",  # past 64 bits: an exact int, never a float
        "-9223372036854775809",
        "123456789012345678901234567890",
        "1e400",  # infinity, as the standard parser reads it
        "-1e400",
        "NaN",
        '"\\ud800"',  # a lone surrogate escape
        '{"id": 1, "id": 2}',  # the last one wins
        "[1.0, 1, true, -0.0, 0.1]",
        '{"menus": [{"id": 360001381413, "name": "Main"}]}',
        "[" * 900 + "]" * 900,
    ],
)
def test_texts_msgspec_refuses_or_reads_differently_read_as_the_standard_parser_does(
    text: str,
) -> None:
    assert outcome(jsontext.loads, text) == standard(text)
    assert outcome(jsontext.loads, text.encode("utf-16")) == standard(text.encode("utf-16"))


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "standard parser alone"])
def test_nesting_too_deep_is_a_value_error_either_way(
    fast: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not fast:
        monkeypatch.setattr(jsontext, "_fast_decode", None)
    with pytest.raises(ValueError, match="nested too deeply"):
        jsontext.loads("[" * 100_000)
    assert jsontext.loads(b'{"ivrs": []}') == {"ivrs": []}


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES)
def test_a_copy_is_equal_and_shares_no_container(value: Any) -> None:
    copied = jsontext.copy_json(value)
    assert copied == value
    originals = {id(c) for c in _containers(value)}
    assert originals.isdisjoint(id(c) for c in _containers(copied))


def test_a_copy_goes_as_deep_as_the_json() -> None:
    deep: Any = ["bottom"]
    for _ in range(100_000):
        deep = {"a": [deep]}
    copied = jsontext.copy_json(deep)
    for _ in range(100_000):
        copied = copied["a"][0]
    assert copied == ["bottom"]


def _containers(value: Any) -> list[Any]:
    found, pending = [], [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict | list):
            found.append(item)
            pending.extend(item.values() if isinstance(item, dict) else item)
    return found
