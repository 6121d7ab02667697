"""
References out of the IVR tree (groups, greetings, phone numbers): which ids a set of IVRs
uses, and what the source account called them, as an export keeps it so that an id map for
another account can be made by name.

The export's ``references`` section is ``{"groups": {"ID": "name"}, "greetings": {"ID":
"name"}, "phone_numbers": {"ID": "+E164"}}``: the referenced objects the source account had
when exported (a referenced id missing there was deleted in the source).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar

from attrs import field, frozen

from .._account import Greeting, Group, PhoneNumber
from .._models import GroupOptions, Ivr, TextbackOptions, VoicemailOptions
from .._tasks import first_error

if TYPE_CHECKING:
    from .._client import Client

T = TypeVar("T")

__all__ = [
    "REFERENCE_KINDS",
    "AccountObjects",
    "ReferenceKind",
    "References",
    "read_account_objects",
    "referenced_ids",
]

ReferenceKind: TypeAlias = Literal["group", "greeting", "phone_number"]
REFERENCE_KINDS: Final[tuple[ReferenceKind, ...]] = ("group", "greeting", "phone_number")
#: The JSON section of each kind, as in the id map.
SECTIONS: Final[Mapping[ReferenceKind, str]] = {
    "group": "groups",
    "greeting": "greetings",
    "phone_number": "phone_numbers",
}


def _table(value: Mapping[int, str]) -> dict[int, str]:
    return dict(value)


@frozen
class References:
    """
    What the source account called the objects its IVRs reference: group and greeting names,
    phone numbers in E.164. An id missing here was not in the source account when exported.
    """

    groups: Mapping[int, str] = field(factory=dict, converter=_table)
    greetings: Mapping[int, str] = field(factory=dict, converter=_table)
    phone_numbers: Mapping[int, str] = field(factory=dict, converter=_table)

    def of(self, kind: ReferenceKind) -> Mapping[int, str]:
        """The table of *kind*."""
        table: Mapping[int, str] = getattr(self, SECTIONS[kind])
        return table

    def to_json(self) -> dict[str, dict[str, str]]:
        return {
            SECTIONS[kind]: {str(i): name for i, name in sorted(self.of(kind).items())}
            for kind in REFERENCE_KINDS
        }

    @classmethod
    def from_json(cls, document: Any) -> tuple[References, list[str]]:
        """The references of an export's section, and every problem found in it."""
        if not isinstance(document, Mapping):
            return cls(), ["references must be an object of groups, greetings, phone_numbers"]
        problems = [
            f"references: unknown section {key!r}"
            for key in document
            if key not in SECTIONS.values()
        ]
        tables: dict[str, dict[int, str]] = {}
        for name in SECTIONS.values():
            raw = document.get(name, {})
            tables[name] = {}
            if not isinstance(raw, Mapping):
                problems.append(f"references.{name} must be an object of id to name")
                continue
            for key, value in raw.items():
                if not (isinstance(key, str) and key.isdigit() and isinstance(value, str)):
                    problems.append(f"references.{name}[{key!r}]: expected a name for an id")
                else:
                    tables[name][int(key)] = value
        return cls(tables["groups"], tables["greetings"], tables["phone_numbers"]), problems


@frozen
class AccountObjects:
    """An account's groups, greetings and phone numbers, as listed."""

    groups: tuple[Group, ...]
    greetings: tuple[Greeting, ...]
    phone_numbers: tuple[PhoneNumber, ...]


async def read_account_objects(client: Client) -> AccountObjects:
    """List the account's groups, greetings and phone numbers, concurrently."""
    with first_error():
        async with asyncio.TaskGroup() as group:
            groups = group.create_task(_collect(client.groups.list()))
            greetings = group.create_task(_collect(client.greetings.list()))
            phones = group.create_task(_collect(client.phone_numbers.list()))
    return AccountObjects(groups.result(), greetings.result(), phones.result())


async def _collect(items: AsyncIterable[T]) -> tuple[T, ...]:
    return tuple([item async for item in items])


def referenced_ids(ivrs: Iterable[Ivr]) -> dict[ReferenceKind, dict[int, list[str]]]:
    """
    Every group, greeting and phone number id *ivrs* use, each with where (``IVR 'Support',
    menu 'Billing', key 1``), in the order first met.
    """
    found: dict[ReferenceKind, dict[int, list[str]]] = {kind: {} for kind in REFERENCE_KINDS}

    def note(kind: ReferenceKind, ref: int, where: str) -> None:
        found[kind].setdefault(ref, []).append(where)

    for ivr in ivrs:
        for phone in ivr.phone_number_ids:
            note("phone_number", phone, f"IVR {ivr.name!r}")
        for menu in ivr.menus:
            where = f"IVR {ivr.name!r}, menu {menu.name!r}"
            # Built-in greetings (string ids such as "ivr_none") are the same on every account.
            if isinstance(menu.greeting_id, int):
                note("greeting", menu.greeting_id, where)
            for route in menu.routes:
                options, at = route.options, f"{where}, key {route.keypress}"
                if isinstance(options, GroupOptions | VoicemailOptions):
                    for group in options.group_ids:
                        note("group", group, at)
                elif isinstance(options, TextbackOptions) and options.textback_phone_number_id:
                    note("phone_number", options.textback_phone_number_id, at)
    return found
