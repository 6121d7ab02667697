"""
IVRs as code: an account's IVRs as a YAML file of names that people write, review, check and
apply.

```python
from zendesk_ivr.ascode import check_ivr_file, load_ivr_file, plan_ivr_file, pull_ivr_file
from zendesk_ivr.migration import apply

ivr_file = load_ivr_file("ivrs.yaml")  # offline: YAML, then the schema
for finding in check_ivr_file(ivr_file):  # offline: the audit's rules, at their lines
    print(finding)  # ivrs.yaml:12:14: dead_key: ...
steps = await plan_ivr_file(client, ivr_file)  # names resolved against the account
report = await apply(client, steps)
text = await pull_ivr_file(client, existing=text)  # the account as such a file
```

Reading and checking a file needs neither the network stack nor credentials: this package's
names are imported when first used, so an offline check never loads the client.
"""

from __future__ import annotations

# Not typing's: type checkers read the block below as true (see zendesk_ivr._lazy).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._check import check_ivr_file
    from ._problems import FileFinding, InvalidIvrFile
    from ._read import IvrFile, load_ivr_file, parse_ivr_file
    from ._resolve import IvrFileRefused, Resolution, plan_ivr_file, resolve_ivr_file
    from ._schema import SCHEMA_FILE_NAME, ivr_file_schema
    from ._write import dump_ivr_file, pull_ivr_file

# Grouped by what the names are for, sorted within each group (tests check both).
__all__ = [  # noqa: RUF022
    # Reading and checking IVR files
    "FileFinding",
    "IvrFile",
    "check_ivr_file",
    "load_ivr_file",
    "parse_ivr_file",
    # IVR files and accounts
    "Resolution",
    "dump_ivr_file",
    "plan_ivr_file",
    "pull_ivr_file",
    "resolve_ivr_file",
    # The schema
    "SCHEMA_FILE_NAME",
    "ivr_file_schema",
    # Errors (under zendesk_ivr.ZendeskError)
    "InvalidIvrFile",
    "IvrFileRefused",
]

if not TYPE_CHECKING:
    from .._lazy import exports

    __getattr__, __dir__ = exports(
        __name__,
        {
            "._check": ("check_ivr_file",),
            "._problems": ("FileFinding", "InvalidIvrFile"),
            "._read": ("IvrFile", "load_ivr_file", "parse_ivr_file"),
            "._resolve": ("IvrFileRefused", "Resolution", "plan_ivr_file", "resolve_ivr_file"),
            "._schema": ("SCHEMA_FILE_NAME", "ivr_file_schema"),
            "._write": ("dump_ivr_file", "pull_ivr_file"),
        },
        __all__,
    )
