"""
Reading a whole IVR tree for people: the audit's rules, its findings, call-flow graphs, and the
audit as one HTML page.

```python
from zendesk_ivr.analysis import audit

findings = await audit(client, check_groups=True)
```
"""

from __future__ import annotations

# Not typing's: type checkers read the block below as true (see zendesk_ivr._lazy).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._audit import audit
    from ._graph import GRAPH_FORMATS, render_dot, render_graph, render_mermaid
    from ._layout import LayoutEngineError, render_svg
    from ._report import render_html_report
    from ._rules import (
        DEFAULT_RULES,
        AuditContext,
        Finding,
        Rule,
        Severity,
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

if not TYPE_CHECKING:
    from .._lazy import exports

    __getattr__, __dir__ = exports(
        __name__,
        {
            "._audit": ("audit",),
            "._rules": (
                "DEFAULT_RULES",
                "AuditContext",
                "Finding",
                "Rule",
                "Severity",
                "audit_ivrs",
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
            ),
            "._graph": ("GRAPH_FORMATS", "render_dot", "render_graph", "render_mermaid"),
            "._layout": ("LayoutEngineError", "render_svg"),
            "._report": ("render_html_report",),
        },
        __all__,
    )
