"""
The ``zendesk-ivr`` command: audit, export, graph, sandbox, the migrations map, plan, apply and
reroute, and IVRs as code: pull, check and schema.

Exit codes (the README's table; tests/cli/test_exit_codes.py checks each row):
0 the command did its job, or found nothing to do; 1 it ran and its result is a "no" (findings at
or above ``--fail-on``, references ``map`` could not match, a failed step or a declined
confirmation); 2 nothing was done: a usage, credential or connection problem, a bad file or a
refused plan, reported on one line without a traceback; 3 a bug of ours (``ZENDESK_IVR_DEBUG=1``
shows the traceback); 130 interrupted (Ctrl-C), quietly; 141, quietly, when whoever reads stdout
stops early (``| head``). Files given with ``-o`` are replaced only once complete.
"""

from __future__ import annotations

import importlib
import io
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import IO, Any, Final, NoReturn

from .._exceptions import ZendeskError
from .errors import UsageError, describe_os_error, fail
from .files import write_output
from .parser import parse_args

# What a shell reports for a command stopped by Ctrl-C (128 + 2) and by SIGPIPE (128 + 13).
INTERRUPTED: Final = 130
_CLOSED_PIPE: Final = 141

#: A command: a coroutine function for one that connects, a plain function for one that works
#: offline (check, schema), which then starts without asyncio (about 35 ms).
Runner = Callable[[Any, IO[str]], Coroutine[Any, Any, int] | int]

#: The code each command runs, as "module:function" in this package, imported only when that
#: command runs: --help and a usage error import none of it, and a command imports the client
#: (and aiohttp) only once it connects.
COMMANDS: Final = {
    "audit": "commands:audit_command",
    "export": "commands:export_command",
    "graph": "commands:graph_command",
    "sandbox": "commands:sandbox_command",
    "map": "migrate:map_command",
    "plan": "migrate:plan_command",
    "apply": "migrate:apply_command",
    "reroute": "migrate:reroute_command",
    "pull": "ascode:pull_command",
    "check": "ascode:check_command",
    "schema": "ascode:schema_command",
}


def runner(command: str) -> Runner:
    """The coroutine function that runs *command*."""
    module, _, function = COMMANDS[command].partition(":")
    found: Runner = getattr(importlib.import_module(f".{module}", __package__), function)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parse_args(argv)
    output = getattr(args, "output", None)
    # Written to a file only once complete, so a failed run leaves no half-written file.
    buffer = io.StringIO()
    try:
        ran = runner(args.command)(args, buffer if output else sys.stdout)
        if isinstance(ran, int):
            code = ran
        else:
            import asyncio  # noqa: PLC0415 - 35 ms that --help, usage errors and check do without

            code = asyncio.run(ran)
        if output:
            write_output(output, buffer.getvalue())
    except (UsageError, ZendeskError) as exc:
        fail(str(exc))
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly, as Unix tools do on SIGPIPE, and
        # point stdout at /dev/null so Python's flush at exit does not complain of it again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _CLOSED_PIPE
    except OSError as exc:
        fail(describe_os_error(exc))
    except Exception as exc:
        if os.environ.get("ZENDESK_IVR_DEBUG"):
            raise
        # Not 1 (that means findings) nor 2 (the caller's problem): a bug of ours.
        fail(
            f"unexpected {type(exc).__name__}: {exc} (a bug; ZENDESK_IVR_DEBUG=1 shows where)",
            code=3,
        )
    return code


def run() -> NoReturn:
    """
    The console script's entry point, once `_zendesk_ivr_cli` has imported it (Ctrl-C while
    Python imports this is that module's to quieten).
    """
    code = INTERRUPTED
    try:
        # A KeyboardInterrupt again from here on, so asyncio cancels a running command cleanly
        # (its files closed, its journal written) before it ends with 130.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        code = main()
    except KeyboardInterrupt:
        pass
    raise SystemExit(code)
