"""Generated requests to every route, as every role: never a 5xx, never someone else's data.

Routes come from ``app.url_map``, so a new route is fuzzed without anyone listing it. Each
example is one request with generated path parameters (real ids of other people's objects,
huge and odd numbers, unicode, very long text), query strings, form fields (the page's own
fields, found by parsing every page, plus missing, repeated, extra and oversized ones, NUL
bytes and invalid UTF-8, files for file inputs), with a valid CSRF token or without, and JSON
bodies. ``make test`` runs a few examples per route; ``make fuzz`` runs thousands.
"""

import io
import os
import string
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.world import METHODS, ROLES, STATS, all_routes

settings.register_profile(
    "fuzz-quick",
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "fuzz-long",
    max_examples=int(os.environ.get("LMS_FUZZ_EXAMPLES", "230")),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
#: ``make fuzz`` sets LMS_FUZZ_PROFILE=fuzz-long.
PROFILE = settings.get_profile(os.environ.get("LMS_FUZZ_PROFILE", "fuzz-quick"))

ROUTES = [r for r in all_routes() if r[1] != "static"]

#: Query arguments the views read, and some they do not.
QUERY_KEYS = ["q", "show", "sort", "dir", "page", "area", "code", "next", "lang", "format"]
ODD_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2027-02-30",
    "0000-00-00",
    "9999-12-31",
    "25:61",
    "Not/AZone",
    "../../../../etc/passwd",
    "%00",
    "%ff",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "//evil.example/",
    "' OR 1=1 --",
    "=cmd|'/C calc'!A0",
    "\u202e\u0646\u0635",
    "😀" * 50,
    "ǅ" * 300,
    "\r\nSet-Cookie: x=1",
]
BAD_BODIES = [
    b"%ff%fe=%c3%28&q=%ed%a0%80",
    b"a=%00%ff&&&=&%%%",
    b"\xff\xfe\x00\x00garbage",
    b"csrf_token=%ff",
]
ODD_LANGUAGES = ["de", "it;q=0.9,de;q=0.8", "*", "xx-YY", "sl-SI", ";q=abc", "en-GB,en;q=x", ""]
INTS = [0, 1, 2, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]

short_text = st.text(max_size=40)
values = st.one_of(
    short_text,
    st.sampled_from(ODD_TEXT),
    st.integers(-(10**20), 10**20).map(str),
    st.integers(1_000, 200_000).map(lambda n: "x" * n),
    st.text(alphabet=string.printable, max_size=400),
)


def _path_value(name: str, converter: str, pools: dict):
    real = pools.get(name) or []
    if converter == "int":
        real = real or pools["id"]
        numbers = st.one_of(
            st.sampled_from(real) if real else st.nothing(),
            st.integers(0, 10**6),
            st.sampled_from(INTS),
        ).map(str)
        return st.one_of(numbers, numbers, numbers, values.filter(lambda v: "/" not in v))
    safe = "/" if converter == "path" else ""
    texts = st.one_of(values, st.sampled_from(["..", ".", "%2e%2e", "a" * 3000]))
    if not safe:
        texts = texts.filter(lambda v: "/" not in v)
    choices = [st.sampled_from(real)] if real else []
    return st.one_of(*choices, *choices, texts).map(lambda v: quote(str(v), safe=safe))


def _build_path(data, rule: str, pools: dict) -> str:
    import re

    def replace(match):
        converter, name = match.group(1) or "default", match.group(2)
        return data.draw(_path_value(name, converter, pools), label=name)

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", replace, rule)


def _query(data) -> str:
    pairs = data.draw(
        st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), short_text), values), max_size=4),
        label="query",
    )
    query = urlencode(pairs)
    if data.draw(st.integers(0, 9)) == 0:
        query += "&" + data.draw(
            st.sampled_from(
                [
                    "page=%ff",
                    "q=%00",
                    "sort=%C0%AF",
                    "q=%",
                    # issue 12: huge page numbers, control characters, next with CR/LF
                    "page=99999999999999999999",
                    "page=9223372036854775808",
                    "page=-1",
                    "q=a%0d%0ab%1b",
                    "next=%2F%0d%0aSet-Cookie:x=1",
                    "next=/%E2%80%A8x",
                ]
            )
        )
    return query


def _form(data, world, endpoint: str, role: str):
    """A list of (name, value) pairs built around the form's real fields."""
    fields = world.forms.get(endpoint, {})
    names = sorted(n for n in fields if n != "csrf_token")
    pairs = []
    for name in (
        data.draw(st.lists(st.sampled_from(names), unique=True), label="fields") if names else []
    ):
        samples = fields[name]
        strategy = st.one_of(st.sampled_from(samples), values) if samples else values
        for _ in range(data.draw(st.sampled_from([1, 1, 1, 1, 2]), label="copies")):
            pairs.append((name, data.draw(strategy, label=name)))
    pairs += data.draw(st.lists(st.tuples(short_text, values), max_size=2), label="extra")
    csrf = data.draw(st.sampled_from(["valid"] * 6 + ["missing", "garbage", "twice"]))
    token = world.people[role]["csrf"]
    if csrf == "valid":
        pairs.append(("csrf_token", token))
    elif csrf == "garbage":
        pairs.append(("csrf_token", data.draw(values)))
    elif csrf == "twice":
        pairs += [("csrf_token", token), ("csrf_token", token + "x")]
    return pairs


