"""
Every configuration error the command line can meet, walked through the console script: one line
in the user's terms, naming the option and the variable that fix it and the likely fix, never
the SDK's Python keyword syntax (``base_url=``), which stays for Python callers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.cli_helpers import clean_env, run_script

#: Nothing listens here: a command that tried to connect would fail otherwise than expected.
NOWHERE = "http://127.0.0.1:9"
TOKEN = {"ZENDESK_BASE_URL": NOWHERE, "ZENDESK_OAUTH_TOKEN": "tok"}
#: What Python callers read and a command line user must not: `name=` keyword syntax, the
#: package's and its functions' names.
PYTHON_SYNTAX = re.compile(r"(?<![A-Z_])[a-z][a-z_]*=|zendesk_ivr\.|Client\(|invalid _")


class Case(NamedTuple):
    args: tuple[str, ...]
    env: dict[str, str]
    says: tuple[str, ...]  # each must be in the line; "{tmp}" is the test's folder


CASES = {
    "no account": Case(
        (),
        {},
        (
            "no account to connect to: pass --subdomain or set ZENDESK_SUBDOMAIN",
            "pass --base-url or set ZENDESK_BASE_URL",
            "--sandbox",
        ),
    ),
    "subdomain given as a host": Case(
        ("--subdomain", "acme.zendesk.com", "--oauth-token", "tok"),
        {},
        ("--subdomain (ZENDESK_SUBDOMAIN) takes the first label", ": did you mean acme?"),
    ),
    "subdomain variable given as a URL": Case(
        (),
        {"ZENDESK_SUBDOMAIN": "https://Acme.zendesk.com/", "ZENDESK_OAUTH_TOKEN": "tok"},
        ("ZENDESK_SUBDOMAIN (--subdomain) takes the first label", ": did you mean acme?"),
    ),
    "subdomain that is no label": Case(
        ("--subdomain", "ac me", "--oauth-token", "tok"),
        {},
        ("--subdomain (ZENDESK_SUBDOMAIN)", "got 'ac me'"),
    ),
    "base URL without a scheme, loopback": Case(
        ("--base-url", "127.0.0.1:35767", "--oauth-token", "tok"),
        {},
        (
            "--base-url (ZENDESK_BASE_URL) must be an absolute http(s) URL",
            "got '127.0.0.1:35767': did you mean http://127.0.0.1:35767?",
        ),
    ),
    "base URL variable without a scheme": Case(
        (),
        {"ZENDESK_BASE_URL": "acme.zendesk.com/api/v2", "ZENDESK_OAUTH_TOKEN": "tok"},
        (
            "ZENDESK_BASE_URL (--base-url) must be an absolute http(s) URL",
            "did you mean https://acme.zendesk.com/api/v2?",
        ),
    ),
    "base URL with a misspelt scheme": Case(
        ("--base-url", "htps://acme.zendesk.com", "--oauth-token", "tok"),
        {},
        ("--base-url (ZENDESK_BASE_URL)", "did you mean https://acme.zendesk.com?"),
    ),
    "base URL carrying credentials": Case(
        (),
        {"ZENDESK_BASE_URL": "https://agent:hunter2@acme.zendesk.com", "ZENDESK_OAUTH_TOKEN": "t"},
        (
            "ZENDESK_BASE_URL (--base-url) must not carry credentials",
            "--email and --api-token (ZENDESK_EMAIL, ZENDESK_API_TOKEN)",
        ),
    ),
    "base URL in plain http to another host": Case(
        ("--base-url", "http://acme.example", "--oauth-token", "tok"),
        {},
        ("--base-url (ZENDESK_BASE_URL) is plain http", "did you mean https://acme.example/?"),
    ),
    "no credentials": Case(
        ("--base-url", NOWHERE),
        {},
        (
            "no credentials: pass --email and --api-token (or set ZENDESK_EMAIL and "
            "ZENDESK_API_TOKEN), or --oauth-token (ZENDESK_OAUTH_TOKEN)",
            "ZENDESK_OAUTH_CLIENT_ID",
        ),
    ),
    "API token option without an email": Case(
        ("--base-url", NOWHERE, "--api-token", "tok"),
        {},
        (
            "--api-token (ZENDESK_API_TOKEN) needs the agent's email too: pass --email or set "
            "ZENDESK_EMAIL",
        ),
    ),
    "API token variable without an email": Case(
        (),
        {"ZENDESK_BASE_URL": NOWHERE, "ZENDESK_API_TOKEN": "tok"},
        ("ZENDESK_API_TOKEN (--api-token) needs the agent's email too: pass --email or set",),
    ),
    "password without an email": Case(
        (),
        {"ZENDESK_BASE_URL": NOWHERE, "ZENDESK_PASSWORD": "pw"},
        ("ZENDESK_PASSWORD (--password) needs the agent's email too: pass --email or set",),
    ),
    "email without a secret": Case(
        ("--base-url", NOWHERE, "--email", "agent@acme.test"),
        {},
        (
            "--email (ZENDESK_EMAIL) needs an API token too: pass --api-token or set "
            "ZENDESK_API_TOKEN",
            "--oauth-token or ZENDESK_OAUTH_TOKEN",
        ),
    ),
    "two secrets in the environment": Case(
        (),
        {
            "ZENDESK_BASE_URL": NOWHERE,
            "ZENDESK_EMAIL": "agent@acme.test",
            "ZENDESK_API_TOKEN": "a",
            "ZENDESK_OAUTH_TOKEN": "b",
        },
        (
            "ZENDESK_API_TOKEN and ZENDESK_OAUTH_TOKEN are two kinds of credentials",
            "choose on the command line with --api-token or --oauth-token",
        ),
    ),
    "two secret options": Case(
        ("--base-url", NOWHERE, "--email", "a@acme.test", "--api-token", "a", "--password", "b"),
        {},
        ("--api-token and --password are two kinds of credentials: pass one",),
    ),
    "an email option beside an OAuth token": Case(
        ("--base-url", NOWHERE, "--email", "a@acme.test", "--oauth-token", "tok"),
        {},
        ("--email goes with --api-token, not with --oauth-token", "drop --email"),
    ),
    "a control character in a secret": Case(
        (),
        {
            "ZENDESK_BASE_URL": NOWHERE,
            "ZENDESK_EMAIL": "a@acme.test",
            "ZENDESK_API_TOKEN": "a\x01b",
        },
        ("ZENDESK_API_TOKEN (--api-token) holds a line break or another control character",),
    ),
    "a line break in an email option": Case(
        ("--base-url", NOWHERE, "--email", "a@acme.test\nX: 1", "--api-token", "tok"),
        {},
        ("--email (ZENDESK_EMAIL) holds a line break",),
    ),
    "refreshing OAuth beside an API token": Case(
        (),
        {
            "ZENDESK_BASE_URL": NOWHERE,
            "ZENDESK_OAUTH_CLIENT_ID": "client",
            "ZENDESK_OAUTH_CLIENT_SECRET": "secret",
            "ZENDESK_EMAIL": "a@acme.test",
            "ZENDESK_API_TOKEN": "tok",
        },
        (
            "ZENDESK_OAUTH_CLIENT_ID (OAuth that refreshes itself) and ZENDESK_API_TOKEN "
            "(--api-token) are both set",
            "choose on the command line with --api-token or --oauth-token",
        ),
    ),
    "refreshing OAuth with nothing to refresh with": Case(
        (),
        {"ZENDESK_BASE_URL": NOWHERE, "ZENDESK_OAUTH_CLIENT_ID": "client"},
        (
            "ZENDESK_OAUTH_CLIENT_ID needs ZENDESK_OAUTH_REFRESH_TOKEN",
            "ZENDESK_OAUTH_CLIENT_SECRET",
            "(--token-file or ZENDESK_OAUTH_TOKEN_FILE)",
        ),
    ),
    "a token file that holds no tokens": Case(
        ("--token-file", "{tmp}/tokens.json"),
        {"ZENDESK_BASE_URL": NOWHERE, "ZENDESK_OAUTH_CLIENT_ID": "client"},
        ("--token-file (ZENDESK_OAUTH_TOKEN_FILE): {tmp}/tokens.json does not hold OAuth tokens",),
    ),
    "a token file that is a folder": Case(
        (),
        {
            "ZENDESK_BASE_URL": NOWHERE,
            "ZENDESK_OAUTH_CLIENT_ID": "client",
            "ZENDESK_OAUTH_REFRESH_TOKEN": "refresh",
            "ZENDESK_OAUTH_TOKEN_FILE": "{tmp}",
        },
        ("ZENDESK_OAUTH_TOKEN_FILE (--token-file): cannot read {tmp}: Is a directory",),
    ),
    "a timeout that is no number of seconds": Case(
        ("--timeout", "-1", "--sandbox"),
        {},
        ("argument --timeout: must be a positive number of seconds, got '-1'",),
    ),
    "a count that is no number": Case(
        ("--max-concurrency", "many", "--sandbox"),
        {},
        ("argument --max-concurrency: must be a whole number, got 'many'",),
    ),
    "no requests in flight": Case(
        ("--max-concurrency", "0", "--sandbox"),
        {},
        ("argument --max-concurrency: must be at least 1, got 0",),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_a_configuration_error_names_the_option_and_variable_that_fix_it(
    case: Case, tmp_path: Path
) -> None:
    (tmp_path / "tokens.json").write_text("[]")
    env = clean_env(**{k: v.format(tmp=tmp_path) for k, v in case.env.items()})
    args = [arg.format(tmp=tmp_path) for arg in case.args]

    code, out, err = await run_script("export", *args, env=env)

    assert (code, out) == (2, ""), err
    (line,) = err.splitlines()  # one line, no traceback
    assert line.startswith("zendesk-ivr: error: ")
    for part in case.says:
        assert part.format(tmp=tmp_path) in line
    assert PYTHON_SYNTAX.search(line) is None, line
    assert "hunter2" not in line


@pytest.mark.parametrize("where", ["before", "after"])
async def test_the_same_error_whether_the_option_comes_before_or_after_the_command(
    where: str,
) -> None:
    option = ("--base-url", "127.0.0.1:35767", "--oauth-token", "tok")
    args = (*option, "export") if where == "before" else ("export", *option)

    code, _, err = await run_script(*args)

    assert code == 2
    assert "did you mean http://127.0.0.1:35767?" in err


def test_the_python_syntax_check_sees_what_the_sdk_says() -> None:
    # The SDK's own wording, which this table keeps off the command line.
    for sdk in (
        "pass subdomain='acme' (for acme.zendesk.com) or base_url=",
        "password= is deprecated ... (zendesk_ivr.OAuth, or oauth_token=)",
    ):
        assert PYTHON_SYNTAX.search(sdk) is not None
