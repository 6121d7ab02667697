"""
An IVR file against an account: its names resolved to the account's ids (the migration's own
matching, `match_by_name`), as the migration's desired state, and planned.

The file becomes an export-like desired state: stand-in ids for every group, greeting and Talk
number it names, with those names as its ``references``, so `match_by_name` maps them to the
account's ids (groups and greetings by exact name, numbers by number, ambiguity refused). What
the file writes by id (what had no name when it was pulled) is kept where the account knows
that id (its listings or its IVRs use it); elsewhere it is a dangling reference, refused or,
with ``skip_dangling``, left out, as for an export.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
from attrs import frozen

from .._account import Greeting, Group, PhoneNumber
from .._core.reading.serde import shared_converter
from .._models import (
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    IvrTree,
    MenuOptions,
    RouteOptions,
    TextbackOptions,
    UnknownOptions,
    VoicemailOptions,
)
from .._tasks import first_error
from ..migration._dangling import DanglingReference
from ..migration._idmap_by_name import match_by_name
from ..migration._planner import plan
from ..migration._references import References, read_account_objects, referenced_ids
from ..migration._refusal import PlanRefused
from ..migration._state import DesiredState, IdMap
from ..migration._steps import Plan, digest
from ._problems import FileFinding
from ._read import IvrFile

if TYPE_CHECKING:
    from .._client import Client

__all__ = ["IvrFileRefused", "Resolution", "plan_ivr_file", "plan_resolved", "resolve_ivr_file"]

_CONVERTER: Final = shared_converter()
_SECTIONS: Final = {"group": "groups", "greeting": "greetings", "phone_number": "phone_numbers"}


class IvrFileRefused(PlanRefused):
    """
    A plan refused for an IVR file: ``findings`` has every reason that has a place in the file
    (a name the account does not have, or has twice; a reference that dangles), each at its
    line; ``problems`` the others (two IVRs of the account with one name...).
    """

    def __init__(
        self,
        findings: Sequence[FileFinding],
        *,
        problems: Sequence[str] = (),
        dangling: Sequence[DanglingReference] = (),
    ) -> None:
        self.findings = tuple(findings)
        located = [str(f) for f in self.findings if f.rule != "dangling"]
        super().__init__([], [*located, *problems], dangling)

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "findings": [f.as_dict() for f in self.findings]}


@frozen
class Resolution:
    """
    An IVR file resolved against an account: the ``desired`` state to plan, the ``id_map``
    from its stand-in ids (and the ids it writes that the account knows) to the account's ids,
    and the file it came from.
    """

    desired: DesiredState
    id_map: IdMap
    ivr_file: IvrFile

    def origin(self, *, prune: bool, skip_dangling: bool) -> str:
        """
        What a plan of this resolution is made for: the file's data, what its names resolved
        to, and the options. It does not depend on the state of the account, so a journal
        written by an apply that stopped half way is recognised by the next run.
        """
        return digest(
            {
                "ivr_file": self.ivr_file.document,
                "id_map": self.id_map.to_json(),
                "prune": prune,
                "skip_dangling": skip_dangling,
            }
        )


def resolve_ivr_file(
    ivr_file: IvrFile,
    current: IvrTree | Iterable[Ivr],
    *,
    groups: Iterable[Group],
    greetings: Iterable[Greeting],
    phone_numbers: Iterable[PhoneNumber],
) -> Resolution:
    """
    *ivr_file* as the migration's desired state for the account whose IVRs are *current* and
    whose groups, greetings and Talk numbers are listed. Pure: no I/O.

    Where the file says what the account already has at the same place, the route keeps the
    account's own options JSON (nulls, key spelling, keys of a newer API), so nothing is
    rewritten; a changed route keeps the keys the file does not speak of.

    Raises:
        IvrFileRefused: a name the account does not have, or has more than once (every one,
            at its line).
    """
    ivrs = current.ivrs if isinstance(current, IvrTree) else tuple(current)
    groups, greetings, phone_numbers = tuple(groups), tuple(greetings), tuple(phone_numbers)
    built_in: set[int | str] = {g.id for g in greetings if isinstance(g.id, str)}
    file_ivrs, greeting_names = _named_greetings(ivr_file, built_in)
    references = References(ivr_file.group_names, greeting_names, ivr_file.phone_numbers)
    state = DesiredState(file_ivrs, None, references)
    known = _known_ids(ivrs, groups, greetings, phone_numbers)
    kept = IdMap(
        *(
            {i: i for i in used if i not in references.of(kind) and i in known[kind]}
            for kind, used in referenced_ids(file_ivrs).items()
        )
    )
    found = match_by_name(
        state, groups=groups, greetings=greetings, phone_numbers=phone_numbers, id_map=kept
    )
    unknown = [u for u in found.unmatched if u.name is not None]
    if unknown:
        uses = _uses(file_ivrs)
        findings = [
            ivr_file.finding(path, "unknown_name", _reason(u.kind, u.name or "", u.reason))
            for u in unknown
            for path in uses.get((u.kind, u.id), ["$"])
        ]
        raise IvrFileRefused(sorted(findings, key=lambda f: (f.line, f.column)))
    desired = _as_the_account_has_it(file_ivrs, ivrs, found.id_map)
    return Resolution(attrs.evolve(state, ivrs=desired), found.id_map, ivr_file)


def plan_resolved(
    resolution: Resolution,
    current: IvrTree | Iterable[Ivr],
    *,
    prune: bool = False,
    skip_dangling: bool = False,
) -> Plan:
    """
    The migration's `plan` of *resolution* against *current*.

    Raises:
        IvrFileRefused: the planner refused it; each dangling reference at its line.
    """
    try:
        return plan(
            resolution.desired,
            current,
            id_map=resolution.id_map,
            prune=prune,
            skip_dangling=skip_dangling,
            origin=resolution.origin(prune=prune, skip_dangling=skip_dangling),
        )
    except PlanRefused as refused:
        ivr_file = resolution.ivr_file
        findings = [_dangling_finding(ivr_file, d) for d in refused.dangling]
        others = []
        for problem in refused.problems:
            # What the API would refuse comes with the JSON path of the desired value, which
            # is the file's own place: the desired state keeps the file's order.
            message, at, path = problem.rpartition(" @ ")
            if at and path.startswith("$.ivrs["):
                findings.append(ivr_file.finding(path, "refused", message))
            else:
                others.append(problem)
        findings.sort(key=lambda f: (f.line, f.column))
        raise IvrFileRefused(findings, problems=others, dangling=refused.dangling) from None


async def plan_ivr_file(
    client: Client, ivr_file: IvrFile, *, prune: bool = False, skip_dangling: bool = False
) -> Plan:
    """
    The plan that makes *client*'s account what *ivr_file* says: the IVR tree and the
    account's groups, greetings and Talk numbers are read concurrently, the file's names
    resolved (`resolve_ivr_file`) and the migration's `plan` made (`prune`, `skip_dangling`
    as there). Apply it with `zendesk_ivr.migration.apply`.

    Raises:
        IvrFileRefused: a name the account lacks or has twice, or a dangling reference.
    """
    with first_error():
        async with asyncio.TaskGroup() as tasks:
            walking = tasks.create_task(client.walk())
            reading = tasks.create_task(read_account_objects(client))
    tree, objects = walking.result(), reading.result()
    resolution = resolve_ivr_file(
        ivr_file,
        tree,
        groups=objects.groups,
        greetings=objects.greetings,
        phone_numbers=objects.phone_numbers,
    )
    return plan_resolved(resolution, tree, prune=prune, skip_dangling=skip_dangling)


def _named_greetings(
    ivr_file: IvrFile, built_in: set[int | str]
) -> tuple[tuple[Ivr, ...], dict[int, str]]:
    """The file's IVRs with each greeting name (a string that is no built-in id) as a stand-in
    id, and those names by stand-in id."""
    taken = {i for ivr in ivr_file.ivrs for i in _ints(ivr)}
    fresh = (i for i in itertools.count(max(taken, default=0) + 1))
    by_name: dict[str, int] = {}
    ivrs = []
    for ivr in ivr_file.ivrs:
        menus = []
        for menu in ivr.menus:
            greeting = menu.greeting_id
            if isinstance(greeting, str) and greeting not in built_in:
                greeting = by_name.setdefault(greeting, next(fresh))
            menus.append(attrs.evolve(menu, greeting_id=greeting))
        ivrs.append(attrs.evolve(ivr, menus=tuple(menus)))
    return tuple(ivrs), {i: name for name, i in by_name.items()}


def _ints(ivr: Ivr) -> Iterator[int]:
    """Every id in *ivr*, its stand-ins and the ids it references."""
    yield ivr.id
    yield from ivr.phone_number_ids
    for menu in ivr.menus:
        yield menu.id
        if isinstance(menu.greeting_id, int):
            yield menu.greeting_id
        for route in menu.routes:
            yield route.id
            options = route.options
            if isinstance(options, GroupOptions | VoicemailOptions):
                yield from options.group_ids
            elif isinstance(options, MenuOptions) and options.menu_id is not None:
                yield options.menu_id
            elif isinstance(options, TextbackOptions) and options.textback_phone_number_id:
                yield options.textback_phone_number_id


def _known_ids(
    ivrs: Sequence[Ivr],
    groups: Sequence[Group],
    greetings: Sequence[Greeting],
    phone_numbers: Sequence[PhoneNumber],
) -> dict[str, set[int]]:
    """The ids the account knows, by kind: what it lists, and what its IVRs use."""
    used = referenced_ids(ivrs)
    return {
        "group": {g.id for g in groups} | set(used["group"]),
        "greeting": {g.id for g in greetings if isinstance(g.id, int)} | set(used["greeting"]),
        "phone_number": {p.id for p in phone_numbers} | set(used["phone_number"]),
    }


def _as_the_account_has_it(
    desired: Sequence[Ivr], current: Sequence[Ivr], id_map: IdMap
) -> tuple[Ivr, ...]:
    """
    *desired* with the account's own options where a route means what the account's route at
    the same place (IVR and menu by name, default menu to default menu, keypress) means: so a
    key to a menu that no longer exists stays where the account has it, and only there (the
    API refuses to send one anywhere else, so elsewhere it dangles).
    """
    by_name = _unique(current, lambda ivr: ivr.name)
    result = []
    for ivr in desired:
        match = by_name.get(ivr.name)
        pairs = _menu_pairs(ivr, match) if match is not None else {}
        targets = {m.id: c.id for m, c in ((m, pairs.get(m.id)) for m in ivr.menus) if c}
        menus = []
        for menu in ivr.menus:
            routes_now = (
                _unique(pairs[menu.id].routes, lambda r: r.keypress) if menu.id in pairs else {}
            )
            routes = []
            for route in menu.routes:
                options = _options_for(
                    route, now=routes_now.get(route.keypress), id_map=id_map, targets=targets
                )
                routes.append(attrs.evolve(route, options=options))
            menus.append(attrs.evolve(menu, routes=tuple(routes)))
        result.append(attrs.evolve(ivr, menus=tuple(menus)))
    return tuple(result)


def _menu_pairs(desired: Ivr, current: Ivr) -> dict[int, IvrMenu]:
    """Desired menu id -> the current menu it is planned against, as the planner pairs them."""
    d_default, c_default = desired.default_menu, current.default_menu
    others = _unique([m for m in current.menus if m is not c_default], lambda m: m.name)
    pairs: dict[int, IvrMenu] = {}
    for menu in desired.menus:
        if menu is d_default and c_default is not None:
            pairs[menu.id] = c_default
        elif menu.name in others:
            pairs[menu.id] = others[menu.name]
    return pairs


def _options_for(
    route: IvrRoute, *, now: IvrRoute | None, id_map: IdMap, targets: Mapping[int, int]
) -> RouteOptions:
    options = route.options
    if isinstance(options, UnknownOptions):
        return options
    if now is not None and now.action == route.action and type(now.options) is type(options):
        account = now.options
        assert not isinstance(account, UnknownOptions)
        translated: Any = _translated(options, id_map, targets)
        if translated is not None and attrs.evolve(translated, extra=account.extra) == account:
            # The same: sent (if at all) exactly as the account holds it.
            return UnknownOptions(route.action, copy.deepcopy(_CONVERTER.unstructure(account)))
        if isinstance(account.read_as, Mapping):
            # Changed: what the account holds with the changed fields replaced.
            changed: Any = options
            return attrs.evolve(changed, extra=account.extra, read_as=account.read_as)  # type: ignore[no-any-return]
    return options


def _translated(
    options: RouteOptions, id_map: IdMap, targets: Mapping[int, int]
) -> RouteOptions | None:
    """*options* with the account's ids in place of stand-ins; None when one has none."""
    if isinstance(options, GroupOptions | VoicemailOptions):
        if not all(g in id_map.groups for g in options.group_ids):
            return None
        return attrs.evolve(options, group_ids=[id_map.groups[g] for g in options.group_ids])
    if isinstance(options, TextbackOptions) and options.textback_phone_number_id is not None:
        sender = id_map.phone_numbers.get(options.textback_phone_number_id)
        return None if sender is None else attrs.evolve(options, textback_phone_number_id=sender)
    if isinstance(options, MenuOptions) and options.menu_id is not None:
        return attrs.evolve(options, menu_id=targets.get(options.menu_id, options.menu_id))
    return options


