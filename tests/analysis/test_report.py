"""
The HTML report and the SVG drawings, for IVRs built by hand: what the page holds, in which
order, that it needs nothing from outside, and that nothing secret or unescaped gets in. The
drawings come from the real layout engine (graphviz-pure, a test dependency); the page is read
back with the standard library's HTML and XML parsers. The browser's view of the page is in
test_report_browser.py.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.analysis.test_graph import nasty_ivr, support_ivr
from zendesk_ivr._exceptions import InvalidArgument
from zendesk_ivr._models import GroupOptions, Ivr, IvrMenu, IvrRoute, VoicemailOptions
from zendesk_ivr.analysis import (
    AuditContext,
    Finding,
    LayoutEngineError,
    Severity,
    _layout,
    audit_ivrs,
    render_html_report,
    render_svg,
)

WHEN = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


# --- reading the page back -----------------------------------------------------------------


class Page(HTMLParser):
    """The parts of a page the tests look at: tags, their attributes, sections and their text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: dict[str, dict[str, Any]] = {}
        self._section: dict[str, Any] | None = None
        self._depth = 0
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section" and "ivr" in (attributes.get("class") or "").split():
            self._section = {"attrs": attributes, "tags": [], "text": []}
            self.sections[str(attributes["id"])] = self._section
            self._depth = 0
        if self._section is not None:
            self._section["tags"].append((tag, attributes))
            if tag == "section":
                self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._section is not None and tag == "section":
            self._depth -= 1
            if self._depth == 0:
                self._section = None

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._section is not None:
            self._section["text"].append(data)

    def section_text(self, ivr_id: int) -> str:
        return " ".join("".join(self.sections[f"ivr-{ivr_id}"]["text"]).split())

    def classes(self, ivr_id: int, tag: str) -> list[list[str]]:
        return [
            (attrs.get("class") or "").split()
            for name, attrs in self.sections[f"ivr-{ivr_id}"]["tags"]
            if name == tag
        ]


def _menu(menu_id: int, name: str, *routes: IvrRoute, default: bool = False) -> IvrMenu:
    return IvrMenu(id=menu_id, name=name, default=default, routes=routes)


def _group_route(route_id: int, key: str, *groups: int) -> IvrRoute:
    return IvrRoute(
        id=route_id, keypress=key, action="group", options=GroupOptions(group_ids=list(groups))
    )


def clean_ivr(ivr_id: int = 20, name: str = "Clean line", group: int = 1) -> Ivr:
    main = _menu(ivr_id * 10, "Main", _group_route(ivr_id * 100, "1", group), default=True)
    return Ivr(id=ivr_id, name=name, menus=(main,), phone_number_ids=(5,))


def unlisted_ivr() -> Ivr:
    """A warning only: on no phone number."""
    main = _menu(300, "Main", _group_route(3000, "1", 1), default=True)
    return Ivr(id=30, name="Unlisted line", menus=(main,))


def report(
    ivrs: list[Ivr], findings: list[Finding] | None = None, **kwargs: Any
) -> tuple[str, Page]:
    found = audit_ivrs(ivrs) if findings is None else findings
    text = render_html_report(found, ivrs, generated_at=WHEN, **kwargs)
    return text, Page(text)


# --- what the page holds ------------------------------------------------------------------


