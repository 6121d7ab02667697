"""
IVRs as code on the command line: pull, check and schema, and the IVR file's side of plan and
apply. Each command imports what it needs when it runs: ``check`` and ``schema`` are offline and
load neither the client nor aiohttp.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .._client import Client
    from ..ascode._read import IvrFile
    from ..migration._state import DesiredState
    from ..migration._steps import Plan


async def pull_command(args: argparse.Namespace, out: IO[str]) -> int:
    from ..ascode._schema import MODELINE, SCHEMA_FILE_NAME  # noqa: PLC0415 - its own imports
    from ..ascode._write import pull_ivr_file  # noqa: PLC0415
    from .connect import connect  # noqa: PLC0415
    from .progress import Progress  # noqa: PLC0415

    existing = _existing(args.output) if args.output else None
    progress = Progress("Reading the IVR tree")
    with progress:
        async with connect(args, progress.on_attempt) as client:
            text = await pull_ivr_file(client, existing=existing, file=args.output or "")
    out.write(text)
    if not args.output:
        print(
            f"The file's $schema line expects {SCHEMA_FILE_NAME} beside it: "
            f"zendesk-ivr schema > {SCHEMA_FILE_NAME}",
            file=sys.stderr,
        )
        return 0
    if MODELINE in text:  # else the person's file points its editor elsewhere
        _write_schema_beside(args.output)
    return 0


def _existing(path: str) -> str | None:
    """The text of the file pull brings up to date; None when there is none yet."""
    if not Path(path).exists():
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path} to bring it up to date: {exc}") from None


def _write_schema_beside(path: str) -> None:
    """The schema the file's $schema line names, beside it; never over a file not ours."""
    from .._files import write_atomically  # noqa: PLC0415
    from ..ascode._schema import SCHEMA_FILE_NAME, is_schema_file, schema_text  # noqa: PLC0415

    schema = Path(path).parent / SCHEMA_FILE_NAME
    if not schema.exists():
        write_atomically(schema, schema_text())
        return
    current = schema.read_text(encoding="utf-8", errors="replace")
    if not is_schema_file(current):
        print(
            f"zendesk-ivr: warning: {schema} was not written by zendesk-ivr: left as it is, "
            "though the file's $schema line points to it",
            file=sys.stderr,
        )
    elif current != schema_text():
        write_atomically(schema, schema_text())


def check_command(args: argparse.Namespace, out: IO[str]) -> int:
    from ..analysis._rules import Severity  # noqa: PLC0415
    from ..ascode._check import check_ivr_file  # noqa: PLC0415
    from ..ascode._problems import InvalidIvrFile  # noqa: PLC0415
    from ..ascode._read import load_ivr_file  # noqa: PLC0415

    try:
        findings = check_ivr_file(load_ivr_file(args.file))
    except InvalidIvrFile as exc:
        for problem in exc.problems:
            out.write(f"{problem}\n")
        raise
    for finding in findings:
        out.write(f"{finding} [{finding.severity.value}]\n")
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    print(
        f"{args.file}: {len(findings)} findings ({counts[Severity.ERROR]} errors, "
        f"{counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} info)",
        file=sys.stderr,
    )
    if args.fail_on == "never":
        return 0
    threshold = Severity(args.fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in findings) else 0


def schema_command(args: argparse.Namespace, out: IO[str]) -> int:
    from ..ascode._schema import schema_text  # noqa: PLC0415

    out.write(schema_text())
    return 0


def read_desired(path: str) -> DesiredState | IvrFile:
    """
    The desired state in the file at *path*: an export, or an IVR file, told apart by content.
    An export is a JSON object with a ``format`` key (`load_export` checks it says
    ``zendesk-ivr-export``); an IVR file (YAML) never has one. A file that begins like JSON
    (``{``) but is not JSON is a broken export when its name ends in ``.json``; anything else
    is read as YAML, so a file that is neither gets the YAML reader's errors at their lines.
    """
    from .._core.reading import jsontext  # noqa: PLC0415
    from ..ascode._read import load_ivr_file  # noqa: PLC0415
    from ..migration._state import load_export  # noqa: PLC0415

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return load_export(path)  # which says why it cannot be read
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        try:
            document = jsontext.loads(text)
        except ValueError:
            if path.lower().endswith(".json"):
                return load_export(path)  # which says where it is not JSON
            document = None
        if isinstance(document, dict) and "format" in document:
            return load_export(path)
    return load_ivr_file(path)


async def plan_ivr_file_for(
    args: argparse.Namespace, client: Client, ivr_file: IvrFile, out: IO[str]
) -> Plan:
    """The plan for an IVR file; a refusal lists every reason at its line on stderr."""
    import json  # noqa: PLC0415

    from ..ascode._resolve import IvrFileRefused, plan_ivr_file  # noqa: PLC0415

    if args.map or args.map_by_name:
        raise UsageError(
            f"{args.file} is an IVR file, which names its groups, greetings and numbers: "
            "--map and --map-by-name are for exports"
        )
    try:
        return await plan_ivr_file(
            client, ivr_file, prune=args.prune, skip_dangling=args.skip_dangling
        )
    except IvrFileRefused as refused:
        for finding in refused.findings:
            print(finding, file=sys.stderr)
        if args.format == "json":
            json.dump({"refused": refused.to_json()}, out, indent=2, ensure_ascii=False)
            out.write("\n")
        raise
