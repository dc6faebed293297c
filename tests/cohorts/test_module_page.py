"""The per-module statistics page of a cohort."""

import pytest
import sqlalchemy as sa

from lms.courses.models import Module
from lms.extensions import db


@pytest.fixture
def worked(app, alma_and_boris):
    """Alma passed the first module's quiz and completed it; Boris failed the quiz twice."""
    cohort_id = alma_and_boris
    with app.app_context():
        first = db.session.scalar(sa.select(Module.id).where(Module.slug == "first-steps"))
        elsewhere = db.session.scalar(sa.select(Module.id).where(Module.slug == "looking-ahead"))
    return {"cohort": cohort_id, "module": first, "elsewhere": elsewhere}


def test_cohort_page_links_each_module_to_its_statistics(client, worked):
    page = client.get(f"/facilitate/cohorts/{worked['cohort']}").get_data(as_text=True)
    url = f"/facilitate/cohorts/{worked['cohort']}/modules/{worked['module']}"
    assert f'<a href="{url}">First steps</a>' in page
    row = page[page.index(url) :].split("</tr>")[0]
    assert "50%" in row  # completed by one learner of two; best scores 100% and 0%
    assert "The three hardest questions" not in page  # on each module's page only


def test_module_page_shows_rates_hardest_questions_and_who_is_left(client, worked):
    page = client.get(
        f"/facilitate/cohorts/{worked['cohort']}/modules/{worked['module']}"
    ).get_data(as_text=True)
    assert "<h1>First steps</h1>" in page
    assert "1 / 2" in page  # completed
    hardest = page[page.index("The three hardest questions") : page.index("Not completed yet")]
    assert "Which is additive?" in hardest
    assert "67%" in hardest  # two wrong answers out of three
    assert "What did you learn?" not in hardest  # reflections are not graded
    left = page[page.index("Not completed yet") :]
    assert "Boris Behind" in left and "Alma Active" not in left
    assert "In progress" in left


def test_module_page_answers_404_for_a_module_outside_the_cohort(client, worked):
    url = f"/facilitate/cohorts/{worked['cohort']}/modules/{worked['elsewhere']}"
    assert client.get(url).status_code == 404
    assert client.get(f"/facilitate/cohorts/{worked['cohort']}/modules/9999").status_code == 404
