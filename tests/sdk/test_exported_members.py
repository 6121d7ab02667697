"""
The public surface: the top level (client, models, errors, OAuth, limiter) and the tools'
subpackages, `zendesk_ivr.migration`, `zendesk_ivr.analysis` and `zendesk_ivr.ascode`. What each
`__all__` promises, and what none of them may miss.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import types
from pathlib import Path

import attrs
import pytest

import zendesk_ivr
import zendesk_ivr.analysis
import zendesk_ivr.ascode
import zendesk_ivr.migration

PUBLIC = (zendesk_ivr, zendesk_ivr.migration, zendesk_ivr.analysis, zendesk_ivr.ascode)
GROUPS = {
    "zendesk_ivr": [
        "The client, its resources and settings",
        "Models: what the API reads and writes",
        "Errors: one tree under ZendeskError",
    ],
    "zendesk_ivr.migration": [
        "What a migration starts from",
        "The plan",
        "Applying it",
        "Errors (under zendesk_ivr.ZendeskError)",
    ],
    "zendesk_ivr.analysis": [
        "Auditing",
        "The rules, in the order DEFAULT_RULES runs them",
        "Drawing call flows",
        "Reports",
        "Errors (under zendesk_ivr.ZendeskError)",
    ],
    "zendesk_ivr.ascode": [
        "Reading and checking IVR files",
        "IVR files and accounts",
        "The schema",
        "Errors (under zendesk_ivr.ZendeskError)",
    ],
}


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
    """The SDK's private modules (the command line's own names never reach SDK users)."""
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(zendesk_ivr.__path__, "zendesk_ivr.")
        if any(part.startswith("_") for part in info.name.split(".")[1:])
        and not info.name.startswith("zendesk_ivr._cli")
        and not info.name.startswith("zendesk_ivr.testing")
    ]


def _defined_in(module: types.ModuleType) -> dict[str, object]:
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    }


def _all_groups(package: types.ModuleType) -> list[tuple[str, list[str]]]:
    """``__all__`` as written in the package: each ``# heading`` comment and its names."""
    source = Path(str(package.__file__)).read_text(encoding="utf-8")
    block = source[source.index("__all__ = [") :]
    block = block[: block.index("\n]") + 2]
    groups: list[tuple[str, list[str]]] = []
    for line in (raw.strip() for raw in block.splitlines()[1:-1]):
        if line.startswith("#"):
            groups.append((line.lstrip("# "), []))
        else:
            groups[-1][1].append(line.strip('",'))
    return groups


def _exported() -> dict[str, object]:
    return {name: getattr(p, name) for p in PUBLIC for name in p.__all__}


@pytest.mark.parametrize("package", PUBLIC, ids=lambda p: p.__name__)
def test_all_is_grouped_and_sorted_within_each_group(package: types.ModuleType) -> None:
    groups = _all_groups(package)
    assert [title for title, _ in groups] == GROUPS[package.__name__]
    assert [name for _, names in groups for name in names] == package.__all__
    for title, names in groups:
        assert names == sorted(names, key=_isort_style_key), title


@pytest.mark.parametrize("package", PUBLIC, ids=lambda p: p.__name__)
def test_every_name_in_all_exists_once(package: types.ModuleType) -> None:
    assert len(package.__all__) == len(set(package.__all__))
    assert [name for name in package.__all__ if not hasattr(package, name)] == []


def test_no_name_is_exported_twice() -> None:
    names = [name for p in PUBLIC for name in p.__all__]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []


def test_the_top_level_is_small() -> None:
    # The client, the models, the errors, OAuth and the limiter; the tools are subpackages.
    assert len(zendesk_ivr.__all__) <= 56
    for tool in ("plan", "apply", "export", "audit", "Finding", "make_converter"):
        assert not hasattr(zendesk_ivr, tool), tool


def test_every_error_is_in_an_errors_group_and_under_zendesk_error() -> None:
    for package in PUBLIC:
        errors = {
            name for title, names in _all_groups(package) if "rror" in title for name in names
        }
        exceptions = {
            name
            for name in package.__all__
            if isinstance(value := getattr(package, name), type) and issubclass(value, Exception)
        }
        assert exceptions == errors, package.__name__
        for name in exceptions:
            assert issubclass(getattr(package, name), zendesk_ivr.ZendeskError)


def test_the_private_modules_are_found() -> None:
    names = {module.__name__ for module in _private_modules()}
    assert {
        "zendesk_ivr._exceptions",
        "zendesk_ivr._models",
        "zendesk_ivr._core.wire.urls",
        "zendesk_ivr.migration._planner",
        "zendesk_ivr.analysis._rules",
    } <= names


#: Signals between the SDK's own modules, caught where they are raised for: never a user's.
INTERNAL_SIGNALS = {"Unusual"}  # a record the readers leave to the detailed converter


def test_every_exception_is_exported_by_one_public_package() -> None:
    exceptions = {
        name
        for module in _private_modules()
        for name, value in _defined_in(module).items()
        if inspect.isclass(value) and issubclass(value, BaseException)
    } - INTERNAL_SIGNALS
    assert "ZendeskError" in exceptions
    assert "PlanRefused" in exceptions
    assert exceptions - set(_exported()) == set()


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
    exported = _exported()
    for module in _private_modules():
        for name in getattr(module, "__all__", ()):
            if name in exported:
                assert exported[name] is getattr(module, name), name


def test_private_module_all_lists_are_exported() -> None:
    from zendesk_ivr import _exceptions, _models  # noqa: PLC0415

    assert set(_exceptions.__all__) - set(zendesk_ivr.__all__) == set()
    assert set(_models.__all__) - set(zendesk_ivr.__all__) == set()


def test_dir_lists_every_public_name() -> None:
    assert set(zendesk_ivr.__all__) <= set(dir(zendesk_ivr))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'plan'"):
        _ = zendesk_ivr.plan  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "module",
    [
        "zendesk_ivr",
        "zendesk_ivr.analysis",
        "zendesk_ivr.migration",
        "zendesk_ivr.ascode",
        "zendesk_ivr.analysis._rules",
    ],
)
def test_importing_a_package_does_not_import_the_network_stack(module: str) -> None:
    # The command line's --help and an offline check of a file start without aiohttp (or the
    # YAML library): the packages import their names when first used, and the audit's rules
    # need none of it either.
    code = (
        f"import sys, {module}; print(sorted(m for m in "
        "('aiohttp', 'yarl', 'cattrs', 'ruamel', 'ruamel.yaml') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_a_name_that_needs_the_network_stack_imports_it() -> None:
    code = "import sys, zendesk_ivr; zendesk_ivr.Client; print('aiohttp' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True"


def test_py_typed_exists() -> None:
    assert (Path(zendesk_ivr.__file__).parent / "py.typed").is_file()
