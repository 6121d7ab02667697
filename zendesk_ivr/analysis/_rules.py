"""
The IVR audit's rules: what callers would trip over in an IVR tree, and the findings that say so.

A rule is a plain function ``rule(ivr, context) -> Iterable[Finding]``; the built-in ones are in
`DEFAULT_RULES`, and callers add their own the same way. Rules are pure: the I/O (walking the
tree, looking up groups and greetings) happens before, in `_audit.audit`, and a file of IVRs is
checked with the same rules offline (`zendesk_ivr.ascode`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from attrs import field, frozen

from .._models import (
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    TextbackOptions,
    VoicemailOptions,
)
from ..migration._constraints import is_e164

__all__ = [
    "DEFAULT_RULES",
    "AuditContext",
    "Finding",
    "Rule",
    "Severity",
    "audit_ivrs",
]


class Severity(enum.StrEnum):
    """
    How bad a finding is: errors break calls, warnings waste them, info is worth knowing.

    A string (``Severity.INFO == "info"``) that orders by how bad it is, not alphabetically:
    ``INFO < WARNING < ERROR``, so ``max(f.severity for f in findings)`` is the worst one and
    ``sorted`` puts errors last. Comparing with a plain string compares its severity.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error."""
        return _RANKS[self]

    # str's alphabetical order would put "error" first: every comparison goes by rank instead.
    def __lt__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank < rank

    def __le__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank <= rank

    def __gt__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank > rank

    def __ge__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank >= rank


def _rank_of(value: object) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return Severity(value).rank
    except ValueError:
        # Falling back to str's order would silently compare alphabetically.
        raise TypeError(f"cannot order a severity against {value!r}") from None


_RANKS: Final = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@frozen(kw_only=True)
class Finding:
    """One problem: which rule found it, how bad it is, where, and what to tell a person."""

    rule: str
    severity: Severity
    message: str
    ivr_id: int | None = None
    menu_id: int | None = None
    route_id: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "ivr_id": self.ivr_id,
            "menu_id": self.menu_id,
            "route_id": self.route_id,
            "message": self.message,
        }


def _frozen_map(names: Mapping[Any, str] | None) -> Mapping[Any, str] | None:
    # A read-only copy: the context is frozen, and callers may go on changing their dict.
    return None if names is None else MappingProxyType(dict(names))


@frozen(kw_only=True)
class AuditContext:
    """
    What the audit knows of the account beyond the IVRs; None where it was not looked up, in
    which case the rules that need it say nothing rather than guess.
    """

    group_ids: frozenset[int] | None = None
    #: Integers for uploaded greetings, strings for built-in ones ("voicemail_en", "ivr_none").
    greeting_ids: frozenset[int | str] | None = None
    #: The names of the groups in `group_ids`, for reports; the rules go by id alone.
    group_names: Mapping[int, str] | None = field(default=None, converter=_frozen_map, hash=False)
    #: The names of the greetings in `greeting_ids`, for reports.
    greeting_names: Mapping[int | str, str] | None = field(
        default=None, converter=_frozen_map, hash=False
    )


Rule = Callable[[Ivr, AuditContext], Iterable[Finding]]


def _where(ivr: Ivr, menu: IvrMenu | None = None, route: IvrRoute | None = None) -> str:
    text = f"IVR {ivr.name!r}"
    if menu is not None:
        text += f", menu {menu.name!r}"
    if route is not None:
        text += f", key {route.keypress}"
    return text


def default_menu(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """Exactly one menu must be the default: it is what a caller hears first."""
    defaults = [m for m in ivr.menus if m.default]
    if not defaults:
        yield Finding(
            rule="default_menu",
            severity=Severity.ERROR,
            ivr_id=ivr.id,
            message=f"{_where(ivr)} has no default menu: calls have nowhere to start",
        )
    elif len(defaults) > 1:
        names = ", ".join(repr(m.name) for m in defaults)
        yield Finding(
            rule="default_menu",
            severity=Severity.ERROR,
            ivr_id=ivr.id,
            message=f"{_where(ivr)} has {len(defaults)} default menus ({names}); "
            "which one callers hear is undefined",
        )


def empty_menu(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """A menu without routes plays its greeting, and then no key does anything."""
    for menu in ivr.menus:
        if not menu.routes:
            yield Finding(
                rule="empty_menu",
                severity=Severity.ERROR,
                ivr_id=ivr.id,
                menu_id=menu.id,
                message=f"{_where(ivr, menu)} has no routes: callers hear the greeting "
                "and nothing they press does anything",
            )


def _routes_of(ivr: Ivr) -> Iterator[tuple[IvrMenu, IvrRoute]]:
    for menu in ivr.menus:
        for route in menu.routes:
            yield menu, route


def _route_error(rule: str, ivr: Ivr, menu: IvrMenu, route: IvrRoute, problem: str) -> Finding:
    return Finding(
        rule=rule,
        severity=Severity.ERROR,
        ivr_id=ivr.id,
        menu_id=menu.id,
        route_id=route.id,
        message=f"{_where(ivr, menu, route)} {problem}",
    )


def dead_key(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """A key that goes to a menu that is not in this IVR drops the caller."""
    menu_ids = {m.id for m in ivr.menus}
    for menu, route in _routes_of(ivr):
        if route.action != "menu" or not isinstance(route.options, MenuOptions):
            continue
        target = route.options.menu_id
        if target is None or target not in menu_ids:
            problem = f"goes to menu {target}, which is not a menu of this IVR"
            yield _route_error("dead_key", ivr, menu, route, problem)


def reachable_menu_ids(ivr: Ivr) -> set[int]:
    """Menus a caller can get to from the default menu(s) by pressing keys."""
    by_id = {m.id: m for m in ivr.menus}
    todo = [m.id for m in ivr.menus if m.default]
    seen: set[int] = set()
    while todo:
        menu_id = todo.pop()
        if menu_id in seen or menu_id not in by_id:
            continue
        seen.add(menu_id)
        for route in by_id[menu_id].routes:
            if isinstance(route.options, MenuOptions) and route.options.menu_id is not None:
                todo.append(route.options.menu_id)
    return seen


def unreachable_menu(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """A menu no key leads to from the default menu is never heard."""
    if not any(m.default for m in ivr.menus):
        return  # default_menu already says why nothing is reachable
    reachable = reachable_menu_ids(ivr)
    for menu in ivr.menus:
        if menu.id not in reachable:
            yield Finding(
                rule="unreachable_menu",
                severity=Severity.WARNING,
                ivr_id=ivr.id,
                menu_id=menu.id,
                message=f"{_where(ivr, menu)} cannot be reached from the default menu",
            )


def group_routes(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """Group and voicemail routes need groups, and groups that still exist."""
    for menu, route in _routes_of(ivr):
        if not isinstance(route.options, GroupOptions | VoicemailOptions):
            continue
        if not route.options.group_ids:
            problem = f"is a {route.action} route with no group_ids: nobody takes the call"
            yield _route_error("missing_group", ivr, menu, route, problem)
        elif context.group_ids is not None:
            gone = [g for g in route.options.group_ids if g not in context.group_ids]
            if gone:
                listed = ", ".join(map(str, gone))
                problem = f"sends calls to group(s) {listed}, which no longer exist"
                yield _route_error("unknown_group", ivr, menu, route, problem)


def textback_route(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """A textback route needs the number to text from and the text to send."""
    for menu, route in _routes_of(ivr):
        if not isinstance(route.options, TextbackOptions):
            continue
        missing = [
            name
            for name, value in (
                ("textback_phone_number_id", route.options.textback_phone_number_id),
                ("SMS text", route.options.sms_text),
            )
            if not value
        ]
        if missing:
            problem = f"is a textback route without {' or '.join(missing)}: the caller gets no text"
            yield _route_error("incomplete_textback", ivr, menu, route, problem)


def incomplete_route(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """A route the account holds with a null keypress or action (read as "") does nothing."""
    for menu, route in _routes_of(ivr):
        missing = [name for name in ("keypress", "action") if not getattr(route, name)]
        if missing:
            problem = (
                f"has no {' and no '.join(missing)} (null in the account's data): "
                "no caller can use it"
            )
            yield _route_error("incomplete_route", ivr, menu, route, problem)


def phone_number_route(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """Forwarding needs a number in E.164 form (+ and country code)."""
    for menu, route in _routes_of(ivr):
        if not isinstance(route.options, PhoneNumberOptions):
            continue
        number = route.options.phone_number
        if not is_e164(number):
            problem = f"forwards to {number!r}, which is not an E.164 number like +15551234567"
            yield _route_error("invalid_phone_number", ivr, menu, route, problem)


def unknown_greeting(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """A menu whose greeting was deleted plays nothing before the options."""
    if context.greeting_ids is None:
        return
    for menu in ivr.menus:
        if menu.greeting_id is not None and menu.greeting_id not in context.greeting_ids:
            yield Finding(
                rule="unknown_greeting",
                severity=Severity.WARNING,
                ivr_id=ivr.id,
                menu_id=menu.id,
                message=f"{_where(ivr, menu)} uses greeting {menu.greeting_id!r}, "
                "which is not a greeting of the account",
            )


def no_phone_number(ivr: Ivr, context: AuditContext) -> Iterable[Finding]:
    """An IVR on no phone number is never reached."""
    if not ivr.phone_number_ids:
        yield Finding(
            rule="no_phone_number",
            severity=Severity.WARNING,
            ivr_id=ivr.id,
            message=f"{_where(ivr)} is attached to no phone number: no call ever reaches it",
        )


DEFAULT_RULES: Final[tuple[Rule, ...]] = (
    default_menu,
    empty_menu,
    dead_key,
    unreachable_menu,
    group_routes,
    incomplete_route,
    textback_route,
    phone_number_route,
    unknown_greeting,
    no_phone_number,
)


def audit_ivrs(
    ivrs: Iterable[Ivr],
    *,
    context: AuditContext | None = None,
    rules: Sequence[Rule] = DEFAULT_RULES,
) -> list[Finding]:
    """Run *rules* over IVRs already read; no I/O. Findings come in IVR, then rule order."""
    context = context or AuditContext()
    findings: list[Finding] = []
    for ivr in ivrs:
        for rule in rules:
            findings.extend(rule(ivr, context))
    return findings
