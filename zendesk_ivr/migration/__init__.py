"""
Moving IVR trees: the desired state, a plan of steps, applying it with a journal, and id maps.

```python
from zendesk_ivr.migration import apply, load_export, plan

desired = load_export("sandbox.json")
steps = plan(desired, await client.walk())
report = await apply(client, steps, journal="promote.journal")
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._apply import ApplyFailed, ApplyReport, StepFailure, apply
    from ._dangling import DanglingReference
    from ._export import export
    from ._idmap_by_name import NameMapping, UnmatchedReference, map_by_name
    from ._journal import JournalError, JournalLocked, JournalMismatch, load_plan
    from ._planner import plan
    from ._references import References
    from ._refusal import PlanRefused, UnmappedReference
    from ._state import DesiredState, IdMap, InvalidExport, InvalidIdMap, load_export
    from ._steps import Pending, Plan, PlannedRequest, Step

# Grouped by what the names are for, sorted within each group (tests check both).
__all__ = [  # noqa: RUF022
    # What a migration starts from
    "DesiredState",
    "IdMap",
    "NameMapping",
    "References",
    "UnmatchedReference",
    "export",
    "load_export",
    "map_by_name",
    # The plan
    "DanglingReference",
    "Pending",
    "Plan",
    "PlannedRequest",
    "Step",
    "UnmappedReference",
    "plan",
    # Applying it
    "ApplyReport",
    "StepFailure",
    "apply",
    "load_plan",
    # Errors (under zendesk_ivr.ZendeskError)
    "ApplyFailed",
    "InvalidExport",
    "InvalidIdMap",
    "JournalError",
    "JournalLocked",
    "JournalMismatch",
    "PlanRefused",
]

# Applying imports the client (aiohttp, about 0.2 s): every name is imported when first used, so
# what needs only a pure part of the package (the audit's use of `_constraints`, an offline
# check of an IVR file) does not load the network stack.
_LAZY: dict[str, str] = {
    **dict.fromkeys(("ApplyFailed", "ApplyReport", "StepFailure", "apply"), "._apply"),
    "DanglingReference": "._dangling",
    "export": "._export",
    **dict.fromkeys(("NameMapping", "UnmatchedReference", "map_by_name"), "._idmap_by_name"),
    **dict.fromkeys(("JournalError", "JournalLocked", "JournalMismatch", "load_plan"), "._journal"),
    "plan": "._planner",
    "References": "._references",
    **dict.fromkeys(("PlanRefused", "UnmappedReference"), "._refusal"),
    **dict.fromkeys(
        ("DesiredState", "IdMap", "InvalidExport", "InvalidIdMap", "load_export"), "._state"
    ),
    **dict.fromkeys(("Pending", "Plan", "PlannedRequest", "Step"), "._steps"),
}

# Hidden from type checkers, which see the imports above: a misspelt name stays an error.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_names(__name__, _LAZY, globals(), __all__)
