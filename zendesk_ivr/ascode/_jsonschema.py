"""
The part of JSON Schema (draft 2020-12) the IVR file's schema is written in, checked with
messages for people. The schema file is the one description of the format: editors read it
through the ``yaml-language-server`` line, and ``check`` runs it with this module. (The tests
compare its verdicts with the reference implementation's; importing that at run time would cost
``check`` a tenth of a second.)

A keyword this module does not know is a ValueError when the schema is loaded, so the schema
cannot quietly use one that is then not checked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from attrs import frozen

__all__ = ["SchemaError", "Validator"]

#: A place in a document: mapping keys and list indices from the root.
Path = tuple[str | int, ...]

_CHECKED: Final = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "minLength",
        "minimum",
        "maximum",
        "items",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "anyOf",
        "oneOf",
        "not",
        "$ref",
    }
)
_ANNOTATIONS: Final = frozenset(
    {"$schema", "$id", "$comment", "$defs", "title", "description", "default", "examples"}
)
_TYPE_WORDS: Final = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
    "array": "a list",
    "object": "a mapping",
}


@frozen
class SchemaError:
    """
    One way a document breaks the schema: where (*path*), what, and whether it is about the
    mapping key at *path* (an unknown key) rather than its value.
    """

    path: Path
    message: str
    at_key: bool = False


class Validator:
    """A schema, checked for supported keywords once, and then run over documents."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._check_supported(schema)

    def errors(self, document: Any) -> list[SchemaError]:
        """Every way *document* breaks the schema, in document order."""
        return list(self._errors(self.schema, document, ()))

    def _check_supported(self, schema: Any) -> None:
        if isinstance(schema, bool):
            return
        if not isinstance(schema, Mapping):
            raise ValueError(f"a schema must be an object or a boolean, got {schema!r}")
        unknown = set(schema) - _CHECKED - _ANNOTATIONS
        if unknown:
            raise ValueError(f"keywords not checked here: {sorted(unknown)}")
        if "$ref" in schema:
            self._resolve(schema["$ref"])
        for key in ("items", "additionalProperties", "propertyNames", "not"):
            if key in schema:
                self._check_supported(schema[key])
        for key in ("properties", "$defs"):
            for sub in schema.get(key, {}).values():
                self._check_supported(sub)
        for key in ("anyOf", "oneOf"):
            for sub in schema.get(key, ()):
                self._check_supported(sub)

    def _resolve(self, ref: str) -> Mapping[str, Any]:
        if not ref.startswith("#/"):
            raise ValueError(f"only references within the schema are checked: {ref}")
        node: Any = self.schema
        for part in ref[2:].split("/"):
            if not isinstance(node, Mapping) or part not in node:
                raise ValueError(f"dangling reference {ref}")
            node = node[part]
        if not isinstance(node, Mapping):
            raise ValueError(f"reference {ref} is not a schema")
        return node

    def _type_of(self, schema: Any) -> str | Sequence[str]:
        """The JSON types *schema* admits, as far as its ``type`` (or its target's) says."""
        if isinstance(schema, Mapping) and "$ref" in schema:
            return self._type_of(self._resolve(schema["$ref"]))
        if isinstance(schema, Mapping) and "type" in schema:
            kinds: str | Sequence[str] = schema["type"]
            return kinds
        branches = schema.get("anyOf", schema.get("oneOf")) if isinstance(schema, Mapping) else None
        if branches:
            found: list[str] = []
            for branch in branches:
                kind = self._type_of(branch)
                found += [kind] if isinstance(kind, str) else list(kind)
            return found
        return list(_TYPE_WORDS)

    def _matches(self, schema: Any, value: Any) -> bool:
        return next(iter(self._errors(schema, value, ())), None) is None

    def _errors(self, schema: Any, value: Any, path: Path) -> Iterator[SchemaError]:
        if schema is True:
            return
        if schema is False:
            yield SchemaError(path, "nothing is allowed here")
            return
        title = schema.get("title")
        if "$ref" in schema:
            target = self._resolve(schema["$ref"])
            yield from self._errors({**target, **_without(schema, "$ref")}, value, path)
            return
        if "type" in schema and not _has_type(value, schema["type"]):
            yield SchemaError(
                path, f"expected {title or _type_words(schema['type'])}, got {show(value)}"
            )
            return
        if "const" in schema and not _same(value, schema["const"]):
            yield SchemaError(path, f"expected {show(schema['const'])}, got {show(value)}")
            return
        if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
            expected = title or "one of " + ", ".join(show(o) for o in schema["enum"])
            yield SchemaError(path, f"expected {expected}, got {show(value)}")
            return
        if "not" in schema and self._matches(schema["not"], value):
            yield SchemaError(path, f"expected {title or 'something else'}, got {show(value)}")
            return
        if isinstance(value, str):
            yield from _string_errors(schema, value, path, title)
        elif _is_number(value):
            low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
            if not low <= value <= high:
                yield SchemaError(path, f"expected {title or 'a number in range'}, got {value}")
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                yield from self._errors(schema["items"], item, (*path, index))
        elif isinstance(value, dict):
            yield from self._object_errors(schema, value, path)
        if "anyOf" in schema and not any(self._matches(s, value) for s in schema["anyOf"]):
            yield from self._alternatives_errors(schema, schema["anyOf"], value, path)
        if "oneOf" in schema:
            matching = [s for s in schema["oneOf"] if self._matches(s, value)]
            if len(matching) != 1:
                yield from self._alternatives_errors(schema, schema["oneOf"], value, path)

    def _object_errors(
        self, schema: Mapping[str, Any], value: dict[str, Any], path: Path
    ) -> Iterator[SchemaError]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        missing = [key for key in schema.get("required", ()) if key not in value]
        if missing:
            keys = ", ".join(missing)
            yield SchemaError(path, f"missing {keys} (in {schema.get('title') or 'this mapping'})")
        names = schema.get("propertyNames")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if names is not None:
                problem = next(iter(self._errors(names, key, ())), None)
                if problem is not None:
                    yield SchemaError((*path, key), problem.message, at_key=True)
                    continue
            if key in properties:
                yield from self._errors(properties[key], item, (*path, key))
            elif extra is False:
                allowed = ", ".join(properties)
                yield SchemaError(
                    (*path, key), f"unknown key {show(key)} (expected {allowed})", at_key=True
                )
            else:
                yield from self._errors(extra, item, (*path, key))

    def _alternatives_errors(
        self, schema: Mapping[str, Any], options: Sequence[Any], value: Any, path: Path
    ) -> Iterator[SchemaError]:
        """
        Why *value* fits none (or, for oneOf, more than one) of *options*. Alternatives told
        apart by a required key (a route's action) are judged by the keys *value* has: the one
        alternative whose keys it has says what is wrong with it.
        """
        keyed = [o for o in options if isinstance(o, Mapping) and o.get("required")]
        if isinstance(value, dict) and len(keyed) == len(options):
            present = [o for o in keyed if all(k in value for k in o["required"])]
            names = [str(o.get("title") or o["required"][0]) for o in keyed]
            if len(present) == 1:
                yield from self._errors(present[0], value, path)
                return
            what = schema.get("title") or "this mapping"
            if not present:
                has = f" (it has {', '.join(map(str, value))})" if value else ""
                yield SchemaError(path, f"{what} needs one of {', '.join(names)}{has}")
            else:
                found = ", ".join(str(o.get("title") or o["required"][0]) for o in present)
                yield SchemaError(
                    path, f"{what} takes only one of {', '.join(names)}: found {found}"
                )
            return
        if isinstance(value, list | dict):
            # Only one alternative takes a list (or a mapping): what is wrong is inside it.
            fitting = [o for o in options if _has_type(value, self._type_of(o))]
            if len(fitting) == 1:
                yield from self._errors(fitting[0], value, path)
                return
        what = schema.get("title") or " or ".join(
            str(o.get("title", "another value")) for o in options if isinstance(o, Mapping)
        )
        yield SchemaError(path, f"expected {what}, got {show(value)}")