def _body(data, world, endpoint: str, role: str) -> dict:
    """Keyword arguments for the test client: a form, multipart with files, raw bytes or JSON."""
    pairs = _form(data, world, endpoint, role)
    mode = data.draw(st.sampled_from(["form"] * 6 + ["multipart", "raw", "json", "none"]))
    if mode == "form":
        return {"data": _multidict(pairs)}
    if mode == "multipart":
        files = world.files.get(endpoint) or ["file"]
        form = _multidict(pairs)
        for name in files:
            content = data.draw(
                st.one_of(
                    st.binary(max_size=2000),
                    st.sampled_from(
                        [b"name,email\nAlma,alma@example.org\n", b"\xff\xfe\x00", b"a;b\n" * 3000]
                    ),
                )
            )
            filename = data.draw(st.sampled_from(["list.csv", "", "../../x.csv", "a\x00.csv"]))
            form.add(name, (io.BytesIO(content), filename))
        return {"data": form, "content_type": "multipart/form-data"}
    if mode == "raw":
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()
        body += b"&" + data.draw(st.one_of(st.sampled_from(BAD_BODIES), st.binary(max_size=200)))
        content_type = data.draw(
            st.sampled_from(
                [
                    "application/x-www-form-urlencoded",
                    "application/x-www-form-urlencoded; charset=latin-1",
                    "multipart/form-data",
                    "multipart/form-data; boundary=zzz",
                    "text/plain",
                ]
            )
        )
        return {"data": body, "content_type": content_type}
    if mode == "json":
        payload = data.draw(
            st.recursive(
                st.one_of(st.none(), st.booleans(), st.integers(), short_text),
                lambda children: st.one_of(
                    st.lists(children, max_size=3),
                    st.dictionaries(short_text, children, max_size=3),
                ),
                max_leaves=10,
            )
        )
        return {"json": payload}
    return {}


def _multidict(pairs):
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


def _headers(data) -> dict:
    headers = {}
    if data.draw(st.booleans(), label="language"):
        headers["Accept-Language"] = data.draw(
            st.one_of(
                st.sampled_from(ODD_LANGUAGES),
                st.text(alphabet=string.ascii_letters + "-,;=.*0123456789 ", max_size=30),
            )
        )
    if data.draw(st.integers(0, 4)) == 0:
        headers["Accept"] = "application/json"
    if data.draw(st.integers(0, 9)) == 0:  # a foreign or malformed Host (issue 12): 400
        headers["Host"] = data.draw(
            st.sampled_from(["evil.example", "localhost:99999", "a b", "[::1", "évil.example"])
        )
    return headers


def _forget_sign_outs(world) -> None:
    """A fuzzed sign-out ends that sign-in on the server; the next example reuses the cookie."""
    import sqlalchemy as sa

    from lms.accounts.models import EndedLogin
    from lms.extensions import db

    with world.app.app_context():
        db.session.execute(sa.delete(EndedLogin))
        db.session.commit()


def draw_request(data, world, rule: str, endpoint: str, methods) -> tuple:
    """One generated request to ``rule``: (role, method, url, client keyword arguments, headers)."""
    role = data.draw(st.sampled_from(ROLES), label="role")
    allowed = [m for m in methods if m in METHODS] or methods
    method = data.draw(st.sampled_from(allowed * 10 + ["PUT", "DELETE"]), label="method")
    path = _build_path(data, rule, world.pools)
    query = _query(data) if data.draw(st.booleans(), label="with query") else ""
    url = path + ("?" + query if query else "")
    kwargs = _body(data, world, endpoint, role) if method != "GET" else {}
    return role, method, url, kwargs, _headers(data)


@pytest.mark.parametrize("rule, endpoint, methods", ROUTES, ids=[f"{e}:{r}" for r, e, _m in ROUTES])
@settings(PROFILE)
@given(data=st.data())
def test_no_server_error_and_no_change_to_data_the_role_may_not_change(
    world, rule, endpoint, methods, data
):
    _forget_sign_outs(world)  # each example starts with every role signed in (before any draw)
    role, method, url, kwargs, headers = draw_request(data, world, rule, endpoint, methods)

    client = world.app.test_client()
    if world.people[role]["cookie"]:
        client.set_cookie("session", world.people[role]["cookie"])
    world.wrote.clear()
    world.errors.records.clear()
    try:
        with client.open(url, method=method, headers=headers, **kwargs) as response:
            status = response.status_code
        STATS["requests"] += 1
        STATS["endpoints"].add(endpoint)
        STATS["statuses"][status] = STATS["statuses"].get(status, 0) + 1
        if status >= 500:
            STATS["server_errors"] += 1
        assert status < 500, f"{status} for {role} {method} {url!r} {kwargs!r}\n" + "\n".join(
            world.errors.records
        )
        if world.wrote:
            problems = world.foreign_changes(role, world.snapshot())
            assert not problems, f"{role} {method} {url!r} {kwargs!r} changed:\n" + "\n".join(
                problems
            )
    finally:
        if world.wrote:
            world.reset()