def test_the_page_needs_nothing_from_outside() -> None:
    text, page = report([support_ivr(), clean_ivr()], base_url="https://acme.zendesk.com")

    assert text.startswith("<!DOCTYPE html>")
    tags = [tag for tag, _ in page.tags]
    # Nothing a browser would fetch: no linked style, image, frame, font or script file.
    assert {"link", "img", "iframe", "object", "embed", "audio", "video"} & set(tags) == set()
    assert [attrs for tag, attrs in page.tags if tag == "script"] == [{}]
    assert tags.count("style") == 1
    for _, attrs in page.tags:
        for name in ("href", "src", "xlink:href", "action", "srcset", "poster", "data"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (name, value)
    assert "@import" not in text
    assert "url(" not in text


def test_every_ivr_has_its_drawing_with_a_node_per_menu() -> None:
    ivrs = [support_ivr(), clean_ivr(), unlisted_ivr()]
    _, page = report(ivrs)

    assert set(page.sections) == {f"ivr-{ivr.id}" for ivr in ivrs}
    for ivr in ivrs:
        svgs = page.classes(ivr.id, "svg")
        assert len(svgs) == 1, ivr.name
        menu_nodes = [c for c in page.classes(ivr.id, "g") if c[:2] == ["node", "menu"]]
        assert len(menu_nodes) == len(ivr.menus), ivr.name


def test_ivrs_are_listed_worst_first() -> None:
    worst = Ivr(id=40, name="Zeta", menus=(), phone_number_ids=(1,))  # no default menu
    ivrs = [clean_ivr(20, "Alpha"), unlisted_ivr(), clean_ivr(21, "Beta"), support_ivr()]
    findings = audit_ivrs([*ivrs, worst])
    findings += [
        Finding(rule="extra", severity=Severity.ERROR, message=f"x{i}", ivr_id=40) for i in (1, 2)
    ]
    assert sum(f.ivr_id == 7 and f.severity is Severity.ERROR for f in findings) == 2

    _, page = report([*ivrs, worst], findings)

    # Three errors (40), then two errors and a warning (7), a warning (30), then clean by name.
    order = [attrs["data-ivr"] for tag, attrs in page.tags if tag == "tr" and "data-ivr" in attrs]
    assert order == ["40", "7", "30", "20", "21"]
    assert list(page.sections) == [f"ivr-{i}" for i in order]


def test_each_ivr_lists_its_findings_worst_first() -> None:
    ivr = support_ivr()
    findings = audit_ivrs([ivr])
    _, page = report([ivr], findings)

    text = page.section_text(ivr.id)
    for finding in findings:
        assert " ".join(finding.message.split()) in text
    severities = [
        attrs["data-severity"]
        for tag, attrs in page.sections["ivr-7"]["tags"]
        if tag == "li" and "data-severity" in attrs
    ]
    assert len(severities) == len(findings)
    assert severities == sorted(severities, key=lambda s: -Severity(s).rank)
    assert page.sections["ivr-7"]["attrs"]["data-severities"] == "error warning"


def test_the_summary_counts_findings_by_severity_and_rule() -> None:
    ivrs = [support_ivr(), clean_ivr(), unlisted_ivr()]
    findings = audit_ivrs(ivrs)
    text, page = report(ivrs, findings, requests=3, base_url="https://acme.zendesk.com")

    whole = " ".join(" ".join(page.texts).split())
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    assert f"{len(findings)} findings: {errors} errors, {warnings} warnings, 0 info" in whole
    assert "Audited 2026-03-04 05:06 UTC · 3 IVRs · read with 3 requests" in whole
    assert "IVR audit of https://acme.zendesk.com " in whole
    rows = re.findall(
        r"<tr><td><span class='badge (\w+)'>\w+</span></td><td><code>(\w+)</code></td>"
        r"<td class=n>(\d+)</td><td class=n>(\d+)</td></tr>",
        text,
    )
    expected = {
        (f.severity.value, f.rule, str(sum(g.rule == f.rule for g in findings))) for f in findings
    }
    assert {(sev, rule, count) for sev, rule, count, _ in rows} == expected


def test_findings_of_no_listed_ivr_are_in_the_summary() -> None:
    stray = Finding(rule="account_rule", severity=Severity.INFO, message="about the account")
    other = Finding(rule="other", severity=Severity.WARNING, message="about IVR 99", ivr_id=99)
    _, page = report([clean_ivr()], [stray, other])

    whole = " ".join(page.texts)
    assert "Findings of no IVR in this report" in whole
    assert "about the account" in whole
    assert "about IVR 99" in whole
    assert page.sections["ivr-20"]["attrs"]["data-severities"] == "clean"


def test_findings_are_marked_on_the_drawing_with_words_not_only_colour() -> None:
    ivr = support_ivr()
    _, page = report([ivr])

    text = page.section_text(ivr.id)
    assert "3 (dead key)" in text
    assert "missing menu 99" in text
    assert "unreachable" in text
    assert "no routes" in text
    edges = [c for c in page.classes(ivr.id, "g") if c[:1] == ["edge"]]
    assert sum("dead" in c for c in edges) == 1
    nodes = [c for c in page.classes(ivr.id, "g") if c[:1] == ["node"]]
    assert ["node", "missing"] in nodes
    assert ["node", "menu", "unreachable"] in nodes
    assert ["node", "menu", "emptyMenu"] in nodes


def test_groups_and_greetings_are_drawn_by_name_when_known() -> None:
    main = IvrMenu(
        id=10,
        name="Main",
        default=True,
        greeting_id=55,
        routes=(
            _group_route(101, "1", 1, 2),
            IvrRoute(
                id=102, keypress="2", action="voicemail", options=VoicemailOptions(group_ids=[1])
            ),
            _group_route(103, "3", 3),
        ),
    )
    gone = IvrMenu(id=11, name="Old", greeting_id="voicemail_xx", routes=())
    ivr = Ivr(id=7, name="Named", menus=(main, gone))

    svg = render_svg(
        ivr,
        group_names={1: "Billing", 2: "Sales <EMEA>"},
        greeting_names={55: "Welcome", "voicemail_en": "Voicemail"},
    )

    texts = {t.text for t in ET.fromstring(svg[svg.index("<svg") :]).iter(f"{SVG}text")}
    assert {
        "Groups: Billing, Sales <EMEA>",
        "Voicemail: Billing",
        "Group: missing group 3",
        "greeting: Welcome",
        "missing greeting voicemail_xx",
    } <= texts
    assert "Group 3" in {t.text for t in ET.fromstring(_svg_of(render_svg(ivr))).iter(f"{SVG}text")}


def _svg_of(document: str) -> str:
    return document[document.index("<svg") :]


def test_the_search_covers_ivr_and_group_names_and_ids() -> None:
    ivr = clean_ivr(20, "Support Line", group=1)
    _, page = report([ivr], group_names={1: "Billing  Team"})

    assert page.sections["ivr-20"]["attrs"]["data-search"] == "support line 20 1 billing team"
    _, without = report([ivr])
    assert without.sections["ivr-20"]["attrs"]["data-search"] == "support line 20 1"


def test_the_audit_context_carries_names_for_the_report() -> None:
    context = AuditContext(group_ids=frozenset({1}), group_names={1: "Billing"})
    names = {1: "Billing"}
    kept = AuditContext(group_names=names)
    names[2] = "changed later"

    assert context.group_names == {1: "Billing"}
    assert kept.group_names == {1: "Billing"}  # a copy, not the caller's dict
    with pytest.raises(TypeError):
        context.group_names[3] = "x"  # type: ignore[index]
    assert hash(context) == hash(AuditContext(group_ids=frozenset({1})))


def test_secrets_of_the_base_url_never_reach_the_page() -> None:
    text, page = report(
        [clean_ivr()],
        base_url="https://agent%40acme.com:s3cr3t@acme.zendesk.com/api?token=t0k#fragment",
    )

    for secret in ("s3cr3t", "agent", "t0k", "token", "fragment"):
        assert secret not in text
    assert "IVR audit of https://acme.zendesk.com/api" in " ".join(page.texts)


def test_names_are_escaped_everywhere() -> None:
    ivr = nasty_ivr()
    hostile = Ivr(id=8, name="<script>alert(1)</script>' \" &amp;", menus=(), phone_number_ids=(1,))
    text, page = report([ivr, hostile])

    assert [tag for tag, _ in page.tags].count("script") == 1
    assert "<script>alert" not in text
    assert "<script>alert(1)</script>' \" &amp;" in page.section_text(8)
    assert page.sections["ivr-8"]["attrs"]["data-search"].startswith("<script>alert(1)</script>")
    # The drawing of nasty names is well-formed XML, every name as written.
    svg = text[text.index("<svg", text.index("id=ivr-3")) :]
    svg = svg[: svg.index("</svg>") + 6]
    texts = " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert "<b>bold</b> & <script>x</script>" in texts


def test_an_account_without_ivrs_gets_a_page_saying_so() -> None:
    _, page = report([], [])

    assert page.sections == {}
    assert "0 IVRs" in " ".join(page.texts)


def test_a_local_time_is_shown_in_utc_and_the_default_time_is_now() -> None:
    local = datetime(2026, 3, 4, 7, 6, tzinfo=timezone(timedelta(hours=2)))
    text = render_html_report([], [clean_ivr()], generated_at=local)
    assert "Audited 2026-03-04 05:06 UTC" in text

    before = datetime.now(UTC).replace(second=0, microsecond=0)
    text = render_html_report([], [clean_ivr()])
    stamp = re.search(r"Audited (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", text)
    assert stamp is not None
    shown = datetime.strptime(stamp[1], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert before <= shown <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ivrs": [1]}, "ivrs must be a sequence of zendesk_ivr.Ivr"),
        ({"ivrs": clean_ivr()}, "ivrs must be a sequence of zendesk_ivr.Ivr"),
        ({"findings": ["x"]}, "findings must be a sequence of Finding"),
        ({"findings": "error"}, "findings must be a sequence of Finding"),
        ({"requests": -1}, "requests must be a count"),
        ({"requests": True}, "requests must be a count"),
        ({"generated_at": "today"}, "generated_at must be a datetime"),
        ({"base_url": 5}, "base_url must be a str or a yarl.URL"),
        ({"base_url": "http://[::1"}, "base_url is not a URL"),
        ({"group_names": [(1, "a")]}, "group_names must be a mapping of ids to names"),
        ({"greeting_names": {1: 2}}, "greeting_names must be a mapping of ids to names"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_drawn(
    kwargs: Mapping[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"findings": [], "ivrs": [clean_ivr()], **kwargs}
    findings, ivrs = arguments.pop("findings"), arguments.pop("ivrs")
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        render_html_report(findings, ivrs, **arguments)


# --- the layout engine ----------------------------------------------------------------------


def test_render_svg_is_a_whole_svg_document_with_classes_for_pages() -> None:
    svg = render_svg(support_ivr(), audit_ivrs([support_ivr()]))

    assert svg.startswith("<?xml")
    root = ET.fromstring(svg[svg.index("<svg") :])
    classes = [g.get("class", "").split() for g in root.iter(f"{SVG}g")]
    assert sum(c[:2] == ["node", "menu"] for c in classes) == 4
    assert ["edge", "route", "dead"] in classes


def test_the_inline_svg_drops_what_would_repeat_in_a_page() -> None:
    document = render_svg(support_ivr())
    inline = _layout.inline_svg(document)

    assert inline.startswith("<svg")
    assert "<!--" not in inline
    assert "<title>" not in inline
    assert ' id="' not in inline
    assert "font-family" not in inline
    ET.fromstring(inline)  # still well-formed


def test_many_graphs_come_back_in_order() -> None:
    dots = [f'digraph g{i} {{ n{i} [label="graph {i}"]; }}\n' for i in range(9)]

    svgs = _layout.layout(dots)

    assert [re.findall(r">graph (\d+)<", svg) for svg in svgs] == [[str(i)] for i in range(9)]
    assert _layout.layout([]) == []


def test_a_graph_the_engine_refuses_is_a_layout_engine_error() -> None:
    with pytest.raises(LayoutEngineError, match=r"the layout engine graphviz-pure failed \(exit"):
        _layout.layout(["digraph { a -> }\n"])


def test_a_missing_engine_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> importlib.metadata.Distribution:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    monkeypatch.setenv("PATH", "")

    with pytest.raises(LayoutEngineError) as caught:
        render_html_report([], [clean_ivr()])
    assert str(caught.value) == (
        "drawing SVG needs the layout engine graphviz-pure: pip install 'zendesk-ivr[report]'"
    )


def test_the_docs_example_writes_the_sandbox_report(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "report.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.+?)\n```", page, re.DOTALL)
    assert block is not None

    result = subprocess.run(
        [sys.executable, "-c", block[1]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "300 IVRs, 42 findings\n"
    written = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>")
    assert "groups by name · greetings by name" in written


def test_a_text_of_two_graphs_is_refused_rather_than_shift_the_drawings() -> None:
    with pytest.raises(LayoutEngineError, match="drew 3 graphs of 2"):
        _layout.layout(["digraph a { x; }\ndigraph b { y; }\n", "digraph c { z; }\n"])
