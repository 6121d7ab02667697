"""
JSON text to Python values, where nesting too deep to parse is a `ValueError` like any bad JSON.

The standard parser recurses once per level, so a body of ``[`` x 100,000 raises `RecursionError`.
Every reader of JSON (response bodies, export files, id maps, journals, token files) already
turns `ValueError` into its own typed error, so this is the one place that needs to know.
"""

from __future__ import annotations

import json
from typing import Any


def loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply to read") from None
