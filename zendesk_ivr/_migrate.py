r"""
What a migration is made of: what it starts from, the desired state (an export, or IVRs built
in Python) and the id map that translates references to objects outside the IVR tree, and what
it sends, a `Plan` of `Step`\ s.

Inputs are read strictly: a file that is not what it claims raises a typed error naming the
problem, before anything is planned or sent.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import attrs
from attrs import field, frozen
from cattrs import BaseValidationError, transform_error
from yarl import URL

from ._exceptions import ConfigurationError, ZendeskError
from ._journal import JournalError, read_header
from ._migration.dangling import DanglingReference
from ._migration.references import References
from ._models import (
    GroupOptions,
    Ivr,
    IvrFields,
    IvrMenuFields,
    IvrRouteFields,
    IvrTree,
    VoicemailOptions,
)
from ._protocol import api_root, base_url_for
from ._serde import make_converter

__all__ = [
    "DesiredState",
    "IdMap",
    "InvalidExport",
    "InvalidIdMap",
    "Pending",
    "Plan",
    "PlannedRequest",
    "Step",
    "load_export",
]

EXPORT_FORMAT: Final = "zendesk-ivr-export"
EXPORT_VERSION: Final = 1
_ID_MAP_SECTIONS: Final = ("groups", "greetings", "phone_numbers")
_OLD_ID: Final = re.compile(r"[1-9][0-9]*")
_MAX_LISTED_PROBLEMS: Final = 5
StepAction: TypeAlias = Literal["create", "update", "delete"]
StepKind: TypeAlias = Literal["ivr", "menu", "route"]
_KINDS: Final[tuple[StepKind, ...]] = ("ivr", "menu", "route")
_ACTIONS: Final[tuple[StepAction, ...]] = ("create", "update", "delete")
_COLLECTIONS: Final = ("ivr", "menus", "routes")
_ENVELOPES: Final = {"ivr": "ivr", "menu": "ivr_menu", "route": "ivr_route"}
_FIELDS: Final = {"ivr": IvrFields, "menu": IvrMenuFields, "route": IvrRouteFields}
_DEFAULT_MENU: Final = "default-menu"
_DEFAULT_ROOT: Final = "/api/v2/channels/voice"
_CONVERTER: Final = make_converter()


class InvalidExport(ZendeskError, ValueError):
    """
    A desired state that cannot be used: unreadable, not JSON, not a zendesk-ivr export, a
    version this release does not read, or IVR data of the wrong shape. ``problems`` lists each
    problem with its JSON path.
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

    Raises:
        InvalidExport: the file cannot be read, is not JSON, or is not such an export.
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
            document = json.loads(text)
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
            raise InvalidExport(f"{where}: {_listed(problems)}", problems=problems)
    raw_ivrs = document.get("ivrs")
    if not isinstance(raw_ivrs, list):
        raise InvalidExport(f"{where}: ivrs must be a list of IVRs")
    try:
        ivrs = _CONVERTER.structure(raw_ivrs, tuple[Ivr, ...])
    except BaseValidationError as exc:
        problems = [line.replace("@ $", "@ $.ivrs", 1) for line in transform_error(exc)]
        raise InvalidExport(
            f"{where}: invalid IVR data: {_listed(problems)}", problems=problems
        ) from None
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
            if not (_is_id(old) and _is_id(new))
        ]
        if problems:
            raise InvalidIdMap(f"invalid id map: {_listed(problems)}", problems=problems)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> IdMap:
        """Read an id map file; `InvalidIdMap` names every problem in it."""
        where = os.fspath(path)
        try:
            document = json.loads(Path(where).read_text(encoding="utf-8"))
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
                elif not _is_id(new):
                    problems.append(f"{name}[{old!r}]: {new!r} is not a new id (an integer > 0)")
                else:
                    sections[name][int(old)] = new
        if problems:
            raise InvalidIdMap(f"{where}: {_listed(problems)}", problems=problems)
        return cls(sections["groups"], sections["greetings"], sections["phone_numbers"])

    def to_json(self) -> dict[str, dict[str, int]]:
        """The pinned JSON form, as `load` reads it."""
        return {
            name: {str(old): new for old, new in getattr(self, name).items()}
            for name in _ID_MAP_SECTIONS
        }


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _sections() -> str:
    return ", ".join(repr(name) for name in _ID_MAP_SECTIONS)


