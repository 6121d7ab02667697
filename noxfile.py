"""Developer tasks: ``nox`` runs tests, lint and typecheck; ``nox -s bench`` the benchmarks."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
# A Python the machine lacks is skipped, not an error, even on CI (where nox's default flips):
# the suite runs on every classified Python that is there.
nox.options.error_on_missing_interpreters = False

PYPROJECT = nox.project.load_toml("pyproject.toml")
#: The Pythons the classifiers claim (3.11 to 3.13), so the two cannot drift apart.
PYTHONS = nox.project.python_versions(PYPROJECT)


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """
    The whole test suite, on each classified Python the machine has (the fake over loopback).
    """
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
