"""A 422's field errors travel in the exception text, the CLI's line and a failed step's error."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.cli_helpers import clean_env, run_script
from zendesk_ivr import Client, GroupOptions, Ivr, IvrMenu, RecordInvalid
from zendesk_ivr._core.reading.serde import make_converter
from zendesk_ivr.migration import ApplyFailed, DesiredState, apply, plan
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


DETAILS = {
    "基本信息": [{"description": "无效", "error": "InvalidValue"}],
    "keypress": [{"description": "Keypress is invalid"}, {"error": "Taken"}],
}
#: How the message shows DETAILS: keys as sent, each description, or the bare code.
SHOWN = "基本信息: 无效; keypress: Keypress is invalid; keypress: Taken"


@pytest.fixture
async def localized_422() -> AsyncIterator[str]:
    """
    A server with no IVRs that refuses every write with field errors under localized keys, as
    Zendesk may send them.
    """

    async def answer(request: web.Request) -> web.Response:
        if request.method == "GET":
            return web.json_response({"ivrs": [], "next_page": None, "count": 0})
        body = {"error": "RecordInvalid", "description": "Record validation errors"}
        return web.json_response({**body, "details": DETAILS}, status=422)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
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

    assert SHOWN in str(info.value)
    assert info.value.details == DETAILS


async def test_a_failed_step_and_the_cli_line_carry_the_field_errors(
    localized_422: str, tmp_path: Path
) -> None:
    # A new IVR names its default menu (every IVR has one): the plan refuses it otherwise.
    desired = DesiredState(
        [Ivr(id=1, name="Support", menus=(IvrMenu(id=2, name="Main", default=True),))]
    )
    async with Client(base_url=localized_422, email="a@b.c", api_token="t") as client:
        steps = plan(desired, await client.walk(), same_account=True)
        with pytest.raises(ApplyFailed) as info:
            await apply(client, steps)

    (failure,) = info.value.report.failed
    assert failure.key == "ivr[Support]"
    assert failure.error.startswith("RecordInvalid: POST ")
    assert SHOWN in failure.error

    # The same through the command line: its one error line says why.
    export = tmp_path / "export.json"
    document = {
        "format": "zendesk-ivr-export",
        "version": 1,
        "source": {"base_url": localized_422},
        "ivrs": make_converter().unstructure(desired.ivrs, tuple[Ivr, ...]),
    }
    export.write_text(json.dumps(document), encoding="utf-8")
    env = clean_env(ZENDESK_BASE_URL=localized_422, ZENDESK_OAUTH_TOKEN="t")
    code, _, err = await run_script("apply", str(export), "--yes", env=env)

    assert code == 1
    assert err.splitlines()[-1].startswith("zendesk-ivr: error: apply stopped: 1 step failed")
    assert SHOWN in err.splitlines()[-1]
