"""
What Zendesk refuses in an IVR tree, found before anything is sent. Pure: no I/O, no models.

Every check reads JSON as the API takes it (an export's ``ivrs``, or the body a step sends) and
returns `Problem`\\ s, each with the JSON path of the value at fault, so whoever builds IVRs (an
export, a plan, a file written by hand) can list every problem at once instead of failing on
the first write. The rules are the ones the API documents (see docs/migration-safety.md):

- a route's ``keypress`` is ``"0"``-``"9"``, ``"*"``, ``"#"`` or ``"default"``, one route per key;
- ``group`` and ``voicemail`` routes ring at least one group (``group_ids``);
- ``phone_number`` routes forward to an E.164 number (``+`` and country code);
- ``textback`` routes name the Talk number to text from and the text to send;
- ``menu`` routes go to a menu of the same IVR;
- IVRs and menus have names, a greeting is an uploaded one's id or a built-in one's word id;
- an IVR has exactly one default menu.

Actions this release does not know are left to the server, as are their options: a newer API
may accept what these rules cannot know. Values the API leaves opaque (options, overflow
options) must not nest deeper than `MAX_DEPTH`, so that nothing downstream walks them deeply.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any, Final

from attrs import frozen

from .._models import KEYPRESSES, MAX_ID

__all__ = [
    "MAX_DEPTH",
    "Problem",
    "default_menu_problems",
    "depth_problems",
    "is_e164",
    "is_id",
    "ivr_fields_problems",
    "menu_fields_problems",
    "nesting",
    "route_problems",
    "tree_problems",
]

#: Levels of nesting read in a value the API leaves opaque. Zendesk's own are two deep
#: (``{"group_ids": [1]}``); a thousand would make every walk and every JSON writer recurse.
MAX_DEPTH: Final = 32
_E164: Final = re.compile(r"\+[1-9]\d{1,14}")
_GROUP_ACTIONS: Final = ("group", "voicemail")
_KNOWN_ACTIONS: Final = ("group", "voicemail", "phone_number", "textback", "menu")
_SMS_KEYS: Final = ("sms_text", "sms_textstring")


@frozen
class Problem:
    """One value the API would refuse: where it is (a JSON path such as ``$.ivrs[0].name``)."""

    path: str
    message: str

    def __str__(self) -> str:
        # The form cattrs gives structure errors, so both read alike in one list.
        return f"{self.message} @ {self.path}"


def is_id(value: object) -> bool:
    """A Zendesk id: a positive 64-bit integer (never a bool)."""
    return type(value) is int and 0 < value <= MAX_ID


def is_e164(number: object) -> bool:
    """A phone number in E.164 form: ``+``, a country code, at most 15 digits, nothing else."""
    return isinstance(number, str) and _E164.fullmatch(number) is not None


def depth_problems(value: Any, path: str, limit: int = MAX_DEPTH) -> list[Problem]:
    """A problem when *value* nests arrays and objects more than *limit* levels deep."""
    if nesting(value, limit) > limit:
        return [Problem(path, f"nested more than {limit} levels deep; refusing to read it")]
    return []


def nesting(value: Any, limit: int) -> int:
    """
    Levels of arrays and objects in *value* (0 for a scalar), counted without recursion and
    without looking below *limit* + 1 levels, so the deepest value costs no more than a shallow one.
    """
    deepest = 0
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, Mapping):
            children: Iterable[Any] = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > limit:
            return deepest
        todo.extend((child, depth + 1) for child in children)
    return deepest


def ivr_fields_problems(fields: Mapping[str, Any], path: str) -> list[Problem]:
    """An IVR's writable fields: a name, and Talk phone number ids."""
    problems = _name_problems(fields.get("name"), f"{path}.name", "an IVR")
    numbers = fields.get("phone_number_ids")
    if numbers is not None and not (
        isinstance(numbers, list | tuple) and all(is_id(n) for n in numbers)
    ):
        problems.append(Problem(f"{path}.phone_number_ids", "must be a list of phone number ids"))
    return problems


def menu_fields_problems(fields: Mapping[str, Any], path: str) -> list[Problem]:
    """A menu's writable fields: a name, and a greeting (an uploaded one's or a built-in one's)."""
    problems = _name_problems(fields.get("name"), f"{path}.name", "a menu")
    greeting = fields.get("greeting_id")
    if greeting is not None and not is_id(greeting) and not _is_built_in_greeting(greeting):
        problems.append(
            Problem(
                f"{path}.greeting_id",
                f"greeting_id {greeting!r:.40} is neither an uploaded greeting's id (an integer) "
                "nor a built-in one's (a word such as 'ivr_none')",
            )
        )
    return problems


