"""
Public names imported when first used: a package's ``__getattr__`` and ``__dir__``.

`import zendesk_ivr` (or a tool's subpackage) then costs next to nothing, so the command line
answers ``--help``, a usage error, Ctrl-C or an offline check of a file before anything heavy is
imported, and nothing pays for aiohttp, yarl or cattrs (about 0.2 s) until something connects.
Each package lists its names in ``__all__`` and imports them for type checkers, which never see
the ``__getattr__`` (a misspelt name stays an error for them rather than ``Any``).
"""

from __future__ import annotations

import importlib

# Not typing's, which takes longer to import than everything else `import zendesk_ivr` does.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any


def exports(
    package: str, homes: Mapping[str, Iterable[str]], names: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """
    The ``__getattr__`` and ``__dir__`` of *package*, whose public *names* come from the modules
    *homes* maps them from (relative names, such as ``"._audit"``).
    """
    where = {name: module for module, found in homes.items() for name in found}
    public = sorted(names)

    def get_attribute(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name], package), name)
        # From now on a plain attribute of the package.
        setattr(importlib.import_module(package), name, value)
        return value

    def list_names() -> list[str]:
        return sorted({*vars(importlib.import_module(package)), *public})

    return get_attribute, list_names
