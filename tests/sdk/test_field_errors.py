"""A 422's field errors travel in the exception text, the CLI's line and a failed step's error."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.cli_helpers import fake_env, run_script
from zendesk_ivr import (
    ApplyFailed,
    Client,
    DesiredState,
    GroupOptions,
    Ivr,
    IvrMenu,
    IvrRoute,
    RecordInvalid,
    apply,
    make_converter,
    plan,
)
from zendesk_ivr.testing import FakeZendesk


async def test_a_refused_route_names_the_field_and_the_reason(
    zendesk_client: Client, zendesk_fake: FakeZendesk
) -> None:
    ivr = await zendesk_client.ivrs.create(name="Support")
    assert ivr.default_menu is not None
    menu = ivr.default_menu.id
    await zendesk_client.routes.create(
        ivr.id, menu, keypress="1", options=GroupOptions(group_ids=[1])
    )

    with pytest.raises(RecordInvalid) as info:
        await zendesk_client.routes.create(
            ivr.id, menu, keypress="1", options=GroupOptions(group_ids=[2])
        )

    sent = zendesk_fake.requests[-1].json
    assert sent["ivr_route"]["keypress"] == "1"
    # The fake says "Keypress: has already been taken"; the field's name is not said twice.
    assert "Record validation errors: keypress: has already been taken" in str(info.value)


@pytest.fixture
async def localized_422() -> AsyncIterator[str]:
    """A server refusing every write with field errors under localized keys, as Zendesk may."""
    details = {
        "基本信息": [{"description": "无效", "error": "InvalidValue"}],
        "keypress": [{"description": "Keypress is invalid"}, {"error": "Taken"}],
    }

    async def refuse(_request: web.Request) -> web.Response:
        body = {"error": "RecordInvalid", "description": "Record validation errors"}
        return web.json_response({**body, "details": details}, status=422)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_localized_keys_and_bare_error_codes_are_given_as_sent(localized_422: str) -> None:
    async with Client(base_url=localized_422, email="a@b.c", api_token="t") as client:
        with pytest.raises(RecordInvalid) as info:
            await client.ivrs.create(name="x")

    text = str(info.value)
    assert "基本信息: 无效; keypress: Keypress is invalid; keypress: Taken" in text
    assert info.value.details["基本信息"] == [{"description": "无效", "error": "InvalidValue"}]


def _menu_with_route(route: IvrRoute) -> Ivr:
    return Ivr(
        id=1, name="Support", menus=(IvrMenu(id=2, name="Main", default=True, routes=(route,)),)
    )


async def test_a_failed_step_and_the_cli_line_carry_the_field_errors(
    zendesk_fake: FakeZendesk, zendesk_client: Client, tmp_path: Path
) -> None:
    # Keypress "12" reads fine (reads are tolerant) but Zendesk refuses to create it.
    route = IvrRoute(id=3, keypress="12", action="group", options=GroupOptions(group_ids=[5]))
    desired = DesiredState([_menu_with_route(route)])
    steps = plan(desired, await zendesk_client.walk(), same_account=True)

    with pytest.raises(ApplyFailed) as info:
        await apply(zendesk_client, steps)

    (failure,) = info.value.report.failed
    assert failure.key == "ivr[Support]/default-menu/route[12]"
    assert "keypress: '12' is not a valid keypress" in failure.error

    # The same through the command line, from a fresh account.
    for ivr in [r async for r in zendesk_client.ivrs.list()]:
        await zendesk_client.ivrs.delete(ivr.id)
    export = tmp_path / "export.json"
    document = {
        "format": "zendesk-ivr-export",
        "version": 1,
        "source": {"base_url": zendesk_fake.url},
        "ivrs": make_converter().unstructure(desired.ivrs, tuple[Ivr, ...]),
    }
    export.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = await run_script("apply", str(export), "--yes", env=fake_env(zendesk_fake))

    assert code == 1
    assert "keypress: '12' is not a valid keypress" in err.splitlines()[-1]
