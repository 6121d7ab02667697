"""
The call-flow graph: Mermaid and DOT text for hand-built IVRs, marked with the audit's findings.

The DOT output is read back by pydot, an independent DOT parser that refuses syntax errors, and,
where Graphviz is installed (CI installs it), rendered with ``dot -Tsvg`` too; the Mermaid output
by a structural parse of every line. Run this file as a script to rewrite the golden files under
``tests/analysis/samples/graph/`` after a deliberate change to the drawing.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import attrs
import pydot
import pytest

from zendesk_ivr._exceptions import InvalidArgument
from zendesk_ivr._models import (
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    MenuOptions,
    PhoneNumberOptions,
    RouteOptions,
    TextbackOptions,
    UnknownOptions,
    VoicemailOptions,
)
from zendesk_ivr.analysis._graph import GRAPH_FORMATS, render_dot, render_graph, render_mermaid
from zendesk_ivr.analysis._rules import Finding, Severity, audit_ivrs

GOLDEN = Path(__file__).parent / "samples" / "graph"


# --- IVRs built by hand ------------------------------------------------------------------------


def _route(route_id: int, keypress: str, options: RouteOptions) -> IvrRoute:
    return IvrRoute(id=route_id, keypress=keypress, action=options.action, options=options)


def support_ivr() -> Ivr:
    """
    The known IVR: every kind of target, one dead key (3 -> menu 99), one unreachable menu
    (Old promo), one menu without routes (After hours), groups {1, 2} reached by two keys.
    """
    main = IvrMenu(
        id=10,
        name="Main menu",
        default=True,
        greeting_id=55,
        routes=(
            _route(101, "1", GroupOptions(group_ids=[2, 1])),
            _route(102, "2", MenuOptions(menu_id=11)),
            _route(103, "3", MenuOptions(menu_id=99)),
            _route(104, "*", VoicemailOptions(group_ids=[1])),
            _route(105, "#", PhoneNumberOptions(phone_number="+15551234567")),
            _route(106, "default", GroupOptions(group_ids=[1, 2])),
        ),
    )
    sales = IvrMenu(
        id=11,
        name="Sales",
        routes=(
            _route(111, "1", TextbackOptions(textback_phone_number_id=9, sms_text="We'll text")),
            _route(112, "2", MenuOptions(menu_id=13)),
            _route(113, "9", UnknownOptions(action="callback", data={"queue": 4})),
            _route(114, "0", MenuOptions(menu_id=10)),
        ),
    )
    promo = IvrMenu(
        id=12, name="Old promo", routes=(_route(121, "1", GroupOptions(group_ids=[3])),)
    )
    closed = IvrMenu(id=13, name="After hours")
    return Ivr(id=7, name="Support line", menus=(main, sales, promo, closed), phone_number_ids=(1,))


NASTY_NAMES = (
    'He said "hi"',
    "[a] {b} (c) |d| <e> ;f; #g",
    "<b>bold</b> & <script>x</script>",
    "R&amp;D #quot; #35; &#60;",
    "主菜单",
    "two\nlines",
    "back\\slash \\n \\N \\",
    "`md`",
    "end",
    "style:#35;x;",
    "classDef menu fill:#f00;",
    "%%{init: {}}%%",
    "%% comment",
    "x --> y",
    "ends with:",
    'a"]:::x',
    "emoji 📞 ü",
)


def nasty_ivr() -> Ivr:
    """One menu per nasty name; each also names an unknown action and a phone number."""
    count = len(NASTY_NAMES)
    menus = tuple(
        IvrMenu(
            id=index + 1,
            name=name,
            default=index == 0,
            routes=(
                _route(100 + index, "#", MenuOptions(menu_id=(index + 1) % count + 1)),
                _route(200 + index, "*", UnknownOptions(action=name, data=None)),
                _route(300 + index, "1", PhoneNumberOptions(phone_number=name)),
            ),
        )
        for index, name in enumerate(NASTY_NAMES)
    )
    return Ivr(id=3, name='Nasty "IVR" [x] {y} <z> & #1; 主', menus=menus)


# --- reading the output back -------------------------------------------------------------------

_ID = r"[A-Za-z][A-Za-z0-9_]*"
_MERMAID_SHAPES = {"(": ")", "[": "]", "([": "])", "[(": ")]", "[/": "/]", ">": "]", "{{": "}}"}
_MERMAID_NODE = re.compile(
    rf'^    (?P<id>{_ID})(?P<open>\(\[|\[\(|\[/|\{{\{{|\(|\[|>)"(?P<label>[^"]*)"'
    rf"(?P<close>\]\)|\)\]|/\]|\}}\}}|\)|\]):::(?P<cls>[A-Za-z]+)$"
)
_MERMAID_ENTRY = re.compile(r"^    (?P<src>ivr_\w+) --> (?P<dst>menu_\w+)$")
_MERMAID_EDGE = re.compile(rf'^    (?P<src>{_ID}) -->\|"(?P<label>[^"]*)"\| (?P<dst>{_ID})$')
_MERMAID_LINK_STYLE = re.compile(
    r"^    linkStyle (?P<edges>\d+(?:,\d+)*) [a-z-]+:[^ ,;]+(?:,[a-z-]+:[^,;]+)*$"
)
_MERMAID_CLASS_DEF = re.compile(
    r"^    classDef (?P<name>[A-Za-z]+) [a-z-]+:[^,;]+(?:,[a-z-]+:[^,;]+)*$"
)
# What Mermaid's encodeEntities does to a line before parsing: drops its last ";".
_MERMAID_STYLE_REWRITE = re.compile(r"style.*:\S*#.*;")


@attrs.frozen
class MermaidGraph:
    title: str  # the shown text of the IVR node
    nodes: dict[str, tuple[str, str, str]]  # id -> (shape opening, shown text, class)
    entries: list[str]  # the menus the IVR node points at
    edges: list[tuple[str, str, str]]  # keypress edges: (source, target, shown text)
    dead_edges: list[int]  # indexes into edges of the red ones
    class_defs: dict[str, str]


def _mermaid_shown(label: str) -> str:
    """The text Mermaid draws for a quoted label: only entities and <br> may be markup."""
    assert not re.search(r'["%&<>`]', label.replace("<br>", "")), label
    assert not re.search(r"#(?!\d+;)", label), f"bare # in {label!r}"
    assert not re.search(r":[^ ]", label), f"':' followed by other than a space in {label!r}"
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label.replace("<br>", "\n"))


def parse_mermaid(text: str) -> MermaidGraph:
    """Check every line of a rendered flowchart and read it back; fails on anything unexpected."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert lines[0] == "flowchart LR"
    graph = MermaidGraph(title="", nodes={}, entries=[], edges=[], dead_edges=[], class_defs={})
    links = 0
    for line in lines[1:]:
        if "classDef" not in line and "linkStyle" not in line:
            assert not _MERMAID_STYLE_REWRITE.search(line), f"Mermaid would rewrite {line!r}"
        if node := _MERMAID_NODE.match(line):
            assert not links, "nodes come before edges"
            assert _MERMAID_SHAPES[node["open"]] == node["close"], line
            assert node["id"] not in graph.nodes, f"{node['id']} declared twice"
            shown = _mermaid_shown(node["label"])
            graph.nodes[node["id"]] = (node["open"], shown, node["cls"])
        elif entry := _MERMAID_ENTRY.match(line):
            assert not graph.edges, "the IVR's edges come first"
            assert entry["src"] == next(iter(graph.nodes)), "the IVR is the first node"
            assert entry["dst"] in graph.nodes, f"edge to undeclared {entry['dst']}"
            graph.entries.append(entry["dst"])
            links += 1
        elif edge := _MERMAID_EDGE.match(line):
            assert edge["src"] in graph.nodes, f"edge from undeclared {edge['src']}"
            assert edge["dst"] in graph.nodes, f"edge to undeclared {edge['dst']}"
            graph.edges.append((edge["src"], edge["dst"], _mermaid_shown(edge["label"])))
            links += 1
        elif link_style := _MERMAID_LINK_STYLE.match(line):
            styled = [int(i) for i in link_style["edges"].split(",")]
            assert all(len(graph.entries) <= i < links for i in styled), line
            graph.dead_edges.extend(i - len(graph.entries) for i in styled)
        elif class_def := _MERMAID_CLASS_DEF.match(line):
            graph.class_defs[class_def["name"]] = line.split(" ", 6)[-1]
        else:
            pytest.fail(f"not a line of the expected grammar: {line!r}")
    assert {cls for _, _, cls in graph.nodes.values()} == set(graph.class_defs)
    ivr_id, (shape, title, cls) = next(iter(graph.nodes.items()))
    assert ivr_id.startswith("ivr_"), "the IVR is the first node"
    assert (shape, cls in ("ivr", "ivrWarning")) == ("(", True)
    return attrs.evolve(graph, title=title)


