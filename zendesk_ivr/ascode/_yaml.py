"""
YAML for IVR files, through ruamel.yaml's round trip: the one module that imports it, so only
commands that read or write a file pay for it.

`parse` gives both what the file says as plain data (str keys, lists, scalars) and where each
key and value is, so every problem found later can name its line; ruamel's own tree is kept for
`pull` to update in place, which keeps comments, key order and quoting.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from typing import Any, Final

from attrs import frozen
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

from ._jsonschema import Path
from ._problems import FileFinding, InvalidIvrFile

__all__ = ["Parsed", "dump", "make_yaml", "parse"]

#: How deep an IVR file nests at most is about eight levels; far deeper is not one.
_MAX_DEPTH: Final = 64
#: A line indented (or led by "- " and "? ") this far nests far deeper than an IVR file does.
_MAX_INDENT: Final = 256
_FLOW: Final = re.compile(r"""[\[\]{}"'\n]|(?<![^\s\[{,])#""")
_BLOCK_PREFIX: Final = re.compile(r"^[\s?:-]*", re.MULTILINE)


def make_yaml() -> YAML:
    """The YAML reader and writer of IVR files (round trip: comments and quoting are kept)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    # One route per line however long its text, so a changed route is a one-line diff.
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


@frozen
class Parsed:
    """
    A YAML document: ruamel's tree (``root``), the same as plain data (``document``), and the
    1-based (line, column) of each value and each mapping key by its path.
    """

    root: Any
    document: Any
    values: Mapping[Path, tuple[int, int]]
    keys: Mapping[Path, tuple[int, int]]


class _Unreadable(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def parse(text: str, *, file: str) -> Parsed:
    """
    *text* read as one YAML document.

    Raises:
        InvalidIvrFile: not YAML, or YAML an IVR file has no use for (anchors and aliases,
            tags, values JSON cannot hold, keys that are the same once read, far too deep).
    """
    deep = _far_too_deep(text)
    if deep is not None:
        # ruamel.yaml would recurse until Python's limit, which takes seconds to unwind.
        raise _invalid(file, *deep, "nested too deeply")
    try:
        root = make_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise _invalid(file, line, column, reason.splitlines()[0]) from None
    except YAMLError as exc:
        raise _invalid(file, 1, 1, str(exc).splitlines()[0]) from None
    except RecursionError:
        raise _invalid(file, 1, 1, "nested too deeply") from None
    values: dict[Path, tuple[int, int]] = {(): (1, 1)}
    keys: dict[Path, tuple[int, int]] = {}
    try:
        document = _plain(root, (), values=values, keys=keys, seen=set(), depth=0)
    except _Unreadable as exc:
        raise _invalid(file, exc.line, exc.column, str(exc)) from None
    return Parsed(root, document, values, keys)


def _invalid(file: str, line: int, column: int, message: str) -> InvalidIvrFile:
    problem = FileFinding(file=file, line=line, column=column, rule="yaml", message=message)
    return InvalidIvrFile(f"{file} is not readable as YAML: {problem}", problems=[problem])


def _far_too_deep(text: str) -> tuple[int, int] | None:
    """Where *text* nests deeper than `_MAX_DEPTH` brackets or `_MAX_INDENT` columns, if it
    does: a quick look at brackets outside quotes and comments, and at block indentation."""
    depth, quote, comment = 0, "", False
    for match in _FLOW.finditer(text):
        char = match.group()
        if char == "\n":
            comment = False
            if quote == "'":  # a single-quoted scalar may span lines; a comment may not
                continue
        elif comment or (quote and char != quote):
            continue
        elif char in "\"'":
            quote = "" if quote == char else char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return _line_column(text, match.start())
        elif char in "]}":
            depth = max(depth - 1, 0)
    for match in _BLOCK_PREFIX.finditer(text):
        if match.end() - match.start() > _MAX_INDENT:
            return _line_column(text, match.start())
    return None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def dump(root: Any, *, yaml: YAML | None = None) -> str:
    out = io.StringIO()
    (yaml or make_yaml()).dump(root, out)
    return out.getvalue()


def _plain(
    node: Any,
    path: Path,
    *,
    values: dict[Path, tuple[int, int]],
    keys: dict[Path, tuple[int, int]],
    seen: set[int],
    depth: int,
) -> Any:
    """*node* as plain data, noting where each of its parts is."""
    here = values[path]
    if depth > _MAX_DEPTH:
        raise _Unreadable("nested too deeply", *here)
    if isinstance(node, CommentedMap | CommentedSeq):
        # The same container twice is an alias (or a merge key): a file of names has no use for
        # them, and walking one as a tree could take exponential time (a "billion laughs").
        if id(node) in seen:
            raise _Unreadable("anchors, aliases and merge keys are not used in IVR files", *here)
        seen.add(id(node))
    if isinstance(node, CommentedMap):
        result: dict[str, Any] = {}
        written: dict[str, Any] = {}
        for key, value in node.items():
            name = _key_text(key)
            child = (*path, name)
            keys[child] = _position(node.lc.key, key, here)
            values[child] = _position(node.lc.value, key, keys[child])
            if name in result:
                raise _Unreadable(
                    f"key {name} appears twice (as {_written(written[name])} and {_written(key)})",
                    *keys[child],
                )
            written[name] = key
            result[name] = _plain(
                value, child, values=values, keys=keys, seen=seen, depth=depth + 1
            )
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            values[child] = _position(node.lc.item, index, here)
            items.append(_plain(value, child, values=values, keys=keys, seen=seen, depth=depth + 1))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, ScalarBoolean):  # a boolean with an anchor: an int subclass
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float) and math.isfinite(node):
        return float(node)
    if isinstance(node, float):
        raise _Unreadable(f"{node} is not a number JSON can hold", *here)
    if isinstance(node, TaggedScalar):
        raise _Unreadable("YAML tags (!name) are not used in IVR files", *here)
    # A date, a timestamp, a set: YAML reads them from unquoted text that looks like one.
    raise _Unreadable(f"{node!s:.40} reads as a {type(node).__name__}: put it in quotes", *here)


def _key_text(key: Any) -> str:
    # Unquoted digits read as integers: `1:` is the keypress "1".
    if isinstance(key, str):
        return str(key)
    if isinstance(key, bool) or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    return str(key)


def _written(key: Any) -> str:
    return f'"{key}"' if isinstance(key, str) else str(key)


def _position(lookup: Any, key: Any, fallback: tuple[int, int]) -> tuple[int, int]:
    try:
        line, column = lookup(key)
    except (KeyError, IndexError, TypeError):
        return fallback  # a merged key has no position of its own
    return line + 1, column + 1
