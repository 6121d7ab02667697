"""
Reading an IVR file: YAML, then the schema, then the SDK's models, each part remembering its
line.

The models carry stand-in ids, since a file has none: every IVR, menu and route gets one of its
own, and so does every distinct group name and Talk number, so the audit's rules and the
migration's planner work on a file as on an account. Ids the file itself writes (what no longer
exists) are kept, and stand-in ids never equal one of them.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

from attrs import field, frozen

from .._models import (
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    RouteOptions,
    TextbackOptions,
    UnknownOptions,
    VoicemailOptions,
)
from . import _jsonschema
from ._problems import FileFinding, InvalidIvrFile
from ._schema import validator
from ._yaml import Parsed, parse

__all__ = ["ROUTE_ACTIONS", "IvrFile", "load_ivr_file", "parse_ivr_file"]

#: The keys that say what a route does, each an action of the API.
ROUTE_ACTIONS: Final = ("group", "voicemail", "menu", "phone_number", "textback")
#: Where each field of the models is written in the file: models' JSON name -> file key.
_ROUTE_FIELDS: Final = {
    "group_ids": ("group", "voicemail"),
    "menu_id": ("menu",),
    "phone_number": ("phone_number",),
    "textback_phone_number_id": ("textback",),
    "sms_text": ("text",),
    "tags": ("tags",),
}
_SEGMENT: Final = re.compile(r"\.[A-Za-z_]+$|\[\d+\]$")


def _locations(value: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    return dict(value)


@frozen
class IvrFile:
    """
    An IVR file, read and checked against the schema (`load_ivr_file`).

    Attributes:
        file: the file's name, as problems name it.
        document: what the file says, as plain data.
        ivrs: the file as the SDK's models, with stand-in ids (see the module's docstring):
            groups and Talk numbers by stand-in id (``group_names``, ``phone_numbers``),
            greetings by what the file writes (a name or a built-in id, both strings).
        group_names: stand-in group id -> the name the file writes.
        phone_numbers: stand-in Talk number id -> the number the file writes.
        menu_names: stand-in id of a menu route's target that is not a menu of its IVR -> the
            name the file writes.
    """

    file: str
    document: Mapping[str, Any] = field(eq=False, repr=False)
    ivrs: tuple[Ivr, ...]
    group_names: Mapping[int, str]
    phone_numbers: Mapping[int, str]
    menu_names: Mapping[int, str]
    locations: Mapping[str, tuple[int, int]] = field(converter=_locations, eq=False, repr=False)

    def locate(self, path: str) -> tuple[int, int]:
        """
        The (line, column) of *path* in the file: a JSON path into `ivrs` as the migration
        names it (``$.ivrs[0].menus[1].routes[2].options.group_ids[0]``), or the nearest
        place above it that the file writes.
        """
        while path:
            if path in self.locations:
                return self.locations[path]
            shorter = _SEGMENT.sub("", path)
            if shorter == path:
                break
            path = shorter
        return (1, 1)

    def finding(self, path: str, rule: str, message: str, **kwargs: Any) -> FileFinding:
        """A `FileFinding` at *path* (see `locate`)."""
        line, column = self.locate(path)
        return FileFinding(
            file=self.file, line=line, column=column, rule=rule, message=message, **kwargs
        )

    def path_of(self, object_id: int) -> str | None:
        """The JSON path of the IVR, menu or route with stand-in id *object_id*."""
        return _ids_to_paths(self.ivrs).get(object_id)


def _ids_to_paths(ivrs: tuple[Ivr, ...]) -> dict[int, str]:
    paths: dict[int, str] = {}
    for i, ivr in enumerate(ivrs):
        paths[ivr.id] = f"$.ivrs[{i}]"
        for j, menu in enumerate(ivr.menus):
            paths[menu.id] = f"$.ivrs[{i}].menus[{j}]"
            for k, route in enumerate(menu.routes):
                paths[route.id] = f"$.ivrs[{i}].menus[{j}].routes[{k}]"
    return paths


def load_ivr_file(path: str | os.PathLike[str]) -> IvrFile:
    """
    Read the IVR file at *path*: YAML, checked against the schema, as models.

    Raises:
        InvalidIvrFile: the file cannot be read, is not YAML, or breaks the schema; its
            ``problems`` name every problem's line.
    """
    where = os.fspath(path)
    try:
        text = Path(where).read_bytes().decode("utf-8")
    except OSError as exc:
        raise InvalidIvrFile(f"cannot read {where}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InvalidIvrFile(
            f"{where} is not UTF-8 text: byte {exc.start} cannot be read"
        ) from None
    return parse_ivr_file(text, file=where)


def parse_ivr_file(text: str, *, file: str = "<ivr file>") -> IvrFile:
    """`load_ivr_file` of *text*; *file* names it in problems."""
    parsed = parse(text.removeprefix("\ufeff"), file=file)
    if parsed.document is None:
        raise InvalidIvrFile(
            f"{file} is empty: an IVR file says version: 1 and lists its ivrs",
            problems=[_problem(file, (1, 1), "schema", "the file is empty")],
        )
    problems = [
        _problem(
            file,
            (parsed.keys if error.at_key else parsed.values).get(error.path, (1, 1)),
            "schema",
            f"{_where(error.path)}{error.message}",
        )
        for error in validator().errors(parsed.document)
    ]
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise InvalidIvrFile(
            f"{file} is not a valid IVR file ({count}; first: {problems[0]})", problems=problems
        )
    return _Builder(file, parsed).build()


def _problem(file: str, at: tuple[int, int], rule: str, message: str) -> FileFinding:
    return FileFinding(file=file, line=at[0], column=at[1], rule=rule, message=message)


def _where(path: _jsonschema.Path) -> str:
    """``ivrs[0].menus[1].routes.3: `` for a message about that place."""
    if not path:
        return ""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    return text.lstrip(".") + ": "


class _Builder:
    """Makes the models of a document the schema passed, noting where each part is."""

    def __init__(self, file: str, parsed: Parsed) -> None:
        self.file = file
        self.parsed = parsed
        taken = set(_integers(parsed.document))
        self._ids: Iterator[int] = (i for i in itertools.count(1) if i not in taken)
        self.group_names: dict[int, str] = {}
        self.phone_numbers: dict[int, str] = {}
        self.menu_names: dict[int, str] = {}
        self._by_group: dict[str, int] = {}
        self._by_phone: dict[str, int] = {}
        self.locations: dict[str, tuple[int, int]] = {}

    def build(self) -> IvrFile:
        ivrs = tuple(
            self.ivr(ivr, ("ivrs", i), f"$.ivrs[{i}]")
            for i, ivr in enumerate(self.parsed.document["ivrs"])
        )
        return IvrFile(
            self.file,
            self.parsed.document,
            ivrs,
            self.group_names,
            self.phone_numbers,
            self.menu_names,
            self.locations,
        )

    def note(self, path: str, at: _jsonschema.Path, *, key: bool = False) -> None:
        self.locations[path] = (self.parsed.keys if key else self.parsed.values)[at]

    def ivr(self, data: Mapping[str, Any], at: _jsonschema.Path, path: str) -> Ivr:
        self.note(path, at)
        self.note(f"{path}.name", (*at, "name"))
        phones = []
        for j, number in enumerate(data.get("phone_numbers", ())):
            self.note(f"{path}.phone_number_ids[{j}]", (*at, "phone_numbers", j))
            phones.append(self.phone(number))
        if "phone_numbers" in data:
            self.note(f"{path}.phone_number_ids", (*at, "phone_numbers"))
        menus_data = data.get("menus", ())
        menu_ids = [next(self._ids) for _ in menus_data]
        by_name: dict[str, int] = {}
        for menu_id, menu in zip(menu_ids, menus_data, strict=True):
            by_name.setdefault(menu["name"], menu_id)
        menus = tuple(
            self.menu(menu, menu_id, by_name, (*at, "menus", j), f"{path}.menus[{j}]")
            for j, (menu_id, menu) in enumerate(zip(menu_ids, menus_data, strict=True))
        )
        return Ivr(next(self._ids), data["name"], menus, tuple(phones))

    def menu(
        self,
        data: Mapping[str, Any],
        menu_id: int,
        menus: Mapping[str, int],
        at: _jsonschema.Path,
        path: str,
    ) -> IvrMenu:
        self.note(path, at)
        for name, key in (("name", "name"), ("default", "default"), ("greeting_id", "greeting")):
            if key in data:
                self.note(f"{path}.{name}", (*at, key))
        routes = tuple(
            self.route(keypress, route, menus, (*at, "routes", keypress), f"{path}.routes[{k}]")
            for k, (keypress, route) in enumerate(data.get("routes", {}).items())
        )
        return IvrMenu(
            menu_id, data["name"], bool(data.get("default")), data.get("greeting"), routes
        )

    def route(
        self,
        keypress: str,
        data: Mapping[str, Any],
        menus: Mapping[str, int],
        at: _jsonschema.Path,
        path: str,
    ) -> IvrRoute:
        # A route is found by its keypress; what it does is its value.
        self.note(path, at, key=True)
        self.note(f"{path}.keypress", at, key=True)
        self.note(f"{path}.options", at)
        for name, keys in _ROUTE_FIELDS.items():
            for key in keys:
                if key in data:
                    self.note(f"{path}.options.{name}", (*at, key))
                    if isinstance(data[key], list):
                        for n in range(len(data[key])):
                            self.note(f"{path}.options.{name}[{n}]", (*at, key, n))
        if "overflow" in data:
            self.note(f"{path}.overflow_options", (*at, "overflow"))
        if "options" in data:
            self.note(f"{path}.options", (*at, "options"))
        action, options = self.options(data, menus)
        overflow = tuple(data.get("overflow", ()))
        return IvrRoute(next(self._ids), keypress, action, options, overflow_options=overflow)

    def options(
        self, data: Mapping[str, Any], menus: Mapping[str, int]
    ) -> tuple[str, RouteOptions]:
        tags = tuple(data["tags"]) if "tags" in data else None
        if "group" in data or "voicemail" in data:
            action = "group" if "group" in data else "voicemail"
            refs = data[action] if isinstance(data[action], list) else [data[action]]
            group_ids = tuple(self.group(ref) for ref in refs)
            kind = GroupOptions if action == "group" else VoicemailOptions
            return action, kind(group_ids=group_ids, tags=tags)
        if "menu" in data:
            return "menu", MenuOptions(menu_id=self.menu_target(data["menu"], menus), tags=tags)
        if "phone_number" in data:
            return "phone_number", PhoneNumberOptions(phone_number=data["phone_number"], tags=tags)
        if "textback" in data:
            number = data["textback"]
            return "textback", TextbackOptions(
                textback_phone_number_id=None if number is None else self.phone(number),
                sms_text=data.get("text"),
                tags=tags,
            )
        return str(data["action"]), UnknownOptions(str(data["action"]), data.get("options"))

    def group(self, ref: str | int) -> int:
        return self._stand_in(ref, self._by_group, self.group_names)

    def phone(self, ref: str | int) -> int:
        return self._stand_in(ref, self._by_phone, self.phone_numbers)

    def _stand_in(self, ref: str | int, ids: dict[str, int], names: dict[int, str]) -> int:
        """The stand-in id of the name *ref* (one per name), or the id the file writes."""
        if isinstance(ref, int):
            return ref
        if ref not in ids:
            ids[ref] = next(self._ids)
            names[ids[ref]] = ref
        return ids[ref]

    def menu_target(self, ref: str | int | None, menus: Mapping[str, int]) -> int | None:
        if ref is None or isinstance(ref, int):
            return ref
        if ref in menus:
            return menus[ref]
        # No menu of this IVR has that name: a dead key, with an id of its own to show it.
        target = next(self._ids)
        self.menu_names[target] = ref
        return target


def _integers(value: Any) -> Iterator[int]:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _integers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _integers(item)