def _listed(problems: list[str]) -> str:
    shown = "; ".join(problems[:_MAX_LISTED_PROBLEMS])
    more = len(problems) - _MAX_LISTED_PROBLEMS
    return f"{shown}; and {more} more" if more > 0 else shown


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


# --- what a migration sends ---------------------------------------------------------------------


@frozen
class Pending:
    """An id the target account does not have yet: the one the object *key* gets when created."""

    key: str

    def __str__(self) -> str:
        return f"<id of {self.key}>"


@frozen(kw_only=True)
class PlannedRequest:
    """One request a step sends: method, path (query-less) and JSON body (None for a DELETE)."""

    method: str
    path: str
    json: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "json": self.json}


@frozen(kw_only=True)
class Step:
    """
    One create, update or delete of an IVR, a menu or a route.

    Attributes:
        key: the object it acts on, named by meaning (``ivr[Support]/menu[Billing]/route[1]``,
            ``ivr[Support]/default-menu``); unique within a plan.
        ids: the ids in the target account that locate it, outermost first: none to create an
            IVR, the IVR's to update or delete it or to create a menu in it, and so on. An id
            not known until another step has run is a `Pending`.
        fields: the JSON fields it sends (`Pending` where a menu id is not known yet).
        before: the current values of the fields an update changes, for display.
        depends_on: keys of the steps that must be done first.
        level: 0 for a step that depends on nothing, else one more than its deepest
            dependency; the steps of one level are independent of each other.
    """

    key: str
    action: StepAction
    kind: StepKind
    ids: tuple[int | Pending, ...] = ()
    fields: Mapping[str, Any] = field(factory=dict, hash=False)
    before: Mapping[str, Any] = field(factory=dict, hash=False)
    depends_on: tuple[str, ...] = ()
    level: int = 0

    def describe(self) -> str:
        """One line for people, such as ``update ivr[Support] phone_number_ids: [1] -> [2]``."""
        if self.action == "create":
            details = ", ".join(f"{k}={_show(v)}" for k, v in self.fields.items())
        elif self.action == "update":
            # A route's action goes with its options, changed or not; only changes are shown.
            details = ", ".join(
                f"{k}: {_show(self.before[k])} -> {_show(v)}"
                if k in self.before
                else f"{k} -> {_show(v)}"
                for k, v in self.fields.items()
                if k not in self.before or self.before[k] != v
            )
        else:
            details = ""
        after = f"  (after {', '.join(self.depends_on)})" if self.depends_on else ""
        return f"{self.action} {self.key}{' ' if details else ''}{details}{after}"

    def request(
        self, *, base_url: str | URL | None = None, ids: Mapping[str, int] | None = None
    ) -> PlannedRequest:
        """
        The request this step sends to the account at *base_url*; ids in *ids* (object key to
        id) fill in `Pending` ones, and any other shows as ``<id of KEY>``.
        """
        known = ids or {}
        root = _DEFAULT_ROOT if base_url is None else api_root(base_url_for(None, base_url)).path
        depth = _KINDS.index(self.kind)
        path_ids = [_fill(i, known) for i in self.ids]
        parts = [root]
        for level, collection in enumerate(_COLLECTIONS[: depth + 1]):
            parts.append(collection)
            if level < len(path_ids):
                parts.append(str(path_ids[level]))
        method = {"create": "POST", "update": "PUT", "delete": "DELETE"}[self.action]
        body = None
        if self.action != "delete":
            fields = _FIELDS[self.kind](**_fill(dict(self.fields), known))
            body = json.loads(json.dumps({_ENVELOPES[self.kind]: _CONVERTER.unstructure(fields)}))
        return PlannedRequest(method=method, path="/".join(parts), json=body)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "action": self.action,
            "kind": self.kind,
            "ids": _encode(list(self.ids)),
            "fields": _encode(dict(self.fields)),
            "before": _encode(dict(self.before)),
            "depends_on": list(self.depends_on),
            "level": self.level,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Step:
        """The step `to_json` wrote; ValueError when *data* is not one."""
        try:
            action, kind = data["action"], data["kind"]
            if action not in _ACTIONS or kind not in _KINDS:
                raise ValueError(f"unknown step {action!r} of {kind!r}")
            ids = _decode(data["ids"])
            if not isinstance(ids, list) or not all(isinstance(i, int | Pending) for i in ids):
                raise ValueError("ids must be a list of ids")
            return cls(
                key=str(data["key"]),
                action=action,
                kind=kind,
                ids=tuple(ids),
                fields=dict(_decode(data["fields"])),
                before=dict(_decode(data["before"])),
                depends_on=tuple(str(k) for k in data["depends_on"]),
                level=int(data["level"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a plan step: {exc!r}") from None


@frozen
class Plan:
    """
    The steps that make an account what a desired state says, in a deterministic topological
    order (dependencies first; ties in the order of the desired state).

    ``origin`` says what the plan was made for: a digest of the desired state, the id map and
    the options, or the label the caller gave; a journal resumes only a plan of its origin.
    ``skipped`` lists the dangling references ``plan(..., skip_dangling=True)`` left out (not
    kept in a journal: a plan read back from one has none).
    """

    steps: tuple[Step, ...]
    origin: str = ""
    skipped: tuple[DanglingReference, ...] = field(default=(), kw_only=True)

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to send: the account already is as desired."""
        return not self.steps

    @property
    def fingerprint(self) -> str:
        """A digest of the plan's steps and origin, the same in every process."""
        return digest(self.to_json())

    def step(self, key: str) -> Step:
        """The step acting on *key*; KeyError if there is none."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def describe(self) -> list[str]:
        """One line per step, in order, then one per dangling reference left out (``skip``)."""
        return [step.describe() for step in self.steps] + [d.describe() for d in self.skipped]

    def requests(
        self, *, base_url: str | URL | None = None, ids: Mapping[str, int] | None = None
    ) -> list[PlannedRequest]:
        """The request of every step, in order (see `Step.request`)."""
        return [step.request(base_url=base_url, ids=ids) for step in self.steps]

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "steps": [step.to_json() for step in self.steps]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        """The plan `to_json` wrote; ValueError when *data* is not one."""
        try:
            steps = tuple(Step.from_json(step) for step in data["steps"])
            return cls(steps, str(data["origin"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a plan: {exc!r}") from None

    @classmethod
    def from_journal(cls, path: str | os.PathLike[str]) -> Plan:
        """
        The plan a journal was written for, to resume an apply that stopped half way (the
        account has changed since, so planning again would give another plan).

        Raises:
            JournalError: *path* is missing, is not a journal, or holds a damaged plan.
        """
        header = read_header(path)
        try:
            plan = cls.from_json(header["plan"])
        except ValueError as exc:
            raise JournalError(
                f"journal {path} holds no usable plan: {exc}", path=str(path)
            ) from None
        if plan.fingerprint != header.get("fingerprint"):
            raise JournalError(
                f"journal {path} holds a plan that does not match its fingerprint", path=str(path)
            )
        return plan


def default_menu_key(ivr_key: str) -> str:
    """The key of the default menu of the IVR *ivr_key*."""
    return f"{ivr_key}/{_DEFAULT_MENU}"


def _fill(value: Any, ids: Mapping[str, int]) -> Any:
    """*value* with each `Pending` replaced by its id, or by its placeholder when not known."""
    if isinstance(value, Pending):
        return ids.get(value.key, str(value))
    if isinstance(value, Mapping):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fill(v, ids) for v in value]
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, Pending):
        return {"$pending": value.key}
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"$pending"}:
            return Pending(str(value["$pending"]))
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def digest(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _show(value: Any) -> str:
    return json.dumps(_fill(value, {}), ensure_ascii=False)
