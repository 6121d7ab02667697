"""
The JSON Schema of IVR files, shipped in the package (``ivrs.schema.json``), and where an IVR
file says it is.

``pull`` writes ``# yaml-language-server: $schema=zendesk-ivr.schema.json`` at the top of the
file and the schema beside it under that name: a path relative to the file, which
yaml-language-server (VS Code's YAML extension, Neovim, Helix...) resolves from the file's own
folder. Both are committed together, so the file validates in any clone, with no absolute path
of one machine and no address that must be reachable.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any, Final

from ._jsonschema import Validator

__all__ = ["MODELINE", "SCHEMA_FILE_NAME", "is_schema_file", "ivr_file_schema", "schema_text"]

#: The name `pull` gives the schema beside the IVR file it writes.
SCHEMA_FILE_NAME: Final = "zendesk-ivr.schema.json"
MODELINE: Final = f"yaml-language-server: $schema={SCHEMA_FILE_NAME}"
_ID_PREFIX: Final = "urn:zendesk-ivr:ivr-file:"


@functools.cache
def schema_text() -> str:
    """The schema's JSON text, as shipped."""
    return (
        resources.files("zendesk_ivr.ascode")
        .joinpath("ivrs.schema.json")
        .read_text(encoding="utf-8")
    )


@functools.cache
def _schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(schema_text())
    return document


def ivr_file_schema() -> dict[str, Any]:
    """The JSON Schema of IVR files (draft 2020-12), a fresh copy each call."""
    return copy.deepcopy(_schema())


@functools.cache
def validator() -> Validator:
    return Validator(_schema())


def is_schema_file(text: str) -> bool:
    """Whether *text* is a schema of IVR files that zendesk-ivr wrote (any version of it)."""
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return isinstance(document, dict) and str(document.get("$id", "")).startswith(_ID_PREFIX)
