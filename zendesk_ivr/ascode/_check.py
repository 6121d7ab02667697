"""
`check_ivr_file`: the audit's rules run on an IVR file offline, each finding at its line, and
the problems a plan would refuse that the file alone shows (two IVRs of one name...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from .._models import ACTIONS, UnknownOptions
from ..analysis._rules import DEFAULT_RULES, AuditContext, Finding, Rule, Severity, audit_ivrs
from ..migration._constraints import depth_problems
from ._problems import FileFinding
from ._read import IvrFile

__all__ = ["check_ivr_file"]

#: The field of its route, menu or IVR that a rule's finding is about.
_FOCUS: Final = {
    "dead_key": ".options.menu_id",
    "missing_group": ".options.group_ids",
    "unknown_group": ".options.group_ids",
    "invalid_phone_number": ".options.phone_number",
    "unknown_greeting": ".greeting_id",
    "no_phone_number": ".phone_number_ids",
}


def check_ivr_file(
    ivr_file: IvrFile, *, rules: Sequence[Rule] = DEFAULT_RULES
) -> list[FileFinding]:
    """
    What is wrong with *ivr_file*, offline, in the order of its lines: *rules* (the audit's, by
    default) run on its models, then names used twice where a plan needs them once.

    Offline, a group or greeting the file names is taken to exist (``plan`` looks them up); one
    it writes by id is one that no longer existed when the file was pulled, so the audit's
    ``unknown_group`` and ``unknown_greeting`` rules report it.
    """
    context = AuditContext(
        group_ids=frozenset(ivr_file.group_names),
        greeting_ids=frozenset(
            menu.greeting_id
            for ivr in ivr_file.ivrs
            for menu in ivr.menus
            if isinstance(menu.greeting_id, str)
        ),
    )
    findings = [
        _located(ivr_file, finding)
        for finding in audit_ivrs(ivr_file.ivrs, context=context, rules=rules)
    ]
    findings += _duplicate_names(ivr_file)
    findings += _unknown_actions(ivr_file)
    findings += _too_deep(ivr_file)
    return sorted(findings, key=lambda f: (f.line, f.column))


def _located(ivr_file: IvrFile, finding: Finding) -> FileFinding:
    object_id = finding.route_id or finding.menu_id or finding.ivr_id
    path = ivr_file.path_of(object_id) if object_id is not None else None
    message = finding.message
    if finding.rule == "dead_key":
        # A target the file names but its IVR lacks has a stand-in id: show the name instead.
        for stand_in, name in ivr_file.menu_names.items():
            message = re.sub(rf"\bmenu {stand_in}\b", f"menu {name!r}", message)
    return ivr_file.finding(
        f"{path or '$'}{_FOCUS.get(finding.rule, '.name')}",
        finding.rule,
        message,
        severity=finding.severity,
    )


def _duplicate_names(ivr_file: IvrFile) -> Iterable[FileFinding]:
    """Plans match IVRs, and menus within an IVR, by name: a name used twice is refused."""
    yield from _twice(ivr_file, [ivr.name for ivr in ivr_file.ivrs], "$", "IVR {!r}", "IVR")
    for i, ivr in enumerate(ivr_file.ivrs):
        what = f"IVR {ivr.name!r}, menu {{!r}}"
        yield from _twice(ivr_file, [m.name for m in ivr.menus], f"$.ivrs[{i}]", what, "menu")


def _twice(
    ivr_file: IvrFile, names: list[str], parent: str, what: str, noun: str
) -> Iterable[FileFinding]:
    kind = "ivrs" if noun == "IVR" else "menus"
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in first:
            line = ivr_file.locate(f"{parent}.{kind}[{first[name]}].name")[0]
            yield ivr_file.finding(
                f"{parent}.{kind}[{index}].name",
                "duplicate_name",
                f"{what.format(name)} is named like the {noun} on line {line}: plan finds "
                f"{noun}s by name, so it refuses two of one name",
            )
        first.setdefault(name, index)


def _unknown_actions(ivr_file: IvrFile) -> Iterable[FileFinding]:
    """An action this release does not know is sent as it is: an API that lacks it refuses it."""
    for i, ivr in enumerate(ivr_file.ivrs):
        for j, menu in enumerate(ivr.menus):
            for k, route in enumerate(menu.routes):
                if isinstance(route.options, UnknownOptions) and route.action not in ACTIONS:
                    yield ivr_file.finding(
                        f"$.ivrs[{i}].menus[{j}].routes[{k}]",
                        "unknown_action",
                        f"IVR {ivr.name!r}, menu {menu.name!r}, key {route.keypress} uses action "
                        f"{route.action!r}, which this release does not know: it is sent as it "
                        "is, and an account whose API does not know it refuses it",
                        severity=Severity.WARNING,
                    )


def _too_deep(ivr_file: IvrFile) -> Iterable[FileFinding]:
    """Data sent as it is (an unknown action's options, overflow) nested deeper than a plan
    reads: the plan would refuse it."""
    for i, ivr in enumerate(ivr_file.ivrs):
        for j, menu in enumerate(ivr.menus):
            for k, route in enumerate(menu.routes):
                at = f"$.ivrs[{i}].menus[{j}].routes[{k}]"
                opaque = [(f"{at}.overflow_options", list(route.overflow_options))]
                if isinstance(route.options, UnknownOptions):
                    opaque.append((f"{at}.options", route.options.data))
                for path, value in opaque:
                    for problem in depth_problems(value, path):
                        yield ivr_file.finding(problem.path, "too_deep", problem.message)
