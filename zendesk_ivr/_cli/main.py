"""
The ``zendesk-ivr`` command: audit, export, graph, sandbox, and the migrations plan, apply and
reroute.

Exit codes: 0 when nothing at or above ``--fail-on`` was found (or the command did its job),
1 when the audit found something that bad (or an apply stopped on a failed step, or was not
confirmed), 2 for a usage, credential or connection problem, a bad file or a refused plan,
reported on one line without a traceback, 3 for a bug of ours (``ZENDESK_IVR_DEBUG=1`` shows
the traceback).
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
from collections.abc import Sequence
from typing import Final, NoReturn

from .._exceptions import ZendeskError
from .commands import audit_command, export_command, graph_command, sandbox_command
from .errors import UsageError, fail
from .migrate import apply_command, map_command, plan_command, reroute_command
from .parser import build_parser

_COMMANDS: Final = {
    "audit": audit_command,
    "export": export_command,
    "graph": graph_command,
    "sandbox": sandbox_command,
    "map": map_command,
    "plan": plan_command,
    "apply": apply_command,
    "reroute": reroute_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    output = getattr(args, "output", None)
    # Written to a file only once complete, so a failed run leaves no half-written file.
    buffer = io.StringIO()
    try:
        code = asyncio.run(_COMMANDS[args.command](args, buffer if output else sys.stdout))
    except (UsageError, ZendeskError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{type(exc).__name__}: {exc}")
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("ZENDESK_IVR_DEBUG"):
            raise
        # Not 1 (that means findings) nor 2 (the caller's problem): a bug of ours.
        fail(
            f"unexpected {type(exc).__name__}: {exc} (a bug; ZENDESK_IVR_DEBUG=1 shows where)",
            code=3,
        )
    if output:
        try:
            with open(output, "w", encoding="utf-8") as file:
                file.write(buffer.getvalue())
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror}")
    return code


def run() -> NoReturn:
    """The console script's entry point."""
    raise SystemExit(main())
