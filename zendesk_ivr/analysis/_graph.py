r"""
Draw an IVR's call flow as a graph: Mermaid (for Markdown, GitHub, docs) or Graphviz DOT.

Pure functions, no I/O: pass an `Ivr` already read (``client.walk()`` or ``client.ivrs.get``)
and, optionally, the findings of `audit_ivrs` for it; get back the text of the drawing::

    findings = audit_ivrs([ivr])
    text = render_graph(ivr, findings, format="mermaid")  # or "dot", then `dot -Tsvg`

The drawing rules (node shapes and ids, edges, how findings mark the drawing, escaping) are
specified in ``docs/graph.md``; the golden files in ``tests/analysis/samples/graph/`` pin them.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final, Literal

from attrs import frozen

from .._exceptions import InvalidArgument
from .._models import (
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    RouteOptions,
    TextbackOptions,
    VoicemailOptions,
)
from ._rules import Finding

__all__ = ["GRAPH_FORMATS", "render_dot", "render_graph", "render_mermaid"]

GRAPH_FORMATS: Final = ("mermaid", "dot")

# The audit rules this module draws (their names in zendesk_ivr._audit).
_UNREACHABLE: Final = "unreachable_menu"
_EMPTY: Final = "empty_menu"
_DEAD_KEY: Final = "dead_key"
_DEFAULT: Final = "default_menu"


# --- the drawing, independent of the format ------------------------------------------------------


@frozen
class _Style:
    """How one class of node looks, in both formats."""

    fill: str
    stroke: str
    font: str = "#000000"
    dashed: bool = False
    bold: bool = False


# One style class per node; the order is the order of Mermaid's classDef lines.
_STYLES: Final[Mapping[str, _Style]] = {
    "ivr": _Style(fill="#ffffff", stroke="#333333", bold=True),
    "ivrWarning": _Style(fill="#fff3cd", stroke="#c98a00", font="#6b4a00", bold=True),
    "menu": _Style(fill="#dbe9ff", stroke="#3b6db3"),
    "defaultMenu": _Style(fill="#dbe9ff", stroke="#3b6db3", bold=True),
    "emptyMenu": _Style(fill="#fff3cd", stroke="#c98a00", font="#6b4a00"),
    "unreachable": _Style(fill="#eeeeee", stroke="#999999", font="#666666", dashed=True),
    "unreachableEmpty": _Style(fill="#fff3cd", stroke="#999999", font="#666666", dashed=True),
    "missing": _Style(fill="#ffd6d6", stroke="#cc0000", font="#990000", bold=True),
    "group": _Style(fill="#e3f5e1", stroke="#3c8d40"),
    "voicemail": _Style(fill="#f1e6ff", stroke="#7b4bb7"),
    "phone": _Style(fill="#ddf4f7", stroke="#23808c"),
    "textback": _Style(fill="#fdeee0", stroke="#b8642a"),
    "unknown": _Style(fill="#f4f4f4", stroke="#666666", font="#444444"),
}
_DEAD_EDGE_COLOR: Final = "#cc0000"


@frozen
class _Node:
    id: str
    kind: str  # ivr (Mermaid only), menu, missing, group, voicemail, phone, textback, unknown
    lines: tuple[str, ...]
    style: str  # a key of _STYLES


@frozen
class _Edge:
    source: str
    target: str
    label: str
    dead: bool


@frozen
class Drawing:
    """One IVR as every format draws it: nodes, edges, and what the findings mark."""

    name: str  # the graph's id, also the id of Mermaid's IVR node
    title: str  # "IVR <id>: <name>"
    note: str | None  # the default_menu finding, as a few words
    defaults: tuple[str, ...]  # ids of the menu nodes flagged default
    nodes: tuple[_Node, ...]
    edges: tuple[_Edge, ...]


_ID_CHARS: Final = frozenset(string.ascii_letters + string.digits)


def _int_part(value: int) -> str:
    return str(value) if value >= 0 else f"n{-value}"


def _text_part(value: str) -> str:
    """An id-safe spelling of *value*; different texts never share a spelling."""
    return "".join(c if c in _ID_CHARS else f"_{ord(c):x}_" for c in value)


def _node_id(kind: str, *parts: str) -> str:
    return "_".join((kind, *parts))


def _text_lines(text: str) -> list[str]:
    """*text* split at its line breaks, other control characters shown as spaces."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return ["".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in x) for x in lines]


def _one_line(text: str) -> str:
    return " ".join(_text_lines(text))


def _ids_text(ids: Sequence[int]) -> str:
    return ", ".join(map(str, ids))


