"""
The audit's I/O: read an account's IVR tree, and the groups and greetings it is asked to check,
then run the rules (`_rules`) over them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._models import IvrTree
from .._tasks import both
from ._rules import DEFAULT_RULES, AuditContext, Finding, Rule, audit_ivrs

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["audit", "read_for_audit"]


async def audit(
    client: Client,
    *,
    check_groups: bool = False,
    check_greetings: bool = False,
    rules: Sequence[Rule] = DEFAULT_RULES,
    extra_rules: Sequence[Rule] = (),
) -> list[Finding]:
    """
    Read the account's IVR tree with `Client.walk` and audit it.

    *check_groups* and *check_greetings* also list the account's groups and greetings (one more
    paginated listing each, run alongside the walk) so routes to deleted groups and menus with
    deleted greetings show up. *extra_rules* run after *rules*.
    """
    tree, context = await read_for_audit(
        client, check_groups=check_groups, check_greetings=check_greetings
    )
    return audit_ivrs(tree.ivrs, context=context, rules=(*rules, *extra_rules))


async def read_for_audit(
    client: Client, *, check_groups: bool, check_greetings: bool
) -> tuple[IvrTree, AuditContext]:
    """The IVR tree and the lookups asked for, read concurrently; a failure stops the rest."""
    return await both(
        client.walk(), _context_of(client, groups=check_groups, greetings=check_greetings)
    )


async def _context_of(client: Client, *, groups: bool, greetings: bool) -> AuditContext:
    """The lookups the audit was asked for, run concurrently."""

    async def group_names() -> dict[int, str] | None:
        if not groups:
            return None
        return {g.id: g.name async for g in client.groups.list() if not g.deleted}

    async def greeting_names() -> dict[int | str, str] | None:
        if not greetings:
            return None
        return {g.id: g.name async for g in client.greetings.list()}

    found_groups, found_greetings = await both(group_names(), greeting_names())
    return AuditContext(
        group_ids=None if found_groups is None else frozenset(found_groups),
        greeting_ids=None if found_greetings is None else frozenset(found_greetings),
        group_names=found_groups,
        greeting_names=found_greetings,
    )