_DOT_STRING = r'"(?:[^"\\]|\\.)*"'
_DOT_ATTRS = rf"\[(?P<attrs>(?:[a-z]+=(?:{_DOT_STRING}|[A-Za-z0-9.]+)(?:, )?)+)\]"
_DOT_NODE = re.compile(rf"^    (?P<id>{_ID}) {_DOT_ATTRS};$")
_DOT_EDGE = re.compile(rf"^    (?P<src>{_ID}) -> (?P<dst>{_ID}) {_DOT_ATTRS};$")
_DOT_ATTR = re.compile(rf"([a-z]+)=({_DOT_STRING}|[A-Za-z0-9.]+)")


def _dot_value(value: str) -> str:
    """The text Graphviz shows for a DOT value (a quoted label with \\n breaks and entities)."""
    if not value.startswith('"'):
        return value
    unescaped = re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value[1:-1])
    return html.unescape(unescaped)


def dot_attrs(dot: str, element: str) -> dict[str, str]:
    """The attributes (as Graphviz reads them) of node ``id`` or edge ``a -> b`` in *dot*."""
    for line in dot.split("\n"):
        match = _DOT_NODE.match(line) or _DOT_EDGE.match(line)
        if match and line.startswith(f"    {element} ["):
            return {k: _dot_value(v) for k, v in _DOT_ATTR.findall(match["attrs"])}
    raise AssertionError(f"{element} is not in the DOT text")


