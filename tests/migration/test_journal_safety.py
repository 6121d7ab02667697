"""
A journal is held by one apply at a time, is never another file overwritten, and survives any
character a name may hold: from Python and from the console script, against the fake.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import SCRIPT, run_script
from tests.migration.test_migrate_crash import (
    LATENCY,
    STEPS,
    Scenario,
    assert_finished_once,
    canonical,
    kill_after,
)
from zendesk_ivr.migration import (
    JournalError,
    JournalLocked,
    apply,
    load_export,
    load_plan,
    plan,
)
from zendesk_ivr.migration._journal import read
from zendesk_ivr.testing import FakeZendesk

# Holds a journal's lock until killed, saying so on stdout once it does.
HOLDER = """
import sys, time
from zendesk_ivr.migration._journal import lock
held = lock(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture
async def scenario(tmp_path: Path) -> AsyncIterator[Scenario]:
    async with await FakeZendesk.start() as fake:
        yield Scenario(fake, tmp_path)


@contextlib.asynccontextmanager
async def holder_of(journal: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """Another process holding *journal*'s lock, killed (SIGKILL) at the end at the latest."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(journal), stdout=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        assert await asyncio.wait_for(process.stdout.readline(), 30) == b"held\n"
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def lock_file(scenario: Scenario) -> Path:
    return scenario.journal.with_name(scenario.journal.name + ".lock")


# --- 1. One apply per journal ---------------------------------------------------------------


async def test_a_held_journal_refuses_a_second_apply_at_once_naming_the_holder(
    scenario: Scenario,
) -> None:
    async with scenario.client() as client:
        steps = await scenario.plan(client)
        scenario.fake.clear_requests()
        async with holder_of(scenario.journal) as holder:
            with pytest.raises(JournalLocked) as refused:
                await apply(client, steps, journal=scenario.journal)
            code, out, err = await run_script(*scenario.apply_args(), env=scenario.env())

            assert scenario.fake.requests == []  # neither sent a thing, not even a read
            assert not scenario.journal.exists()
            assert refused.value.pid == holder.pid
            assert f"(process {holder.pid})" in str(refused.value)
            assert code == 2
            assert out == ""
            assert err == f"zendesk-ivr: error: {refused.value}\n"

            # Killed, the holder's lock goes with it: the OS releases it, nobody has to.
            holder.kill()
            await holder.wait()
            report = await apply(client, steps, journal=scenario.journal)
        await assert_finished_once(scenario, client)

    assert report.ok
    assert not lock_file(scenario).exists()  # tidied once released


async def test_two_applies_started_at_once_on_one_journal_create_nothing_twice(
    scenario: Scenario,
) -> None:
    # Seconds for the winner's apply, so the other starts (even late, on a busy machine) while
    # it runs.
    scenario.fake.latency = 0.3

    async def run() -> tuple[int, str]:
        code, _, err = await run_script(*scenario.apply_args(), env=scenario.env())
        return code, err

    (first, first_err), (second, second_err) = await asyncio.gather(run(), run())
    scenario.fake.latency = 0

    assert sorted([first, second]) == [0, 2], (first_err, second_err)
    refused = first_err if first == 2 else second_err
    assert refused.startswith("zendesk-ivr: error: journal ")
    assert "is in use by another apply (process " in refused
    assert refused.count("\n") == 1
    async with scenario.client() as client:
        await assert_finished_once(scenario, client)
    progress = read(scenario.journal)
    assert progress is not None
    assert len(progress.done) == STEPS


async def test_an_apply_killed_while_holding_its_journal_leaves_it_free_to_resume(
    scenario: Scenario,
) -> None:
    scenario.fake.latency = LATENCY
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        *scenario.apply_args(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=scenario.env(),
    )
    await kill_after(process, scenario, 3)
    scenario.fake.latency = 0

    assert process.returncode == -signal.SIGKILL
    # Its lock file stays behind, naming a process that is gone: the next apply takes it over.
    assert lock_file(scenario).exists()
    code, _, err = await run_script(*scenario.apply_args(), env=scenario.env())

    assert code == 0, err
    async with scenario.client() as client:
        await assert_finished_once(scenario, client)


# --- 2. A journal path is ours or untouched -------------------------------------------------

FOREIGN = [
    b'{"groups": {"5": 6}}',  # an id map, no final newline: once read as an empty journal
    b'{"groups": {"5": 6}}\n',
    b"notes\nmore notes",
    b"\xff\xfe\x00binary",
    b'{"journal": "another-tool", "version": 1}\n',
    b'{"format": "zendesk-ivr-export", "vers',  # cut short, but not how a journal begins
    b"\n",
]


@pytest.mark.parametrize("content", FOREIGN, ids=range(len(FOREIGN)))
async def test_a_path_holding_another_file_is_refused_and_left_byte_for_byte(
    scenario: Scenario, content: bytes
) -> None:
    scenario.journal.write_bytes(content)
    async with scenario.client() as client:
        steps = await scenario.plan(client)
        scenario.fake.clear_requests()
        with pytest.raises(JournalError, match="is not a zendesk-ivr journal") as refused:
            await apply(client, steps, journal=scenario.journal)
    code, out, err = await run_script(*scenario.apply_args(), env=scenario.env())

    assert type(refused.value) is JournalError
    assert scenario.fake.requests == []
    assert scenario.journal.read_bytes() == content
    assert (code, out) == (2, "")
    assert err.startswith("zendesk-ivr: error: ")
    assert "is not a zendesk-ivr journal" in err
    assert err.count("\n") == 1
    assert not lock_file(scenario).exists()


async def test_a_lock_file_of_another_program_is_refused_and_left_as_it_was(
    scenario: Scenario,
) -> None:
    beside = lock_file(scenario)
    beside.write_bytes(b"pid 77, owned by someone else\n")

    code, _, err = await run_script(*scenario.apply_args(), env=scenario.env())

    assert code == 2
    assert "is not a zendesk-ivr lock file" in err
    assert beside.read_bytes() == b"pid 77, owned by someone else\n"
    assert not scenario.journal.exists()
    assert scenario.fake.requests == []


@pytest.mark.parametrize("cut", [1, 12, 40, 200])
async def test_a_header_a_crash_cut_short_is_a_journal_not_yet_begun(
    scenario: Scenario, cut: int
) -> None:
    async with scenario.client() as client:
        steps = await scenario.plan(client)
        await apply(client, steps, journal=scenario.journal)
        header = scenario.journal.read_bytes().split(b"\n")[0]
        # Another target: the same plan again from the start, as if the first header's write
        # had been cut after *cut* bytes.
        async with await FakeZendesk.start() as elsewhere:
            (scenario.export.parent / "elsewhere").mkdir()
            other = Scenario(elsewhere, scenario.export.parent / "elsewhere")
            scenario.journal.write_bytes(header[:cut])
            async with other.client() as other_client:
                again = await other.plan(other_client)
                report = await apply(other_client, again, journal=scenario.journal)

    assert report.ok
    progress = read(scenario.journal)
    assert progress is not None
    assert progress.header["target"] == str(other_client.base_url)


# --- 3. Journals survive any name -----------------------------------------------------------

# Every character str.splitlines() ends a line at, and other troublemakers: a lone combining
# mark, a bidi override, a zero-width joiner, a non-BMP character.
BREAKERS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\u0301\u202e\u200d\U0001f4de"


def export_with_names(scenario: Scenario, names: tuple[str, str, str]) -> None:
    """Rewrite the scenario's export with *names* in the new IVR and both of its menus."""
    document = json.loads(scenario.export.read_text(encoding="utf-8"))
    ivr = document["ivrs"][1]
    ivr["name"], ivr["menus"][0]["name"], ivr["menus"][1]["name"] = names
    scenario.export.write_text(json.dumps(document), encoding="utf-8")
    scenario.desired = load_export(scenario.export)


def test_journal_lines_are_ascii_and_split_on_newlines_alone(tmp_path: Path) -> None:
    """Names with every line-breaking character, written and read back."""
    from zendesk_ivr.migration._journal import Journal  # noqa: PLC0415

    path = tmp_path / "j"
    journal = Journal.open(
        path,
        None,
        {"journal": "zendesk-ivr-apply-journal", "version": 1, "fingerprint": "f", "plan": {}},
    )
    keys = [f"ivr[{c}]" for c in BREAKERS]
    for key in keys:
        journal.done(key, {key: 1})
    journal.close()

    raw = path.read_bytes()
    progress = read(path)

    assert raw.isascii()
    assert raw.count(b"\n") == 1 + len(keys)
    assert progress is not None
    assert list(progress.done) == keys


def test_a_journal_written_in_utf_8_before_reads_the_same(tmp_path: Path) -> None:
    """Journals of earlier releases hold names as they are: only \\n ends their lines too."""
    header = {"journal": "zendesk-ivr-apply-journal", "version": 1, "plan": {}}
    keys = [f"ivr[{c}]" for c in BREAKERS.replace("\n", "")]
    lines = [header, *({"event": "done", "step": key, "ids": {key: 1}} for key in keys)]
    path = tmp_path / "j"
    path.write_bytes(
        b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)
    )

    progress = read(path)

    assert progress is not None
    assert list(progress.done) == keys


@settings(
    max_examples=4,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    extra=st.lists(
        st.text(
            st.one_of(st.sampled_from(BREAKERS), st.characters(codec="utf-8")),
            min_size=1,
            max_size=6,
        ),
        min_size=3,
        max_size=3,
    ),
    writes=st.integers(min_value=1, max_value=STEPS - 1),
)
async def test_an_apply_killed_with_any_characters_in_its_names_resumes(
    tmp_path_factory: pytest.TempPathFactory, extra: list[str], writes: int
) -> None:
    async with await FakeZendesk.start() as fake:
        scenario = Scenario(fake, tmp_path_factory.mktemp("names"))
        # Letters around them: a name that is all white space is a name Zendesk refuses.
        names = (f"New{extra[0]}line", f"Wel{extra[1]}come", f"Bil{extra[2]}ling")
        export_with_names(scenario, names)
        fake.latency = LATENCY
        process = await asyncio.create_subprocess_exec(
            str(SCRIPT),
            *scenario.apply_args(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=scenario.env(),
        )
        await kill_after(process, scenario, writes)
        await asyncio.sleep(2 * LATENCY)
        fake.latency = 0
        code, _, err = await run_script(*scenario.apply_args(), env=scenario.env())
        again, again_out, _ = await run_script(*scenario.apply_args(), env=scenario.env())

        async with scenario.client() as client:
            tree = await client.walk()
        created = Counter(
            (r.path, json.dumps(r.json, sort_keys=True))
            for r in fake.requests
            if r.method == "POST"
        )

    assert code == 0, err
    assert (again, again_out) == (0, "Nothing to change.\n")
    assert canonical(tree.ivrs) == canonical(scenario.desired.ivrs)
    assert [n for n, count in created.items() if count > 1] == []
    assert scenario.journal.read_bytes().isascii()


# --- 5. No recursion over a journal's data ---------------------------------------------------


def deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"x": value}
    return value


@pytest.mark.parametrize("levels", [600, 800, 990])
async def test_a_journal_holding_a_plan_nested_deep_is_refused_on_resume(
    scenario: Scenario, levels: int
) -> None:
    async with scenario.client() as client:
        steps = await scenario.plan(client)
        await apply(client, steps, journal=scenario.journal)
    header, *rest = scenario.journal.read_bytes().split(b"\n")
    document = json.loads(header)
    document["plan"]["steps"][0]["fields"]["deep"] = 1
    # Spliced in as text: json.dumps itself recurses at such depths.
    shallow = json.dumps(document, separators=(",", ":"))
    text = shallow.replace('"deep":1', '"deep":' + '{"x":' * levels + "1" + "}" * levels)
    assert text.count('"deep"') == 1
    assert len(text) > len(shallow)
    scenario.journal.write_bytes(b"\n".join([text.encode(), *rest]))
    before = scenario.journal.read_bytes()
    scenario.fake.clear_requests()

    with pytest.raises(JournalError, match=r"nested (more than 40 levels|too) deep") as refused:
        load_plan(scenario.journal)
    code, _, err = await run_script(*scenario.apply_args(), env=scenario.env())

    assert type(refused.value) is JournalError
    assert code == 2
    assert err == f"zendesk-ivr: error: {refused.value}\n"
    assert err.count("\n") == 1
    assert scenario.journal.read_bytes() == before
    assert scenario.fake.requests == []


def test_the_plans_walk_over_json_takes_no_stack_at_any_depth() -> None:
    from zendesk_ivr.migration._steps import KEEP, Pending, map_tree, pendings  # noqa: PLC0415

    value: Any = [Pending("ivr[A]")]
    for _ in range(10_000):
        value = {"x": [value]}
    rebuilt = map_tree(value, lambda node: KEEP)

    assert pendings(rebuilt) == [Pending("ivr[A]")]


def test_plan_refuses_options_nested_too_deep_before_walking_them() -> None:
    """Options as an account's walk reads them (a hostile server's): refused, not recursed."""
    from zendesk_ivr import Ivr  # noqa: PLC0415
    from zendesk_ivr._core.reading.serde import make_converter  # noqa: PLC0415
    from zendesk_ivr.migration import PlanRefused  # noqa: PLC0415

    options = {"group_ids": [5], "more": deep(600)}
    route = {"id": 3, "keypress": "1", "action": "group", "options": options}
    menu = {"id": 2, "name": "M", "default": True, "routes": [route]}
    ivr = make_converter().structure({"id": 1, "name": "A", "menus": [menu]}, Ivr)

    with pytest.raises(PlanRefused) as refused:
        plan([ivr], [ivr], same_account=True)
    assert refused.value.problems == (
        "nested more than 32 levels deep; refusing to read it"
        " @ $.ivrs[0].menus[0].routes[0].options",
        "nested more than 32 levels deep; refusing to read it"
        " @ the account's route 3 (IVR 1, menu 2) options",
    )


def test_the_converter_writes_options_it_read_without_recursing() -> None:
    from zendesk_ivr import IvrRoute  # noqa: PLC0415
    from zendesk_ivr._core.reading.serde import shared_converter  # noqa: PLC0415

    converter = shared_converter()
    options = {"group_ids": [5], "more": deep(600)}
    route = converter.structure(
        {"id": 3, "keypress": "1", "action": "group", "options": options}, IvrRoute
    )

    assert converter.unstructure(route.options)["group_ids"] == [5]
