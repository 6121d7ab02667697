"""
Moving IVR trees: the desired state, a plan of steps, applying it with a journal, and id maps.

```python
from zendesk_ivr.migration import apply, load_export, plan

desired = load_export("sandbox.json")
steps = plan(desired, await client.walk())
report = await apply(client, steps, journal="promote.journal")
```
"""

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
