"""
`map_by_name`: an id map for a desired state made by finding, in the target account, the groups
and greetings of the same name and the phone numbers of the same number as the source account
had (an export's ``references``), with everything that could not be matched and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import frozen

from .._account import Greeting, Group, PhoneNumber
from ._references import SECTIONS, ReferenceKind, read_account_objects, referenced_ids
from ._state import DesiredState, IdMap, InvalidExport

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["NameMapping", "UnmatchedReference", "map_by_name", "match_by_name"]

_NOT_DIALLED = re.compile(r"[^0-9+]")
_NOUNS: Mapping[ReferenceKind, str] = {
    "group": "group",
    "greeting": "greeting",
    "phone_number": "phone number",
}


@frozen(kw_only=True)
class UnmatchedReference:
    """
    A reference `map_by_name` could not map.

    Attributes:
        kind: ``"group"``, ``"greeting"`` or ``"phone_number"``.
        id: the id in the source account.
        name: what the source called it (a name, or a number), None when it did not have it.
        reason: why there is no match, for people.
        used_by: where the desired state uses it (``IVR 'Support', menu 'Main', key 1``).
    """

    kind: ReferenceKind
    id: int
    name: str | None
    reason: str
    used_by: tuple[str, ...] = ()

    def __str__(self) -> str:
        named = f" {self.name!r}" if self.name is not None else ""
        places = "; ".join(self.used_by[:3])
        more = f" and {len(self.used_by) - 3} more" if len(self.used_by) > 3 else ""
        return f"{_NOUNS[self.kind]} {self.id}{named}: {self.reason} (used by {places}{more})"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "reason": self.reason,
            "used_by": list(self.used_by),
        }


@frozen
class NameMapping:
    """What `map_by_name` found: the ``id_map`` of every match, and what it could not match."""

    id_map: IdMap
    unmatched: tuple[UnmatchedReference, ...] = ()


async def map_by_name(
    client: Client, desired: DesiredState, *, id_map: IdMap | None = None
) -> NameMapping:
    """
    Map the groups, greetings and phone numbers *desired* references to the account of
    *client*: groups (not deleted) and greetings by exact name, phone numbers by number (digits
    and ``+`` compared). The source's names come from the export's ``references``. Entries of
    *id_map* are kept as they are and win over a match by name. Three listings, read
    concurrently; nothing is written.

    Raises:
        InvalidExport: *desired* has no ``references`` (an export made before they existed).
    """
    objects = await read_account_objects(client)
    return match_by_name(
        desired,
        groups=objects.groups,
        greetings=objects.greetings,
        phone_numbers=objects.phone_numbers,
        id_map=id_map,
    )


def match_by_name(
    desired: DesiredState,
    *,
    groups: Iterable[Group],
    greetings: Iterable[Greeting],
    phone_numbers: Iterable[PhoneNumber],
    id_map: IdMap | None = None,
) -> NameMapping:
    """`map_by_name` against listings already read: pure, no I/O."""
    if desired.references is None:
        raise InvalidExport(
            "the export names no groups, greetings or phone numbers (it has no references "
            "section): export it again with this version of zendesk-ivr to map by name"
        )
    given = id_map if id_map is not None else IdMap()
    targets: dict[ReferenceKind, dict[str, list[int]]] = {
        "group": _by_key((g.name, g.id) for g in groups if not g.deleted),
        # Built-in greetings (string ids) are the same everywhere and never mapped.
        "greeting": _by_key((g.name, g.id) for g in greetings if isinstance(g.id, int)),
        "phone_number": _by_key((_dialled(p.number), p.id) for p in phone_numbers),
    }
    mapped: dict[ReferenceKind, dict[int, int]] = {kind: {} for kind in targets}
    unmatched: list[UnmatchedReference] = []
    for kind, uses in referenced_ids(desired.ivrs).items():
        explicit: Mapping[int, int] = getattr(given, SECTIONS[kind])
        known = desired.references.of(kind)
        for old, used_by in sorted(uses.items()):
            if old in explicit:
                mapped[kind][old] = explicit[old]
                continue
            name = known.get(old)
            found = targets[kind].get(_dialled(name) if kind == "phone_number" else name or "")
            if name is not None and found is not None and len(found) == 1:
                mapped[kind][old] = found[0]
                continue
            noun = _NOUNS[kind]
            if name is None:
                reason = f"not a {noun} of the source account when exported (deleted there?)"
            elif not found:
                reason = f"no {noun} {'numbered' if kind == 'phone_number' else 'named'} "
                reason += f"{name!r} in the target"
            else:
                reason = f"{len(found)} {noun}s in the target match {name!r}: ambiguous"
            unmatched.append(
                UnmatchedReference(
                    kind=kind, id=old, name=name, reason=reason, used_by=tuple(used_by)
                )
            )
    result = IdMap(mapped["group"], mapped["greeting"], mapped["phone_number"])
    return NameMapping(result, tuple(unmatched))


def _by_key(pairs: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    table: dict[str, list[int]] = {}
    for key, object_id in pairs:
        table.setdefault(key, []).append(object_id)
    return table


def _dialled(number: str | None) -> str:
    """A phone number as dialled: ``+1 (415) 555-0100`` and ``+14155550100`` compare equal."""
    return _NOT_DIALLED.sub("", number or "")
