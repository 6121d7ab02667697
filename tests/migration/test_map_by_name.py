"""Id maps made by name: the SDK's map_by_name, and the map command between two sandboxes."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.cli_helpers import fake_env, run_script
from zendesk_ivr import Client, PhoneNumber
from zendesk_ivr.migration import IdMap, InvalidExport, export, load_export, map_by_name
from zendesk_ivr.migration._references import REFERENCE_KINDS, referenced_ids
from zendesk_ivr.testing import FakeZendesk, seed_demo_account

WRITES = ("POST", "PUT", "DELETE")


def client_of(fake: FakeZendesk) -> Client:
    return Client(base_url=fake.url, email=fake.email, api_token=fake.api_token)


async def test_phone_numbers_list_reads_the_talk_numbers(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    first = zendesk_fake.add_phone_number("+14155550100", nickname="Main line")
    second = zendesk_fake.add_phone_number("+442071838750")

    found = [p async for p in zendesk_client.phone_numbers.list()]

    assert found == [
        PhoneNumber(
            id=first,
            number="+14155550100",
            display_number="+1 (415) 555-0100",
            nickname="Main line",
        ),
        PhoneNumber(id=second, number="+442071838750", display_number="+442071838750"),
    ]
    assert zendesk_fake.requests[-1].path == "/api/v2/channels/voice/phone_numbers"


@pytest.fixture
async def source() -> AsyncIterator[FakeZendesk]:
    async with await FakeZendesk.start() as fake:
        support = fake.add_group("Support")
        fake.add_group("Unused")
        retired = fake.add_group("Retired")
        welcome = fake.add_greeting("Welcome")
        line = fake.add_phone_number("+14155550100")
        texts = fake.add_phone_number("+14155550199")
        fake.put_ivr(
            {
                "name": "Line",
                "phone_number_ids": [line],
                "menus": [
                    {
                        "name": "Main",
                        "default": True,
                        "greeting_id": welcome,
                        "routes": [
                            {
                                "keypress": "1",
                                "action": "group",
                                "options": {"group_ids": [support]},
                            },
                            {
                                "keypress": "2",
                                "action": "group",
                                "options": {"group_ids": [retired]},
                            },
                            {
                                "keypress": "3",
                                "action": "textback",
                                "options": {"textback_phone_number_id": texts, "sms_text": "hi"},
                            },
                        ],
                    }
                ],
            }
        )
        fake.delete_group(retired)
        yield fake


async def test_an_export_names_what_its_ivrs_reference(source: FakeZendesk) -> None:
    async with client_of(source) as client:
        document = await export(client)

    groups = source.group_ids()
    assert document["references"] == {
        # Only what the IVRs use, as the account has it: not "Unused", not the deleted group.
        "groups": {str(groups[0]): "Support"},
        "greetings": {str(g): "Welcome" for g in source.greeting_ids()},
        "phone_numbers": {str(p.id): p.number for p in await _phone_numbers(source)},
    }
    assert load_export(document).references is not None


async def _phone_numbers(fake: FakeZendesk) -> list[PhoneNumber]:
    async with client_of(fake) as client:
        return [p async for p in client.phone_numbers.list()]


async def test_map_by_name_matches_names_and_numbers_and_says_what_it_could_not(
    source: FakeZendesk,
) -> None:
    async with client_of(source) as client:
        desired = load_export(await export(client))
    async with await FakeZendesk.start() as target:
        support = target.add_group("Support")
        welcome = [target.add_greeting("Welcome"), target.add_greeting("Welcome")]
        line = target.add_phone_number("+1 (415) 555-0100")
        async with client_of(target) as client:
            found = await map_by_name(client, desired)
            # An entry of the id map given wins, and settles the ambiguous greeting.
            old_welcome = source.greeting_ids()[0]
            assert isinstance(old_welcome, int)
            given = await map_by_name(
                client, desired, id_map=IdMap(greetings={old_welcome: welcome[1]})
            )

        assert writes(target) == []

    old_support = source.group_ids()[0]
    old_line, old_texts = sorted(p.id for p in await _phone_numbers(source))
    assert found.id_map == IdMap(groups={old_support: support}, phone_numbers={old_line: line})
    assert [(u.kind, u.id, u.name, u.reason) for u in found.unmatched] == [
        (
            "group",
            old_support + 2,
            None,
            "not a group of the source account when exported (deleted there?)",
        ),
        (
            "greeting",
            old_welcome,
            "Welcome",
            "2 greetings in the target match 'Welcome': ambiguous",
        ),
        (
            "phone_number",
            old_texts,
            "+14155550199",
            "no phone number numbered '+14155550199' in the target",
        ),
    ]
    assert found.unmatched[0].used_by == ("IVR 'Line', menu 'Main', key 2",)
    assert given.id_map.greetings == {old_welcome: welcome[1]}
    assert [u.kind for u in given.unmatched] == ["group", "phone_number"]


def writes(fake: FakeZendesk) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests if r.method in WRITES]


async def test_an_export_without_references_cannot_be_mapped_by_name(
    source: FakeZendesk,
) -> None:
    async with client_of(source) as client:
        document = await export(client)
        del document["references"]
        with pytest.raises(InvalidExport, match="export it again"):
            await map_by_name(client, load_export(document))


# --- the command line, between two sandboxes ---------------------------------------------------


@pytest.fixture
async def second_sandbox() -> AsyncIterator[FakeZendesk]:
    """
    Another sandbox: the demo account as `zendesk-ivr sandbox` serves it, less three clean IVRs
    (their groups, greetings and numbers stay), so a plan has something to create.
    """
    async with await FakeZendesk.start() as fake:
        demo = seed_demo_account(fake)
        async with client_of(fake) as client:
            for ivr_id in demo.clean_ivr_ids[:3]:
                await client.ivrs.delete(ivr_id)
        fake.clear_requests()
        yield fake


def drop_ivrs_at(path: Path, problems: tuple[str, ...]) -> None:
    """Fix an export the way a person would: leave out each IVR a problem names."""
    at = {int(i) for i in re.findall(r"@ \$\.ivrs\[(\d+)\]", "\n".join(problems))}
    assert len(at) == len(problems) > 0  # one problem planted in each
    document = json.loads(path.read_text(encoding="utf-8"))
    document["ivrs"] = [one for i, one in enumerate(document["ivrs"]) if i not in at]
    path.write_text(json.dumps(document), encoding="utf-8")


async def test_the_sandbox_export_maps_and_plans_against_a_second_sandbox(
    second_sandbox: FakeZendesk, tmp_path: Path
) -> None:
    exported, id_map = tmp_path / "sandbox.json", tmp_path / "map.json"
    code, _, err = await run_script("export", "--sandbox", "-o", str(exported))
    assert code == 0, err
    env = fake_env(second_sandbox)
    # The demo account holds routes Zendesk would refuse to create (planted for the audit): the
    # export is refused whole, each one named by its JSON path, until the file is fixed.
    invalid, _, invalid_err = await run_script("plan", str(exported), env=env)
    assert invalid == 2
    assert re.fullmatch(r"zendesk-ivr: error: \S+: \d+ invalid values: .*\n", invalid_err)
    with pytest.raises(InvalidExport) as refused_export:
        load_export(exported)
    drop_ivrs_at(exported, refused_export.value.problems)
    assert writes(second_sandbox) == []

    mapped, map_out, map_err = await run_script("map", str(exported), "-o", str(id_map), env=env)
    refused, refused_out, refused_err = await run_script(
        "plan", str(exported), "--map", str(id_map), "--format", "json", env=env
    )
    planned, plan_out, plan_err = await run_script(
        "plan", str(exported), "--map", str(id_map), "--skip-dangling", env=env
    )
    assert writes(second_sandbox) == []
    applied, _, apply_err = await run_script(
        "apply", str(exported), "--map-by-name", "--skip-dangling", "--yes", env=env
    )
    again, again_out, again_err = await run_script(
        "plan", str(exported), "--map-by-name", "--skip-dangling", env=env
    )

    # map: exit 1, the map of what matched written, one stderr line per reference it could not.
    document = json.loads(exported.read_text(encoding="utf-8"))
    written = IdMap.load(id_map)
    assert (mapped, map_out) == (1, "")
    used = referenced_ids(load_export(exported).ivrs)
    for kind in REFERENCE_KINDS:
        # The same demo account: every name and number the source had is found, as itself.
        assert written.to_json()[f"{kind}s"] == {
            old: int(old) for old in document["references"][f"{kind}s"] if int(old) in used[kind]
        }
    unmatched = [line for line in map_err.splitlines() if line.startswith("unmatched ")]
    assert len(unmatched) == 2
    assert "not a group of the source account when exported" in unmatched[0]
    assert "not a greeting of the source account when exported" in unmatched[1]
    assert map_err.splitlines()[-1].endswith("; 2 unmatched.")

    # Without --skip-dangling: refused, and --format json lists every dangling reference.
    reasons = json.loads(refused_out)["refused"]
    assert refused == 2
    assert refused_err.startswith("zendesk-ivr: error: plan refused:")
    assert {d["kind"] for d in reasons["dangling"]} == {"menu", "group", "greeting"}
    assert all(d["ivr"] and d["menu"] for d in reasons["dangling"])
    assert reasons["unmapped"] == []

    # With it: the three missing IVRs are created, the dangling references listed as skipped.
    lines = plan_out.splitlines()
    skipped = [line for line in lines if line.startswith("skip ")]
    assert planned == 0, plan_err
    assert len(skipped) == len(reasons["dangling"])
    assert len([line for line in lines if re.match(r"create ivr\[[^]]*\] name=", line)]) == 3
    assert applied == 0, apply_err
    assert (again, again_out.splitlines()) == (0, skipped)
    assert again_err == f"Nothing to change. ({len(skipped)} dangling references left out)\n"
