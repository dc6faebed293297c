"""The authorization table in docs/security.md covers every route, and is true.

When this fails after a merge, add the missing rows to the table (route, methods, access,
object check, tests); the failure lists them.
"""

import re
from pathlib import Path

import pytest

from tests.conftest import csrf_token, login
from tests.fuzz.world import all_routes

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
ACCESS = ("public", "token", "signed-in", "facilitator", "admin", "manager")


def table_rows() -> list[dict]:
    """The rows of the route table under "## Authorization"."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Authorization", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[0].startswith("`/"):
            continue
        route, methods, access, check, tests = cells
        rows.append(
            {
                "route": route.strip("`"),
                "methods": {m.strip() for m in methods.split(",")},
                "access": access.strip("`"),
                "check": check,
                "tests": re.findall(r"(tests/[\w/]+\.py)::(\w+)", tests),
            }
        )
    return rows


def documented() -> set[tuple[str, str]]:
    return {(row["route"], method) for row in table_rows() for method in row["methods"]}


def test_every_route_and_method_is_in_the_authorization_table():
    actual = {(rule, m) for rule, _endpoint, methods in all_routes() for m in methods}
    missing = sorted(actual - documented())
    stale = sorted(documented() - actual)
    assert not missing, "add these to docs/security.md, ## Authorization: " + ", ".join(
        f"{m} {r}" for r, m in missing
    )
    assert not stale, "these rows name no route any more: " + ", ".join(
        f"{m} {r}" for r, m in stale
    )


def test_every_row_says_who_and_names_tests_that_exist():
    for row in table_rows():
        assert row["access"] in ACCESS, row
        assert row["check"], row
        assert row["tests"], row
        for path, name in row["tests"]:
            source = ROOT / path
            assert source.is_file(), (row["route"], path)
            assert re.search(rf"^def {name}\(", source.read_text(), re.MULTILINE), (path, name)


def _url(rule: str) -> str:
    """A concrete URL for a rule: ids and codes that name nothing."""

    def value(match):
        converter = match.group(1) or ""
        return "1" if converter.startswith("int") else "x.png" if converter == "path" else "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", value, rule)


def _request(client, row, method, token):
    url = _url(row["route"])
    if method == "GET":
        return client.get(url)
    return client.open(url, method=method, data={"csrf_token": token})


def _sent_to_sign_in(response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_every_route_refuses_who_the_table_says_it_refuses(client, make_user):
    """Anonymous visitors are sent to sign in, learners get 403 on facilitator pages and
    facilitators on admin pages; public and token routes let anyone try."""
    _, learner = make_user("learner")
    _, facilitator = make_user("facilitator")
    rows = table_rows()
    token = csrf_token(client, "/login")
    for row in rows:
        for method in sorted(row["methods"]):
            response = _request(client, row, method, token)
            refused = _sent_to_sign_in(response)
            if row["access"] in ("public", "token"):
                assert not refused and response.status_code != 403, (row["route"], method)
            else:
                assert refused, (row["route"], method, response.status_code)
    for who, email, refused_access in (
        ("learner", learner, ("facilitator", "admin", "manager")),
        ("facilitator", facilitator, ("admin", "manager")),
    ):
        signed_in = client.application.test_client()
        login(signed_in, email)
        token = csrf_token(signed_in, "/me/learning")
        for row in rows:
            if row["access"] not in refused_access:
                continue
            for method in sorted(row["methods"]):
                status = _request(signed_in, row, method, token).status_code
                assert status == 403, (who, row["route"], method, status)


@pytest.mark.parametrize("access", ACCESS)
def test_the_table_uses_each_kind_of_access_it_explains(access):
    assert any(row["access"] == access for row in table_rows())
