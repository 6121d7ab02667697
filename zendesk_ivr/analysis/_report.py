"""
The audit as one self-contained HTML page: a summary, the IVRs worst first, and each IVR's call
flow drawn by the layout engine with its findings marked.

Everything is inline (style, SVG, a short script), so the page needs no network and no server:
it can be opened from disk or attached to a ticket. The script only filters by severity and
searches; with scripts off the page shows everything. ``docs/report.md`` describes the page.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, TypeVar

from attrs import frozen

from .._exceptions import InvalidArgument
from .._models import GroupOptions, Ivr, VoicemailOptions
from .._version import __version__
from ._graph import Names, dot_text, draw
from ._layout import inline_svg, layout, names
from ._rules import Finding, Severity

if TYPE_CHECKING:
    from yarl import URL

__all__ = ["render_html_report"]

#: Worst first, as the page lists them.
_SEVERITIES: Final = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_PLURALS: Final = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}
#: The filter's value for IVRs without findings.
_CLEAN: Final = "clean"
_T = TypeVar("_T")


@frozen
class _Entry:
    """One IVR with its findings, and what the list sorts and filters it by."""

    ivr: Ivr
    findings: tuple[Finding, ...]
    counts: Mapping[Severity, int]

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def sort_key(self) -> tuple[int, int, int, int, str, int]:
        """Worst first, then by how many errors, warnings and info; then by name and id."""
        worst = self.worst
        errors, warnings, infos = (self.counts[s] for s in _SEVERITIES)
        rank = 1 if worst is None else -worst.rank
        return (rank, -errors, -warnings, -infos, self.ivr.name.casefold(), self.ivr.id)

    @property
    def severities(self) -> str:
        """The filter values this IVR answers to."""
        present = [s.value for s in _SEVERITIES if self.counts[s]]
        return " ".join(present) or _CLEAN


def render_html_report(
    findings: Sequence[Finding],
    ivrs: Sequence[Ivr],
    *,
    group_names: Mapping[int, str] | None = None,
    greeting_names: Mapping[int | str, str] | None = None,
    base_url: str | URL | None = None,
    requests: int | None = None,
    generated_at: datetime | None = None,
) -> str:
    """
    The audit of *ivrs* as one self-contained HTML page (inline style, SVG and script).

    *findings* are those of `audit_ivrs` (or `audit`) for *ivrs*; findings of no IVR in *ivrs*
    are listed in the summary. The rest is what the audit knew, shown where given:
    *group_names* and *greeting_names* (id to name, as the account lists them) draw groups and
    greetings by name, and make the search find IVRs by the names of the groups they ring;
    *base_url* names the account (without user, password, query or fragment, which may hold
    secrets); *requests* is how many the audit took; *generated_at* is when (default: now).

    The page lists the IVRs worst first, each with its findings and its call flow drawn as
    `render_svg` draws it. Drawing needs the layout engine: ``pip install 'zendesk-ivr[report]'``.

    Raises:
        LayoutEngineError: the layout engine is missing or failed.
        InvalidArgument: (a ValueError) *ivrs* that are not `Ivr` objects, *findings* that are
            not `Finding` objects, or another argument of the wrong type.
    """
    ivrs = _sequence_of(ivrs, Ivr, "ivrs", "zendesk_ivr.Ivr")
    findings = _sequence_of(findings, Finding, "findings", "Finding")
    known = names(group_names, greeting_names)
    if requests is not None and (
        not isinstance(requests, int) or isinstance(requests, bool) or requests < 0
    ):
        raise InvalidArgument(f"requests must be a count (an int, 0 or more), got {requests!r}")
    if generated_at is not None and not isinstance(generated_at, datetime):
        raise InvalidArgument(f"generated_at must be a datetime, got {generated_at!r}")
    account = _account(base_url)

    by_ivr: dict[int, list[Finding]] = {ivr.id: [] for ivr in ivrs}
    elsewhere: list[Finding] = []
    for finding in findings:
        mine = by_ivr.get(finding.ivr_id) if finding.ivr_id is not None else None
        (elsewhere if mine is None else mine).append(finding)
    entries = sorted(
        (
            _Entry(
                ivr=ivr,
                findings=tuple(sorted(by_ivr[ivr.id], key=lambda f: -f.severity.rank)),
                counts=Counter(f.severity for f in by_ivr[ivr.id]),
            )
            for ivr in ivrs
        ),
        key=_Entry.sort_key,
    )
    drawings = [draw(e.ivr, e.findings, known) for e in entries]
    svgs = layout([dot_text(d, classes=True) for d in drawings])
    when = generated_at if generated_at is not None else datetime.now(UTC)

    title = f"IVR audit of {account}" if account else "IVR audit"
    body = [
        f"<header><h1>{_e(title)}</h1>",
        f"<p class=meta>{_e(_provenance(when, len(ivrs), requests, known))}</p></header>",
        _summary(entries, findings, elsewhere),
        _filters(entries),
        _index(entries, known),
        "<main>",
        *(_section(e, svg, known) for e, svg in zip(entries, svgs, strict=True)),
        "</main>",
        f"<script>{_SCRIPT}</script>",
    ]
    return (
        "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        '<meta name=viewport content="width=device-width, initial-scale=1">\n'
        f'<meta name=generator content="zendesk-ivr {_e(__version__)}">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


# --- checking the arguments ---------------------------------------------------------------


def _sequence_of(values: object, kind: type[_T], argument: str, spelled: str) -> list[_T]:
    """*values* as a list, each a *kind*, or `InvalidArgument` naming the first that is not."""
    if isinstance(values, str | bytes | kind) or not isinstance(values, Iterable):
        raise InvalidArgument(f"{argument} must be a sequence of {spelled}, got {values!r}")
    checked = list(values)
    for value in checked:
        if not isinstance(value, kind):
            raise InvalidArgument(f"{argument} must be a sequence of {spelled}, got {value!r}")
    return checked


def _account(base_url: object) -> str:
    """*base_url* as shown on the page: scheme, host, port and path, nothing that may be secret."""
    if base_url is None:
        return ""
    from yarl import URL  # noqa: PLC0415 - the command line imports this module at start-up

    if not isinstance(base_url, str | URL):
        raise InvalidArgument(f"base_url must be a str or a yarl.URL, got {base_url!r}")
    try:
        url = URL(str(base_url))
    except ValueError:
        raise InvalidArgument(f"base_url is not a URL: {base_url!r}") from None
    return str(url.with_user(None).with_query(None).with_fragment(None))


# --- the page ----------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _provenance(when: datetime, ivrs: int, requests: int | None, known: Names) -> str:
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if when.tzinfo else str(when)
    parts = [f"Audited {stamp}", _plural(ivrs, "IVR")]
    if requests is not None:
        parts.append(f"read with {_plural(requests, 'request')}")
    parts.append("groups by name" if known.groups is not None else "groups not read")
    parts.append("greetings by name" if known.greetings is not None else "greetings not read")
    return " · ".join(parts)


def _badge(severity: Severity | None) -> str:
    value = _CLEAN if severity is None else severity.value
    text = "no findings" if severity is None else severity.value
    return f"<span class='badge {value}'>{text}</span>"


def _summary(
    entries: Sequence[_Entry], findings: Sequence[Finding], elsewhere: list[Finding]
) -> str:
    counts = Counter(f.severity for f in findings)
    worst = Counter(e.worst for e in entries)
    cards = [
        ("IVRs", len(entries), ""),
        ("with errors", worst[Severity.ERROR], Severity.ERROR.value),
        ("with warnings at worst", worst[Severity.WARNING], Severity.WARNING.value),
        ("with info at worst", worst[Severity.INFO], Severity.INFO.value),
        ("without findings", worst[None], _CLEAN),
    ]
    out = [
        "<section id=summary><h2>Summary</h2>",
        "<p class=totals>"
        + _e(
            f"{_plural(len(findings), 'finding')}: "
            + ", ".join(f"{counts[s]} {_PLURALS[s]}" for s in _SEVERITIES)
        )
        + "</p>",
        "<ul class=cards>",
        *(
            f"<li class='card {cls}'><strong>{count}</strong> {_e(label)}</li>"
            for label, count, cls in cards
        ),
        "</ul>",
    ]
    by_rule = Counter((f.rule, f.severity) for f in findings)
    ivrs_by_rule = {
        key: len({f.ivr_id for f in findings if (f.rule, f.severity) == key}) for key in by_rule
    }
    if by_rule:
        out.append(
            "<table class=rules><caption>Findings by rule</caption>"
            "<thead><tr><th scope=col>Severity</th><th scope=col>Rule</th>"
            "<th scope=col class=n>Findings</th><th scope=col class=n>IVRs</th></tr></thead><tbody>"
        )
        for (rule, severity), count in sorted(
            by_rule.items(), key=lambda item: (-item[0][1].rank, -item[1], item[0][0])
        ):
            out.append(
                f"<tr><td>{_badge(severity)}</td><td><code>{_e(rule)}</code></td>"
                f"<td class=n>{count}</td><td class=n>{ivrs_by_rule[rule, severity]}</td></tr>"
            )
        out.append("</tbody></table>")
    if elsewhere:
        out.append("<h3>Findings of no IVR in this report</h3><ul class=findings>")
        out.extend(_finding(f) for f in elsewhere)
        out.append("</ul>")
    out.append(_LEGEND)
    out.append("</section>")
    return "\n".join(out)


_LEGEND: Final = """<details class=legend open><summary>Reading the call flows</summary><ul>
<li>Menus are rounded boxes with their greeting; the default menu has <q>(default)</q> in its
name and a thick border. Each arrow is a key, labelled with it.</li>
<li>A key to a menu that does not exist is labelled <q>(dead key)</q>, drawn thick and red, to a
red octagon <q>missing menu</q>.</li>
<li>A menu no key reaches is dashed and grey, with <q>unreachable</q> in it; a menu without
routes is yellow, with <q>no routes</q>.</li>
<li>Groups are ovals, voicemail cylinders, forwarded numbers slanted boxes, text backs notes,
and an action this version does not know a hexagon. With the groups read, a group the account
no longer has reads <q>missing group</q>, and a deleted greeting <q>missing greeting</q>.</li>
</ul></details>"""


def _filters(entries: Sequence[_Entry]) -> str:
    # Hidden until the script runs: without scripts there is nothing to filter, all is shown.
    present = Counter(value for e in entries for value in e.severities.split())
    boxes = [
        f"<label><input type=checkbox name=severity value={value} checked> "
        f"{_e(label)} ({present[value]})</label>"
        for value, label in (
            (Severity.ERROR.value, "errors"),
            (Severity.WARNING.value, "warnings"),
            (Severity.INFO.value, "info"),
            (_CLEAN, "no findings"),
        )
    ]
    return (
        "<form id=filters hidden role=search><fieldset><legend>Show IVRs with</legend>"
        + "".join(boxes)
        + "</fieldset><label>Search IVR or group name or id "
        "<input type=search id=search autocomplete=off></label> "
        f"<output id=shown aria-live=polite>{len(entries)} of {len(entries)} IVRs shown</output>"
        "</form>\n<noscript><p class=meta>With scripts on, this page also filters by severity "
        "and searches by IVR or group; everything is shown.</p></noscript>"
    )


def _index(entries: Sequence[_Entry], known: Names) -> str:
    rows = [
        f"<tr {_filtered_by(e, known)}>"
        f"<td>{_badge(e.worst)}</td>"
        f"<td><a href='#ivr-{e.ivr.id}'>{_e(_name(e.ivr))}</a></td><td class=id>{e.ivr.id}</td>"
        + "".join(f"<td class=n>{e.counts[s]}</td>" for s in _SEVERITIES)
        + "</tr>"
        for e in entries
    ]
    return (
        "<section id=ivr-list><h2>IVRs, worst first</h2>"
        "<table><thead><tr><th scope=col>Worst</th><th scope=col>IVR</th><th scope=col>Id</th>"
        "<th scope=col class=n>Errors</th><th scope=col class=n>Warnings</th>"
        "<th scope=col class=n>Info</th></tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table></section>"
    )


def _filtered_by(entry: _Entry, known: Names) -> str:
    """The attributes the script filters a section or a list row by."""
    search = _e(_search(entry.ivr, known))
    return f"data-ivr={entry.ivr.id} data-severities='{entry.severities}' data-search='{search}'"


def _name(ivr: Ivr) -> str:
    return ivr.name or "(no name)"


def _search(ivr: Ivr, known: Names) -> str:
    """What the search box matches: the IVR's name and id, its groups' ids and names."""
    groups = {
        group_id
        for menu in ivr.menus
        for route in menu.routes
        if isinstance(route.options, GroupOptions | VoicemailOptions)
        for group_id in route.options.group_ids
    }
    terms = [ivr.name, str(ivr.id), *map(str, sorted(groups))]
    if known.groups is not None:
        terms.extend(known.groups[g] for g in sorted(groups) if g in known.groups)
    return " ".join(" ".join(term.split()) for term in terms).lower()


def _finding(finding: Finding) -> str:
    where = [
        f"{label} {value}"
        for label, value in (("menu", finding.menu_id), ("route", finding.route_id))
        if value is not None
    ]
    ids = f" <span class=id>({_e(', '.join(where))})</span>" if where else ""
    return (
        f"<li class=finding data-severity={finding.severity.value}>{_badge(finding.severity)} "
        f"<code>{_e(finding.rule)}</code> {_e(finding.message)}{ids}</li>"
    )


def _section(entry: _Entry, svg: str, known: Names) -> str:
    ivr = entry.ivr
    numbers = ivr.phone_number_names or tuple(map(str, ivr.phone_number_ids))
    routes = sum(len(m.routes) for m in ivr.menus)
    facts = [
        f"phone numbers: {', '.join(numbers)}" if numbers else "no phone number",
        _plural(len(ivr.menus), "menu"),
        _plural(routes, "route"),
    ]
    if entry.findings:
        listing = "<ul class=findings>" + "".join(_finding(f) for f in entry.findings) + "</ul>"
    else:
        listing = "<p class=clean-note>No findings.</p>"
    return (
        f"<section class=ivr id=ivr-{ivr.id} {_filtered_by(entry, known)}>"
        f"<h3>{_badge(entry.worst)} {_e(_name(ivr))} <span class=id>IVR {ivr.id}</span></h3>"
        f"<p class=meta>{_e(' · '.join(facts))}</p>{listing}"
        f"<figure class=flow>{inline_svg(svg)}"
        f"<figcaption>Call flow of {_e(_name(ivr))} (IVR {ivr.id})</figcaption></figure>"
        "</section>"
    )


_STYLE: Final = """
:root{--error:#b00020;--error-bg:#fde7ea;--warning:#7a4f00;--warning-bg:#fff3cd;
--info:#0b4f8a;--info-bg:#e3effb;--clean:#1e6b24;--clean-bg:#e3f5e1;--line:#d0d4da}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:0 auto;max-width:1200px;padding:0 1.25rem 3rem;color:#1d2125;background:#fff}
h1{font-size:1.6rem;margin:1.25rem 0 .25rem}h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
h3{font-size:1.1rem;margin:0 0 .25rem}
.meta{color:#555;margin:.25rem 0}.id{color:#555;font-variant-numeric:tabular-nums;
white-space:nowrap;font-weight:normal}
.badge{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;
letter-spacing:.03em;border:1px solid;border-radius:3px;padding:0 .35em;white-space:nowrap;
vertical-align:.1em}
.badge.error{color:var(--error);background:var(--error-bg)}
.badge.warning{color:var(--warning);background:var(--warning-bg)}
.badge.info{color:var(--info);background:var(--info-bg)}
.badge.clean{color:var(--clean);background:var(--clean-bg)}
.cards{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}
.card{border:1px solid var(--line);border-left-width:6px;border-radius:4px;padding:.4rem .8rem}
.card strong{font-size:1.3rem;display:block}.card.error{border-left-color:var(--error)}
.card.warning{border-left-color:#c98a00}.card.info{border-left-color:var(--info)}
.card.clean{border-left-color:var(--clean)}
table{border-collapse:collapse;margin:.5rem 0}caption{text-align:left;font-weight:600}
th,td{border-bottom:1px solid var(--line);padding:.2rem .6rem;text-align:left}
.n{text-align:right;font-variant-numeric:tabular-nums}
#ivr-list{max-height:24rem;overflow:auto;border:1px solid var(--line);padding:0 .5rem}
#ivr-list h2{position:sticky;top:0;background:#fff;margin:0;padding:.5rem 0}
#filters{position:sticky;top:0;z-index:1;background:#f6f7f9;border:1px solid var(--line);
border-radius:4px;padding:.5rem .75rem;margin:1rem 0;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;
align-items:center}#filters[hidden]{display:none}
#filters fieldset{border:0;margin:0;padding:0;display:flex;gap:.75rem;flex-wrap:wrap}
#filters legend{float:left;margin-right:.5rem;font-weight:600}
.ivr{border-top:2px solid var(--line);padding:1rem 0;scroll-margin-top:7rem}
.findings{padding-left:1.2rem;margin:.4rem 0}.findings li{margin:.15rem 0}
.flow{margin:.5rem 0;overflow-x:auto}.flow svg{max-width:100%;height:auto}
.flow text{font-family:Helvetica,Arial,"Liberation Sans",Arimo,sans-serif;font-size:14px}
figcaption{color:#555;font-size:.85rem}
.legend{border:1px solid var(--line);border-radius:4px;padding:.4rem .8rem;margin-top:1rem}
.legend summary{font-weight:600;cursor:pointer}
[hidden]{display:none !important}
@media print{#filters,noscript{display:none}#ivr-list{max-height:none;overflow:visible;border:0}
body{max-width:none;padding:0}.ivr{break-inside:avoid-page}.flow{overflow:visible}
a{color:inherit;text-decoration:none}}
"""

# Filtering and search: IVRs (sections and list rows) show when one of their severities is
# ticked and their names or ids contain the search; findings show when their severity is.
_SCRIPT: Final = """
(function () {
  var form = document.getElementById("filters");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=severity]"));
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-severities]"));
  var findings = Array.prototype.slice.call(document.querySelectorAll("li[data-severity]"));
  var total = document.querySelectorAll("section.ivr").length;
  function apply() {
    var on = {};
    boxes.forEach(function (box) { on[box.value] = box.checked; });
    var query = search.value.trim().toLowerCase();
    var count = 0;
    items.forEach(function (item) {
      var visible = item.dataset.severities.split(" ").some(function (s) { return on[s]; })
        && (!query || item.dataset.search.indexOf(query) >= 0);
      item.hidden = !visible;
      if (visible && item.tagName === "SECTION") { count += 1; }
    });
    findings.forEach(function (li) { li.hidden = !on[li.dataset.severity]; });
    shown.textContent = count + " of " + total + " IVRs shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
"""