@frozen
class Names:
    """The account's group and greeting names, where the caller read them (None: not read)."""

    groups: Mapping[int, str] | None = None
    greetings: Mapping[int | str, str] | None = None

    def groups_text(self, ids: Sequence[int]) -> str:
        """*ids* by name (ids the account no longer has as ``missing group 5``), or as ids."""
        if self.groups is None:
            return _ids_text(ids)
        names = self.groups
        return ", ".join(_one_line(names[i]) if i in names else f"missing group {i}" for i in ids)


def _target(
    options: RouteOptions, menu_ids: frozenset[int], names: Names
) -> tuple[_Node | None, str]:
    """The node a route leads to (None for a menu of this IVR) and that node's id."""
    by_name = names.groups is not None
    match options:
        case MenuOptions(menu_id=menu_id) if menu_id is not None and menu_id in menu_ids:
            return None, _node_id("menu", _int_part(menu_id))
        case MenuOptions(menu_id=menu_id):
            if menu_id is None:
                return _node("missing", (), ["missing menu (no id)"], "missing")
            return _node("missing", (_int_part(menu_id),), [f"missing menu {menu_id}"], "missing")
        case GroupOptions(group_ids=group_ids):
            ids = sorted(set(group_ids))
            which = names.groups_text(ids)
            label = f"Group{':' if by_name else ''} {which}"
            if len(ids) > 1:
                label = f"Groups{':' if by_name else ''} {which}"
            return _node("group", map(_int_part, ids), [label if ids else "No group"], "group")
        case VoicemailOptions(group_ids=group_ids):
            ids = sorted(set(group_ids))
            which = names.groups_text(ids)
            if not by_name:
                which = f"group {which}" if len(ids) == 1 else f"groups {which}"
            label = f"Voicemail: {which if ids else 'no group'}"
            return _node("voicemail", map(_int_part, ids), [label], "voicemail")
        case PhoneNumberOptions(phone_number=number):
            if number is None:
                return _node("phone", (), ["Call: no number"], "phone")
            return _node("phone", (_text_part(number),), _text_lines(f"Call {number}"), "phone")
        case TextbackOptions(textback_phone_number_id=number_id):
            if number_id is None:
                return _node("textback", (), ["Text back: no number"], "textback")
            label = f"Text back from number {number_id}"
            return _node("textback", (_int_part(number_id),), [label], "textback")
        case _:  # UnknownOptions: an action this version does not know
            action = options.action
            lines = _text_lines(f"{action} (unknown action)")
            return _node("unknown", (_text_part(action),), lines, "unknown")


def _node(kind: str, parts: Iterable[str], lines: list[str], style: str) -> tuple[_Node, str]:
    node = _Node(id=_node_id(kind, *parts), kind=kind, lines=tuple(lines), style=style)
    return node, node.id


def _menu_node(menu: IvrMenu, names: Names, *, unreachable: bool, empty: bool) -> _Node:
    lines = _text_lines(menu.name) if menu.name else [f"menu {menu.id}"]
    if menu.default:
        lines[-1] += " (default)"
    greeting, greetings = menu.greeting_id, names.greetings
    if greeting is not None and greetings is None:
        lines.append(f"greeting {greeting}")
    elif greeting is not None and greetings is not None:
        known = greeting in greetings
        lines.append(
            f"greeting: {_one_line(greetings[greeting])}"
            if known
            else f"missing greeting {greeting}"
        )
    if unreachable:
        lines.append("unreachable")
    if empty:
        lines.append("no routes")
    if unreachable:
        style = "unreachableEmpty" if empty else "unreachable"
    else:
        style = "emptyMenu" if empty else "defaultMenu" if menu.default else "menu"
    return _Node(
        id=_node_id("menu", _int_part(menu.id)), kind="menu", lines=tuple(lines), style=style
    )


def _findings_for(ivr: Ivr, findings: Sequence[Finding]) -> list[Finding]:
    mine: list[Finding] = []
    for finding in findings:
        if not isinstance(finding, Finding):
            raise InvalidArgument(f"findings must be a sequence of Finding, got {finding!r}")
        if finding.ivr_id is None or finding.ivr_id == ivr.id:
            mine.append(finding)
    return mine


def _is_dead(finding: Finding, menu: IvrMenu, route: IvrRoute) -> bool:
    return (
        finding.rule == _DEAD_KEY
        and finding.route_id == route.id
        and finding.menu_id in (None, menu.id)
    )


NO_NAMES: Final = Names()


