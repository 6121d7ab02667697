"""
Developer tasks: ``nox`` runs tests, lint and typecheck; ``nox -s docs`` builds the
documentation site; ``nox -s bench`` the benchmarks; ``nox -s mutate`` mutation testing before a
release.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

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
def docs(session: nox.Session) -> None:
    """
    The documentation site, built into site/ with --strict: a broken link or reference fails.
    ``nox -s docs -- serve`` serves it with live reload instead.
    """
    session.install("-e", ".", *_group("docs"))
    # Material's banner about its successor is advice, not a problem with these pages.
    env = {"NO_MKDOCS_2_WARNING": "1"}
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", *session.posargs[1:], env=env)
    else:
        session.run("mkdocs", "build", "--strict", *session.posargs, env=env)


@nox.session
def bench(session: nox.Session) -> None:
    """
    The benchmarks (not run by default); writes benchmarks/RESULTS.md. Pass run.py's arguments
    after ``--``, e.g. ``nox -s bench -- --smoke`` or ``nox -s bench -- --scenario listing``.
    """
    session.install("-e", ".", *_group("bench"))
    session.run("python", "benchmarks/run.py", *session.posargs)


class Target(NamedTuple):
    """What one mutation target mutates, the tests that drive it, and its share of the time."""

    sources: tuple[str, ...]  # the files mutated
    tests: tuple[str, ...]
    seconds: int


# The modules whose bugs cost users most, most costly first: the retry rules, the URL and link
# rules (next page, resume), the plan, apply, the journal, the audit rules, the limiter. Each
# target runs only its own tests (mutmut then runs, per mutant, those of them that call the
# mutated function); tests that only start the console script are left out, since the script
# runs unmutated code.
MUTATION_TARGETS: dict[str, Target] = {
    "retry": Target(
        ("zendesk_ivr/_core/pacing/retry.py",),
        ("tests/sdk/test_retry_rules.py", "tests/sdk/test_resilience.py"),
        300,
    ),
    "links": Target(
        ("zendesk_ivr/_core/wire/urls.py",),
        (
            "tests/sdk/test_link_rules.py",
            "tests/sdk/test_url_building.py",
            "tests/sdk/test_protocol.py",
            "tests/sdk/test_pagination.py",
        ),
        300,
    ),
    "plan": Target(
        ("zendesk_ivr/migration/_planner.py", "zendesk_ivr/migration/_refusal.py"),
        (
            "tests/migration/test_plan_rules.py",
            "tests/migration/test_plan_messages.py",
            "tests/migration/test_migrate.py",
        ),
        600,
    ),
    "apply": Target(
        ("zendesk_ivr/migration/_apply.py",),
        (
            "tests/migration/test_apply_reports.py",
            "tests/migration/test_migrate.py",
            "tests/migration/test_migrate_crash.py",
        ),
        540,
    ),
    "journal": Target(
        ("zendesk_ivr/migration/_journal.py",),
        (
            "tests/migration/test_apply_reports.py",
            "tests/migration/test_migrate.py",
            "tests/migration/test_migrate_crash.py",
        ),
        300,
    ),
    "audit": Target(
        ("zendesk_ivr/analysis/_audit.py",),
        (
            "tests/analysis/test_audit_messages.py",
            "tests/analysis/test_audit.py",
            "tests/analysis/test_walk_and_audit.py",
        ),
        300,
    ),
    "limiter": Target(
        (
            "zendesk_ivr/_core/pacing/budget.py",
            "zendesk_ivr/_core/pacing/reported.py",
            "zendesk_ivr/_core/pacing/headers.py",
            "zendesk_ivr/_core/pacing/limiter.py",
        ),
        ("tests/sdk/test_budget.py", "tests/sdk/test_limiter.py", "tests/sdk/test_resilience.py"),
        300,
    ),
}
MUTATION_WORK = Path(".mutmut")
# A test running 20 s (the slowest takes 5 s) is hung by its mutant: that kills the mutant.
# A backoff made to sleep for minutes burns no CPU, so mutmut's CPU-time limit alone would wait.
MUTATION_PYTEST_ARGS = ("--timeout=20",)


@nox.session
def mutate(session: nox.Session) -> None:
    """
    Mutation testing with mutmut, before a release (not run by default, nor in CI: about 45
    minutes on 2 cores). Name targets after ``--`` to run some: ``nox -s mutate -- retry links``.
    Each target works in .mutmut/TARGET within its time box and keeps its verdicts there, so a
    second run goes on with the mutants not reached; delete the folder to start afresh (after
    adding tests, say). Ends with mutants, killed and survived per target;
    ``cd .mutmut/TARGET && mutmut show NAME`` prints a survivor's diff.
    """
    session.install("-e", ".", *_group("mutate"))
    chosen = session.posargs or list(MUTATION_TARGETS)
    unknown = sorted(set(chosen) - set(MUTATION_TARGETS))
    if unknown:
        session.error(f"unknown targets {unknown}; choose from {list(MUTATION_TARGETS)}")
    pytest_config = PYPROJECT["tool"]["pytest"]["ini_options"]
    rows = []
    for name in chosen:
        target = MUTATION_TARGETS[name]
        work = _mutation_workdir(name, target, pytest_config)
        with session.chdir(work):
            # SIGINT stops mutmut cleanly, keeping each verdict reached; 124: the time box ended.
            # Naming no mutant lets mutmut skip those it has a verdict for.
            session.run(
                *("timeout", "--signal=INT", str(target.seconds), "mutmut", "run"),
                external=True,
                success_codes=[0, 124],
            )
            listing = str(session.run("mutmut", "results", "--all", "true", silent=True))
        rows.append((name, Counter(line.rpartition(": ")[2] for line in listing.splitlines())))
    # Killed counts the mutants whose tests hung too; "no tests": no selected test calls it.
    columns = ("mutants", "killed", "survived", "no tests", "not run")
    session.log(f"{'target':<8} " + " ".join(f"{c:>8}" for c in columns))
    for name, seen in rows:
        killed = seen["killed"] + seen["timeout"]
        survived, untested, total = seen["survived"], seen["no tests"], seen.total()
        figures = (total, killed, survived, untested, total - killed - survived - untested)
        session.log(f"{name:<8} " + " ".join(f"{f:>8}" for f in figures))


def _mutation_workdir(name: str, target: Target, pytest_config: dict[str, Any]) -> Path:
    """A folder for one target: the package and tests linked in, and mutmut's config for it."""
    work = MUTATION_WORK / name
    work.mkdir(parents=True, exist_ok=True)
    for linked in ("zendesk_ivr", "tests"):
        link = work / linked
        if not link.is_symlink():
            link.symlink_to(Path.cwd() / linked)
    config = {
        "tool.pytest.ini_options": pytest_config,
        "tool.mutmut": {
            "source_paths": ["zendesk_ivr"],
            "only_mutate": list(target.sources),
            "pytest_add_cli_args_test_selection": list(target.tests),
            "pytest_add_cli_args": list(MUTATION_PYTEST_ARGS),
        },
    }
    # JSON strings, lists and booleans are valid TOML values.
    text = "".join(
        f"[{table}]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
        for table, values in config.items()
    )
    (work / "pyproject.toml").write_text(text)
    return work
