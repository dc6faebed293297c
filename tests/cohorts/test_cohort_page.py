"""The cohort page a hundred learners at a time, and the dashboard's headline figures."""

import csv
import html
import io
import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import User
from lms.cohorts.models import Membership
from lms.extensions import db, utcnow
from tests.conftest import login


def add_learners(app, cohort_id: int, count: int) -> None:
    """``count`` members named ``Learner 000``, ``Learner 001`` ... (bulk inserts)."""
    with app.app_context():
        start = db.session.scalar(sa.select(sa.func.max(User.id)))
        db.session.execute(
            sa.insert(User),
            [
                {
                    "email": f"bulk{i:03d}@example.org",
                    "name": f"Learner {i:03d}",
                    "password_hash": "x",
                    "role": "learner",
                    "locale": "en",
                    "active": True,
                    "created_at": utcnow(),
                }
                for i in range(count)
            ],
        )
        ids = db.session.scalars(sa.select(User.id).where(User.id > start))
        db.session.execute(
            sa.insert(Membership),
            [{"cohort_id": cohort_id, "user_id": i, "joined_at": utcnow()} for i in ids],
        )
        db.session.commit()


def names_in_matrix(page: str, cohort_id: int) -> list[str]:
    return re.findall(rf'href="/facilitate/cohorts/{cohort_id}/learners/\d+">([^<]+)</a>', page)


def link(page: str, rel: str) -> str:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    assert found, f"no {rel} link"
    return html.unescape(found.group(1))


@pytest.fixture
def big_cohort(app, client, make_user, make_cohort):
    """A facilitator's client and their cohort of 150 learners."""
    fac_id, fac_email = make_user("facilitator")
    cohort_id = make_cohort([fac_id], [])
    add_learners(app, cohort_id, 150)
    login(client, fac_email)
    return cohort_id


def test_matrix_shows_a_hundred_learners_and_page_two_the_rest(client, big_cohort):
    url = f"/facilitate/cohorts/{big_cohort}"
    first = client.get(url).get_data(as_text=True)
    assert names_in_matrix(first, big_cohort) == [f"Learner {i:03d}" for i in range(100)]
    assert "Learners 1–100 of 150" in first and "150 learners" in first
    assert first.count('<td class="cell cell-') == 100 * 2  # the fixture course has 2 modules
    assert '<nav class="area-filter pagination" aria-label="Pages of learners">' in first
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in first
    assert 'rel="prev"' not in first
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert names_in_matrix(second, big_cohort) == [f"Learner {i:03d}" for i in range(100, 150)]
    assert "Learners 101–150 of 150" in second
    assert 'rel="next"' not in second
    assert names_in_matrix(client.get(link(second, "prev")).get_data(as_text=True), big_cohort)[
        0
    ] == ("Learner 000")


def test_page_links_keep_search_filter_and_order(client, big_cohort):
    url = f"/facilitate/cohorts/{big_cohort}?q=learner&show=not_started&sort=name&dir=desc"
    first = client.get(url).get_data(as_text=True)
    assert names_in_matrix(first, big_cohort)[:2] == ["Learner 149", "Learner 148"]
    next_url = link(first, "next")
    for kept in ("q=learner", "show=not_started", "sort=name", "dir=desc", "page=2"):
        assert kept in next_url, kept
    second = client.get(next_url).get_data(as_text=True)
    assert names_in_matrix(second, big_cohort) == [f"Learner {i:03d}" for i in range(49, -1, -1)]


@pytest.mark.parametrize(
    ("asked", "shown"), [("99", "Learner 100"), ("0", "Learner 000"), ("two", "Learner 000")]
)
def test_page_numbers_out_of_range_show_the_nearest_page(client, big_cohort, asked, shown):
    page = client.get(f"/facilitate/cohorts/{big_cohort}?page={asked}")
    assert page.status_code == 200
    assert names_in_matrix(page.get_data(as_text=True), big_cohort)[0] == shown


def test_one_page_needs_no_page_links(client, big_cohort):
    page = client.get(f"/facilitate/cohorts/{big_cohort}?q=learner 14").get_data(as_text=True)
    assert len(names_in_matrix(page, big_cohort)) == 10
    assert "pagination" not in page and "Learners 1–" not in page


def test_exports_hold_every_page(client, big_cohort):
    base = f"/facilitate/cohorts/{big_cohort}/export"
    for kind in ("matrix", "attendance"):
        text = client.get(f"{base}/{kind}.csv?sort=name&dir=desc").get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
        assert [r[0] for r in rows] == [f"Learner {i:03d}" for i in range(149, -1, -1)], kind
    matrix = client.get(f"{base}/matrix.csv").get_data(as_text=True)
    assert matrix.count("not started") == 150 * 2


def test_dashboard_headline_matches_the_cohort_page(client, alma_and_boris):
    cohort_id = alma_and_boris
    dashboard = client.get("/facilitate").get_data(as_text=True)
    assert f'href="/facilitate/cohorts/{cohort_id}?show=at_risk">1</a>' in dashboard
    assert "<dt>Average completion</dt><dd>25%</dd>" in dashboard  # 1 of 2 modules, 0 of 2
    assert "<dt>Average quiz score</dt><dd>50%</dd>" in dashboard
    page = client.get(f"/facilitate/cohorts/{cohort_id}").get_data(as_text=True)
    assert "<dt>At risk</dt><dd>1</dd>" in page
    assert "<dt>Average completion</dt><dd>25%</dd>" in page
