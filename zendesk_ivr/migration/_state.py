"""
What a migration starts from: the desired state (an export, or IVRs built in Python) and the id
map that translates references to objects outside the IVR tree.

Inputs are read strictly: a file that is not what it claims raises a typed error naming the
problem, before anything is planned or sent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import attrs
from attrs import field, frozen
from cattrs import BaseValidationError, transform_error
from yarl import URL

from .._core.reading import jsontext
from .._core.reading.serde import shared_converter
from .._core.wire.urls import base_url_for
from .._exceptions import ConfigurationError, ZendeskError
from .._models import GroupOptions, Ivr, IvrTree, VoicemailOptions
from ._constraints import is_id, tree_problems
from ._references import References

EXPORT_FORMAT: Final = "zendesk-ivr-export"
EXPORT_VERSION: Final = 1
_ID_MAP_SECTIONS: Final = ("groups", "greetings", "phone_numbers")
_OLD_ID: Final = re.compile(r"[1-9][0-9]*")
MAX_LISTED_PROBLEMS: Final = 5
_CONVERTER: Final = shared_converter()


class InvalidExport(ZendeskError, ValueError):
    """
    A desired state that cannot be used: unreadable, not JSON, not a zendesk-ivr export, a
    version this release does not read, IVR data of the wrong shape, or values Zendesk refuses
    (a keypress ``"10"``, a group route without groups). ``problems`` lists each problem with
    its JSON path.
    """

    def __init__(self, message: str, *, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class InvalidIdMap(ZendeskError, ValueError):
    """An id map that breaks the pinned format; ``problems`` lists every problem found."""

    def __init__(self, message: str, *, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


def _ivr_tuple(ivrs: Iterable[Ivr]) -> tuple[Ivr, ...]:
    return tuple(ivrs)


@frozen
class DesiredState:
    """
    The IVRs an account should have, as `load_export` reads them or as built in Python.

    ``source_base_url`` is the account the export came from (None when unknown): applied back
    to that same account, references to groups, greetings and phone numbers map to themselves.
    ``references`` is what that account called them (an export's ``references``), for
    `map_by_name`; None when the export has none.
    """

    ivrs: tuple[Ivr, ...] = field(converter=_ivr_tuple)
    source_base_url: str | None = None
    references: References | None = None

    @classmethod
    def from_tree(cls, tree: IvrTree, *, base_url: str | URL | None = None) -> DesiredState:
        """The state `Client.walk` read, as a desired state of the account at *base_url*."""
        return cls(tree.ivrs, None if base_url is None else str(base_url))

    def came_from(self, base_url: str | URL) -> bool:
        """Whether this state was exported from the account at *base_url* (a client's site)."""
        if self.source_base_url is None:
            return False
        try:
            return base_url_for(None, self.source_base_url) == base_url_for(None, base_url)
        except ConfigurationError:
            return False  # "sandbox" and the like name no account

    def replace_group(self, old: int, new: int) -> DesiredState:
        """
        This state with every group and voicemail route that rings group *old* ringing *new*
        instead (in the same place of ``group_ids``, never twice).
        """

        def rerouted(ids: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(dict.fromkeys(new if i == old else i for i in ids))

        ivrs = []
        for ivr in self.ivrs:
            menus = []
            for menu in ivr.menus:
                routes = []
                for route in menu.routes:
                    options = route.options
                    if isinstance(options, GroupOptions | VoicemailOptions) and (
                        old in options.group_ids
                    ):
                        options = attrs.evolve(options, group_ids=rerouted(options.group_ids))
                        routes.append(attrs.evolve(route, options=options))
                    else:
                        routes.append(route)
                menus.append(attrs.evolve(menu, routes=tuple(routes)))
            ivrs.append(attrs.evolve(ivr, menus=tuple(menus)))
        return attrs.evolve(self, ivrs=tuple(ivrs))


def _id_table(value: Mapping[int, int]) -> dict[int, int]:
    if not isinstance(value, Mapping):
        raise InvalidIdMap(f"an id map section must map old ids to new ids, got {value!r}")
    return dict(value)


def load_export(source: str | os.PathLike[str] | Mapping[str, Any]) -> DesiredState:
    """
    Read a desired state from what ``zendesk-ivr export`` writes: a file path, or the parsed
    document. The document must say ``"format": "zendesk-ivr-export"`` and ``"version": 1``;
    its IVRs are read as the API's JSON is (fields the models do not know are ignored).

    The IVRs are checked against the API's rules as a whole (see `_constraints`): a value
    Zendesk would refuse to create is a problem here, before anything is planned or sent.

    Raises:
        InvalidExport: the file cannot be read, is not JSON, or is not such an export; or it
            holds values Zendesk refuses, every one listed in ``problems`` with its JSON path.
    """
    where = "export"
    if isinstance(source, Mapping):
        document: Any = source
    else:
        where = os.fspath(source)
        try:
            text = Path(where).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidExport(f"cannot read {where}: {_reason(exc)}") from None
        try:
            document = jsontext.loads(text)
        except ValueError as exc:
            raise InvalidExport(f"{where} is not JSON: {exc}") from None
    if not isinstance(document, Mapping):
        raise InvalidExport(f"{where} is not a zendesk-ivr export: expected a JSON object")
    if document.get("format") != EXPORT_FORMAT:
        raise InvalidExport(
            f"{where} is not a zendesk-ivr export: format is {document.get('format')!r}, "
            f"expected {EXPORT_FORMAT!r}"
        )
    version = document.get("version")
    if version != EXPORT_VERSION or isinstance(version, bool):
        raise InvalidExport(
            f"{where} has export version {version!r}; this zendesk-ivr reads version "
            f"{EXPORT_VERSION}"
        )
    source_info = document.get("source", {})
    base_url = source_info.get("base_url") if isinstance(source_info, Mapping) else None
    if not isinstance(source_info, Mapping) or not isinstance(base_url, str | None):
        raise InvalidExport(f"{where}: source must be an object with a string base_url")
    references = None
    if "references" in document:
        references, problems = References.from_json(document["references"])
        if problems:
            raise InvalidExport(f"{where}: {listed(problems)}", problems=problems)
    raw_ivrs = document.get("ivrs")
    if not isinstance(raw_ivrs, list):
        raise InvalidExport(f"{where}: ivrs must be a list of IVRs")
    try:
        ivrs = _CONVERTER.structure(raw_ivrs, tuple[Ivr, ...])
    except BaseValidationError as exc:
        problems = [line.replace("@ $", "@ $.ivrs", 1) for line in transform_error(exc)]
        raise InvalidExport(
            f"{where}: invalid IVR data: {listed(problems)}", problems=problems
        ) from None
    # Read as IVRs, it is still what Zendesk would refuse to create: say all of it now, not
    # one 422 half way through an apply.
    refused = [str(problem) for problem in tree_problems(raw_ivrs)]
    if refused:
        raise InvalidExport(
            f"{where}: {len(refused)} invalid value{'' if len(refused) == 1 else 's'}: "
            f"{listed(refused)}",
            problems=refused,
        )
    return DesiredState(ivrs, base_url, references)


@frozen
class IdMap:
    """
    How ids of objects outside the IVR tree translate from the source account to the target.

    The pinned file format is one JSON object, every section optional::

        {"groups": {"OLD": NEW, ...}, "greetings": {...}, "phone_numbers": {...}}

    with old ids as strings of digits and new ids as integers. ``groups`` covers route
    ``group_ids``, ``greetings`` menu ``greeting_id``, ``phone_numbers`` an IVR's
    ``phone_number_ids`` and textback routes' ``textback_phone_number_id``.
    """

    groups: Mapping[int, int] = field(factory=dict, converter=_id_table)
    greetings: Mapping[int, int] = field(factory=dict, converter=_id_table)
    phone_numbers: Mapping[int, int] = field(factory=dict, converter=_id_table)

    def __attrs_post_init__(self) -> None:
        problems = [
            f"{section}: {old!r} -> {new!r}: ids must be positive integers"
            for section in _ID_MAP_SECTIONS
            for old, new in getattr(self, section).items()
            if not (is_id(old) and is_id(new))
        ]
        if problems:
            raise InvalidIdMap(f"invalid id map: {listed(problems)}", problems=problems)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> IdMap:
        """Read an id map file; `InvalidIdMap` names every problem in it."""
        where = os.fspath(path)
        try:
            document = jsontext.loads(Path(where).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidIdMap(f"cannot read id map {where}: {_reason(exc)}") from None
        except ValueError as exc:
            raise InvalidIdMap(f"id map {where} is not JSON: {exc}") from None
        return cls.from_json(document, where=f"id map {where}")

    @classmethod
    def from_json(cls, document: Any, *, where: str = "id map") -> IdMap:
        """An id map from its parsed JSON document, checked as strictly as `load` does."""
        if not isinstance(document, Mapping):
            raise InvalidIdMap(f"{where}: expected a JSON object with {_sections()}")
        problems = [
            f"unknown section {key!r} (expected {_sections()})"
            for key in document
            if key not in _ID_MAP_SECTIONS
        ]
        sections: dict[str, dict[int, int]] = {}
        for name in _ID_MAP_SECTIONS:
            raw = document.get(name, {})
            if not isinstance(raw, Mapping):
                problems.append(f"{name} must be an object of old id to new id")
                continue
            sections[name] = {}
            for old, new in raw.items():
                if not isinstance(old, str) or not _OLD_ID.fullmatch(old):
                    problems.append(f"{name}: key {old!r} is not an old id (a string of digits)")
                elif not is_id(new):
                    problems.append(f"{name}[{old!r}]: {new!r} is not a new id (an integer > 0)")
                else:
                    sections[name][int(old)] = new
        if problems:
            raise InvalidIdMap(f"{where}: {listed(problems)}", problems=problems)
        return cls(sections["groups"], sections["greetings"], sections["phone_numbers"])

    def to_json(self) -> dict[str, dict[str, int]]:
        """The pinned JSON form, as `load` reads it."""
        return {
            name: {str(old): new for old, new in getattr(self, name).items()}
            for name in _ID_MAP_SECTIONS
        }


def _sections() -> str:
    return ", ".join(repr(name) for name in _ID_MAP_SECTIONS)


def listed(problems: list[str]) -> str:
    """Problems on one line: the first few, then how many more there are."""
    shown = "; ".join(problems[:MAX_LISTED_PROBLEMS])
    more = len(problems) - MAX_LISTED_PROBLEMS
    return f"{shown}; and {more} more" if more > 0 else shown


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
