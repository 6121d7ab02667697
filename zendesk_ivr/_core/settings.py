"""The one check for numeric settings (timeouts, limits, counts), refused before any request."""

from __future__ import annotations

from typing import Any

from .._exceptions import ConfigurationError


def check_number(
    name: str,
    value: object,
    *,
    integer: bool = False,
    zero_ok: bool = False,
    none_ok: bool = False,
) -> None:
    """Refuse bools, NaN, wrong types and out-of-range values with a `ConfigurationError`."""
    if none_ok and value is None:
        return
    kinds: tuple[type, ...] = (int,) if integer else (int, float)
    in_range = isinstance(value, kinds) and not isinstance(value, bool)
    if in_range:
        number: float = value  # type: ignore[assignment]
        in_range = number >= 0 if zero_ok else number > 0  # NaN fails both
    if not in_range:
        sign = "non-negative" if zero_ok else "positive"
        kind = "integer" if integer else "number"
        extra = " or None" if none_ok else ""
        raise ConfigurationError(f"{name} must be a {sign} {kind}{extra}, got {value!r}")


def number_validator(**rules: bool) -> Any:
    """`check_number` as an attrs validator (the attribute names the setting)."""

    def validate(_instance: object, attribute: Any, value: object) -> None:
        check_number(attribute.name, value, **rules)

    return validate
