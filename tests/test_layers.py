"""
The package's layers, checked from the source: every import inside ``zendesk_ivr`` points down
(or stays in its own layer), and the fake Zendesk imports nothing of the SDK.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import zendesk_ivr

PACKAGE = Path(zendesk_ivr.__file__).parent

# Lowest first. A module may import from its own layer and the layers before it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("_exceptions", "_models", "_account", "_version", "_files", "_tasks", "_lazy")),
    ("request engine", ("_core",)),
    ("client", ("_client", "_resources", "_walk")),
    ("tools", ("migration", "analysis", "ascode")),
    ("command line", ("_cli", "__main__")),
    ("public surface", ("__init__",)),
]


def _layer_of(module: str) -> int:
    top = module.split(".", maxsplit=1)[0]
    for rank, (_, members) in enumerate(LAYERS):
        if top in members:
            return rank
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def _imports(path: Path, source: str | None = None) -> list[str]:
    """Modules of the package that *path* (or *source*, as if at *path*) imports."""
    module = _module_name(path)
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    if path.name == "__init__.py" and path.parent == PACKAGE:
        package = []
    found: list[str] = []
    text = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if node.module is None:  # from . import x
                    found.extend(".".join([*target, alias.name]) for alias in node.names)
                else:
                    found.append(".".join(target))
            elif node.module and node.module.startswith("zendesk_ivr"):
                found.append(node.module.removeprefix("zendesk_ivr").lstrip("."))
        elif isinstance(node, ast.Import):
            found.extend(
                a.name.removeprefix("zendesk_ivr").lstrip(".")
                for a in node.names
                if a.name.startswith("zendesk_ivr")
            )
    return [name for name in found if name]


SDK_FILES = sorted(p for p in PACKAGE.rglob("*.py") if "testing" not in p.parts)


@pytest.mark.parametrize("path", SDK_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_import_points_down(path: Path) -> None:
    module = _module_name(path) if path != PACKAGE / "__init__.py" else "__init__"
    rank = _layer_of(module)
    upward = [
        f"{target} ({LAYERS[_layer_of(target)][0]})"
        for target in _imports(path)
        if not target.startswith("testing") and _layer_of(target) > rank
    ]
    assert upward == [], f"{module} ({LAYERS[rank][0]}) imports upward"


def test_the_request_engine_knows_no_ivr_resource_layer() -> None:
    for path in sorted((PACKAGE / "_core").rglob("*.py")):
        assert all(_layer_of(t) <= 1 for t in _imports(path)), path.name


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (PACKAGE / "testing").glob("*.py") if p.name != "pytest_plugin.py"),
    ids=lambda p: p.name,
)
def test_the_fake_imports_nothing_of_the_sdk(path: Path) -> None:
    # A converter bug must not hide on both sides: the fake builds its JSON by hand.
    assert [t for t in _imports(path) if not t.startswith("testing")] == []


def test_the_checker_sees_an_upward_import() -> None:
    """The parse above must catch what it guards: a request-engine module importing the CLI."""
    module = PACKAGE / "_core" / "wire" / "urls.py"
    source = module.read_text(encoding="utf-8") + "\nfrom ..._cli.main import run\n"
    assert "_cli.main" in _imports(module, source)
    assert max(_layer_of(t) for t in _imports(module, source)) > _layer_of("_core.wire.urls")