def _unique(items: Iterable[Any], key: Any) -> dict[Any, Any]:
    """Items by *key*, leaving out keys two items share (the planner refuses those)."""
    found: dict[Any, Any] = {}
    twice = set()
    for item in items:
        name = key(item)
        if name in found:
            twice.add(name)
        found[name] = item
    return {k: v for k, v in found.items() if k not in twice}


def _uses(ivrs: Sequence[Ivr]) -> dict[tuple[str, int], list[str]]:
    """Where each (kind, id) is used, as JSON paths into *ivrs*."""
    uses: dict[tuple[str, int], list[str]] = {}
    for i, ivr in enumerate(ivrs):
        at = f"$.ivrs[{i}]"
        for j, phone in enumerate(ivr.phone_number_ids):
            uses.setdefault(("phone_number", phone), []).append(f"{at}.phone_number_ids[{j}]")
        for j, menu in enumerate(ivr.menus):
            menu_at = f"{at}.menus[{j}]"
            if isinstance(menu.greeting_id, int):
                uses.setdefault(("greeting", menu.greeting_id), []).append(f"{menu_at}.greeting_id")
            for k, route in enumerate(menu.routes):
                route_at = f"{menu_at}.routes[{k}].options"
                options = route.options
                if isinstance(options, GroupOptions | VoicemailOptions):
                    for n, group in enumerate(options.group_ids):
                        uses.setdefault(("group", group), []).append(f"{route_at}.group_ids[{n}]")
                elif isinstance(options, TextbackOptions) and options.textback_phone_number_id:
                    uses.setdefault(("phone_number", options.textback_phone_number_id), []).append(
                        f"{route_at}.textback_phone_number_id"
                    )
    return uses


