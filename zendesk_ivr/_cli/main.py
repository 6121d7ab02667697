"""
The ``zendesk-ivr`` command: audit, export, graph, sandbox, the migrations plan, apply and
reroute, and IVRs as code: pull, check and schema.

Exit codes: 0 when nothing at or above ``--fail-on`` was found (or the command did its job),
1 when the audit found something that bad (or an apply stopped on a failed step, or was not
confirmed), 2 for a usage, credential or connection problem, a bad file or a refused plan,
reported on one line without a traceback, 3 for a bug of ours (``ZENDESK_IVR_DEBUG=1`` shows
the traceback), and 141, quietly, when whoever reads stdout stops early (``| head``). Files given
with ``-o`` are replaced only once complete.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
from collections.abc import Sequence
from typing import Final, NoReturn

from .._exceptions import ZendeskError
from .._files import write_atomically
from .ascode import check_command, pull_command, schema_command
from .commands import audit_command, export_command, graph_command, sandbox_command
from .errors import UsageError, fail
from .migrate import apply_command, map_command, plan_command, reroute_command
from .parser import build_parser

# What a shell reports for a command killed by SIGPIPE (128 + 13), as `head` leaves them.
_CLOSED_PIPE: Final = 141

_COMMANDS: Final = {
    "audit": audit_command,
    "export": export_command,
    "graph": graph_command,
    "sandbox": sandbox_command,
    "map": map_command,
    "plan": plan_command,
    "apply": apply_command,
    "reroute": reroute_command,
    "pull": pull_command,
    "check": check_command,
    "schema": schema_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    output = getattr(args, "output", None)
    # Written to a file only once complete, so a failed run leaves no half-written file.
    buffer = io.StringIO()
    try:
        code = asyncio.run(_COMMANDS[args.command](args, buffer if output else sys.stdout))
        if output:
            _write_output(output, buffer.getvalue())
    except (UsageError, ZendeskError) as exc:
        fail(str(exc))
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly, as Unix tools do on SIGPIPE, and
        # point stdout at /dev/null so Python's flush at exit does not complain of it again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _CLOSED_PIPE
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
    return code


def _write_output(output: str, text: str) -> None:
    """Replace *output* only once *text* is wholly on disk: a failed write keeps the old file."""
    try:
        write_atomically(output, text)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None


def run() -> NoReturn:
    """The console script's entry point."""
    raise SystemExit(main())
