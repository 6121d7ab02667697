"""
`plan`: the steps that make an account's IVRs what a desired state says, computed without I/O.

Objects are matched by meaning, never by id, so a tree exported from one account plans against
another: IVRs by name, menus by name within their IVR (the default menu by being the default:
every new IVR comes with one, named in the account's language), routes by keypress within
their menu. Step keys name objects the same way: ``ivr[Support]/menu[Billing]/route[1]``,
``ivr[Support]/default-menu`` for the default menu (``[``, ``]`` and ``\\`` in names are
escaped with a backslash; a pruned object whose name is not unique gets ``#id``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

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
from ._constraints import (
    Problem,
    default_menu_problems,
    depth_problems,
    ivr_fields_problems,
    menu_fields_problems,
    route_problems,
)
from ._dangling import DanglingKind, DanglingReference
from ._references import References
from ._refusal import PlanRefused, RefKind, UnmappedReference
from ._state import DesiredState, IdMap
from ._steps import Pending, Plan, Step, StepAction, StepKind, default_menu_key, digest, order_steps

__all__ = ["plan"]

_CONVERTER: Final = shared_converter()
_REF_KINDS: Final = ("group", "greeting", "phone_number")


def plan(
    desired: DesiredState | Iterable[Ivr],
    current: IvrTree | Iterable[Ivr],
    *,
    id_map: IdMap | None = None,
    prune: bool = False,
    same_account: bool = False,
    skip_dangling: bool = False,
    origin: str | None = None,
) -> Plan:
    """
    The steps that make *current* (``await client.walk()``) what *desired* says. Pure: no I/O.

    - Updates send only writable fields that differ: an IVR's ``phone_number_ids`` (compared as
      sets), a menu's ``name`` (the default menu's) and ``greeting_id``, a route's ``action``
      with ``options``, and ``overflow_options``. A new IVR's default menu always gets the
      desired name and greeting, since its automatic name depends on the account's language.
    - ``menu`` routes point at the target's menu: its id when it exists, else a `Pending` id
      filled in when the step creating it has run (so the menu is created first).
    - A dangling reference (`DanglingReference`) points at what does not exist where the
      desired state comes from: a route to a menu its IVR lacks, or, when the export lists
      what its source account had (``references``), a group, greeting or phone number the
      source did not have. No id map entry fixes it, so across accounts it refuses the plan
      unless the map names it anyway; within *same_account* it is kept as is. With
      *skip_dangling* it is left out and listed in ``Plan.skipped``: a route holding one is
      not created, changed or pruned, a menu keeps its greeting, an IVR goes without the number.
    - ``group_ids``, ``greeting_id``, ``phone_number_ids`` and ``textback_phone_number_id`` go
      through *id_map*; with *same_account*, an id the map does not name maps to itself.
      Options of actions this release does not know, and ``overflow_options``, are sent as is.
    - With *prune*, IVRs, menus and routes the desired state lacks are deleted (a menu with its
      routes, an IVR with its menus); a default menu is never deleted.
    - Every body a step would send is checked against the API's rules first (`_constraints`):
      a keypress ``"10"``, a group route left without groups, a number not in E.164 form, a
      textback route without its number or text, a menu route to a menu its IVR will not
      have, a new IVR without exactly one default menu. Each is a problem with the JSON path
      of the desired value (``$.ivrs[0].menus[1].routes[2].keypress``), and the plan is
      refused whole: nothing is half applied. Options nested deeper than
      `_constraints.MAX_DEPTH` levels are refused too.

    Raises:
        PlanRefused: with every unmapped reference, every dangling route and every other
            problem found.
    """
    state = desired if isinstance(desired, DesiredState) else DesiredState(desired)
    ivrs = current.ivrs if isinstance(current, IvrTree) else tuple(current)
    id_map = id_map if id_map is not None else IdMap()
    too_deep = _too_deep(state.ivrs, ivrs)
    if too_deep:
        # Walking them (to compare, to fingerprint, to write) would exhaust the stack.
        raise PlanRefused([], [str(problem) for problem in too_deep])
    planner = _Planner(
        id_map,
        same_account=same_account,
        prune=prune,
        skip_dangling=skip_dangling,
        references=state.references,
    )
    planner.run(state.ivrs, ivrs)
    if planner.unmapped or planner.problems or planner.dangling:
        unmapped = [
            UnmappedReference(kind, old, tuple(places))
            for (kind, old), places in sorted(
                planner.unmapped.items(),
                key=lambda item: (_REF_KINDS.index(item[0][0]), item[0][1]),
            )
        ]
        raise PlanRefused(unmapped, planner.problems, planner.dangling)
    if origin is None:
        options = {"prune": prune, "same_account": same_account}
        if skip_dangling:  # only when set, so the origin of earlier plans stays the same
            options["skip_dangling"] = True
        origin = digest(
            {
                "ivrs": _CONVERTER.unstructure(state.ivrs, tuple[Ivr, ...]),
                "id_map": id_map.to_json(),
                **options,
            }
        )
    steps = order_steps(planner.steps, planner.extra_deps)
    return Plan(steps, origin, skipped=tuple(planner.skipped))


class _Where(NamedTuple):
    """
    Where a reference is: the IVR's name, the menu's, the route's key, the step key, and the
    JSON path of the object in the desired state.
    """

    ivr: str
    menu: str | None
    keypress: str | None
    key: str
    path: str


class _Planner:
    """Walks the desired tree against the current one, collecting steps and refusals."""

    def __init__(
        self,
        id_map: IdMap,
        *,
        same_account: bool,
        prune: bool,
        skip_dangling: bool,
        references: References | None,
    ) -> None:
        self.id_map = id_map
        self.same_account = same_account
        self.prune = prune
        self.skip_dangling = skip_dangling
        self.references = references
        self.dangling: list[DanglingReference] = []
        self.skipped: list[DanglingReference] = []
        self.steps: list[Step] = []
        self.extra_deps: dict[str, set[str]] = {}
        self.unmapped: dict[tuple[RefKind, int], list[str]] = {}
        self.problems: list[str] = []
        # Route steps by the menu id the route points at now, for ordering menu deletes.
        self.leaving: dict[int, list[str]] = {}

    def run(self, desired: Sequence[Ivr], current: Sequence[Ivr]) -> None:
        _duplicates(self.problems, "IVRs named", [i.name for i in desired], "the desired state")
        by_name = _group(current, lambda ivr: ivr.name)
        for index, ivr in enumerate(desired):
            matches = by_name.get(ivr.name, [])
            if len(matches) > 1:
                self.problems.append(f"{len(matches)} IVRs of the account are named {ivr.name!r}")
                continue
            self.ivr(ivr, matches[0] if matches else None, f"$.ivrs[{index}]")
        if self.prune:
            wanted = {ivr.name for ivr in desired}
            for ivr in current:
                if ivr.name not in wanted:
                    key = _unique_key(f"ivr[{_esc(ivr.name)}]", ivr.id, by_name[ivr.name])
                    self.add(key, "delete", "ivr", (ivr.id,))

    def add(
        self,
        key: str,
        action: StepAction,
        kind: StepKind,
        ids: tuple[int | Pending, ...],
        *,
        fields: Mapping[str, Any] | None = None,
        before: Mapping[str, Any] | None = None,
    ) -> None:
        self.steps.append(
            Step(
                key=key,
                action=action,
                kind=kind,
                ids=ids,
                fields=dict(fields or {}),
                before=dict(before or {}),
            )
        )

    def refuse(self, problems: list[Problem]) -> None:
        """Note values the API would refuse in what a step sends."""
        self.problems.extend(str(problem) for problem in problems)

    def map_id(self, kind: RefKind, old: int, where: _Where) -> int | None:
        """The id *old* has in the target; None for a dangling reference left out."""
        table: Mapping[int, int] = {
            "group": self.id_map.groups,
            "greeting": self.id_map.greetings,
            "phone_number": self.id_map.phone_numbers,
        }[kind]
        if old in table:
            return table[old]
        if self.same_account:
            return old
        if self.references is not None and old not in self.references.of(kind):
            return self.dangle(kind, old, where)
        self.unmapped.setdefault((kind, old), []).append(where.key)
        return old

    def dangle(self, kind: DanglingKind, old: int, where: _Where) -> int | None:
        """Note a dangling reference: None when it is left out, else *old* (and refused)."""
        found = DanglingReference(
            kind=kind,
            id=old,
            ivr=where.ivr,
            menu=where.menu,
            keypress=where.keypress,
            key=where.key,
        )
        if self.skip_dangling:
            self.skipped.append(found)
            return None
        self.dangling.append(found)
        return old

    def ivr(self, desired: Ivr, current: Ivr | None, path: str) -> None:
        key = f"ivr[{_esc(desired.name)}]"
        where = _Where(desired.name, None, None, key, path)
        mapped = [self.map_id("phone_number", p, where) for p in desired.phone_number_ids]
        phones = [p for p in mapped if p is not None]
        # An update is checked as the record it leaves: the name it keeps is the desired one.
        written = {"name": desired.name, "phone_number_ids": phones}
        if current is None:
            self.refuse(ivr_fields_problems(written, path))
            # Every new IVR comes with one default menu, which the desired state must name.
            self.refuse(default_menu_problems(sum(m.default for m in desired.menus), path))
            self.add(key, "create", "ivr", (), fields=written)
            ivr_ref: int | Pending = Pending(key)
        else:
            ivr_ref = current.id
            if sorted(phones) != sorted(current.phone_number_ids):
                self.refuse(ivr_fields_problems(written, path))
                before = {"phone_number_ids": list(current.phone_number_ids)}
                self.add(
                    key,
                    "update",
                    "ivr",
                    (ivr_ref,),
                    fields={"phone_number_ids": phones},
                    before=before,
                )
        self.menus(desired, current, where, ivr_ref)

    def menus(
        self, desired: Ivr, current: Ivr | None, ivr_at: _Where, ivr_ref: int | Pending
    ) -> None:
        ivr_key = ivr_at.key
        _duplicates(self.problems, "menus named", [m.name for m in desired.menus], ivr_key)
        _duplicates(self.problems, "menus with id", [m.id for m in desired.menus], ivr_key)
        d_default = desired.default_menu
        c_default = current.default_menu if current is not None else None
        c_others = [m for m in (current.menus if current else ()) if m is not c_default]
        c_by_name = _group(c_others, lambda menu: menu.name)
        # Each desired menu: its key, its id in the target, and the current menu it matches.
        pairs: list[tuple[IvrMenu, str, int | Pending, IvrMenu | None]] = []
        paths = {id(menu): f"{ivr_at.path}.menus[{i}]" for i, menu in enumerate(desired.menus)}
        for menu in desired.menus:
            if menu is d_default and (current is None or c_default is not None):
                key = default_menu_key(ivr_key)
                match = c_default
            else:
                key = f"{ivr_key}/menu[{_esc(menu.name)}]"
                matches = c_by_name.get(menu.name, [])
                if len(matches) > 1:
                    self.problems.append(
                        f"{len(matches)} menus of {ivr_key} are named {menu.name!r}"
                    )
                    continue
                match = matches[0] if matches else None
            ref: int | Pending = match.id if match is not None else Pending(key)
            pairs.append((menu, key, ref, match))
        menu_refs = {menu.id: ref for menu, _key, ref, _match in pairs}
        # The menus a menu route may go to once the plan is applied: those of the desired
        # state, and without prune the account's others too.
        targets = set(menu_refs.values())
        if current is not None and not self.prune:
            targets.update(m.id for m in current.menus)
        for menu, key, ref, match in pairs:
            menu_at = _Where(desired.name, menu.name, None, key, paths[id(menu)])
            new_default = key == default_menu_key(ivr_key) and current is None
            self.menu(menu, match, menu_at, ivr_ref=ivr_ref, ref=ref, new_default=new_default)
            self.routes(
                menu,
                match,
                menu_at,
                ivr_ref=ivr_ref,
                menu_ref=ref,
                menu_refs=menu_refs,
                targets=targets,
            )
        if self.prune and current is not None:
            kept = {match.id for _menu, _key, _ref, match in pairs if match is not None}
            for menu in current.menus:
                if menu.id not in kept and not menu.default:
                    key = _unique_key(
                        f"{ivr_key}/menu[{_esc(menu.name)}]", menu.id, c_by_name[menu.name]
                    )
                    self.add(key, "delete", "menu", (current.id, menu.id))
                    self.extra_deps[key] = set(self.leaving.get(menu.id, ()))

    def menu(
        self,
        desired: IvrMenu,
        match: IvrMenu | None,
        at: _Where,
        *,
        ivr_ref: int | Pending,
        ref: int | Pending,
        new_default: bool,
    ) -> None:
        """The step for one menu: its name and greeting (a new IVR's default menu's, always)."""
        # The greeting to send: None for none, left out when its reference dangles.
        greeting: dict[str, int | str | None] = {"greeting_id": desired.greeting_id}
        # Built-in greetings (string ids such as "ivr_none") are the same on every account.
        if isinstance(desired.greeting_id, int):
            mapped = self.map_id("greeting", desired.greeting_id, at)
            greeting = {} if mapped is None else {"greeting_id": mapped}
        written = {"name": desired.name, **greeting}
        if new_default:
            # Zendesk names the automatic default menu in the account's language: always set.
            self.refuse(menu_fields_problems(written, at.path))
            self.add(at.key, "update", "menu", (ivr_ref, ref), fields=written)
        elif match is None:
            self.refuse(menu_fields_problems(written, at.path))
            fields = {"name": desired.name, **{k: v for k, v in greeting.items() if v}}
            self.add(at.key, "create", "menu", (ivr_ref,), fields=fields)
        else:
            have = {"name": match.name, "greeting_id": match.greeting_id}
            changed = {k: v for k, v in written.items() if have[k] != v}
            if changed:
                self.refuse(menu_fields_problems(written, at.path))
                before = {k: have[k] for k in changed}
                self.add(at.key, "update", "menu", (ivr_ref, ref), fields=changed, before=before)

    def routes(
        self,
        desired: IvrMenu,
        current: IvrMenu | None,
        menu_at: _Where,
        *,
        ivr_ref: int | Pending,
        menu_ref: int | Pending,
        menu_refs: Mapping[int, int | Pending],
        targets: set[int | Pending],
    ) -> None:
        menu_key = menu_at.key
        _duplicates(self.problems, "routes for key", [r.keypress for r in desired.routes], menu_key)
        by_key = _group(current.routes if current else (), lambda route: route.keypress)
        for index, route in enumerate(desired.routes):
            key = f"{menu_key}/route[{_esc(route.keypress)}]"
            route_at = menu_at._replace(
                keypress=route.keypress, key=key, path=f"{menu_at.path}.routes[{index}]"
            )
            dangles, sent = self.options(route, route_at, menu_refs)
            if dangles:
                continue  # it holds a dangling reference: refused, or left out
            matches = by_key.get(route.keypress, [])
            if len(matches) > 1:
                self.problems.append(
                    f"{len(matches)} routes of {menu_key} answer {route.keypress!r}"
                )
                continue
            overflow = list(route.overflow_options)
            # The route as created, or as an update leaves it (its key is the one it matched).
            written = {
                "keypress": route.keypress,
                "action": route.action,
                "options": sent,
                "overflow_options": overflow,
            }
            problems = route_problems(written, route_at.path, menu_ids=targets)
            if not matches:
                self.refuse(problems)
                fields = {"keypress": route.keypress, "action": route.action, "options": sent}
                if overflow:
                    fields["overflow_options"] = overflow
                self.add(key, "create", "route", (ivr_ref, menu_ref), fields=fields)
                continue
            (match,) = matches
            have_options = _CONVERTER.unstructure(match.options)
            changed: dict[str, Any] = {}
            before: dict[str, Any] = {}
            if match.action != route.action or have_options != sent:
                changed |= {"action": route.action, "options": sent}
                before |= {"action": match.action, "options": have_options}
            if list(match.overflow_options) != overflow:
                changed["overflow_options"] = overflow
                before["overflow_options"] = list(match.overflow_options)
            if changed:
                assert current is not None
                self.refuse(problems)
                ids = (ivr_ref, current.id, match.id)
                self.add(key, "update", "route", ids, fields=changed, before=before)
                self.note_leaving(match, key)
        if self.prune and current is not None:
            wanted = {route.keypress for route in desired.routes}
            for route in current.routes:
                if route.keypress not in wanted:
                    base = f"{menu_key}/route[{_esc(route.keypress)}]"
                    key = _unique_key(base, route.id, by_key[route.keypress])
                    self.add(key, "delete", "route", (ivr_ref, current.id, route.id))
                    self.note_leaving(route, key)

    def note_leaving(self, route: IvrRoute, step_key: str) -> None:
        if isinstance(route.options, MenuOptions) and route.options.menu_id is not None:
            self.leaving.setdefault(route.options.menu_id, []).append(step_key)

    def options(
        self, route: IvrRoute, where: _Where, menu_refs: Mapping[int, int | Pending]
    ) -> tuple[bool, Any]:
        """
        Whether a reference of the route dangles (refused, or left out with the route), and its
        options as JSON with every reference translated into the target. Options the account
        holds as null stay null (the plan's checks then say what Zendesk would refuse).
        """
        raw = _CONVERTER.unstructure(route.options)
        if raw is None:
            return False, None
        options = route.options
        refs_before = len(self.dangling) + len(self.skipped)
        if isinstance(options, GroupOptions | VoicemailOptions):
            raw["group_ids"] = [self.map_id("group", g, where) for g in options.group_ids]
        elif isinstance(options, TextbackOptions) and options.textback_phone_number_id is not None:
            raw["textback_phone_number_id"] = self.map_id(
                "phone_number", options.textback_phone_number_id, where
            )
        elif isinstance(options, MenuOptions) and options.menu_id is not None:
            target = menu_refs.get(options.menu_id)
            if target is None:
                if self.skip_dangling or not self.same_account:
                    self.dangle("menu", options.menu_id, where)
                # Within the same account, and not skipped, a dead key keeps its id as it is.
                target = options.menu_id
            raw["menu_id"] = target
        return len(self.dangling) + len(self.skipped) > refs_before, raw


def _too_deep(desired: Sequence[Ivr], current: Sequence[Ivr]) -> list[Problem]:
    """Route options and overflow options, desired or current, nested too deep to walk."""
    problems: list[Problem] = []
    for i, ivr in enumerate(desired):
        for j, menu in enumerate(ivr.menus):
            for k, route in enumerate(menu.routes):
                at = f"$.ivrs[{i}].menus[{j}].routes[{k}]"
                problems += depth_problems(_opaque(route.options), f"{at}.options")
                problems += depth_problems(list(route.overflow_options), f"{at}.overflow_options")
    for ivr in current:
        for menu in ivr.menus:
            for route in menu.routes:
                at = f"the account's route {route.id} (IVR {ivr.id}, menu {menu.id})"
                problems += depth_problems(_opaque(route.options), f"{at} options")
                problems += depth_problems(list(route.overflow_options), f"{at} overflow_options")
    return problems


def _opaque(options: RouteOptions) -> Any:
    """The JSON of route options the models keep as they are: what a deep value hides in."""
    if isinstance(options, UnknownOptions):
        return options.data
    return options.read_as if isinstance(options.read_as, Mapping) else options.extra


def _esc(name: str) -> str:
    return name.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _unique_key(key: str, object_id: int, namesakes: Sequence[object]) -> str:
    return key if len(namesakes) <= 1 else f"{key}#{object_id}"


def _group(items: Iterable[Any], by: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for item in items:
        grouped.setdefault(by(item), []).append(item)
    return grouped


def _duplicates(problems: list[str], what: str, values: Sequence[object], where: str) -> None:
    for value, count in _group(values, lambda v: v).items():
        if len(count) > 1:
            problems.append(f"{len(count)} {what} {value!r} in {where}")