def _string_errors(
    schema: Mapping[str, Any], value: str, path: Path, title: str | None
) -> Iterator[SchemaError]:
    if len(value) < schema.get("minLength", 0):
        yield SchemaError(path, "must not be empty" if not value else f"too short: {show(value)}")
    elif "pattern" in schema and not re.search(schema["pattern"], value):
        yield SchemaError(path, f"expected {title or 'another form'}, got {show(value)}")


def _without(schema: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != key}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _has_type(value: Any, expected: str | Sequence[str]) -> bool:
    kinds = [expected] if isinstance(expected, str) else list(expected)
    for kind in kinds:
        if (
            (kind == "string" and isinstance(value, str))
            or (kind == "integer" and isinstance(value, int) and not isinstance(value, bool))
            or (kind == "number" and _is_number(value))
            or (kind == "boolean" and isinstance(value, bool))
            or (kind == "null" and value is None)
            or (kind == "array" and isinstance(value, list))
            or (kind == "object" and isinstance(value, dict))
        ):
            return True
    return False


def _type_words(expected: str | Sequence[str]) -> str:
    kinds = [expected] if isinstance(expected, str) else list(expected)
    return " or ".join(_TYPE_WORDS.get(kind, kind) for kind in kinds)


def _same(value: Any, other: Any) -> bool:
    # JSON Schema's equality: 1 is not true, and 1.0 is 1.
    if isinstance(value, bool) or isinstance(other, bool):
        return isinstance(value, bool) and isinstance(other, bool) and value == other
    return bool(value == other)


def show(value: Any) -> str:
    """A value as a person wrote it in YAML, shortened."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return text if len(text) <= 60 else text[:56] + '..."'
    if _is_number(value):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} ({str(value)[:40]})"
