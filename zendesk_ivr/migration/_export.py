"""
`export`: an account's whole IVR tree as the versioned document `load_export` reads, with what
the account called the groups, greetings and phone numbers the IVRs reference.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .._core.reading.serde import shared_converter
from .._models import Ivr
from .._tasks import first_error
from ._references import References, read_account_objects, referenced_ids
from ._state import EXPORT_FORMAT, EXPORT_VERSION

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["export"]

_CONVERTER = shared_converter()


async def export(client: Client, *, source: str | None = None) -> dict[str, Any]:
    """
    The account's IVRs as an export document, ready for ``json.dump`` and `load_export`::

        {"format": "zendesk-ivr-export", "version": 1, "exported_at": "...Z",
         "source": {"base_url": ...}, "ivrs": [...],
         "references": {"groups": {"ID": "name"}, "greetings": {"ID": "name"},
                        "phone_numbers": {"ID": "+E164"}}}

    ``ivrs`` are the models unstructured (field names as the API's JSON); ``references`` names
    the referenced groups, greetings and phone numbers the account has, so `map_by_name` can
    find them in another account. The tree and the three listings are read concurrently.
    *source* replaces the client's base URL as ``source.base_url`` (the CLI's sandbox says
    ``"sandbox"``, which names no account).
    """
    with first_error():
        async with asyncio.TaskGroup() as group:
            walking = group.create_task(client.walk())
            reading = group.create_task(read_account_objects(client))
    ivrs, objects = walking.result().ivrs, reading.result()
    used = referenced_ids(ivrs)
    references = References(
        groups={g.id: g.name for g in objects.groups if not g.deleted and g.id in used["group"]},
        greetings={
            g.id: g.name
            for g in objects.greetings
            if isinstance(g.id, int) and g.id in used["greeting"]
        },
        phone_numbers={
            p.id: p.number for p in objects.phone_numbers if p.id in used["phone_number"]
        },
    )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": {"base_url": str(client.base_url) if source is None else source},
        "ivrs": _CONVERTER.unstructure(ivrs, tuple[Ivr, ...]),
        "references": references.to_json(),
    }