def route_problems(
    route: Mapping[str, Any], path: str, *, menu_ids: Container[Any] | None = None
) -> list[Problem]:
    """
    A route as it is created: its ``keypress``, its ``action`` and the ``options`` that action
    needs. *menu_ids*, when given, are the menus of its IVR a ``menu`` route may go to;
    without them any menu id passes.
    """
    problems: list[Problem] = []
    keypress = route.get("keypress")
    if not isinstance(keypress, str) or keypress not in KEYPRESSES:
        problems.append(
            Problem(
                f"{path}.keypress",
                f"keypress {keypress!r:.40} is not one of 0-9, *, # or default",
            )
        )
    options = route.get("options")
    deep = [
        problem
        for key in ("options", "overflow_options")
        for problem in depth_problems(route.get(key), f"{path}.{key}")
    ]
    if deep:
        return problems + deep  # not looked into any further
    action = route.get("action")
    if not isinstance(action, str) or not action:
        problems.append(Problem(f"{path}.action", "a route needs an action"))
        return problems
    if action not in _KNOWN_ACTIONS:
        return problems  # a newer API's action: its options are the server's to judge
    if options is None:
        options = {}  # null options are options with nothing set
    if not isinstance(options, Mapping):
        problems.append(Problem(f"{path}.options", f"{action} route options must be an object"))
        return problems
    problems += _options_problems(action, options, f"{path}.options", menu_ids)
    return problems


def _options_problems(
    action: str, options: Mapping[str, Any], path: str, menu_ids: Container[Any] | None
) -> list[Problem]:
    if action in _GROUP_ACTIONS:
        groups = options.get("group_ids")
        if not isinstance(groups, list | tuple) or not groups:
            return [Problem(f"{path}.group_ids", f"a {action} route needs at least one group")]
        if not all(is_id(g) for g in groups):
            return [Problem(f"{path}.group_ids", "group_ids must be group ids")]
        return []
    if action == "phone_number":
        number = options.get("phone_number")
        if not is_e164(number):
            return [
                Problem(
                    f"{path}.phone_number",
                    f"phone number {number!r:.40} is not in E.164 form, such as +15551234567",
                )
            ]
        return []
    if action == "textback":
        problems = []
        if not is_id(options.get("textback_phone_number_id")):
            problems.append(
                Problem(
                    f"{path}.textback_phone_number_id",
                    "a textback route needs the id of the Talk number to text from",
                )
            )
        if not any(_is_text(options.get(key)) for key in _SMS_KEYS):
            problems.append(Problem(f"{path}.sms_text", "a textback route needs a text to send"))
        return problems
    target = options.get("menu_id")
    if menu_ids is not None and target in menu_ids:
        return []
    if not is_id(target):
        return [Problem(f"{path}.menu_id", "a menu route needs the id of the menu to go to")]
    if menu_ids is not None:
        return [Problem(f"{path}.menu_id", f"menu {target} is not a menu of this IVR")]
    return []


def tree_problems(ivrs: Sequence[Any], path: str = "$.ivrs") -> list[Problem]:
    """
    Every problem of IVRs in the API's JSON (an export's ``ivrs``, read as IVRs already): each
    IVR, menu and route as the API would refuse it on create, one default menu per IVR, one
    route per key of a menu. A ``menu`` route to a menu its IVR lacks is not one of them: a
    plan finds those (dangling references) and can leave them out.
    """
    problems: list[Problem] = []
    for i, ivr in enumerate(ivrs):
        at = f"{path}[{i}]"
        problems += ivr_fields_problems(ivr, at)
        menus = ivr.get("menus") or []
        problems += default_menu_problems(sum(1 for m in menus if m.get("default")), at)
        for j, menu in enumerate(menus):
            menu_at = f"{at}.menus[{j}]"
            problems += menu_fields_problems(menu, menu_at)
            taken: set[object] = set()
            for k, route in enumerate(menu.get("routes") or []):
                route_at = f"{menu_at}.routes[{k}]"
                problems += route_problems(route, route_at)
                keypress = route.get("keypress")
                if keypress in taken:
                    problems.append(
                        Problem(
                            f"{route_at}.keypress",
                            f"key {keypress!r:.40} is already answered by another route of "
                            "this menu",
                        )
                    )
                taken.add(keypress)
    return problems


def default_menu_problems(defaults: int, path: str) -> list[Problem]:
    """An IVR has exactly one default menu: the one callers hear first (it cannot be changed)."""
    if defaults == 1:
        return []
    many = "no menu is" if defaults == 0 else f"{defaults} menus are"
    return [Problem(f"{path}.menus", f"{many} the default; an IVR has exactly one default menu")]


def _name_problems(name: object, path: str, what: str) -> list[Problem]:
    if not _is_text(name):
        return [Problem(path, f"{what} needs a name")]
    return []


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_built_in_greeting(value: object) -> bool:
    # Built-in greetings have word ids ("ivr_none"); digits in a string are an id gone wrong.
    return _is_text(value) and not str(value).isdigit()
