r"""
What a migration sends: a `Plan` of `Step`\ s, each one create, update or delete, with the ids
not known before the apply as `Pending` ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias

import attrs
from attrs import field, frozen
from yarl import URL

from .._core.reading.envelopes import IVR_ENVELOPE, MENU_ENVELOPE, ROUTE_ENVELOPE
from .._core.reading.serde import shared_converter
from .._core.wire.urls import API_PATH, api_root, base_url_for, tree_segments
from .._models import IvrFields, IvrMenuFields, IvrRouteFields
from ._dangling import DanglingReference

StepAction: TypeAlias = Literal["create", "update", "delete"]
StepKind: TypeAlias = Literal["ivr", "menu", "route"]
STEP_ACTIONS: Final[tuple[StepAction, ...]] = ("create", "update", "delete")
_KINDS: Final[tuple[StepKind, ...]] = ("ivr", "menu", "route")
_ENVELOPES: Final = {"ivr": IVR_ENVELOPE, "menu": MENU_ENVELOPE, "route": ROUTE_ENVELOPE}
_FIELDS: Final = {"ivr": IvrFields, "menu": IvrMenuFields, "route": IvrRouteFields}
_DEFAULT_MENU: Final = "default-menu"
_CONVERTER: Final = shared_converter()


@frozen
class Pending:
    """An id the target account does not have yet: the one the object *key* gets when created."""

    key: str

    def __str__(self) -> str:
        return f"<id of {self.key}>"


@frozen(kw_only=True)
class PlannedRequest:
    """One request a step sends: method, path (query-less) and JSON body (None for a DELETE)."""

    method: str
    path: str
    json: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "json": self.json}


@frozen(kw_only=True)
class Step:
    """
    One create, update or delete of an IVR, a menu or a route.

    Attributes:
        key: the object it acts on, named by meaning (``ivr[Support]/menu[Billing]/route[1]``,
            ``ivr[Support]/default-menu``); unique within a plan.
        ids: the ids in the target account that locate it, outermost first: none to create an
            IVR, the IVR's to update or delete it or to create a menu in it, and so on. An id
            not known until another step has run is a `Pending`.
        fields: the JSON fields it sends (`Pending` where a menu id is not known yet).
        before: the current values of the fields an update changes, for display.
        depends_on: keys of the steps that must be done first.
        level: 0 for a step that depends on nothing, else one more than its deepest
            dependency; the steps of one level are independent of each other.
    """

    key: str
    action: StepAction
    kind: StepKind
    ids: tuple[int | Pending, ...] = ()
    fields: Mapping[str, Any] = field(factory=dict, hash=False)
    before: Mapping[str, Any] = field(factory=dict, hash=False)
    depends_on: tuple[str, ...] = ()
    level: int = 0

    def describe(self) -> str:
        """One line for people, such as ``update ivr[Support] phone_number_ids: [1] -> [2]``."""
        if self.action == "create":
            details = ", ".join(f"{k}={_show(v)}" for k, v in self.fields.items())
        elif self.action == "update":
            # A route's action goes with its options, changed or not; only changes are shown.
            details = ", ".join(
                f"{k}: {_show(self.before[k])} -> {_show(v)}"
                if k in self.before
                else f"{k} -> {_show(v)}"
                for k, v in self.fields.items()
                if k not in self.before or self.before[k] != v
            )
        else:
            details = ""
        after = f"  (after {', '.join(self.depends_on)})" if self.depends_on else ""
        return f"{self.action} {self.key}{' ' if details else ''}{details}{after}"

    def request(
        self, *, base_url: str | URL | None = None, ids: Mapping[str, int] | None = None
    ) -> PlannedRequest:
        """
        The request this step sends to the account at *base_url*; ids in *ids* (object key to
        id) fill in `Pending` ones, and any other shows as ``<id of KEY>``.
        """
        known = ids or {}
        root = "/" + API_PATH if base_url is None else api_root(base_url_for(None, base_url)).path
        path_ids = [_fill(i, known) for i in self.ids]
        path = "/".join([root, *tree_segments(_KINDS.index(self.kind), path_ids)])
        method = {"create": "POST", "update": "PUT", "delete": "DELETE"}[self.action]
        body = None
        if self.action != "delete":
            fields = _FIELDS[self.kind](**_fill(dict(self.fields), known))
            body = json.loads(
                json.dumps({_ENVELOPES[self.kind].write_key: _CONVERTER.unstructure(fields)})
            )
        return PlannedRequest(method=method, path=path, json=body)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "action": self.action,
            "kind": self.kind,
            "ids": _encode(list(self.ids)),
            "fields": _encode(dict(self.fields)),
            "before": _encode(dict(self.before)),
            "depends_on": list(self.depends_on),
            "level": self.level,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Step:
        """The step `to_json` wrote; ValueError when *data* is not one."""
        try:
            action, kind = data["action"], data["kind"]
            if action not in STEP_ACTIONS or kind not in _KINDS:
                raise ValueError(f"unknown step {action!r} of {kind!r}")
            ids = _decode(data["ids"])
            if not isinstance(ids, list) or not all(isinstance(i, int | Pending) for i in ids):
                raise ValueError("ids must be a list of ids")
            return cls(
                key=str(data["key"]),
                action=action,
                kind=kind,
                ids=tuple(ids),
                fields=dict(_decode(data["fields"])),
                before=dict(_decode(data["before"])),
                depends_on=tuple(str(k) for k in data["depends_on"]),
                level=int(data["level"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a plan step: {exc!r}") from None


@frozen
class Plan:
    """
    The steps that make an account what a desired state says, in a deterministic topological
    order (dependencies first; ties in the order of the desired state).

    ``origin`` says what the plan was made for: a digest of the desired state, the id map and
    the options, or the label the caller gave; a journal resumes only a plan of its origin.
    ``skipped`` lists the dangling references ``plan(..., skip_dangling=True)`` left out (not
    kept in a journal: a plan read back from one has none).
    """

    steps: tuple[Step, ...]
    origin: str = ""
    skipped: tuple[DanglingReference, ...] = field(default=(), kw_only=True)

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to send: the account already is as desired."""
        return not self.steps

    @property
    def fingerprint(self) -> str:
        """A digest of the plan's steps and origin, the same in every process."""
        return digest(self.to_json())

    def step(self, key: str) -> Step:
        """The step acting on *key*; KeyError if there is none."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def describe(self) -> list[str]:
        """One line per step, in order, then one per dangling reference left out (``skip``)."""
        return [step.describe() for step in self.steps] + [d.describe() for d in self.skipped]

    def requests(
        self, *, base_url: str | URL | None = None, ids: Mapping[str, int] | None = None
    ) -> list[PlannedRequest]:
        """The request of every step, in order (see `Step.request`)."""
        return [step.request(base_url=base_url, ids=ids) for step in self.steps]

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "steps": [step.to_json() for step in self.steps]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        """The plan `to_json` wrote; ValueError when *data* is not one."""
        try:
            steps = tuple(Step.from_json(step) for step in data["steps"])
            return cls(steps, str(data["origin"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a plan: {exc!r}") from None


def default_menu_key(ivr_key: str) -> str:
    """The key of the default menu of the IVR *ivr_key*."""
    return f"{ivr_key}/{_DEFAULT_MENU}"


# What a map_tree replacer returns to leave a node as it is (and look inside it).
KEEP: Final = object()


def map_tree(value: Any, replace: Callable[[Any], Any]) -> Any:
    """
    *value*, a JSON-like tree of dicts, lists and tuples, rebuilt with every node for which
    *replace* returns something other than `KEEP` replaced by what it returned. Nodes are
    visited in document order, without recursion: a tree of any depth costs no stack.
    """
    root: list[Any] = [None]
    # Each entry: a node, and the slot of the container being rebuilt it goes into.
    todo: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while todo:
        node, parent, slot = todo.pop()
        replaced = replace(node)
        if replaced is not KEEP:
            parent[slot] = replaced
        elif isinstance(node, Mapping):
            rebuilt: dict[Any, Any] = dict.fromkeys(node)  # the keys in their order
            parent[slot] = rebuilt
            todo.extend((v, rebuilt, k) for k, v in reversed(list(node.items())))
        elif isinstance(node, list | tuple):
            items: list[Any] = [None] * len(node)
            parent[slot] = items
            todo.extend((v, items, i) for i, v in reversed(list(enumerate(node))))
        else:
            parent[slot] = node
    return root[0]


def pendings(value: Any) -> list[Pending]:
    """Every `Pending` id in *value*, in order."""
    found: list[Pending] = []

    def collect(node: Any) -> Any:
        if isinstance(node, Pending):
            found.append(node)
        return KEEP

    map_tree(value, collect)
    return found


def _fill(value: Any, ids: Mapping[str, int]) -> Any:
    """*value* with each `Pending` replaced by its id, or by its placeholder when not known."""
    return map_tree(
        value, lambda node: ids.get(node.key, str(node)) if isinstance(node, Pending) else KEEP
    )


def _encode(value: Any) -> Any:
    return map_tree(
        value, lambda node: {"$pending": node.key} if isinstance(node, Pending) else KEEP
    )


def _decode(value: Any) -> Any:
    def pending(node: Any) -> Any:
        if isinstance(node, Mapping) and set(node) == {"$pending"}:
            return Pending(str(node["$pending"]))
        return KEEP

    return map_tree(value, pending)


def digest(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _show(value: Any) -> str:
    return json.dumps(_fill(value, {}), ensure_ascii=False)


def order_steps(steps: Sequence[Step], extra_deps: Mapping[str, set[str]]) -> tuple[Step, ...]:
    """
    *steps* with what each depends on (the creates of the pending ids it holds, and
    *extra_deps*) and its level, in a deterministic topological order (ties as given).
    """
    producer: dict[str, str] = {}
    for step in steps:
        if step.action == "create":
            producer[step.key] = step.key
            if step.kind == "ivr":
                producer[default_menu_key(step.key)] = step.key
    deps = {
        step.key: sorted(
            {producer[p.key] for p in pendings([step.ids, step.fields])}
            | extra_deps.get(step.key, set())
        )
        for step in steps
    }
    levels: dict[str, int] = {}

    def level(key: str) -> int:
        # Dependencies only point from children to what they need, so there is no cycle.
        if key not in levels:
            levels[key] = 1 + max((level(d) for d in deps[key]), default=-1)
        return levels[key]

    index = {step.key: i for i, step in enumerate(steps)}
    done = [
        attrs.evolve(step, depends_on=tuple(deps[step.key]), level=level(step.key))
        for step in steps
    ]
    return tuple(sorted(done, key=lambda step: (step.level, index[step.key])))
