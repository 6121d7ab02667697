"""The public surface of zendesk_ivr: what `__all__` promises and what it must not miss."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import types
from pathlib import Path

import attrs

import zendesk_ivr


def _isort_style_key(name: str) -> tuple[int, list[int | str]]:
    """ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then the rest, naturally sorted."""
    if name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return group, natural


def _private_modules() -> list[types.ModuleType]:
    """The SDK's private modules; the command line's own names never reach SDK users."""
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(zendesk_ivr.__path__, "zendesk_ivr.")
        if info.name.removeprefix("zendesk_ivr.").startswith("_")
        and not info.name.startswith("zendesk_ivr._cli")
    ]


def _defined_in(module: types.ModuleType) -> dict[str, object]:
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    }


def _all_groups() -> list[tuple[str, list[str]]]:
    """``__all__`` as written in ``__init__.py``: each ``# heading`` comment and its names."""
    source = Path(zendesk_ivr.__file__).read_text(encoding="utf-8")
    block = source[source.index("__all__ = [") :]
    block = block[: block.index("\n]") + 2]
    groups: list[tuple[str, list[str]]] = []
    for line in (raw.strip() for raw in block.splitlines()[1:-1]):
        if line.startswith("#"):
            groups.append((line.lstrip("# "), []))
        else:
            groups[-1][1].append(line.strip('",'))
    return groups


def test_all_is_grouped_and_sorted_within_each_group() -> None:
    groups = _all_groups()
    assert [title for title, _ in groups] == [
        "The client, its resources and settings",
        "Models: what the API reads and writes",
        "Errors: one tree under ZendeskError",
        "Tools: the audit and call-flow graphs",
        "Tools: migrations",
    ]
    assert [name for _, names in groups for name in names] == zendesk_ivr.__all__
    for title, names in groups:
        assert names == sorted(names, key=_isort_style_key), title


def test_every_exception_is_in_the_errors_group() -> None:
    errors = dict(_all_groups())["Errors: one tree under ZendeskError"]
    exported = {n for n in zendesk_ivr.__all__ if isinstance(getattr(zendesk_ivr, n), type)}
    assert {n for n in exported if issubclass(getattr(zendesk_ivr, n), BaseException)} == set(
        errors
    )


def test_all_has_no_duplicates() -> None:
    assert len(zendesk_ivr.__all__) == len(set(zendesk_ivr.__all__))


def test_every_name_in_all_exists() -> None:
    missing = [name for name in zendesk_ivr.__all__ if not hasattr(zendesk_ivr, name)]
    assert missing == []


def test_every_public_name_of_the_package_is_in_all() -> None:
    public = {
        name
        for name, value in vars(zendesk_ivr).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - set(zendesk_ivr.__all__) == set()


def test_the_private_modules_are_found() -> None:
    names = {module.__name__ for module in _private_modules()}
    assert {"zendesk_ivr._exceptions", "zendesk_ivr._models", "zendesk_ivr._core.urls"} <= names


def test_every_exception_is_exported() -> None:
    exceptions = {
        name
        for module in _private_modules()
        for name, value in _defined_in(module).items()
        if inspect.isclass(value) and issubclass(value, BaseException)
    }
    assert "ZendeskError" in exceptions
    assert exceptions - set(zendesk_ivr.__all__) == set()
    for name in exceptions:
        assert issubclass(getattr(zendesk_ivr, name), zendesk_ivr.ZendeskError)


def test_every_model_is_exported() -> None:
    from zendesk_ivr import _account, _models  # noqa: PLC0415 - the modules of the models

    models = {
        name
        for module in (_models, _account)
        for name, value in _defined_in(module).items()
        if inspect.isclass(value) and attrs.has(value)
    }
    assert {"Ivr", "IvrMenu", "IvrRoute", "IvrFields", "GroupOptions", "UnknownOptions"} <= models
    assert {"Group", "Greeting", "PhoneNumber"} <= models
    assert models - set(zendesk_ivr.__all__) == set()
    # A listing's page is a model too, though it lives with the protocol.
    assert "Page" in zendesk_ivr.__all__


def test_exported_objects_are_the_private_modules_objects() -> None:
    for module in _private_modules():
        for name in getattr(module, "__all__", ()):
            if name in zendesk_ivr.__all__:
                assert getattr(zendesk_ivr, name) is getattr(module, name)


def test_private_module_all_lists_are_exported() -> None:
    from zendesk_ivr import _exceptions, _models  # noqa: PLC0415

    assert set(_exceptions.__all__) - set(zendesk_ivr.__all__) == set()
    assert set(_models.__all__) - set(zendesk_ivr.__all__) == set()


def test_py_typed_exists() -> None:
    assert (Path(zendesk_ivr.__file__).parent / "py.typed").is_file()