def draw(ivr: Ivr, findings: Sequence[Finding], names: Names = NO_NAMES) -> Drawing:
    """The drawing of *ivr* that every format writes: its nodes and edges, findings marked."""
    if not isinstance(ivr, Ivr):
        raise InvalidArgument(f"ivr must be a zendesk_ivr.Ivr, got {ivr!r}")
    mine = _findings_for(ivr, findings)
    flagged = {rule: {f.menu_id for f in mine if f.rule == rule} for rule in (_UNREACHABLE, _EMPTY)}
    dead = [f for f in mine if f.rule == _DEAD_KEY]
    menu_ids = frozenset(m.id for m in ivr.menus)

    nodes: dict[str, _Node] = {}
    for menu in ivr.menus:
        node = _menu_node(
            menu,
            names,
            unreachable=menu.id in flagged[_UNREACHABLE],
            empty=menu.id in flagged[_EMPTY],
        )
        nodes.setdefault(node.id, node)  # a repeated menu id is drawn once, as it first came
    targets: dict[str, _Node] = {}
    edges: list[_Edge] = []
    for menu in ivr.menus:
        source = _node_id("menu", _int_part(menu.id))
        for route in menu.routes:
            target, target_id = _target(route.options, menu_ids, names)
            if target is not None:
                targets.setdefault(target_id, target)
            is_dead = any(_is_dead(f, menu, route) for f in dead)
            label = (_one_line(route.keypress) or "(no key)") + (" (dead key)" if is_dead else "")
            edges.append(_Edge(source=source, target=target_id, label=label, dead=is_dead))

    defaults = tuple(
        dict.fromkeys(_node_id("menu", _int_part(m.id)) for m in ivr.menus if m.default)
    )
    note = None
    if any(f.rule == _DEFAULT for f in mine):
        note = "no default menu" if not defaults else f"{len(defaults)} default menus"
    return Drawing(
        name=_node_id("ivr", _int_part(ivr.id)),
        title=f"IVR {ivr.id}: {_one_line(ivr.name)}",
        note=note,
        defaults=defaults,
        nodes=(*nodes.values(), *targets.values()),
        edges=tuple(edges),
    )


# --- Mermaid ----------------------------------------------------------------------------------

# Characters Mermaid would read as the end of a label, an entity, markup, a comment, a directive or
# a Markdown string, written as its ``#<decimal>;`` entities. Brackets, braces, pipes and
# semicolons are plain text inside a quoted label.
_MERMAID_ESCAPED: Final = frozenset('"#%&<>`')


_MERMAID_SHAPES: Final[Mapping[str, tuple[str, str]]] = {
    "ivr": ("(", ")"),
    "menu": ("[", "]"),
    "missing": ("[", "]"),
    "group": ("([", "])"),
    "voicemail": ("[(", ")]"),
    "phone": ("[/", "/]"),
    "textback": (">", "]"),
    "unknown": ("{{", "}}"),
}


def _mermaid_text(text: str) -> str:
    # Before parsing, Mermaid drops the last ";" of a line matching /style.*:\S*#.*;/ (meant for
    # style statements), which would break an entity; a ":" not followed by a space is therefore
    # an entity too, so no ":" can be followed by "#" without a space between.
    return "".join(
        f"#{ord(c)};" if c in _MERMAID_ESCAPED or (c == ":" and text[i + 1 : i + 2] != " ") else c
        for i, c in enumerate(text)
    )


def _mermaid_label(lines: Iterable[str]) -> str:
    return '"' + "<br>".join(map(_mermaid_text, lines)) + '"'


def _mermaid_class(name: str, style: _Style) -> str:
    props = [f"fill:{style.fill}", f"stroke:{style.stroke}", f"color:{style.font}"]
    if style.bold:
        props.append("stroke-width:3px")
    if style.dashed:
        props.append("stroke-dasharray:5 5")
    return f"    classDef {name} {','.join(props)}"


def render_mermaid(ivr: Ivr, findings: Sequence[Finding] = ()) -> str:
    """
    *ivr* as a Mermaid ``flowchart LR``, with *findings* of the audit marked on it.

    The text ends with a newline; paste it in a Markdown ``mermaid`` code block. The drawing
    conventions are in this module's docstring.
    """
    drawing = draw(ivr, findings)
    # Mermaid has no title but front matter, which it shows unescaped: the IVR is a node instead,
    # where the call comes in, with an unlabelled edge to each default menu.
    lines = (drawing.title,) if drawing.note is None else (drawing.title, drawing.note)
    style = "ivr" if drawing.note is None else "ivrWarning"
    entry = _Node(id=drawing.name, kind="ivr", lines=lines, style=style)
    nodes = (entry, *drawing.nodes)
    out = ["flowchart LR"]
    for node in nodes:
        start, end = _MERMAID_SHAPES[node.kind]
        out.append(f"    {node.id}{start}{_mermaid_label(node.lines)}{end}:::{node.style}")
    out.extend(f"    {entry.id} --> {menu_id}" for menu_id in drawing.defaults)
    for edge in drawing.edges:
        out.append(f"    {edge.source} -->|{_mermaid_label([edge.label])}| {edge.target}")
    offset = len(drawing.defaults)
    dead = [str(offset + i) for i, edge in enumerate(drawing.edges) if edge.dead]
    if dead:
        color = _DEAD_EDGE_COLOR
        out.append(f"    linkStyle {','.join(dead)} stroke:{color},stroke-width:2px,color:{color}")
    used = {node.style for node in nodes}
    out.extend(_mermaid_class(name, style) for name, style in _STYLES.items() if name in used)
    return "\n".join(out) + "\n"


