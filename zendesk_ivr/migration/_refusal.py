"""Why a desired state cannot be planned: `PlanRefused`, with every reference it cannot place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

from attrs import frozen

from .._exceptions import ZendeskError
from ._dangling import DanglingReference
from ._state import listed

__all__ = ["PlanRefused", "UnmappedReference"]

RefKind: TypeAlias = Literal["group", "greeting", "phone_number"]


@frozen
class UnmappedReference:
    """A reference the id map does not cover: its kind, old id and the objects using it."""

    kind: RefKind
    id: int
    used_by: tuple[str, ...]

    def __str__(self) -> str:
        places = ", ".join(self.used_by[:3])
        more = f" and {len(self.used_by) - 3} more" if len(self.used_by) > 3 else ""
        return f"{self.kind.replace('_', ' ')} {self.id} (used by {places}{more})"


class PlanRefused(ZendeskError):
    """
    The desired state cannot be planned safely; nothing was planned or sent.

    ``unmapped`` lists every reference the id map does not cover; ``dangling`` every reference
    to what does not exist where it comes from (a route to a menu its IVR lacks, or a group,
    greeting or phone number the export's source did not have), unless the plan was asked to
    skip them; ``problems`` every other reason (duplicate names or keypresses, an ambiguous
    match), one line each. `to_json` gives them all, unabridged.
    """

    def __init__(
        self,
        unmapped: Sequence[UnmappedReference],
        problems: Sequence[str] = (),
        dangling: Sequence[DanglingReference] = (),
    ) -> None:
        self.unmapped = tuple(unmapped)
        self.problems = tuple(problems)
        self.dangling = tuple(dangling)
        reasons = list(self.problems)
        if self.dangling:
            where = listed([str(d) for d in self.dangling])
            reasons.append(
                f"{len(self.dangling)} dangling references to what does not exist where they "
                f"come from ({where}); leave them out with skip_dangling (--skip-dangling)"
            )
        if self.unmapped:
            refs = ", ".join(f"{r.kind.replace('_', ' ')} {r.id}" for r in self.unmapped[:20])
            if len(self.unmapped) > 20:
                refs += f" and {len(self.unmapped) - 20} more"
            reasons.append(f"no id mapping for {refs} (add them to the id map)")
        super().__init__(f"plan refused: {listed(reasons)}")

    def to_json(self) -> dict[str, Any]:
        """Every reason for the refusal, none left out, as JSON."""
        return {
            "unmapped": [
                {"kind": r.kind, "id": r.id, "used_by": list(r.used_by)} for r in self.unmapped
            ],
            "dangling": [d.to_json() for d in self.dangling],
            "problems": list(self.problems),
        }
