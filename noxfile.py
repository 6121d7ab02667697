"""Developer tasks: ``nox`` runs tests, lint and typecheck; ``nox -s bench`` the benchmarks."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, against the bundled fake Zendesk over loopback HTTP."""
    session.install("-e", ".", *_group("test"))
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, the tests and this file."""
    session.install("-e", ".", *_group("typing"))
    session.run("mypy", "--strict")


@nox.session
def bench(session: nox.Session) -> None:
    """
    The benchmarks (not run by default); writes benchmarks/RESULTS.md. Pass run.py's arguments
    after ``--``, e.g. ``nox -s bench -- --smoke`` or ``nox -s bench -- --scenario listing``.
    """
    session.install("-e", ".", *_group("bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)