# --- DOT ----------------------------------------------------------------------------------------

_DOT_SHAPES: Final[Mapping[str, str]] = {
    "menu": "box",
    "missing": "octagon",
    "group": "ellipse",
    "voicemail": "cylinder",
    "phone": "parallelogram",
    "textback": "note",
    "unknown": "hexagon",
}
_DOT_FONT: Final = "Helvetica"


def _dot_string(text: str) -> str:
    """A DOT double-quoted string showing *text* as written (no escString or entity meaning)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;") + '"'


def _dot_label(lines: Iterable[str]) -> str:
    # \n (a centred line break) is added after escaping, so it stays an escape.
    return '"' + "\\n".join(_dot_string(line)[1:-1] for line in lines) + '"'


def _dot_attrs(attrs: Mapping[str, str]) -> str:
    return "[" + ", ".join(f"{key}={value}" for key, value in attrs.items()) + "]"


def _dot_node(node: _Node, *, classes: bool) -> str:
    style = _STYLES[node.style]
    looks = ["filled"]
    if node.kind == "menu":
        looks.insert(0, "rounded")
    if style.dashed:
        looks.append("dashed")
    attrs = {
        "label": _dot_label(node.lines),
        "shape": _DOT_SHAPES[node.kind],
        "style": _dot_string(",".join(looks)),
        "fillcolor": _dot_string(style.fill),
        "color": _dot_string(style.stroke),
        "fontcolor": _dot_string(style.font),
    }
    if style.bold:
        attrs["penwidth"] = "2"
    if classes:
        kinds = node.kind if node.style == node.kind else f"{node.kind} {node.style}"
        attrs["class"] = _dot_string(kinds)
    return f"    {node.id} {_dot_attrs(attrs)};"


def _dot_edge(edge: _Edge, *, classes: bool) -> str:
    attrs = {"label": _dot_label([edge.label])}
    if classes:
        attrs["class"] = _dot_string("route dead" if edge.dead else "route")
    if edge.dead:
        color = _dot_string(_DEAD_EDGE_COLOR)
        attrs |= {"color": color, "fontcolor": color, "penwidth": "2"}
    return f"    {edge.source} -> {edge.target} {_dot_attrs(attrs)};"


def render_dot(ivr: Ivr, findings: Sequence[Finding] = ()) -> str:
    """
    *ivr* as a Graphviz ``digraph``, with *findings* of the audit marked on it.

    Render it with ``dot -Tsvg``. The drawing conventions are in this module's docstring.
    """
    return dot_text(draw(ivr, findings))


def dot_text(drawing: Drawing, *, classes: bool = False) -> str:
    """
    *drawing* in DOT; *classes* gives each node its kind and style and each edge ``route``
    (``route dead``) as the SVG classes Graphviz writes, for a page's styles and scripts.
    """
    title = (drawing.title,) if drawing.note is None else (drawing.title, drawing.note)
    font = _dot_string(_DOT_FONT)
    out = [
        f"digraph {drawing.name} {{",
        f"    graph [label={_dot_label(title)}, labelloc=t, rankdir=LR, fontname={font}];",
        f"    node [fontname={font}];",
        f"    edge [fontname={font}];",
    ]
    out.extend(_dot_node(node, classes=classes) for node in drawing.nodes)
    out.extend(_dot_edge(edge, classes=classes) for edge in drawing.edges)
    out.append("}")
    return "\n".join(out) + "\n"


# --- dispatch -----------------------------------------------------------------------------------

_RENDERERS: Final[Mapping[str, Callable[[Ivr, Sequence[Finding]], str]]] = {
    "mermaid": render_mermaid,
    "dot": render_dot,
}


def render_graph(
    ivr: Ivr,
    findings: Sequence[Finding] = (),
    *,
    format: Literal["mermaid", "dot"] = "mermaid",
) -> str:
    """
    *ivr* drawn in *format* (one of `GRAPH_FORMATS`), with *findings* of the audit marked on it.

    Raises:
        InvalidArgument: (a ValueError) for another format, an *ivr* that is not an `Ivr`, or
            *findings* that are not `Finding` objects.
    """
    renderer = _RENDERERS.get(format) if isinstance(format, str) else None
    if renderer is None:
        allowed = ", ".join(map(repr, GRAPH_FORMATS))
        raise InvalidArgument(f"format must be one of {allowed}, got {format!r}")
    return renderer(ivr, findings)
