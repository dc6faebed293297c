"""The registry of personal data: every section of the download comes from exactly one source."""

import pytest

from lms.accounts.models import User
from lms.extensions import db
from lms.privacy import export, registry
from lms.privacy.sections import Export
from tests.privacy.everything import fill_every_table


@pytest.fixture
def filled(app, client, make_user, make_cohort):
    return fill_every_table(app, client, make_user, make_cohort)


def test_every_section_of_the_download_comes_from_one_source(app, filled):
    with app.app_context():
        user = db.session.get(User, filled.learner_id)
        gathered = [list(source.collect(Export(user))) for source in registry.SOURCES]
        data = export.collect(user)
    sections = [section for part in gathered for section in part]
    assert len(sections) == len(set(sections)), "two sources write the same section"
    assert list(data) == ["format", "version", "exported_at", *sections]


def test_every_exported_section_has_a_csv_file_or_is_the_profile():
    exported = set(registry.EXPORTED.values())
    assert exported - set(registry.CSV_HEADERS) == {"profile"}
    # The CSV-only file of quiz answers and the programme's organisation and country (a part
    # of the users row) are the files no column points at.
    assert set(registry.CSV_HEADERS) - exported == {
        "quiz_answers",
        "reflections",
        "organisation_and_country",
    }
