"""
Records a read cannot use, skipped rather than failing their neighbours.

Airbyte's Zendesk Talk schemas allow a null ``id`` on IVRs, menus, routes, groups and greetings.
Such a record cannot be addressed, updated or linked to, so a listing or a walk leaves it out,
logs a WARNING naming it, and reads the rest; `Client.walk` also reports it in
``IvrTree.skipped``. This is only tried after a record failed to read, so the everyday path pays
nothing for it; a record that fails for any other reason still fails the read, with the JSON path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from ..._account import Greeting, Group
from ..._models import Ivr, IvrMenu, IvrRoute, SkippedRecord

T = TypeVar("T")
logger = logging.getLogger("zendesk_ivr")

_KINDS: Final[Mapping[type, str]] = {
    Ivr: "ivr",
    IvrMenu: "menu",
    IvrRoute: "route",
    Group: "group",
    Greeting: "greeting",
}
# Where the records nested in a record are, and what they are.
_CHILDREN: Final = {"ivr": ("menus", "menu"), "menu": ("routes", "route")}


def salvage(
    raw: Any, cls: type[T], path: str, read: Callable[[Any, str], T]
) -> tuple[T | None, list[SkippedRecord]]:
    """
    After *raw* failed to read: *raw* read again without its unusable records (None when it is
    one itself), and those records, each logged. No records skipped means nothing was unusable:
    the caller re-raises its error.
    """
    kind = _KINDS.get(cls)
    if kind is None:
        return None, []
    cleaned, skipped = _without_unusable(raw, kind, path, None, None)
    if not skipped:
        return None, []
    item = None if cleaned is None else read(cleaned, path)
    for record in skipped:
        logger.warning(
            "skipped %s",
            record.describe(),
            extra={"skipped_kind": record.kind, "skipped_path": record.path},
        )
    return item, skipped


def _without_unusable(
    raw: Any, kind: str, path: str, ivr_id: int | None, menu_id: int | None
) -> tuple[Any, list[SkippedRecord]]:
    if not isinstance(raw, Mapping):
        return raw, []
    if raw.get("id") is None:
        return None, [SkippedRecord(kind, path, _label(raw, kind), ivr_id, menu_id)]
    if kind not in _CHILDREN or not isinstance(raw.get(_CHILDREN[kind][0]), list):
        return raw, []
    key, child_kind = _CHILDREN[kind]
    own_id = raw["id"] if isinstance(raw["id"], int) else None
    ids = (own_id, None) if kind == "ivr" else (ivr_id, own_id)
    kept: list[Any] = []
    skipped: list[SkippedRecord] = []
    for index, child in enumerate(raw[key]):
        cleaned, lost = _without_unusable(child, child_kind, f"{path}.{key}[{index}]", *ids)
        skipped.extend(lost)
        if cleaned is not None:
            kept.append(cleaned)
    return ({**raw, key: kept} if skipped else raw), skipped


def _label(raw: Mapping[str, Any], kind: str) -> str | None:
    label = raw.get("keypress" if kind == "route" else "name")
    return label if isinstance(label, str) else None
