"""
Names a package imports when first used: its ``__getattr__`` and ``__dir__``, so that importing
the package (or a light module of it) does not import what its heavier names need.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any


def lazy_names(
    package: str,
    modules: Mapping[str, str],
    namespace: MutableMapping[str, Any],
    public: Sequence[str],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """
    A ``__getattr__`` that imports the name from its module in *modules* (name to module,
    relative to *package*) on first use and keeps it in *namespace* (the package's globals),
    and a ``__dir__`` that lists *public* too.
    """

    def get(name: str) -> Any:
        if name not in modules:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(modules[name], package), name)
        namespace[name] = value  # from now on a plain attribute of the package
        return value

    def listing() -> list[str]:
        return sorted({*namespace, *public})

    return get, listing