def _reason(kind: str, name: str, reason: str) -> str:
    if "ambiguous" in reason:
        return reason.replace("in the target", "in the account")
    noun = {"group": "group", "greeting": "greeting", "phone_number": "Talk number"}[kind]
    if kind == "phone_number":
        return f"no {noun} {name} in the account"
    extra = " and no built-in greeting has that id" if kind == "greeting" else ""
    return f"no {noun} named {name!r} in the account{extra}"


def _dangling_finding(ivr_file: IvrFile, dangling: DanglingReference) -> FileFinding:
    path, message = "$", str(dangling)
    for i, ivr in enumerate(ivr_file.ivrs):
        if ivr.name != dangling.ivr:
            continue
        path = f"$.ivrs[{i}]"
        if dangling.menu is None:
            if dangling.id in ivr.phone_number_ids:
                path += f".phone_number_ids[{ivr.phone_number_ids.index(dangling.id)}]"
            message = f"IVR {ivr.name!r} answers phone number {dangling.id}{_NOT_THERE}"
            break
        for j, menu in enumerate(ivr.menus):
            if menu.name != dangling.menu:
                continue
            path += f".menus[{j}]"
            if dangling.keypress is None:
                path += ".greeting_id"
                message = f"{_place(dangling)} plays greeting {dangling.id}{_NOT_THERE}"
                break
            for k, route in enumerate(menu.routes):
                if route.keypress == dangling.keypress:
                    path += f".routes[{k}].options" + _DANGLING_FIELD[dangling.kind]
            if dangling.kind == "menu":
                name = ivr_file.menu_names.get(dangling.id)
                what = (
                    f"{name!r}, which is not a menu of this IVR"
                    if name
                    else (f"{dangling.id}, which no longer exists")
                )
                message = f"{_place(dangling)} goes to menu {what}"
            else:
                noun = dangling.kind.replace("_", " ")
                message = (
                    f"{_place(dangling)} uses {noun} {dangling.id}, which the account does not have"
                )
            break
        break
    return ivr_file.finding(path, "dangling", message)


_NOT_THERE: Final = ", which the account does not have"
_DANGLING_FIELD: Final = {
    "menu": ".menu_id",
    "group": ".group_ids",
    "phone_number": ".textback_phone_number_id",
    "greeting": "",
}


def _place(dangling: DanglingReference) -> str:
    where = f"IVR {dangling.ivr!r}, menu {dangling.menu!r}"
    return where + (f", key {dangling.keypress}" if dangling.keypress is not None else "")
