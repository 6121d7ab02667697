"""
Reading a whole IVR tree for people: the audit's rules, its findings, call-flow graphs, and the
audit as one HTML page.

```python
from zendesk_ivr.analysis import audit

findings = await audit(client, check_groups=True)
```
"""

from ._audit import (
    DEFAULT_RULES,
    AuditContext,
    Finding,
    Rule,
    Severity,
    audit,
    audit_ivrs,
    dead_key,
    default_menu,
    empty_menu,
    group_routes,
    incomplete_route,
    no_phone_number,
    phone_number_route,
    textback_route,
    unknown_greeting,
    unreachable_menu,
)
from ._graph import GRAPH_FORMATS, render_dot, render_graph, render_mermaid
from ._layout import LayoutEngineError, render_svg
from ._report import render_html_report

# Grouped by what the names are for, sorted within each group (tests check both).
__all__ = [  # noqa: RUF022
    # Auditing
    "AuditContext",
    "Finding",
    "Rule",
    "Severity",
    "audit",
    "audit_ivrs",
    # The rules, in the order DEFAULT_RULES runs them
    "DEFAULT_RULES",
    "dead_key",
    "default_menu",
    "empty_menu",
    "group_routes",
    "incomplete_route",
    "no_phone_number",
    "phone_number_route",
    "textback_route",
    "unknown_greeting",
    "unreachable_menu",
    # Drawing call flows
    "GRAPH_FORMATS",
    "render_dot",
    "render_graph",
    "render_mermaid",
    "render_svg",
    # Reports
    "render_html_report",
    # Errors (under zendesk_ivr.ZendeskError)
    "LayoutEngineError",
]