_DOT_HEAD = re.compile(
    r"^digraph (?P<id>ivr_\w+) \{\n"
    rf"    graph \[label=(?P<label>{_DOT_STRING}), labelloc=t, rankdir=LR, "
    r'fontname="Helvetica"\];\n'
    r'    node \[fontname="Helvetica"\];\n'
    r'    edge \[fontname="Helvetica"\];\n'
)


def dot_labels(dot: str) -> dict[str, str]:
    """
    Graph and node ids -> shown label (the graph's is the title), checking every line against
    the expected grammar.
    """
    head = _DOT_HEAD.match(dot)
    assert head, dot[:300]
    lines = dot[:-1].split("\n")
    assert lines[-1] == "}"
    labels = {head["id"]: _dot_value(head["label"])}
    for line in lines[4:-1]:
        if node := _DOT_NODE.match(line):
            attrs_ = {k: _dot_value(v) for k, v in _DOT_ATTR.findall(node["attrs"])}
            labels[node["id"]] = attrs_["label"]
        else:
            edge = _DOT_EDGE.match(line)
            assert edge, f"not a line of the expected grammar: {line!r}"
            assert edge["src"] in labels
            assert edge["dst"] in labels
    return labels


def drawn_texts(dot: str) -> set[str]:
    """
    Every line of text *dot* draws. pydot always parses it (a syntax error fails the test);
    where Graphviz is installed (CI installs it), the lines are those of its SVG rendering, so
    the render is checked there too. Callers assert the same expectations in both cases.
    """
    parsed = parsed_texts(dot)
    if shutil.which("dot") is None:
        return parsed
    return svg_texts(render_svg(dot))


def parsed_texts(dot: str) -> set[str]:
    """The lines of every graph, node and edge label in *dot*, as pydot reads them."""
    graphs = pydot.graph_from_dot_data(dot)
    assert graphs is not None, f"pydot refused the DOT text:\n{dot}"
    (graph,) = graphs
    assert graph.get_type() == "digraph"
    labels = [element.get("label") for element in [*graph.get_nodes(), *graph.get_edges()]]
    return {line for label in labels if label is not None for line in _dot_value(label).split("\n")}


