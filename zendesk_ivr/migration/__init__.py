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

# Not typing's: type checkers read the block below as true (see zendesk_ivr._lazy).
TYPE_CHECKING = False
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

if not TYPE_CHECKING:
    from .._lazy import exports

    __getattr__, __dir__ = exports(
        __name__,
        {
            "._apply": ("ApplyFailed", "ApplyReport", "StepFailure", "apply"),
            "._dangling": ("DanglingReference",),
            "._export": ("export",),
            "._idmap_by_name": ("NameMapping", "UnmatchedReference", "map_by_name"),
            "._journal": ("JournalError", "JournalLocked", "JournalMismatch", "load_plan"),
            "._planner": ("plan",),
            "._references": ("References",),
            "._refusal": ("PlanRefused", "UnmappedReference"),
            "._state": ("DesiredState", "IdMap", "InvalidExport", "InvalidIdMap", "load_export"),
            "._steps": ("Pending", "Plan", "PlannedRequest", "Step"),
        },
        __all__,
    )