def render_svg(dot: str) -> str:
    """*dot* rendered by Graphviz, which must accept it."""
    executable = shutil.which("dot")
    assert executable is not None
    result = subprocess.run(
        [executable, "-Tsvg"], input=dot.encode(), capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode()


def svg_texts(svg: str) -> set[str]:
    """Every line of text drawn in an SVG that Graphviz made."""
    root = ET.fromstring(svg)
    return {t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")}


# --- the known IVR, whole ----------------------------------------------------------------------


def test_the_known_ivr_has_the_findings_the_golden_files_draw() -> None:
    found = {(f.rule, f.menu_id, f.route_id) for f in audit_ivrs([support_ivr()])}
    assert found == {
        ("empty_menu", 13, None),
        ("dead_key", 10, 103),
        ("unreachable_menu", 12, None),
    }


def test_mermaid_of_the_known_ivr_is_the_golden_text() -> None:
    ivr = support_ivr()
    rendered = render_mermaid(ivr, audit_ivrs([ivr]))
    assert rendered == (GOLDEN / "support.mmd").read_text(encoding="utf-8")


def test_dot_of_the_known_ivr_is_the_golden_text() -> None:
    ivr = support_ivr()
    rendered = render_dot(ivr, audit_ivrs([ivr]))
    assert rendered == (GOLDEN / "support.dot").read_text(encoding="utf-8")


def test_mermaid_of_the_known_ivr_parses_with_every_edge_between_declared_nodes() -> None:
    ivr = support_ivr()
    graph = parse_mermaid(render_mermaid(ivr, audit_ivrs([ivr])))
    assert graph.title == "IVR 7: Support line"
    assert graph.entries == ["menu_10"]
    assert list(graph.nodes) == [
        "ivr_7",
        "menu_10",
        "menu_11",
        "menu_12",
        "menu_13",
        "group_1_2",
        "missing_99",
        "voicemail_1",
        "phone__2b_15551234567",
        "textback_9",
        "unknown_callback",
        "group_3",
    ]
    assert len(graph.edges) == 11
    assert graph.dead_edges == [2]


def test_dot_of_the_known_ivr_draws_every_menu_and_target() -> None:
    ivr = support_ivr()
    texts = drawn_texts(render_dot(ivr, audit_ivrs([ivr])))
    assert {
        "IVR 7: Support line",
        "Main menu (default)",
        "greeting 55",
        "Sales",
        "Old promo",
        "unreachable",
        "After hours",
        "no routes",
        "Groups 1, 2",
        "Group 3",
        "missing menu 99",
        "Voicemail: group 1",
        "Call +15551234567",
        "Text back from number 9",
        "callback (unknown action)",
        "3 (dead key)",
        "#",
        "*",
        "default",
    } <= texts


# --- escaping ------------------------------------------------------------------------------------


def _expected_lines(name: str) -> list[str]:
    return name.split("\n")


def test_dot_of_nasty_names_draws_every_name_as_written() -> None:
    ivr = nasty_ivr()
    texts = drawn_texts(render_dot(ivr, audit_ivrs([ivr])))
    assert 'IVR 3: Nasty "IVR" [x] {y} <z> & #1; 主' in texts
    for index, name in enumerate(NASTY_NAMES):
        shown = _expected_lines(name)
        if index == 0:
            shown[-1] += " (default)"
        assert set(shown) <= texts, name
        assert set(_expected_lines(f"{name} (unknown action)")) <= texts, name
        assert set(_expected_lines(f"Call {name}")) <= texts, name


def test_dot_labels_of_nasty_names_read_back_as_the_names() -> None:
    labels = dot_labels(render_dot(nasty_ivr()))
    menus = [labels[f"menu_{i + 1}"] for i in range(len(NASTY_NAMES))]
    assert menus == [NASTY_NAMES[0] + " (default)", *NASTY_NAMES[1:]]
    unknown = {v for k, v in labels.items() if k.startswith("unknown_")}
    assert unknown == {f"{name} (unknown action)" for name in NASTY_NAMES}


def test_mermaid_labels_of_nasty_names_read_back_as_the_names() -> None:
    graph = parse_mermaid(render_mermaid(nasty_ivr()))
    menus = [graph.nodes[f"menu_{i + 1}"][1] for i in range(len(NASTY_NAMES))]
    assert menus == [NASTY_NAMES[0] + " (default)", *NASTY_NAMES[1:]]
    phones = {text for _, text, cls in graph.nodes.values() if cls == "phone"}
    assert phones == {f"Call {name}" for name in NASTY_NAMES}


def test_mermaid_and_dot_show_the_same_label_for_every_node() -> None:
    ivr = nasty_ivr()
    graph = parse_mermaid(render_mermaid(ivr, audit_ivrs([ivr])))
    labels = dot_labels(render_dot(ivr, audit_ivrs([ivr])))
    assert labels["ivr_3"] == graph.title == 'IVR 3: Nasty "IVR" [x] {y} <z> & #1; 主'
    assert {node_id: shown for node_id, (_, shown, _) in graph.nodes.items()} == labels


def test_mermaid_escapes_syntax_characters_as_entities() -> None:
    ivr = Ivr(id=1, name="x", menus=(IvrMenu(id=1, name='a "b" #c <d> & e%', default=True),))
    assert 'menu_1["a #34;b#34; #35;c #60;d#62; #38; e#37; (default)"]:::defaultMenu' in (
        render_mermaid(ivr)
    )


def test_mermaid_keeps_brackets_pipes_semicolons_and_unicode_inside_quotes() -> None:
    ivr = Ivr(id=1, name="x", menus=(IvrMenu(id=1, name="主菜单 [1] {2} |3|; (4)"),))
    assert 'menu_1["主菜单 [1] {2} |3|; (4)"]:::menu' in render_mermaid(ivr)


def test_mermaid_writes_a_colon_before_anything_but_a_space_as_an_entity() -> None:
    ivr = Ivr(id=1, name="x", menus=(IvrMenu(id=1, name="style:#1; ok: yes"),))
    assert 'menu_1["style#58;#35;1; ok: yes"]:::menu' in render_mermaid(ivr)


def test_mermaid_writes_a_line_break_in_a_name_as_br() -> None:
    ivr = Ivr(id=1, name="x", menus=(IvrMenu(id=1, name="one\r\ntwo\rthree\nfour"),))
    assert 'menu_1["one<br>two<br>three<br>four"]:::menu' in render_mermaid(ivr)


def test_mermaid_title_is_the_first_node_escaped_like_any_label() -> None:
    ivr = Ivr(id=1, name='Say "hi" <now> & \\ 主\nok', menus=())
    assert render_mermaid(ivr).split("\n")[:2] == [
        "flowchart LR",
        '    ivr_1("IVR 1: Say #34;hi#34; #60;now#62; #38; \\ 主 ok"):::ivr',
    ]


def test_dot_escapes_quotes_backslashes_ampersands_and_line_breaks() -> None:
    ivr = Ivr(id=1, name="x", menus=(IvrMenu(id=1, name='a "b" \\N & <c>\nd'),))
    assert 'menu_1 [label="a \\"b\\" \\\\N &amp; <c>\\nd", shape=box' in render_dot(ivr)


def test_dot_title_names_the_ivr() -> None:
    ivr = Ivr(id=-5, name='Sales "EU"', menus=())
    lines = render_dot(ivr).split("\n")
    assert lines[0] == "digraph ivr_n5 {"
    assert lines[1].startswith('    graph [label="IVR -5: Sales \\"EU\\"", labelloc=t, rankdir=LR')


def test_control_characters_in_names_are_drawn_as_spaces() -> None:
    ivr = Ivr(id=1, name="x", menus=(IvrMenu(id=1, name="a\tb\x00c\x7fd"),))
    assert 'menu_1["a b c d"]' in render_mermaid(ivr)
    assert 'menu_1 [label="a b c d"' in render_dot(ivr)


# --- nodes and edges -----------------------------------------------------------------------------


def _one_menu(*routes: IvrRoute, menus: Sequence[IvrMenu] = ()) -> Ivr:
    return Ivr(
        id=1, name="x", menus=(IvrMenu(id=1, name="Main", default=True, routes=routes), *menus)
    )


def test_targets_of_the_same_kind_and_value_share_one_node() -> None:
    ivr = _one_menu(
        _route(1, "1", GroupOptions(group_ids=[1, 2])),
        _route(2, "2", GroupOptions(group_ids=[2, 1, 2])),
        _route(3, "3", VoicemailOptions(group_ids=[1, 2])),
        _route(4, "4", PhoneNumberOptions(phone_number="+15551234567")),
        _route(5, "5", PhoneNumberOptions(phone_number="+15551234567")),
        _route(6, "6", TextbackOptions(textback_phone_number_id=9, sms_text="a")),
        _route(7, "7", TextbackOptions(textback_phone_number_id=9, sms_text="b")),
        _route(8, "8", UnknownOptions(action="callback", data=1)),
        _route(9, "9", UnknownOptions(action="callback", data=2)),
        _route(10, "0", MenuOptions(menu_id=99)),
        _route(11, "*", MenuOptions(menu_id=99)),
    )
    graph = parse_mermaid(render_mermaid(ivr))
    assert list(graph.nodes) == [
        "ivr_1",
        "menu_1",
        "group_1_2",
        "voicemail_1_2",
        "phone__2b_15551234567",
        "textback_9",
        "unknown_callback",
        "missing_99",
    ]
    assert [target for _, target, _ in graph.edges] == [
        "group_1_2",
        "group_1_2",
        "voicemail_1_2",
        "phone__2b_15551234567",
        "phone__2b_15551234567",
        "textback_9",
        "textback_9",
        "unknown_callback",
        "unknown_callback",
        "missing_99",
        "missing_99",
    ]
    assert set(dot_labels(render_dot(ivr))) == set(graph.nodes)


def test_target_labels_name_groups_numbers_and_actions() -> None:
    ivr = _one_menu(
        _route(1, "1", GroupOptions(group_ids=[123])),
        _route(2, "2", GroupOptions(group_ids=[2, 1])),
        _route(3, "3", GroupOptions(group_ids=[])),
        _route(4, "4", VoicemailOptions(group_ids=[123])),
        _route(5, "5", VoicemailOptions(group_ids=[1, 2])),
        _route(6, "6", VoicemailOptions(group_ids=[])),
        _route(7, "7", PhoneNumberOptions(phone_number="+15551234567")),
        _route(8, "8", PhoneNumberOptions(phone_number=None)),
        _route(9, "9", TextbackOptions(textback_phone_number_id=9)),
        _route(10, "0", TextbackOptions()),
        _route(11, "*", UnknownOptions(action="callback", data={})),
        _route(12, "#", MenuOptions(menu_id=None)),
    )
    assert dot_labels(render_dot(ivr)) == {
        "ivr_1": "IVR 1: x",
        "menu_1": "Main (default)",
        "group_123": "Group 123",
        "group_1_2": "Groups 1, 2",
        "group": "No group",
        "voicemail_123": "Voicemail: group 123",
        "voicemail_1_2": "Voicemail: groups 1, 2",
        "voicemail": "Voicemail: no group",
        "phone__2b_15551234567": "Call +15551234567",
        "phone": "Call: no number",
        "textback_9": "Text back from number 9",
        "textback": "Text back: no number",
        "unknown_callback": "callback (unknown action)",
        "missing": "missing menu (no id)",
    }


def test_edges_are_labelled_with_their_keys_in_the_order_given() -> None:
    keys = ["default", "#", "*", "0", "9", "1"]
    ivr = _one_menu(*(_route(i, key, GroupOptions(group_ids=[i])) for i, key in enumerate(keys)))
    graph = parse_mermaid(render_mermaid(ivr))
    assert [label for _, _, label in graph.edges] == keys
    assert '    menu_1 -->|"#35;"| group_1' in render_mermaid(ivr)
    assert '    menu_1 -> group_1 [label="#"];' in render_dot(ivr)


def test_menu_label_has_default_and_greeting() -> None:
    ivr = Ivr(id=1, name="x", menus=(IvrMenu(id=4, name="Start", default=True, greeting_id=77),))
    assert dot_labels(render_dot(ivr)) == {
        "ivr_1": "IVR 1: x",
        "menu_4": "Start (default)\ngreeting 77",
    }
    assert parse_mermaid(render_mermaid(ivr)).nodes["menu_4"] == (
        "[",
        "Start (default)\ngreeting 77",
        "defaultMenu",
    )


def test_unknown_action_is_a_hexagon_named_after_the_action() -> None:
    ivr = _one_menu(_route(1, "1", UnknownOptions(action="callback", data={"x": 1})))
    assert parse_mermaid(render_mermaid(ivr)).nodes["unknown_callback"] == (
        "{{",
        "callback (unknown action)",
        "unknown",
    )
    assert dot_attrs(render_dot(ivr), "unknown_callback")["shape"] == "hexagon"
    assert dot_attrs(render_dot(ivr), "menu_1 -> unknown_callback")["label"] == "1"


def test_node_ids_spell_text_and_negative_ids_safely() -> None:
    ivr = Ivr(
        id=1,
        name="x",
        menus=(
            IvrMenu(
                id=-2,
                name="Neg",
                routes=(
                    _route(1, "1", GroupOptions(group_ids=[-3, 4])),
                    _route(2, "2", UnknownOptions(action="call back!", data=None)),
                    _route(3, "3", UnknownOptions(action="主", data=None)),
                ),
            ),
        ),
    )
    assert list(parse_mermaid(render_mermaid(ivr)).nodes) == [
        "ivr_1",
        "menu_n2",
        "group_n3_4",
        "unknown_call_20_back_21_",
        "unknown__4e3b_",
    ]


# --- findings drawn ------------------------------------------------------------------------------


def test_dead_key_goes_red_to_a_missing_menu_node_labelled_with_the_key() -> None:
    ivr = _one_menu(
        _route(1, "1", GroupOptions(group_ids=[1])), _route(2, "3", MenuOptions(menu_id=99))
    )
    findings = audit_ivrs([ivr])
    assert [f.rule for f in findings if f.route_id == 2] == ["dead_key"]
    graph = parse_mermaid(render_mermaid(ivr, findings))
    assert graph.edges[1] == ("menu_1", "missing_99", "3 (dead key)")
    assert graph.dead_edges == [1]
    assert graph.nodes["missing_99"] == ("[", "missing menu 99", "missing")
    assert "stroke:#cc0000" in graph.class_defs["missing"]
    # Mermaid counts links from 0 in the order written: the IVR's edge to the default menu first.
    assert "    linkStyle 2 stroke:#cc0000,stroke-width:2px,color:#cc0000" in (
        render_mermaid(ivr, findings)
    )
    dot = render_dot(ivr, findings)
    assert dot_attrs(dot, "menu_1 -> missing_99") == {
        "label": "3 (dead key)",
        "color": "#cc0000",
        "fontcolor": "#cc0000",
        "penwidth": "2",
    }
    assert dot_attrs(dot, "missing_99")["shape"] == "octagon"
    assert dot_attrs(dot, "missing_99")["color"] == "#cc0000"


def test_a_route_to_a_menu_outside_the_ivr_goes_to_a_missing_node_even_without_findings() -> None:
    ivr = _one_menu(_route(1, "3", MenuOptions(menu_id=99)))
    graph = parse_mermaid(render_mermaid(ivr))
    assert graph.edges == [("menu_1", "missing_99", "3")]
    assert graph.dead_edges == []
    assert dot_attrs(render_dot(ivr), "menu_1 -> missing_99") == {"label": "3"}


def test_unreachable_menu_is_dashed_grey_and_says_so() -> None:
    lost = IvrMenu(id=2, name="Lost", routes=(_route(9, "1", GroupOptions(group_ids=[1])),))
    ivr = _one_menu(_route(1, "1", GroupOptions(group_ids=[1])), menus=[lost])
    findings = audit_ivrs([ivr])
    assert [(f.rule, f.menu_id) for f in findings if f.menu_id == 2] == [("unreachable_menu", 2)]
    graph = parse_mermaid(render_mermaid(ivr, findings))
    assert graph.nodes["menu_2"] == ("[", "Lost\nunreachable", "unreachable")
    assert "stroke-dasharray:5 5" in graph.class_defs["unreachable"]
    assert "stroke:#999999" in graph.class_defs["unreachable"]
    attrs_ = dot_attrs(render_dot(ivr, findings), "menu_2")
    assert attrs_["label"] == "Lost\nunreachable"
    assert attrs_["style"] == "rounded,filled,dashed"
    assert attrs_["color"] == "#999999"


def test_menus_are_not_marked_unreachable_without_the_finding() -> None:
    lost = IvrMenu(id=2, name="Lost", routes=(_route(9, "1", GroupOptions(group_ids=[1])),))
    ivr = _one_menu(_route(1, "1", GroupOptions(group_ids=[1])), menus=[lost])
    assert parse_mermaid(render_mermaid(ivr)).nodes["menu_2"] == ("[", "Lost", "menu")


def test_menu_without_routes_is_a_warning_saying_no_routes() -> None:
    ivr = _one_menu(_route(1, "1", MenuOptions(menu_id=2)), menus=[IvrMenu(id=2, name="Closed")])
    findings = audit_ivrs([ivr])
    graph = parse_mermaid(render_mermaid(ivr, findings))
    assert graph.nodes["menu_2"] == ("[", "Closed\nno routes", "emptyMenu")
    assert "fill:#fff3cd" in graph.class_defs["emptyMenu"]
    assert dot_attrs(render_dot(ivr, findings), "menu_2")["fillcolor"] == "#fff3cd"


def test_unreachable_menu_without_routes_says_both() -> None:
    ivr = _one_menu(_route(1, "1", GroupOptions(group_ids=[1])), menus=[IvrMenu(id=2, name="Old")])
    graph = parse_mermaid(render_mermaid(ivr, audit_ivrs([ivr])))
    assert graph.nodes["menu_2"] == ("[", "Old\nunreachable\nno routes", "unreachableEmpty")


def test_no_default_menu_is_noted_in_the_title() -> None:
    ivr = Ivr(id=8, name="Sales", menus=(IvrMenu(id=1, name="A"), IvrMenu(id=2, name="B")))
    findings = audit_ivrs([ivr])
    assert [f.rule for f in findings if f.rule == "default_menu"] == ["default_menu"]
    graph = parse_mermaid(render_mermaid(ivr, findings))
    assert graph.title == "IVR 8: Sales\nno default menu"
    assert graph.nodes["ivr_8"][2] == "ivrWarning"
    assert graph.entries == []
    assert '    graph [label="IVR 8: Sales\\nno default menu", ' in render_dot(ivr, findings)
    texts = drawn_texts(render_dot(ivr, findings))
    assert {"IVR 8: Sales", "no default menu"} <= texts


def test_several_default_menus_are_counted_in_the_title() -> None:
    menus = (IvrMenu(id=1, name="A", default=True), IvrMenu(id=2, name="B", default=True))
    ivr = Ivr(id=8, name="Sales", menus=menus)
    graph = parse_mermaid(render_mermaid(ivr, audit_ivrs([ivr])))
    assert graph.title == "IVR 8: Sales\n2 default menus"
    assert graph.entries == ["menu_1", "menu_2"]
    assert '    graph [label="IVR 8: Sales\\n2 default menus", ' in render_dot(
        ivr, audit_ivrs([ivr])
    )


def test_the_title_has_no_note_without_the_finding() -> None:
    ivr = Ivr(id=8, name="Sales", menus=(IvrMenu(id=1, name="A"),))
    graph = parse_mermaid(render_mermaid(ivr))
    assert graph.title == "IVR 8: Sales"
    assert graph.nodes["ivr_8"][2] == "ivr"
    assert '    graph [label="IVR 8: Sales", ' in render_dot(ivr)


def test_findings_of_other_ivrs_are_not_drawn() -> None:
    ivr = _one_menu(_route(1, "1", MenuOptions(menu_id=2)), menus=[IvrMenu(id=2, name="Closed")])
    other = [
        attrs.evolve(f, ivr_id=f.ivr_id + 1) for f in audit_ivrs([ivr]) if f.ivr_id is not None
    ]
    assert other
    assert render_mermaid(ivr, other) == render_mermaid(ivr)
    assert render_dot(ivr, other) == render_dot(ivr)


def test_findings_without_an_ivr_id_are_drawn() -> None:
    ivr = _one_menu(_route(1, "1", MenuOptions(menu_id=99)))
    finding = Finding(rule="dead_key", severity=Severity.ERROR, message="m", route_id=1)
    assert parse_mermaid(render_mermaid(ivr, [finding])).dead_edges == [0]


# --- determinism ---------------------------------------------------------------------------------


def test_output_is_the_same_for_equal_ivrs_built_twice() -> None:
    first, second = support_ivr(), support_ivr()
    assert first is not second
    assert render_mermaid(first, audit_ivrs([first])) == render_mermaid(
        second, audit_ivrs([second])
    )
    assert render_dot(first, audit_ivrs([first])) == render_dot(second, audit_ivrs([second]))


def test_menus_are_drawn_in_ivr_order() -> None:
    ivr = support_ivr()
    reordered = attrs.evolve(ivr, menus=tuple(reversed(ivr.menus)))
    nodes = list(parse_mermaid(render_mermaid(reordered)).nodes)
    assert nodes[:5] == ["ivr_7", "menu_13", "menu_12", "menu_11", "menu_10"]


def test_a_change_to_one_menu_changes_only_its_own_lines() -> None:
    ivr = support_ivr()
    renamed = attrs.evolve(
        ivr, menus=(*ivr.menus[:1], attrs.evolve(ivr.menus[1], name="Sales EU"), *ivr.menus[2:])
    )
    before = render_dot(ivr).split("\n")
    after = render_dot(renamed).split("\n")
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(changed) == 1
    assert changed[0][1].startswith('    menu_11 [label="Sales EU"')


# --- the entry point -----------------------------------------------------------------------------


def test_render_graph_dispatches_on_format() -> None:
    ivr = support_ivr()
    findings = audit_ivrs([ivr])
    assert GRAPH_FORMATS == ("mermaid", "dot")
    assert render_graph(ivr, findings) == render_mermaid(ivr, findings)
    assert render_graph(ivr, findings, format="mermaid") == render_mermaid(ivr, findings)
    assert render_graph(ivr, findings, format="dot") == render_dot(ivr, findings)


@pytest.mark.parametrize("bad", ["svg", "DOT", "", None])
def test_render_graph_refuses_another_format_naming_the_allowed_ones(bad: object) -> None:
    with pytest.raises(ValueError, match=r"format must be one of 'mermaid', 'dot', got") as info:
        render_graph(support_ivr(), format=bad)  # type: ignore[arg-type]
    assert isinstance(info.value, InvalidArgument)


def test_render_refuses_what_is_not_an_ivr_or_a_finding() -> None:
    with pytest.raises(InvalidArgument, match=r"ivr must be a zendesk_ivr\.Ivr"):
        render_mermaid({"id": 1})  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="findings must be a sequence of Finding"):
        render_dot(support_ivr(), [{"rule": "dead_key"}])  # type: ignore[list-item]


if __name__ == "__main__":
    _ivr = support_ivr()
    _findings = audit_ivrs([_ivr])
    GOLDEN.mkdir(parents=True, exist_ok=True)
    (GOLDEN / "support.mmd").write_text(render_mermaid(_ivr, _findings), encoding="utf-8")
    (GOLDEN / "support.dot").write_text(render_dot(_ivr, _findings), encoding="utf-8")
